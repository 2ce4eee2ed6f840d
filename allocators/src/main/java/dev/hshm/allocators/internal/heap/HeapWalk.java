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
            HeapWalk walk = new HeapWalk(heap);
            walk.resolveTransits(shard);
            walk.walk(Mode.REPAIR_SHARD, shard);
        } finally {
            heap.pages.lock.unlock();
        }
    }

    static void check(Heap heap) {
        new HeapWalk(heap).walk(Mode.CHECK, null);
    }

    /**
     * Resolves the intent records ({@link SlotTable#TRANSIT}) that name a block of a span of {@code shard}: only
     * the dead owner of the shard's lock can have left one (a live writer clears its record before it unlocks,
     * and names only blocks of the shard it holds). The block is on the slot's cache list, or on its span's free
     * list, or was never carved: left there; else it is on neither, and goes back on its span's free list. Then
     * the record is cleared. Records naming other shards' blocks are left to those shards' repairs. Idempotent:
     * a death during it leaves the record set, and the next repair finds the block where this one put it.
     */
    private void resolveTransits(Shard shard) {
        HeapHeader.Geometry geo = heap.geo;
        long frontier = pages.word(PageHeapLayout.FRONTIER);
        for (int slot = 0; slot < geo.slotCount(); slot++) {
            long rec = SlotTable.record(geo, slot);
            long b = w.get(rec + SlotTable.TRANSIT);
            if (b == SlotTable.NO_TRANSIT) {
                continue;
            }
            long rel = b - geo.heapOffset();
            if (rel < 0 || b > geo.heapEnd() - FreeBlock.BYTES || (rel >>> PAGE_SHIFT) >= frontier) {
                continue; // not a block: check() reports it
            }
            long page = rel >>> PAGE_SHIFT;
            long head = page;
            if (PageDescriptor.kind(d.get(page, INFO)) == PageDescriptor.INTERIOR) {
                head = d.get(page, AUX);
                if (head < 0 || head > page || page - head >= SizeClasses.MAX_SPAN_PAGES) {
                    continue;
                }
            }
            long info = d.get(head, INFO);
            int c = PageDescriptor.sizeClass(info);
            if (PageDescriptor.kind(info) != SMALL || PageDescriptor.shard(info) != shard.index
                    || c >= SizeClasses.COUNT || page >= head + PageDescriptor.pages(info)) {
                continue; // another shard's (a live writer's, or a dead one's that its shard's repair resolves)
            }
            int idx = SizeClasses.blockIndex(c, b - d.pageOffset(head));
            long carved = PageDescriptor.high(d.get(head, COUNTS));
            if (idx != SizeClasses.NO_BLOCK && idx < carved && !onCacheList(SlotTable.head(rec, c), c, b)
                    && !onSpanList(head, carved, b)) {
                FreeBlock.write(w, heap.salt, b, d.get(head, AUX));
                d.set(head, AUX, b); // commit: b is on its span again
                LOG.log(System.Logger.Level.WARNING, "heap " + d.id + ": block " + b + " was moving between cache slot "
                        + slot + " and its span when the owner of " + shard.lock.name() + " died; put back on its span");
            }
            w.put(rec + SlotTable.TRANSIT, SlotTable.NO_TRANSIT);
        }
    }

    /** Whether {@code b} is on the cache list at {@code listAt} (walked as far as it can be long, entries checked). */
    private boolean onCacheList(long listAt, int c, long b) {
        long x = w.get(listAt);
        for (int n = 0; n <= SlotTable.maxListLength(c) && x != NO_OFFSET; n++) {
            if (x == b) {
                return true;
            }
            if (x < heap.geo.heapOffset() || x > heap.geo.heapEnd() - FreeBlock.BYTES || !FreeBlock.isFree(w, heap.salt, x)) {
                return false;
            }
            x = w.get(x + FreeBlock.NEXT);
        }
        return false;
    }

    /** Whether {@code b} is on the free list of the span at {@code span} (at most {@code carved} entries). */
    private boolean onSpanList(long span, long carved, long b) {
        long x = d.get(span, AUX);
        for (long n = 0; n <= carved && x != NO_OFFSET; n++) {
            if (x == b) {
                return true;
            }
            if (x < heap.geo.heapOffset() || x > heap.geo.heapEnd() - FreeBlock.BYTES) {
                return false;
            }
            x = w.get(x + FreeBlock.NEXT);
        }
        return false;
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
            if (kind != SMALL && mode != Mode.REPAIR_SHARD) {
                staleHeads(p, n, kind, mode);
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
                spanInteriors(p, n, mode);
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
                for (int slot = 0; slot < heap.geo.slotCount(); slot++) {
                    expect("intent record (TRANSIT) of cache slot " + slot + " with every lock held",
                            w.get(SlotTable.record(heap.geo, slot) + SlotTable.TRANSIT), SlotTable.NO_TRANSIT);
                }
            }
            default -> throw new AssertionError(mode);
        }
    }

    /**
     * The pages inside the run [p, p+n) of a free or large run must not carry a head kind: an operation that merges
     * or grows a run commits with the new head's INFO and demotes the old heads right after, so a death in between
     * leaves a stale head inside the run, which a later coalesce would take for a free neighbour (its FREE_TAIL
     * still names it). The repair demotes them; the check reports them. Spans write their interiors before their
     * commit, so only free and large runs are walked.
     */
    private void staleHeads(long p, long n, int kind, Mode mode) {
        long last = kind == FREE && n >= 2 ? p + n - 1 : p + n; // a free run's last page is its FREE_TAIL
        for (long q = p + 1; q < last; q++) {
            int k = PageDescriptor.kind(d.get(q, INFO));
            if (k == FREE || k == SMALL || k == LARGE) {
                if (mode == Mode.CHECK) {
                    throw new CorruptSegmentException("page heap walk: a stale run head inside a run: allocator " + d.id
                            + ", " + PageDescriptor.describe(q, d.get(q, INFO)) + ", inside the "
                            + PageDescriptor.kindName(kind) + " run at page " + p + " of " + n + " pages");
                }
                d.set(q, INFO, PageDescriptor.info(PageDescriptor.INTERIOR, 0, 0, 0));
                d.set(q, AUX, p);
            }
        }
    }

    /**
     * A span's pages after its head are INTERIOR and name the head (how a block in them is located). A release of
     * the span writes the free run's FREE_TAIL over its last page before the commit, so a death in between leaves a
     * span whose last page cannot be located: the repairs rewrite the interiors, the check reports them.
     */
    private void spanInteriors(long p, long n, Mode mode) {
        for (long q = p + 1; q < p + n; q++) {
            if (PageDescriptor.kind(d.get(q, INFO)) != PageDescriptor.INTERIOR || d.get(q, AUX) != p) {
                if (mode == Mode.CHECK) {
                    throw new CorruptSegmentException("page heap walk: a span's page is not its interior: allocator "
                            + d.id + ", " + PageDescriptor.describe(q, d.get(q, INFO)) + ", aux=" + d.get(q, AUX)
                            + ", in the span at page " + p + " of " + n + " pages");
                }
                d.set(q, INFO, PageDescriptor.info(PageDescriptor.INTERIOR, 0, 0, 0));
                d.set(q, AUX, p);
            }
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
