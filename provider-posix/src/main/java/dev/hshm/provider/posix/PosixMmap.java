package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.Sizes;
import dev.hshm.provider.posix.internal.PosixApi;
import dev.hshm.provider.posix.internal.PosixNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A private backend in an anonymous mapping: the seed's {@code PosixMmapBackend}, kind
 * {@value MemoryBackend#POSIX_MMAP}.
 *
 * <pre>
 * mmap(NULL, round_up(DATA_OFFSET + size, page), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
 *
 * [ header: BackendHeader, published | padding ][ data: size bytes            ][ page rounding ]
 * 0                                  DATA_OFFSET (page-aligned)    DATA_OFFSET + size
 * </pre>
 *
 * The kernel hands out zero-filled pages lazily, on first touch, so a large backend costs address space, not
 * memory, until allocators use it (what the seed's allocators aim for: pages faulted in close to bytes
 * allocated). It is private to this process: it cannot be attached, and {@link #detach()} and
 * {@link #destroy()} both unmap it (closing the arena of its views, so later accesses throw
 * {@link IllegalStateException} instead of crashing).
 */
public final class PosixMmap extends AbstractMemoryBackend {

    private final Arena arena;

    private PosixMmap(MemoryBackendId id, Arena arena, MemorySegment header, MemorySegment data) {
        super(id, MemoryBackend.POSIX_MMAP, null, header, data, true);
        this.arena = arena;
    }

    /**
     * Maps and formats a backend.
     *
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @return the backend
     * @throws IllegalArgumentException if {@code size} is not positive or too large to map
     * @throws dev.hshm.api.NativeException if {@code mmap} fails ({@code ENOMEM}: not enough address space)
     */
    public static PosixMmap create(MemoryBackendId id, long size) {
        return create(PosixApi.NATIVE, id, size);
    }

    /**
     * Creates the mapping as above through {@code api} (tests pass a mock to fail a step).
     *
     * @param api the POSIX calls
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @return the backend
     */
    static PosixMmap create(PosixApi api, MemoryBackendId id, long size) {
        long total = Sizes.mappingBytes(size);
        long length = Sizes.roundUp(total, api.pageSize());
        Arena arena = Arena.ofShared();
        boolean success = false;
        try {
            MemorySegment all = api.mmapAnonymous(length, PosixShmMmap.ADDRESS_ALIGNMENT,
                    BackendHeader.DATA_OFFSET, arena).asSlice(0, total);
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            BackendHeader.format(header, id, MemoryBackend.POSIX_MMAP, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(header);
            PosixMmap b = new PosixMmap(id, arena, header, all.asSlice(BackendHeader.DATA_OFFSET, size));
            success = true;
            return b;
        } finally {
            if (!success) {
                arena.close(); // unmaps what was mapped, if anything
            }
        }
    }

    /** The data starts at a 2 MiB boundary ({@link PosixShmMmap#ADDRESS_ALIGNMENT}), as in every POSIX mapping. */
    @Override
    public long addressAlignment() {
        return PosixShmMmap.ADDRESS_ALIGNMENT;
    }

    @Override
    protected void unmap() {
        arena.close();
    }
}
