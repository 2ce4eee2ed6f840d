package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.FreeBlock.NO_OFFSET;
import static dev.hshm.allocators.internal.heap.PageDescriptor.AUX;
import static dev.hshm.allocators.internal.heap.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.FREE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INFO;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LARGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LINKS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_PAGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.SMALL;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE_SHIFT;

import dev.hshm.api.CorruptSegmentException;
import java.util.Arrays;

/**
 * The cold code: walks the run partition from page 0 to the frontier by run lengths (the descriptors are the
 * ground truth) and either checks every derived structure against it or rebuilds it.
 *
 * <ul>
 *   <li>{@link #repairPages}: run by the thread that took the page heap's lock over from a dead owner. Merges
 *       adjacent free runs, writes the free runs' tails, rebuilds the run lists, the bitmap and the page heap's
 *       counters. Touches no span.</li>
 *   <li>{@link #repairShard}: run by the thread that took a shard's lock over from a dead owner; takes the page
 *       heap's lock too (the lock order: a shard, then the page heap). Walks the free list of each span of the
 *       shard, cutting it at the first block that fails its checks (the blocks after it leak; nothing overlaps),
 *       and rebuilds the span counts, the shard's class lists and its counters.</li>
 *   <li>{@link #check}: with every lock held, throws at the first difference between the derived state and the
 *       walk.</li>
 * </ul>
 * All three are idempotent.
 */
final class HeapWalk {

    private static final System.Logger LOG = System.getLogger(HeapWalk.class.getName());

    private final Heap heap;
    private final Descriptors d;
    private final PageHeap pages;
    private final Words w;

    private HeapWalk(Heap heap) {
        this.heap = heap;
        this.d = heap.d;
        this.pages = heap.pages;
        this.w = d.w;
    }

    /** What to do with what the walk finds. */
    private enum Mode { CHECK, REPAIR_PAGES, REPAIR_SHARD }

    /** Per-shard tallies of the walk. */
    private static final class Tally {
        final long[] live = new long[SizeClasses.COUNT];
        final long[] spans = new long[SizeClasses.COUNT];
        final long[] free = new long[SizeClasses.COUNT];
        final long[] roomy = new long[SizeClasses.COUNT];
    }

    static void repairPages(Heap heap) {
        new HeapWalk(heap).walk(Mode.REPAIR_PAGES, null);
    }

    static void repairShard(Heap heap, Shard shard) {
        heap.pages.lock.lock();
        try {
            new HeapWalk(heap).walk(Mode.REPAIR_SHARD, shard);
        } finally {
            heap.pages.lock.unlock();
        }
    }

    static void check(Heap heap) {
        new HeapWalk(heap).walk(Mode.CHECK, null);
    }

