package dev.hshm.allocators.internal.backend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.allocators.internal.nativ.Libc;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A private backend in memory from libc {@code malloc}: the seed's {@code MallocBackend}. One block holds
 * the header and the data; the data starts page-aligned. Memory is not zero-filled; the allocators do not
 * need it to be. Detach and destroy both free the block.
 */
public final class MallocBackend extends AbstractMemoryBackend {

    private static final long PAGE = 4096;

    private final Arena arena;

    private MallocBackend(MemoryBackendId id, Arena arena, MemorySegment header, MemorySegment data) {
        super(id, MemoryBackend.MALLOC, null, header, data, true);
        this.arena = arena;
    }

    /**
     * Mallocs and formats the backend.
     *
     * @param id the id
     * @param size bytes of data
     * @return the backend
     */
    public static MallocBackend create(MemoryBackendId id, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("backend size must be > 0: " + size);
        }
        long total = Math.addExact(Math.addExact(size, BackendHeader.DATA_OFFSET), PAGE);
        long raw = Libc.malloc(total);
        boolean success = false;
        try {
            long base = (raw + PAGE - 1) & -PAGE;
            Arena arena = Arena.ofShared();
            MemorySegment all = Libc.segment(base, BackendHeader.DATA_OFFSET + size, arena, s -> Libc.free(raw));
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            header.fill((byte) 0);
            BackendHeader.format(header, id, MemoryBackend.MALLOC, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(header);
            MallocBackend b = new MallocBackend(id, arena, header, all.asSlice(BackendHeader.DATA_OFFSET, size));
            success = true;
            return b;
        } finally {
            if (!success) {
                Libc.free(raw);
            }
        }
    }

    @Override
    protected void unmap() {
        arena.close();
    }
}
