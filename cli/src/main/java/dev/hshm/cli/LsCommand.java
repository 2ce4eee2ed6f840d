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

/**
 * {@code hshm ls}: the shared segments of hshm-java that exist now, as every supported shared-backend
 * provider lists them, each read through a short attach: kind, size, backend id, creator (alive or gone),
 * processes attached, allocators in its directory.
 */
@Command(name = "ls", description = {"List the shared-memory segments of hshm-java on this machine: kind, size, "
        + "backend id, creator pid (alive or gone), other processes attached, allocators."})
final class LsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, MemoryBackendProvider> all = Segments.list();
        if (all.isEmpty()) {
            out.println("no segments (listed by: " + Segments.sharedKinds() + "; macOS cannot enumerate POSIX shared"
                    + " memory)");
            return 0;
        }
        TextTable t = new TextTable("NAME", "KIND", ">SIZE", ">ID", "CREATOR", ">ATTACHED", "ALLOCATORS").noteColumn(1);
        for (Map.Entry<String, MemoryBackendProvider> e : all.entrySet()) {
            try (Segments.Opened o = Segments.peek(e.getKey(), e.getValue())) {
                Segments.Header h = o.header;
                t.row(h.name(), h.creatorKind(), Units.format(h.dataSize()), h.backendId(), h.creator(), h.otherAttachers(),
                        o.directory.isEmpty() ? "-" : o.directory.stream().map(d -> d.id() + " " + d.type())
                                .collect(Collectors.joining(", ")));
            } catch (HshmException ex) {
                t.row(e.getKey(), "?").note("cannot read: " + ex.getMessage());
            }
        }
        t.print(out, "");
        return 0;
    }
}
