package dev.hshm.cli;

import dev.hshm.api.HshmException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.MemoryBackendProvider;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hshm rm NAME...}: removes segments by name ({@link MemoryBackendProvider#unlink}); processes that map
 * them keep their view until they detach. {@code --all-dead} removes every listed segment whose creator has
 * ended and that no other process has attached; names given with it are glob patterns that limit it
 * ({@code hshm rm --all-dead 'hshm-demo-*'}).
 *
 * <p><b>How safe {@code --all-dead} is.</b> A segment qualifies only if its header is readable, its creator
 * (pid plus start time, so a recycled pid does not count as alive) is gone, and no process maps it. On Linux
 * "maps it" is read from {@code /proc/PID/maps} ({@link Mappers}), which a process that died without detaching
 * cannot leave stale, unlike the header's attach count; where there is no {@code /proc}, the attach count must
 * be 0. A process that attaches between that check and the unlink keeps its mapping (unlinking never unmaps),
 * but the name is gone for later attaches: the window is short, and only for segments nobody was using.
 * Segments that cannot be read (half-created ones) are kept and named.
 *
 * <p><b>Only this library's segments.</b> By name, {@code rm} first attaches read-only long enough to check
 * the header (magic, layout, size); a name in {@code /dev/shm} that is not an hshm segment (another program's
 * file, a file of zeroes, a FIFO, a symbolic link, a truncated segment) is refused with the reason, unless
 * {@code --force} is given.
 */
@Command(name = "rm", description = {"Remove shared-memory segments by name (processes that map them keep "
        + "their view), or, with --all-dead, every segment whose creator has ended and that nobody has attached "
        + "(NAMEs are then glob patterns that limit it, e.g. 'hshm-demo-*')."})
final class RmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Segment names (urls, as hshm ls shows them); "
            + "with --all-dead, glob patterns (* and ?).")
    List<String> names = new ArrayList<>();

    @Option(names = "--kind", paramLabel = "KIND", description = "The backend kind (default: the kind that lists "
            + "NAME, else posix_shm_mmap).")
    String kind;

    @Option(names = "--all-dead", description = "Remove every segment whose creator process has ended and that no "
            + "process maps (per /proc; elsewhere: whose attach count is 0).")
    boolean allDead;

    @Option(names = "--force", description = "Remove NAMEs even if they are not hshm segments (no valid header; on "
            + "Linux the file in /dev/shm is deleted).")
    boolean force;

    @Option(names = {"-n", "--dry-run"}, description = "Only say what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (names.isEmpty() && !allDead) {
            throw new ParameterException(spec.commandLine(), "name at least one segment, or use --all-dead");
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
                String notOurs = force ? null : notAnHshmSegment(name, p);
                if (notOurs != null) {
                    failed++;
                    err.println("hshm: " + name + ": not removed, as it is not a readable hshm segment: " + notOurs
                            + "; remove it anyway with --force");
                    continue;
                }
                if (!dryRun) {
                    unlink(p, name);
                }
                out.println((dryRun ? "would remove " : "removed ") + name);
            } catch (HshmException | UnsupportedOperationException | CliException e) {
                failed++;
                err.println("hshm: " + name + ": " + e.getMessage());
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /**
     * Unlinks through the provider; with {@code --force}, an object the provider refuses as another program's
     * (its header is not ours) is removed from {@code /dev/shm} directly, where there is one.
     */
    private void unlink(MemoryBackendProvider p, String name) {
        try {
            p.unlink(name);
        } catch (dev.hshm.api.CorruptSegmentException notOurs) {
            Path file = Path.of("/dev/shm", name.startsWith("/") ? name.substring(1) : name);
            if (!force || !java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw notOurs;
            }
            try {
                java.nio.file.Files.delete(file);
            } catch (java.io.IOException e) {
                notOurs.addSuppressed(e);
                throw notOurs;
            }
        }
    }

    /** Why {@code name} is not one of this library's segments, or {@code null} if it is (or does not exist). */
    private static String notAnHshmSegment(String name, MemoryBackendProvider p) {
        try {
            Segments.peek(name, p).close(); // attaching verifies the header; closing detaches
            return null;
        } catch (NotFoundException gone) {
            return null; // unlink says so, in its own words
        } catch (HshmException | UnsupportedOperationException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private int removeDead(PrintWriter out, PrintWriter err) {
        int removed = 0;
        int kept = 0;
        int failed = 0;
        List<PathMatcher> patterns = names.stream()
                .map(n -> FileSystems.getDefault().getPathMatcher("glob:" + (n.startsWith("/") ? n.substring(1) : n)))
                .toList();
        for (Map.Entry<String, MemoryBackendProvider> e : Segments.list().entrySet()) {
            String name = e.getKey();
            if (kind != null && !e.getValue().name().equals(kind)) {
                continue;
            }
            if (!patterns.isEmpty() && patterns.stream().noneMatch(m -> m.matches(Path.of(name)))) {
                continue;
            }
            String keep;
            long others;
            try (Segments.Opened o = Segments.peek(name, e.getValue())) {
                Segments.Header h = o.header;
                keep = h.creatorAlive() ? "its creator, pid " + h.creatorPid() + ", is alive" : null;
                others = h.otherAttachers();
            } catch (HshmException ex) {
                keep = "cannot read it: " + ex.getMessage();
                others = -1;
            }
            if (keep == null) {
                // Asked after the peek is closed, so that it does not count itself.
                Optional<Set<Long>> mappers = Mappers.of(name);
                if (mappers.isPresent()) {
                    keep = mappers.get().isEmpty() ? null : "mapped by pid " + mappers.get().stream().map(String::valueOf)
                            .collect(Collectors.joining(", pid "));
                } else if (others > 0) {
                    keep = "attach count " + others + " (processes attached, or died without detaching; no /proc to"
                            + " tell which: remove it by name if you are sure)";
                }
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
                out.println((dryRun ? "would remove " : "removed ") + name + " (creator gone, mapped by no process)");
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
