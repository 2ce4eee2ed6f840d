package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.spi.MemoryBackendProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hshm check NAME}: attach and walk every allocator's metadata; exit 1 on the first inconsistency. */
@Command(name = "check", description = "Verify the metadata of every allocator in a segment (exit 1 if corrupt).")
final class CheckCommand implements Callable<Integer> {

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
        int bad = 0;
        int n = 0;
        try (Segments.Opened o = new Segments.Opened(name, p)) {
            for (String x : o.skipped) {
                bad++;
                out.println("allocator " + x);
            }
            for (Allocator a : o.allocators) {
                n++;
                try {
                    a.check();
                    out.printf("allocator %s (%s): OK (%d bytes in use)%n", a.id(), a.type(), a.bytesInUse());
                } catch (CorruptSegmentException e) {
                    bad++;
                    out.printf("allocator %s (%s): CORRUPT: %s%n", a.id(), a.type(), e.getMessage());
                }
            }
        }
        out.printf("%s: %d allocator(s), %s%n", name, n, bad == 0 ? "all OK" : bad + " corrupt");
        return bad == 0 ? 0 : 1;
    }
}
