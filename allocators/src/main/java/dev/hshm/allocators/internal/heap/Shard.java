package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.FreeBlock.NO_OFFSET;
import static dev.hshm.allocators.internal.heap.PageDescriptor.AUX;
import static dev.hshm.allocators.internal.heap.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INFO;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LINKS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_PAGE;
import static dev.hshm.allocators.internal.heap.ShardLayout.FREE;
import static dev.hshm.allocators.internal.heap.ShardLayout.LIVE;
import static dev.hshm.allocators.internal.heap.ShardLayout.SPANS;
import static dev.hshm.allocators.internal.heap.ShardLayout.SPAN_HEAD;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.ThreadModel;

/**
 * One shard of the span table ({@link ShardLayout}): for each size class, the list of this shard's spans that
 * still have a free or a never-carved block, and the counters. Every method runs with the shard's lock held
 * ({@code assert}ed); the {@link Heap}'s whole operations take it.
 *
 * <p><b>Spans and blocks.</b> A span's blocks are carved lazily, in address order, so its pages fault in only
 * as blocks are used. A free block is on its span's free list ({@link FreeBlock}). A span whose blocks are all
 * free goes back to the page heap unless it is the class's only span in this shard (so an alloc/free loop does
 * not churn spans); {@link #trimEmptySpans} gives those back when the page heap runs out.
 *
 * <p><b>Crash notes.</b> Taking a block: (1) the span's free-list head (AUX) moves past the block, or the carved
 * count grows: the commit; (2) the span's free count; (3) the class list, if the span became full; (4) LIVE.
 * Giving one back: (1) the block's NEXT and TAG; (2) AUX = the block: the commit; (3)-(5) counts, list, LIVE. A
 * death after the commit leaves derived words behind, which the repair of the next owner of this shard's lock
 * recomputes from the span descriptors ({@link HeapWalk#repairShard}); a death before it leaves the block where
 * it was. The block being moved can be lost to the dead process (counted live), never handed out twice.
 */
final class Shard {

    /** Rounds of "the head span is full" before the class list is declared corrupt: one per crash-left span. */
    static final int MAX_FULL_SPANS_SKIPPED = 8;

    final int index;
    final RobustLock lock;
    final long base;
    private final Words w;
    private final Descriptors d;
    private final PageHeap pages;
    private final long salt;

    Shard(int index, long base, Descriptors d, PageHeap pages, long salt, ThreadModel threads, Runnable repair) {
        this.index = index;
        this.base = base;
        this.w = d.w;
        this.d = d;
        this.pages = pages;
        this.salt = salt;
        this.lock = new RobustLock(w, base + ShardLayout.LOCK, "shard " + index + " of the span table of allocator "
                + d.id, threads, repair);
    }