    private void walk(Mode mode, Shard only) {
        long frontier = pages.word(PageHeapLayout.FRONTIER);
        if (frontier < 0 || frontier > d.pageCount) {
            throw new CorruptSegmentException("heap frontier out of range: allocator " + d.id + ", frontier="
                    + frontier + ", pages=" + d.pageCount);
        }
        int shardCount = heap.shards.length;
        Tally[] tally = new Tally[shardCount];
        for (int s = 0; s < shardCount; s++) {
            tally[s] = new Tally();
        }
        if (mode == Mode.REPAIR_PAGES) {
            pages.clearLists();
        }
        if (mode == Mode.REPAIR_SHARD) {
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                w.put(only.entry(c) + ShardLayout.SPAN_HEAD, NO_PAGE);
            }
        }
        long freePages = 0;
        long largeBytes = 0;
        long largeCount = 0;
        long[] runsPerList = new long[PageHeapLayout.LISTS];
        long[] freeHeads = new long[16];
        int freeRuns = 0;
        long prevFree = NO_PAGE; // head of the free run just before p, if the run before p was free
        for (long p = 0; p < frontier; ) {
            long info = d.get(p, INFO);
            int kind = PageDescriptor.kind(info);
            long n = PageDescriptor.pages(info);
            if ((kind != FREE && kind != SMALL && kind != LARGE) || n < 1 || p + n > frontier) {
                throw new CorruptSegmentException("page heap walk: not a valid run head: allocator " + d.id + ", "
                        + PageDescriptor.describe(p, info) + ", frontier=" + frontier);
            }
            if (kind == FREE) {
                freePages += n;
                if (prevFree != NO_PAGE && mode != Mode.REPAIR_SHARD) {
                    if (mode == Mode.CHECK) {
                        throw new CorruptSegmentException("adjacent free runs were not merged: allocator " + d.id
                                + ", runs at pages " + prevFree + " and " + p);
                    }
                    pages.mergeAdjacent(prevFree, p, n);
                } else {
                    if (freeRuns == freeHeads.length) {
                        freeHeads = Arrays.copyOf(freeHeads, freeRuns * 2);
                    }
                    freeHeads[freeRuns++] = p;
                    prevFree = p;
                    if (mode == Mode.REPAIR_PAGES) {
                        pages.writeFreeRunTail(p, n);
                    }
                }
            } else if (kind == LARGE) {
                prevFree = NO_PAGE;
                largeBytes += n << PAGE_SHIFT;
                largeCount++;
            } else {
                prevFree = NO_PAGE;
                int c = PageDescriptor.sizeClass(info);
                int s = PageDescriptor.shard(info);
                if (c >= SizeClasses.COUNT || n != SizeClasses.spanPages(c) || s >= shardCount) {
                    throw new CorruptSegmentException("span with a bad class or shard: allocator " + d.id + ", "
                            + PageDescriptor.describe(p, info) + ", shards=" + shardCount);
                }
                if (mode == Mode.CHECK || (mode == Mode.REPAIR_SHARD && s == only.index)) {
                    span(p, c, heap.shards[s], tally[s], mode);
                }
            }
            p += n;
        }
        for (int i = 0; i < freeRuns; i++) {
            long n = PageDescriptor.pages(d.get(freeHeads[i], INFO));
            runsPerList[PageHeapLayout.listIndex(n)]++;
            if (mode == Mode.REPAIR_PAGES) {
                pages.insertFree(freeHeads[i], n);
            }
        }
        switch (mode) {
            case REPAIR_PAGES -> pages.setCounters(freePages, largeBytes, largeCount);
            case REPAIR_SHARD -> {
                Tally t = tally[only.index];
                for (int c = 0; c < SizeClasses.COUNT; c++) {
                    long e = only.entry(c);
                    w.put(e + ShardLayout.LIVE, t.live[c]);
                    w.put(e + ShardLayout.SPANS, t.spans[c]);
                    w.put(e + ShardLayout.FREE, t.free[c]);
                }
            }
            case CHECK -> {
                expect("free pages", pages.word(PageHeapLayout.FREE_PAGES), freePages);
                expect("large bytes", pages.word(PageHeapLayout.LARGE_BYTES), largeBytes);
                expect("large blocks", pages.word(PageHeapLayout.LARGE_COUNT), largeCount);
                for (int li = 0; li < PageHeapLayout.LISTS; li++) {
                    expect("free runs on run list " + li, PageList.length(d, pages.listHead(li), frontier),
                            runsPerList[li]);
                }
                for (Shard sh : heap.shards) {
                    sh.lock.checkWords();
                    Tally t = tally[sh.index];
                    for (int c = 0; c < SizeClasses.COUNT; c++) {
                        String of = " of class " + SizeClasses.size(c) + " in shard " + sh.index;
                        expect("live blocks" + of, sh.live(c), t.live[c]);
                        expect("spans" + of, sh.spans(c), t.spans[c]);
                        expect("free blocks" + of, sh.freeBlocks(c), t.free[c]);
                        expect("spans with room on the list" + of, PageList.length(d, sh.entry(c) + ShardLayout.SPAN_HEAD,
                                frontier), t.roomy[c]);
                    }
                }
                pages.lock.checkWords();
            }
            default -> throw new AssertionError(mode);
        }
    }

    /** Tallies one span (and, repairing, rebuilds its counts and puts it on its class list if it has room). */
    private void span(long p, int c, Shard shard, Tally t, Mode mode) {
        long carved = PageDescriptor.high(d.get(p, COUNTS));
        int blocks = SizeClasses.blocksPerSpan(c);
        if (carved > blocks) {
            throw new CorruptSegmentException("span carved past its end: allocator " + d.id + ", page=" + p
                    + ", carved=" + carved + ", blocks=" + blocks);
        }
        long n = spanFreeList(p, c, carved, mode == Mode.REPAIR_SHARD);
        t.spans[c]++;
        t.free[c] += n;
        t.live[c] += carved - n;
        boolean roomy = n > 0 || carved < blocks;
        if (roomy) {
            t.roomy[c]++;
        }
        if (mode == Mode.REPAIR_SHARD) {
            d.set(p, COUNTS, PageDescriptor.pack(n, carved));
            if (roomy) {
                PageList.insert(d, shard.entry(c) + ShardLayout.SPAN_HEAD, p, d.pageCount);
            } else {
                d.set(p, LINKS, PageDescriptor.pack(NO_PAGE, NO_PAGE));
            }
        }
    }

    /** Counts a span's free list; repairing, cuts it at the first bad block. */
    private long spanFreeList(long span, int c, long carved, boolean repair) {
        long n = 0;
        long prev = NO_OFFSET;
        long start = d.pageOffset(span);
        long bytes = (long) SizeClasses.spanPages(c) << PAGE_SHIFT;
        for (long b = d.get(span, AUX); b != NO_OFFSET; ) {
            long rel = b - start;
            int idx = rel >= 0 && rel < bytes ? SizeClasses.blockIndex(c, rel) : SizeClasses.NO_BLOCK;
            boolean ok = idx != SizeClasses.NO_BLOCK && idx < carved && n < carved && FreeBlock.isFree(w, heap.salt, b);
            if (!ok) {
                if (!repair) {
                    throw new CorruptSegmentException("span free list corrupt: allocator " + d.id + ", span offset="
                            + start + ", class size=" + SizeClasses.size(c) + ", bad entry=" + b + " after " + n
                            + " good ones");
                }
                if (prev == NO_OFFSET) {
                    d.set(span, AUX, NO_OFFSET);
                } else {
                    w.put(prev + FreeBlock.NEXT, NO_OFFSET);
                }
                LOG.log(System.Logger.Level.WARNING, "heap " + d.id + ": cut a corrupt span free list at offset " + b
                        + " (blocks after it are leaked)");
                break;
            }
            n++;
            prev = b;
            b = w.get(b + FreeBlock.NEXT);
        }
        return n;
    }

    private void expect(String what, long recorded, long actual) {
        if (recorded != actual) {
            throw new CorruptSegmentException("heap check failed: allocator " + d.id + ", " + what + ": recorded="
                    + recorded + ", walked=" + actual);
        }
    }
}
