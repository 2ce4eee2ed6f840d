package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.heap.CacheLists;
import dev.hshm.allocators.internal.heap.SizeClasses;
import dev.hshm.allocators.internal.heap.SlotTable;

/**
 * A {@link ThreadLocalAllocator} thread's (or a stripe's) view of its cache slot. {@code counts}: its lists'
 * lengths (kept here, not shared).
 */
final class ThreadCache {
    final int slot;
    final long record;
    final long owner;
    /** The JVM thread id of the owner ({@link Thread#threadId()}, never reused), or -1 for a stripe. */
    final long threadId;
    final int shard;
    final int[] counts = new int[SizeClasses.COUNT];
    /** The lists' first blocks: copies of the head words, which only this cache's user writes. */
    final long[] heads = new long[SizeClasses.COUNT];

    ThreadCache(int slot, long record, long owner, long threadId, int shard, CacheLists lists) {
        this.slot = slot;
        this.record = record;
        this.owner = owner;
        this.threadId = threadId;
        this.shard = shard;
        reloadHeads(lists);
    }

    /** Re-reads the head words after a batch moved blocks on or off the lists. */
    void reloadHeads(CacheLists lists) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            heads[c] = lists.head(head(c));
        }
    }

    long head(int c) {
        return SlotTable.head(record, c);
    }
}
