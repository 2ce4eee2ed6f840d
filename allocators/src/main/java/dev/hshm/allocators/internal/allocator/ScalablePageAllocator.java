package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ThreadModel;

/**
 * The seed's {@code ScalablePageAllocator}: pages of size-classed blocks in one table inside the region,
 * shared by all processes, every operation under one cross-process {@link RobustLock}.
 *
 * <p>The algorithm is the {@link Heap}'s: 44 size classes (16 B .. 64 KiB, four per power of two), spans
 * carved lazily so pages fault in only as they are used, page runs for larger requests, free runs merged
 * with their neighbours. What this class adds is the policy: every allocate and free takes the lock,
 * does one heap step and releases it. Nothing is cached per thread, so {@link #bytesInUse()} is exact and
 * memory freed by one thread is at once available to every process; the price is one lock round trip per
 * call. For many threads, prefer {@link Allocator#THREAD_LOCAL}, which puts thread caches in front of the
 * same table.
 *
 * <p>Beyond hermes-shm: aligned allocation for any power of two (classes that are naturally aligned, or an
 * aligned page run), double frees and foreign or interior pointers rejected with an exception, a lock
 * whose dead owner is detected and whose critical sections are repaired, and byte accounting that is
 * always on.
 */
public final class ScalablePageAllocator extends HeapAllocator {

    ScalablePageAllocator(MemoryBackend backend, Heap heap) {
        super(backend, heap, Allocator.SCALABLE_PAGE);
    }

    /** Formats a new allocator in the region and publishes it. */
    static ScalablePageAllocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                        long customHeaderSize) {
        HeapLayout.Geometry geo = HeapLayout.Geometry.plan(regionOffset, regionSize, customHeaderSize, 0);
        Heap heap = Heap.format(backend.data(), geo, id, HeapLayout.TYPE_SCALABLE_PAGE, ThreadModel.current());
        heap.publish();
        return new ScalablePageAllocator(backend, heap);
    }

    /** Attaches to an allocator another process created. */
    static ScalablePageAllocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
        Heap heap = Heap.attach(backend.data(), regionOffset, regionSize, id, HeapLayout.TYPE_SCALABLE_PAGE,
                Allocator.SCALABLE_PAGE, ThreadModel.current());
        return new ScalablePageAllocator(backend, heap);
    }

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        checkSize(size);
        int c = SizeClasses.classOf(size);
        if (c < 0) {
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
        heap.freeLocked(offset);
    }

    @Override
    public MemContext createTls(MemContext ctx) {
        return ctx;
    }

    @Override
    public void freeTls(MemContext ctx) {
        // no per-thread state
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
        long before = heap.lockRecoveries();
        heap.lock.lock(); // taking the lock recovers it if its owner died
        heap.lock.unlock();
        return (int) (heap.lockRecoveries() - before);
    }
}
