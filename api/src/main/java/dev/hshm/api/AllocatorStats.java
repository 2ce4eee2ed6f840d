package dev.hshm.api;

import java.util.List;

/**
 * A snapshot of an allocator's statistics. Exact when no thread is allocating; while threads run, each
 * figure is a recent value.
 *
 * @param id the allocator
 * @param type the allocator type
 * @param capacity bytes of heap the allocator manages
 * @param bytesInUse bytes in live blocks (usable sizes)
 * @param blocksInUse the number of live blocks
 * @param footprint bytes of heap the allocator has ever handed to a size class or a large block
 *     (an upper bound on the pages it caused to fault in); {@code -1} if not known
 * @param cachedBytes bytes in free blocks held by per-thread caches
 * @param threadSlotsInUse per-thread cache slots leased now (thread-local allocators), else 0
 * @param sizeClasses per size class, smallest first; empty if the allocator has none
 */
public record AllocatorStats(AllocatorId id, String type, long capacity, long bytesInUse, long blocksInUse,
                             long footprint, long cachedBytes, int threadSlotsInUse,
                             List<SizeClass> sizeClasses) {

    /**
     * Copies the list.
     *
     * @param id the allocator
     * @param type the allocator type
     * @param capacity heap bytes
     * @param bytesInUse bytes in live blocks
     * @param blocksInUse live blocks
     * @param footprint bytes handed out to classes or large blocks
     * @param cachedBytes bytes in per-thread caches
     * @param threadSlotsInUse leased slots
     * @param sizeClasses per class
     */
    public AllocatorStats {
        sizeClasses = List.copyOf(sizeClasses);
    }

    /**
     * Statistics of one size class.
     *
     * @param blockSize the class's block size in bytes
     * @param blocksInUse live blocks of this class
     * @param blocksCached free blocks of this class held in per-thread caches
     * @param blocksFree free blocks of this class in the shared table (carved, not in use, not cached)
     */
    public record SizeClass(long blockSize, long blocksInUse, long blocksCached, long blocksFree) {
    }
}
