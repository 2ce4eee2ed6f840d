package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.heap.Heap;
import dev.hshm.allocators.internal.heap.HeapHeader;
import dev.hshm.allocators.internal.heap.SizeClasses;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ThreadModel;

/**
 * The seed's {@code ScalablePageAllocator}: pages of size-classed blocks in one table inside the region, shared
 * by all processes, behind cross-process locks.
 *
 * <p>The algorithm is the {@link Heap}'s: 44 size classes (16 B .. 64 KiB, four per power of two), spans carved
 * lazily so pages fault in only as they are used, page runs for larger requests, free runs merged with their
 * neighbours. What this class adds is the policy: every allocate and free is one heap operation under one lock.
 * The seed's single lock collapses under contention (two threads reached 0.43 x the throughput of one), so the
 * table is split into shards (default {@value HeapAllocator#DEFAULT_SHARDS}, {@code -Dhshm.heap.shards}), each
 * behind its own robust lock: a thread allocates from its home shard and moves on when it finds the lock taken,
 * and a block goes back to its span's shard. Nothing is cached per thread, so {@link #bytesInUse()} is exact and
 * memory freed by one thread is at once available to every process. For many threads, prefer
 * {@link Allocator#THREAD_LOCAL}, which puts thread caches in front of the same table.
 *
 * <p>Beyond hermes-shm: aligned allocation for any power of two, double frees and foreign or interior pointers
 * rejected with an exception, locks whose dead owners are detected and whose critical sections are repaired, and
 * byte accounting that is always on.
 */
public final class ScalablePageAllocator extends HeapAllocator implements NoThreadState {

    ScalablePageAllocator(MemoryBackend backend, Heap heap) {
        super(backend, heap, Allocator.SCALABLE_PAGE);
    }

    /** Formats a new allocator in the region and publishes it. */
    static ScalablePageAllocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                        long customHeaderSize) {
        HeapHeader.Geometry geo;
        try {
            geo = Heap.plan(regionOffset, regionSize, customHeaderSize, defaultShards(), 0);
        } catch (IllegalArgumentException tooSmall) {
            geo = Heap.plan(regionOffset, regionSize, customHeaderSize, 1, 0);
        }
        Heap heap = Heap.format(backend.data(), geo, id, HeapHeader.TYPE_SCALABLE_PAGE, ThreadModel.current());
        heap.publish();
        return new ScalablePageAllocator(backend, heap);
    }

    /** Attaches to an allocator another process created. */
    static ScalablePageAllocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
        Heap heap = Heap.attach(backend.data(), regionOffset, regionSize, id, HeapHeader.TYPE_SCALABLE_PAGE,
                Allocator.SCALABLE_PAGE, ThreadModel.current());
        return new ScalablePageAllocator(backend, heap);
    }

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        checkSize(size);
        int c = SizeClasses.classOf(size);
        if (c == SizeClasses.NO_CLASS) {
            return heap.allocateLarge(size, SizeClasses.PAGE);
        }
        return heap.allocateSmall(c, size, 16);
    }

    @Override
    long allocateSmall(MemContext ctx, int c, long size, long align) {
        return heap.allocateSmall(c, size, align);
    }

    @Override
    public void freeOffset(MemContext ctx, long offset) {
        heap.free(offset);
    }

    @Override
    public long bytesInUse() {
        return stats().bytesInUse();
    }

    @Override
    public AllocatorStats stats() {
        return heap.stats(type(), null, 0);
    }

    @Override
    public int reclaimDeadProcesses() {
        return heap.recoverLocks();
    }
}
