package dev.hshm.cli;

import dev.hshm.api.HshmException;
import dev.hshm.api.Units;
import dev.hshm.api.spi.MemoryBackendProvider;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hshm ls}: the shared segments of ours that exist now. */
@Command(name = "ls", description = "List the shared-memory segments of hshm-java on this machine.")
final class LsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, MemoryBackendProvider> all = Segments.list();
        if (all.isEmpty()) {
            out.println("no segments (providers that can list: posix_shm_mmap on Linux; macOS cannot enumerate"
                    + " POSIX shared memory)");
            return 0;
        }
        out.printf("%-30s %-16s %10s %4s %-16s %9s  %s%n", "NAME", "KIND", "SIZE", "ID", "CREATOR", "ATTACHED",
                "ALLOCATORS");
        for (Map.Entry<String, MemoryBackendProvider> e : all.entrySet()) {
            try {
                Segments.Summary s = Segments.describe(e.getKey(), e.getValue());
                out.printf("%-30s %-16s %10s %4d %-16s %9d  %s%n", s.name(), s.kind(), Units.format(s.dataSize()), s.id(),
                        s.creatorPid() + (s.creatorAlive() ? " (alive)" : " (gone)"), s.otherAttachers(),
                        s.allocators().isEmpty() ? "-" : s.allocators().stream()
                                .map(d -> d.id() + " " + d.type()).collect(Collectors.joining(", ")));
            } catch (HshmException ex) {
                out.printf("%-30s %-16s %s%n", e.getKey(), "?", "cannot read: " + ex.getMessage());
            }
        }
        return 0;
    }
}
