package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.Units;
import dev.hshm.api.spi.MemoryBackendProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hshm stat NAME}: a segment's header, directory and every allocator's statistics. */
@Command(name = "stat", description = "Show one segment: header, allocators and their statistics.")
final class StatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The segment's name (url).")
    String name;

    @Option(names = "--kind", description = "Attach as this backend kind (default: the kind that lists NAME, "
            + "else posix_shm_mmap).")
    String kind;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MemoryBackendProvider p = Segments.providerFor(name, kind);
        Segments.Summary s = Segments.describe(name, p);
        out.printf("segment %s%n  kind (creator): %s%n  backend id:     %d%n  data size:      %s%n"
                        + "  creator pid:    %d (%s)%n  other attached: %d%n", s.name(), s.kind(), s.id(),
                Units.format(s.dataSize()), s.creatorPid(), s.creatorAlive() ? "alive" : "gone", s.otherAttachers());
        try (Segments.Opened o = new Segments.Opened(name, p)) {
            o.skipped.forEach(x -> out.println("  allocator " + x));
            for (Allocator a : o.allocators) {
                AllocatorStats st = a.stats();
                out.printf("%nallocator %s (%s)%n  capacity:        %s%n  bytes in use:    %s in %d blocks%n"
                                + "  footprint:       %s%n  cached:          %s%n  thread slots:    %d leased%n",
                        a.id(), a.type(), Units.format(st.capacity()), Units.format(st.bytesInUse()), st.blocksInUse(),
                        st.footprint() < 0 ? "?" : Units.format(st.footprint()), Units.format(st.cachedBytes()),
                        st.threadSlotsInUse());
                if (!st.sizeClasses().isEmpty()) {
                    out.printf("  %10s %12s %12s %12s%n", "class", "in use", "cached", "free");
                    for (AllocatorStats.SizeClass c : st.sizeClasses()) {
                        out.printf("  %10s %12d %12d %12d%n", Units.format(c.blockSize()), c.blocksInUse(),
                                c.blocksCached(), c.blocksFree());
                    }
                }
            }
        }
        return 0;
    }
}
