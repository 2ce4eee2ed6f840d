package dev.hshm.cli;

import dev.hshm.api.HshmException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hshm rm NAME...}: remove segments by name; processes that map them keep their view. */
@Command(name = "rm", description = "Remove shared-memory segments by name (processes that map them keep their view).")
final class RmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Segment names (urls).")
    List<String> names;

    @Option(names = "--kind", description = "The backend kind (default: the kind that lists NAME, else posix_shm_mmap).")
    String kind;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        for (String name : names) {
            try {
                Segments.providerFor(name, kind).unlink(name);
                out.println("removed " + name);
            } catch (HshmException | UnsupportedOperationException e) {
                failed++;
                err.println("hshm: " + name + ": " + e.getMessage());
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
