package dev.hshm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Which processes map a POSIX shared-memory object now, from Linux's {@code /proc/PID/maps} (the way
 * {@code fuser} and {@code lsof} find out). Unlike a segment's attach count, this cannot be left stale by a
 * process that died without detaching. Processes whose maps this process may not read (another user's, when
 * not root) are not seen; a segment is owner-only (0600), so only its owner's processes and root's can map it.
 */
final class Mappers {

    private static final Path PROC = Path.of("/proc");

    private Mappers() {
    }

    /**
     * The pids of the processes that map {@code /dev/shm/NAME}.
     *
     * @param name a validated segment name
     * @return the pids, or empty if this system has no {@code /proc} to ask (not Linux)
     */
    static Optional<Set<Long>> of(String name) {
        if (!Files.isReadable(PROC.resolve("self/maps"))) {
            return Optional.empty();
        }
        String object = " /dev/shm/" + name;
        Set<Long> pids = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
            for (Path p : ds) {
                if (maps(p.resolve("maps"), object)) {
                    pids.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return Optional.of(pids);
    }

    private static boolean maps(Path maps, String object) {
        try (Stream<String> lines = Files.lines(maps)) {
            // a mapping line ends with the path, plus " (deleted)" once the name was unlinked
            return lines.anyMatch(l -> l.endsWith(object) || l.endsWith(object + " (deleted)"));
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return false; // the process ended meanwhile, or its maps are not ours to read
        }
    }

    private static boolean isPid(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
