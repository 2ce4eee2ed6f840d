package dev.hshm.allocators.internal.testing;

import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test backend that several processes share: a file mapped with {@link FileChannel#map} (in {@code /dev/shm}
 * when it exists, so it is memory). The allocators module has no shared backend of its own (the POSIX one is a
 * provider that depends on it), and its cross-process tests need one; it uses only the JDK.
 */
public final class MappedFileBackend extends AbstractMemoryBackend {

    public static final String KIND = "test_mapped_file";

    private final Arena arena;
    private final Path file;

    private MappedFileBackend(MemoryBackendId id, Path file, Arena arena, MemorySegment all, boolean creator) {
        super(id, KIND, file.toString(), all.asSlice(0, BackendHeader.DATA_OFFSET),
                all.asSlice(BackendHeader.DATA_OFFSET), creator);
        this.arena = arena;
        this.file = file;
    }

    /** A directory for backing files: {@code /dev/shm} if it is there, else the temporary directory. */
    public static Path directory() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Creates the file (replacing one that exists), maps it and formats the backend header. */
    public static MappedFileBackend create(MemoryBackendId id, Path file, long dataSize) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MappedFileBackend b = map(id, file, BackendHeader.DATA_OFFSET + dataSize, true);
        BackendHeader.format(b.header(), id, KIND, BackendHeader.DATA_OFFSET, dataSize);
        BackendHeader.publish(b.header());
        BackendHeader.addAttachCount(b.header(), 1);
        return b;
    }

    /** Maps a file another process created. */
    public static MappedFileBackend attach(MemoryBackendId id, Path file) {
        try {
            MappedFileBackend b = map(id, file, Files.size(file), false);
            BackendHeader.addAttachCount(b.header(), 1);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MappedFileBackend map(MemoryBackendId id, Path file, long size, boolean creator) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < size) {
                ch.truncate(size);
                ch.position(size - 1);
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new MappedFileBackend(id, file, arena, all, creator);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void unmap() {
        arena.close();
    }

    @Override
    protected void unlink() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
