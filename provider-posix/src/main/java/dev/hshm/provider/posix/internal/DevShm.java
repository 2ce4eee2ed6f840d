package dev.hshm.provider.posix.internal;

import dev.hshm.api.InvalidNameException;
import dev.hshm.api.Units;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ShmNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Linux shows of POSIX shared memory as files: glibc's {@code shm_open("/NAME")} is
 * {@code open("/dev/shm/NAME")} on the tmpfs mounted there. Used to list our segments, to tell our
 * segments from other programs' before removing one, and to word advice about the tmpfs size. Plain Java
 * NIO, no native calls: files are read with a {@link FileChannel}, never mapped. Meaningful on Linux only;
 * macOS keeps POSIX shared memory in the kernel with no file system view.
 */
public final class DevShm {

    /** Where Linux mounts the tmpfs that backs POSIX shared memory. */
    public static final Path DIR = Path.of("/dev/shm");

    private DevShm() {
    }

    /**
     * What the first bytes of an object say about it.
     */
    public enum Ownership {
        /** Starts with {@link BackendHeader#MAGIC} in native order: an hshm segment. */
        OURS,
        /** Shorter than 8 bytes or starting with 8 zero bytes: a half-created segment (or an empty object). */
        EMPTY,
        /** Starts with something else: another program's object. */
        FOREIGN,
        /** No such file, or it cannot be read (another user's owner-only object). */
        UNKNOWN
    }

    /**
     * The file behind a shared-memory name.
     *
     * @param name a validated name without the leading slash
     * @return {@code /dev/shm/NAME}
     */
    public static Path path(String name) {
        return DIR.resolve(name);
    }

    /**
     * Reads the first 8 bytes of {@code /dev/shm/NAME} to tell whose object it is.
     *
     * @param name a validated name
     * @return what the bytes say
     */
    public static Ownership ownership(String name) {
        Path p = path(name);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return Ownership.UNKNOWN;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                // read until 8 bytes or end of file
            }
            if (buf.hasRemaining()) {
                return Ownership.EMPTY;
            }
            long first = buf.getLong(0);
            return first == BackendHeader.MAGIC ? Ownership.OURS : first == 0 ? Ownership.EMPTY : Ownership.FOREIGN;
        } catch (IOException | SecurityException e) {
            return Ownership.UNKNOWN;
        }
    }

    /**
     * The names of the hshm segments in {@code /dev/shm}: regular files with a valid name whose first 8 bytes
     * are {@link BackendHeader#MAGIC} in native byte order. Files this process may not read are skipped.
     *
     * @return the names, sorted; empty if {@code /dev/shm} does not exist
     */
    public static List<String> listOurs() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(DIR)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(DIR)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    ShmNames.validate(name);
                } catch (InvalidNameException e) {
                    continue; // we never create such a name
                }
                if (ownership(name) == Ownership.OURS) {
                    out.add(name);
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException | SecurityException e) {
            // a directory we may not read (or that fails mid-way) lists what was read; a listing has no better answer
            out.sort(null);
            return out;
        }
        out.sort(null);
        return out;
    }

    /**
     * The size and free space of the tmpfs on {@code /dev/shm}.
     *
     * @return {@code [total, usable]} bytes, or empty if it cannot be asked
     */
    public static Optional<long[]> space() {
        try {
            FileStore fs = Files.getFileStore(DIR);
            return Optional.of(new long[] {fs.getTotalSpace(), fs.getUsableSpace()});
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The advice for a segment that does not fit: {@code /dev/shm is too small: size=…, free=…}.
     *
     * @param size the bytes asked for
     * @return the advice
     */
    public static String tooSmallAdvice(long size) {
        Optional<long[]> s = space();
        String free = s.map(v -> Units.format(v[1]) + " of " + Units.format(v[0])).orElse("unknown");
        // what the tmpfs would need: what others use now plus this segment, rounded up to GiB below
        long want = s.map(v -> v[0] - v[1]).orElse(0L) + size;
        return DIR + " is too small: size=" + Units.format(size) + " (" + size + " B), free=" + free
                + " - raise it (mount -o remount,size=" + ((want >> 30) + 1) + "G " + DIR
                + "; for Docker, --shm-size) or ask for less";
    }
}
