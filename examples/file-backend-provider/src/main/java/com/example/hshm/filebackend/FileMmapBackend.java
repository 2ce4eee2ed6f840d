package com.example.hshm.filebackend;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A backend over a mapped regular file. Layout: the api's {@link BackendHeader} in the first page, then the
 * data; the header is written and published (ready word last) exactly as every shared backend does, and
 * verified the same way on attach, so a truncated or foreign file is rejected with a clear message.
 *
 * <p>Detach writes the mapping back to the file ({@link MemorySegment#force()}, {@code msync}) and unmaps
 * (closes the arena: later access throws {@link IllegalStateException}, it never crashes), leaving the file,
 * contents included; destroy also deletes the file.
 *
 * <p><b>What survives.</b> A process that exits or is killed (even with SIGKILL) loses nothing: its writes
 * are in the kernel's page cache, which writes them to the file. A power loss or a kernel crash keeps only
 * what reached the disk: everything up to the last detach, and whatever the kernel
 * wrote back since, in no particular order, so a heap may then be inconsistent; {@code hshm check} says so.
 */
final class FileMmapBackend extends AbstractMemoryBackend {

    private static final Set<String> KINDS = Set.of(FileMmapProvider.KIND);

    private final Arena arena;
    private final Path path;
    private final MemorySegment mapping;

    private FileMmapBackend(MemoryBackendId id, Path path, Arena arena, MemorySegment mapping, boolean creator) {
        super(id, FileMmapProvider.KIND, path.toString(), mapping.asSlice(0, BackendHeader.DATA_OFFSET),
                mapping.asSlice(BackendHeader.DATA_OFFSET), creator);
        this.arena = arena;
        this.path = path;
        this.mapping = mapping;
    }


    static FileMmapBackend create(MemoryBackendId id, long size, Path path, int mode) {
        if (size <= 0) {
            throw new IllegalArgumentException("backend size must be > 0: " + size);
        }
        long total = Math.addExact(size, BackendHeader.DATA_OFFSET);
        Arena arena = Arena.ofShared();
        boolean success = false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            restrict(path, mode);
            ch.truncate(0);
            ch.write(ByteBuffer.allocate(1), total - 1); // size the file; untouched pages stay sparse
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            BackendHeader.format(m, id, FileMmapProvider.KIND, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(m);
            FileMmapBackend b = new FileMmapBackend(id, path, arena, m, true);
            success = true;
            return b;
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExistsException("file_mmap backend file exists already: " + path
                    + " (attach to it, or delete it first)", e);
        } catch (IOException e) {
            throw new HshmException("cannot create file_mmap backend " + path + ": " + e.getMessage(), e);
        } finally {
            if (!success) {
                arena.close();
                try {
                    if (Files.size(path) == 0 || !hasMagic(path)) {
                        Files.deleteIfExists(path);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // nothing was made
                }
            }
        }
    }

    static FileMmapBackend attach(Path path) {
        Arena arena = Arena.ofShared();
        boolean success = false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < BackendHeader.DATA_OFFSET) {
                throw new CorruptSegmentException("not an hshm segment (too small for a header): url=" + path
                        + ", size=" + size + ", need>=" + BackendHeader.DATA_OFFSET);
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            BackendHeader.Info info = BackendHeader.verify(m, path.toString(), KINDS,
                    Long.getLong("hshm.attach.timeout.ms", 2000L));
            MemorySegment mapping = m.asSlice(0, info.headerSize() + info.dataSize());
            BackendHeader.addAttachCount(mapping, 1);
            FileMmapBackend b = new FileMmapBackend(info.id(), path, arena, mapping, false);
            success = true;
            return b;
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no file_mmap backend at " + path, e);
        } catch (IOException e) {
            throw new HshmException("cannot attach file_mmap backend " + path + ": " + e.getMessage(), e);
        } finally {
            if (!success) {
                arena.close();
            }
        }
    }

    static void delete(Path path) {
        try {
            if (!Files.deleteIfExists(path)) {
                throw new NotFoundException("no file_mmap backend at " + path);
            }
        } catch (IOException e) {
            throw new HshmException("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    static boolean hasMagic(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            return ch.read(b, 0) == 8 && b.getLong(0) == BackendHeader.MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    private static void restrict(Path path, int mode) throws IOException {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(toRwx(mode));
        Files.setPosixFilePermissions(path, perms);
    }

    private static String toRwx(int mode) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            sb.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return sb.toString();
    }

    @Override
    protected void unmap() {
        try {
            mapping.force(); // the file holds everything this process wrote before the mapping goes
        } finally {
            arena.close();
        }
    }

    @Override
    protected void unlink() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new HshmException("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }
}
