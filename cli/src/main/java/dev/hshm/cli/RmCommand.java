package dev.hshm.cli;

import dev.hshm.api.HshmException;
import dev.hshm.api.spi.MemoryBackendProvider;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hshm rm NAME...}: removes segments by name ({@link MemoryBackendProvider#unlink}); processes that map
 * them keep their view until they detach. {@code --all-dead} removes every listed segment whose creator has
 * ended and that no other process has attached.
 *
 * <p><b>How safe {@code --all-dead} is.</b> A segment qualifies only if its header is readable, its creator
 * (pid plus start time, so a recycled pid does not count as alive) is gone, and its attach count is 0 apart
 * from this command's own short attach. A process that attaches between that check and the unlink keeps its
 * mapping (unlinking never unmaps), but the name is gone for later attaches: the window is a few
 * microseconds, and only for segments nobody was using. A process killed while attached never gives its attach
 * back, so its segments are kept: remove those by name. Segments that cannot be read (half-created ones) are
 * kept and named.
 */
@Command(name = "rm", description = {"Remove shared-memory segments by name (processes that map them keep "
        + "their view), or, with --all-dead, every segment whose creator has ended and that nobody has attached."})
final class RmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Segment names (urls, as hshm ls shows them).")
    List<String> names = new ArrayList<>();

    @Option(names = "--kind", paramLabel = "KIND", description = "The backend kind (default: the kind that lists "
            + "NAME, else posix_shm_mmap).")
    String kind;

    @Option(names = "--all-dead", description = "Remove every segment whose creator process has ended and whose "
            + "attach count is 0.")
    boolean allDead;

    @Option(names = {"-n", "--dry-run"}, description = "Only say what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (names.isEmpty() && !allDead) {
            throw new ParameterException(spec.commandLine(), "name at least one segment, or use --all-dead");
        }
        if (!names.isEmpty() && allDead) {
            throw new ParameterException(spec.commandLine(), "name segments or use --all-dead, not both");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        if (allDead) {
            return removeDead(out, err);
        }
        for (String name : names) {
            try {
                MemoryBackendProvider p = Segments.providerFor(name, kind);
                if (!dryRun) {
                    p.unlink(name);
                }
                out.println((dryRun ? "would remove " : "removed ") + name);
            } catch (HshmException | UnsupportedOperationException | CliException e) {
                failed++;
                err.println("hshm: " + name + ": " + e.getMessage());
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private int removeDead(PrintWriter out, PrintWriter err) {
        int removed = 0;
        int kept = 0;
        int failed = 0;
        for (Map.Entry<String, MemoryBackendProvider> e : Segments.list().entrySet()) {
            String name = e.getKey();
            if (kind != null && !e.getValue().name().equals(kind)) {
                continue;
            }
            String keep;
            try (Segments.Opened o = Segments.peek(name, e.getValue())) {
                Segments.Header h = o.header;
                keep = h.creatorAlive() ? "its creator, pid " + h.creatorPid() + ", is alive"
                        : h.otherAttachers() > 0 ? h.otherAttachers() + " process(es) attached (or died without"
                        + " detaching: remove it by name if you are sure)" : null;
            } catch (HshmException ex) {
                keep = "cannot read it: " + ex.getMessage();
            }
            if (keep != null) {
                kept++;
                out.println("kept " + name + ": " + keep);
                continue;
            }
            try {
                if (!dryRun) {
                    e.getValue().unlink(name);
                }
                removed++;
                out.println((dryRun ? "would remove " : "removed ") + name + " (creator gone, nobody attached)");
            } catch (HshmException | UnsupportedOperationException ex) {
                failed++;
                err.println("hshm: " + name + ": " + ex.getMessage());
            }
        }
        out.println((dryRun ? "would remove " : "removed ") + removed + ", kept " + kept
                + (failed > 0 ? ", failed " + failed : ""));
        return failed == 0 ? 0 : 1;
    }
}
