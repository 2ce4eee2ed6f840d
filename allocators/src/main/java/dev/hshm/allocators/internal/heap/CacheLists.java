package dev.hshm.allocators.internal.heap;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import java.lang.foreign.MemorySegment;

/**
 * A thread cache's free lists ({@code thread_local}'s fast paths): per slot record of the {@link SlotTable} and
 * size class, a head word and a list threaded through the free blocks' {@link FreeBlock} words. Only the slot's
 * owner touches its lists, so no lock is needed; a batch move between a list and a span ({@link SpanTable}) is the
 * heap's business and happens under a shard lock. The lists carry the blocks' free tags, so an entry a use after
 * free overwrote is caught when it is popped.
 */
public final class CacheLists {

    private final Words w;
    private final MemorySegment seg;
    private final HeapHeader.Geometry geo;
    private final AllocatorId id;
    private final long salt;
    private final long heapOff;
    private final long heapEnd;

    CacheLists(Words w, HeapHeader.Geometry geo, AllocatorId id, long salt) {
        this.w = w;
        this.seg = w.seg;
        this.geo = geo;
        this.id = id;
        this.salt = salt;
        this.heapOff = geo.heapOffset();
        this.heapEnd = geo.heapEnd();
    }

    /**
     * Takes {@code blk}, the first block of a thread cache's list (its owner keeps a copy of the head word in
     * process memory), off the list and hands it out: checks it is a block of the heap carrying its free tag (else
     * the list was corrupted by a use after free), moves the list's head word past it, clears the tag. Plain loads
     * and stores only.
     *
     * @param listAt the list's head word (in a {@link SlotTable} record)
     * @param blk the list's first block, not NO_OFFSET
     * @param c the list's class, for the message
     * @return the block after it (the list's new head), or NO_OFFSET
     * @throws CorruptSegmentException if the entry is outside the heap or lost its tag
     */
    public long pop(long listAt, long blk, int c) {
        if (blk - heapOff >= heapEnd - heapOff || blk < heapOff || Words.get(seg, blk + FreeBlock.TAG) != (salt ^ blk)) {
            throw corruptCache(listAt, c, blk);
        }
        long next = Words.get(seg, blk + FreeBlock.NEXT);
        Words.put(seg, listAt, next);
        Words.put(seg, blk + FreeBlock.TAG, FreeBlock.LIVE_TAG);
        return next;
    }

    /**
     * Pushes a block {@link Heap#locateForFree} vetted onto a thread cache's list whose first block is {@code head}:
     * the block's words, then the list's head word (plain stores, head last).
     */
    public void push(long listAt, long head, long off) {
        Words.put(seg, off + FreeBlock.NEXT, head);
        Words.put(seg, off + FreeBlock.TAG, salt ^ off);
        Words.put(seg, listAt, off);
    }

    /**
     * Pushes a block the caller is freeing ({@link Heap#locateForFree} vetted it) onto a thread cache's list, claiming
     * its free tag first with one CAS from the word the block holds now to the tag: of two threads that free the
     * same block at once (both past {@link Heap#locateForFree}, which read no tag), exactly one CAS succeeds; the other
     * finds the tag and gets a {@link DoubleFreeException}. Then the block's NEXT, then the list's head word.
     *
     * <p>What is not caught: a second free that starts after the block was freed, handed out again and its second
     * word given back the value the second free read (the tag cannot tell one life of a block from the next); a
     * user writing the block's second word while freeing it is reported as a double free.
     *
     * <p>Crash notes: a death after the claim and before the head store leaves the block tagged and on no list:
     * the block being freed is lost to the dead process (counted in use); nothing else is.
     *
     * @throws DoubleFreeException if another free claimed the block first
     */
    public void pushFreed(long listAt, long head, long off) {
        long at = off + FreeBlock.TAG;
        long seen = Words.get(seg, at);
        long tag = salt ^ off;
        if (seen == tag || !w.cas(at, seen, tag)) {
            throw new DoubleFreeException("double free: allocator " + id + ", offset=" + off
                    + " was freed by another thread at the same time (its free tag was claimed first)");
        }
        Words.put(seg, off + FreeBlock.NEXT, head);
        Words.put(seg, listAt, off);
    }

    /** The first block of a thread cache's list, read from its head word (after a batch moved blocks). */
    public long head(long listAt) {
        return Words.get(seg, listAt);
    }

    CorruptSegmentException corruptCache(long listAt, int c, long blk) {
        return new CorruptSegmentException("thread cache free list corrupt: allocator " + id + ", slot="
                + slotOfList(listAt) + ", class size=" + SizeClasses.size(c) + ", entry=" + blk
                + " (outside the heap, or a freed block was written to: use after free)");
    }

    private long slotOfList(long listAt) {
        return geo.slotCount() == 0 ? -1 : (listAt - SlotTable.records(geo)) / SlotTable.RECORD_BYTES;
    }
}
