package dev.hshm.allocators.internal.backend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A backend over memory the caller already has (a heap array segment, an arena allocation, a mapped
 * file): the seed's {@code ArrayBackend}. Private: its header lives in process memory, so no other process
 * can attach. The caller keeps owning the memory; detach and destroy only drop this backend's header.
 */
public final class ArrayBackend extends AbstractMemoryBackend {

    private final Arena headerArena;

    private ArrayBackend(MemoryBackendId id, Arena headerArena, MemorySegment header, MemorySegment data) {
        super(id, MemoryBackend.ARRAY, null, header, data, true);
        this.headerArena = headerArena;
    }

    /**
     * Creates the backend.
     *
     * @param id the id
     * @param memory the caller's memory; allocators need it 16-byte aligned (4096 for page alignment)
     * @return the backend
     */
    public static ArrayBackend create(MemoryBackendId id, MemorySegment memory) {
        if (memory.isReadOnly()) {
            throw new IllegalArgumentException("array backend memory is read-only: " + memory);
        }
        if (memory.maxByteAlignment() < 16) {
            throw new IllegalArgumentException("array backend memory must be 16-byte aligned: address=0x"
                    + Long.toHexString(memory.address()) + ", maxByteAlignment=" + memory.maxByteAlignment());
        }
        Arena arena = Arena.ofShared();
        MemorySegment header = arena.allocate(BackendHeader.HEADER_BYTES, 64);
        BackendHeader.format(header, id, MemoryBackend.ARRAY, 0, memory.byteSize());
        BackendHeader.publish(header);
        return new ArrayBackend(id, arena, header, memory);
    }

    @Override
    protected void unmap() {
        headerArena.close();
    }
}
