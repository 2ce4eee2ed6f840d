package dev.hshm.api.spi;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;

/**
 * Creates and attaches allocators of one type over a region of a backend's data. The
 * {@link dev.hshm.api.MemoryManager} reserves the region in the backend's allocator directory
 * ({@link BackendHeader}) and then calls this provider.
 */
public interface AllocatorProvider extends NamedProvider {

    /**
     * Formats a new allocator in {@code [regionOffset, regionOffset + regionSize)} of the backend's data
     * (the seed's {@code shm_init}) and publishes its header last.
     *
     * @param backend the backend
     * @param id the allocator's id
     * @param regionOffset where its region starts in the backend's data (page-aligned)
     * @param regionSize its size
     * @param customHeaderSize bytes to reserve for the user's custom header
     * @return the allocator
     */
    Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                     long customHeaderSize);

    /**
     * Attaches to an allocator another process formatted (the seed's {@code shm_deserialize}),
     * verifying its header.
     *
     * @param backend the backend
     * @param id the id recorded in the directory
     * @param regionOffset where its region starts
     * @param regionSize its size
     * @return the allocator
     * @throws dev.hshm.api.CorruptSegmentException if the region does not hold a valid allocator of this type
     */
    Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize);

    /**
     * Tells whether allocators of this type keep their state in the backend's memory (and so need a region
     * of it and can be attached from other processes). {@code malloc} does not.
     *
     * @return {@code true} by default
     */
    default boolean usesBackendMemory() {
        return true;
    }

    /**
     * Releases what an allocator holds in this process (per-thread slots, process-local buffers) when it is
     * unregistered. Shared state stays for other processes. The allocator must not be used afterwards.
     *
     * @param allocator an allocator this provider created or attached
     */
    default void release(Allocator allocator) {
    }
}
