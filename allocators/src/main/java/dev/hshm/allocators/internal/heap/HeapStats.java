package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE_SHIFT;

import dev.hshm.api.AllocatorStats;
import dev.hshm.api.OutOfMemoryException;
import java.util.ArrayList;
import java.util.List;

/** The heap's figures: statistics (each shard under its lock), the approximate bytes in use, the out-of-memory message. */
final class HeapStats {

    private HeapStats() {
    }

    static OutOfMemoryException outOfMemory(Heap h, long size, long align) {
        return new OutOfMemoryException("out of memory in allocator " + h.id + ": requested=" + size
                + (align > 16 ? ", alignment=" + align : "") + ", capacity=" + h.capacity() + ", bytesInUse~"
                + approximateBytesInUse(h) + ", freePages=" + h.pages.word(PageHeapLayout.FREE_PAGES) + ", neverUsedPages="
                + (h.geo.pageCount() - h.pages.frontier()) + (size > SizeClasses.MAX_SMALL ? ", largest request needs "
                + ((size + PAGE - 1) >>> PAGE_SHIFT) + " contiguous pages" : ""));
    }

    /** Bytes handed out (live blocks plus blocks in thread caches), read without locks: a recent value. */
    static long approximateBytesInUse(Heap h) {
        long sum = h.pages.largeBytesOpaque();
        for (Shard s : h.shards) {
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                sum += s.liveOpaque(c) * SizeClasses.size(c);
            }
        }
        return sum;
    }

    /**
     * Statistics, each shard read under its lock; {@code cached[c]} are blocks of class c held by thread caches
     * (counted as live by the shards, so subtracted here).
     */
    static AllocatorStats stats(Heap h, String type, long[] cached, int slotsInUse) {
        long[] live = new long[SizeClasses.COUNT];
        long[] free = new long[SizeClasses.COUNT];
        long[] spans = new long[SizeClasses.COUNT];
        for (Shard s : h.shards) {
            s.lock.lock();
            try {
                for (int c = 0; c < SizeClasses.COUNT; c++) {
                    live[c] += s.live(c);
                    free[c] += s.freeBlocks(c);
                    spans[c] += s.spans(c);
                }
            } finally {
                s.lock.unlock();
            }
        }
        long bytes;
        long blocks;
        long footprint;
        h.pages.lock.lock();
        try {
            bytes = h.pages.word(PageHeapLayout.LARGE_BYTES);
            blocks = h.pages.word(PageHeapLayout.LARGE_COUNT);
            footprint = h.pages.word(PageHeapLayout.FOOTPRINT) << PAGE_SHIFT;
        } finally {
            h.pages.lock.unlock();
        }
        List<AllocatorStats.SizeClass> classes = new ArrayList<>();
        long cachedBytes = 0;
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long inCaches = cached == null ? 0 : cached[c];
            long inUse = Math.max(0, live[c] - inCaches);
            bytes += inUse * SizeClasses.size(c);
            blocks += inUse;
            cachedBytes += inCaches * SizeClasses.size(c);
            if (live[c] != 0 || free[c] != 0 || spans[c] != 0) {
                classes.add(new AllocatorStats.SizeClass(SizeClasses.size(c), inUse, inCaches, free[c]));
            }
        }
        return new AllocatorStats(h.id, type, h.capacity(), bytes, blocks, footprint, cachedBytes, slotsInUse, classes);
    }
}