    /** Formats an empty shard: no span in any class. */
    static void format(Words w, long base) {
        RobustLock.format(w, base + ShardLayout.LOCK);
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long e = ShardLayout.entry(base, c);
            w.put(e + SPAN_HEAD, NO_PAGE);
            w.put(e + LIVE, 0L);
            w.put(e + SPANS, 0L);
            w.put(e + FREE, 0L);
        }
    }

    long entry(int c) {
        return ShardLayout.entry(base, c);
    }

    String listName(int c) {
        return "span list of class " + SizeClasses.size(c) + " in shard " + index;
    }

    /**
     * Takes one block of class {@code c}. The block keeps whatever its words hold (its free tag, if it came off a
     * free list); the caller rewrites or clears it.
     *
     * @return the block's offset, or NO_OFFSET if the page heap has no room for a new span
     */
    long popBlock(int c) {
        return popBlock(c, 0);
    }

    /**
     * {@link #popBlock(int)} for a batch move into a thread cache: {@code transitAt} (a slot record's
     * {@link SlotTable#TRANSIT} word, or 0 for none) is set to the block before the store that takes it off its
     * span, so a death before it reaches the cache list is resolved by the repair ({@link HeapWalk}).
     */
    long popBlock(int c, long transitAt) {
        assert lock.isHeldByCurrentThread();
        long e = entry(c);
        int blocks = SizeClasses.blocksPerSpan(c);
        for (int skipped = 0; skipped < MAX_FULL_SPANS_SKIPPED; skipped++) {
            // the hot path bounds page indices by the table (a stale or corrupt head above the frontier reads a
            // zeroed or old descriptor, which checkSpan rejects); the walk checks them against the frontier
            long span = PageList.first(d, e + SPAN_HEAD, d.pageCount);
            if (span == NO_PAGE) {
                span = newSpan(c);
                if (span == NO_PAGE) {
                    return NO_OFFSET;
                }
            }
            checkSpan(span, c);
            long counts = d.get(span, COUNTS);
            long free = PageDescriptor.low(counts);
            long carved = PageDescriptor.high(counts);
            long fh = d.get(span, AUX);
            long blk;
            long head;
            if (fh != NO_OFFSET) {
                checkSpanBlock(fh, span, c, carved);
                head = w.get(fh + FreeBlock.NEXT);
                if (transitAt != 0) {
                    w.put(transitAt, fh); // intent: fh is moving to the cache list
                }
                d.set(span, AUX, head); // commit the pop
                blk = fh;
                free = free > 0 ? free - 1 : 0;
                w.add(e + FREE, -1);
            } else if (carved < blocks) {
                head = NO_OFFSET;
                blk = d.pageOffset(span) + carved * (long) SizeClasses.size(c);
                carved++; // committed by the counts store below
                if (transitAt != 0) {
                    w.put(transitAt, blk); // intent: blk is moving to the cache list
                }
            } else {
                // a full span on the list (possible only after a crash): unlink it and look again
                PageList.remove(d, e + SPAN_HEAD, span, d.pageCount);
                continue;
            }
            d.set(span, COUNTS, PageDescriptor.pack(free, carved));
            if (head == NO_OFFSET && carved >= blocks) {
                PageList.remove(d, e + SPAN_HEAD, span, d.pageCount);
            }
            w.add(e + LIVE, 1);
            return blk;
        }
        throw new CorruptSegmentException("class list keeps yielding full spans: allocator " + d.id + ", "
                + listName(c));
    }

    private long newSpan(int c) {
        long span = pages.allocateSpan(c, index);
        if (span == NO_PAGE && trimEmptySpans() > 0) {
            span = pages.allocateSpan(c, index);
        }
        if (span != NO_PAGE) {
            PageList.insert(d, entry(c) + SPAN_HEAD, span, d.pageCount);
            w.add(entry(c) + SPANS, 1);
        }
        return span;
    }

    /**
     * Returns a block that {@link Heap#locate} vetted (a carved block of {@code span}, class {@code c}, not free)
     * to its span's free list.
     */
    void pushBlock(long off, long span, int c) {
        pushBlock(off, span, c, 0);
    }

    /**
     * {@link #pushBlock(long, long, int)} for a batch move out of a thread cache: the intent record at
     * {@code transitAt} (0 for none) is cleared before the span goes back to the page heap, so it never names a
     * block of a span that left this shard.
     */
    void pushBlock(long off, long span, int c, long transitAt) {
        assert lock.isHeldByCurrentThread();
        long e = entry(c);
        long counts = d.get(span, COUNTS);
        long free = PageDescriptor.low(counts);
        long carved = PageDescriptor.high(counts);
        long fh = d.get(span, AUX);
        boolean wasFull = fh == NO_OFFSET && carved >= SizeClasses.blocksPerSpan(c);
        FreeBlock.write(w, salt, off, fh);
        d.set(span, AUX, off); // commit the push
        free++;
        d.set(span, COUNTS, PageDescriptor.pack(free, carved));
        w.add(e + LIVE, -1);
        w.add(e + FREE, 1);
        if (wasFull) {
            PageList.insert(d, e + SPAN_HEAD, span, d.pageCount);
        }
        if (free >= carved) {
            long first = w.get(e + SPAN_HEAD);
            boolean onlySpan = first == span && PageDescriptor.high(d.get(span, LINKS)) == NO_PAGE;
            if (!onlySpan) {
                if (transitAt != 0) {
                    w.put(transitAt, SlotTable.NO_TRANSIT); // off is on its span: settled
                }
                releaseSpan(span, c, free);
            }
        }
    }

    private void releaseSpan(long span, int c, long free) {
        long e = entry(c);
        PageList.remove(d, e + SPAN_HEAD, span, d.pageCount);
        w.add(e + SPANS, -1);
        w.add(e + FREE, -free);
        pages.releaseSpan(span, c); // commit (in the page heap): the span's pages are a free run
    }

    /**
     * Gives the empty spans this shard keeps (one per class at most) back to the page heap.
     *
     * @return pages given back
     */
    long trimEmptySpans() {
        assert lock.isHeldByCurrentThread();
        long released = 0;
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long walked = 0;
            long frontier = pages.frontier();
            for (long span = PageList.first(d, entry(c) + SPAN_HEAD, frontier); span != NO_PAGE; ) {
                checkSpan(span, c);
                long next = PageList.next(d, entry(c) + SPAN_HEAD, span, frontier);
                long counts = d.get(span, COUNTS);
                long free = PageDescriptor.low(counts);
                if (free >= PageDescriptor.high(counts)) {
                    releaseSpan(span, c, free);
                    released += SizeClasses.spanPages(c);
                }
                span = next;
                if (++walked > frontier) {
                    throw new CorruptSegmentException("cycle in the " + listName(c) + ": allocator " + d.id);
                }
            }
        }
        return released;
    }

    private void checkSpan(long span, int c) {
        long info = d.get(span, INFO);
        if (PageDescriptor.kind(info) != PageDescriptor.SMALL || PageDescriptor.sizeClass(info) != c
                || PageDescriptor.shard(info) != index) {
            throw new CorruptSegmentException("class list entry is not a span of its class and shard: allocator "
                    + d.id + ", list=" + listName(c) + ", " + PageDescriptor.describe(span, info));
        }
    }

    /** Checks a block taken off a span's free list: at a block start inside the span, carrying its tag. */
    private void checkSpanBlock(long blk, long span, int c, long carved) {
        long start = d.pageOffset(span);
        long rel = blk - start;
        int idx = rel >= 0 && rel < ((long) SizeClasses.spanPages(c) << SizeClasses.PAGE_SHIFT)
                ? SizeClasses.blockIndex(c, rel) : SizeClasses.NO_BLOCK;
        if (idx == SizeClasses.NO_BLOCK || idx >= carved) {
            throw new CorruptSegmentException("span free list corrupt: allocator " + d.id + ", class size="
                    + SizeClasses.size(c) + ", entry=" + blk + " is not a carved block of the span at offset " + start);
        }
        if (!FreeBlock.isFree(w, salt, blk)) {
            throw new CorruptSegmentException("free block overwritten after it was freed: allocator " + d.id
                    + ", free list of the span at offset " + start + ": offset=" + blk
                    + " (a use after free wrote to its first 16 bytes)");
        }
    }

    /** Live blocks of class {@code c} by this shard's count (in use or in thread caches). */
    long live(int c) {
        return w.get(entry(c) + LIVE);
    }

    long liveOpaque(int c) {
        return w.getOpaque(entry(c) + LIVE);
    }

    long freeBlocks(int c) {
        return w.get(entry(c) + FREE);
    }

    long spans(int c) {
        return w.get(entry(c) + SPANS);
    }
}
