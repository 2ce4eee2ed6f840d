package dev.hshm.allocators.internal.allocator;

import static dev.hshm.allocators.internal.allocator.HeapLayout.C_FREE;
import static dev.hshm.allocators.internal.allocator.HeapLayout.C_LIVE;
import static dev.hshm.allocators.internal.allocator.HeapLayout.C_SPANS;
import static dev.hshm.allocators.internal.allocator.HeapLayout.C_SPAN_HEAD;
import static dev.hshm.allocators.internal.allocator.HeapLayout.CLASS_BYTES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_FOOTPRINT_PAGES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_FREE_PAGES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_LARGE_BYTES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_LARGE_COUNT;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_RUN_BITMAP;
import static dev.hshm.allocators.internal.allocator.HeapLayout.H_WILDERNESS;
import static dev.hshm.allocators.internal.allocator.HeapLayout.LONG;
import static dev.hshm.allocators.internal.allocator.HeapLayout.MAX_EXACT_RUN;
import static dev.hshm.allocators.internal.allocator.HeapLayout.NONE;
import static dev.hshm.allocators.internal.allocator.HeapLayout.NULL;
import static dev.hshm.allocators.internal.allocator.HeapLayout.RUN_LISTS;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.AUX;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.FREE;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.FREE_TAIL;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.INFO;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.INTERIOR;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.LARGE;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.LINKS;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.NO_PAGE;
import static dev.hshm.allocators.internal.allocator.PageDescriptor.SMALL;
import static dev.hshm.allocators.internal.allocator.SizeClasses.PAGE;
import static dev.hshm.allocators.internal.allocator.SizeClasses.PAGE_SHIFT;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared core of the {@code scalable_page} and {@code thread_local} allocators: a page heap and one
 * table of size-classed spans, all inside the allocator's region, guarded by one {@link RobustLock}.
 *
 * <h2>Notation</h2>
 * A <em>page</em> is 4 KiB of the heap; a <em>run</em> is a sequence of pages with one head descriptor
 * ({@link PageDescriptor}); a <em>span</em> is a run that holds the blocks of one size class
 * ({@link SizeClasses}); a <em>large block</em> is a run handed out whole (requests over 64 KiB, or aligned
 * beyond what a class offers). W, the <em>frontier</em>, is the first page never handed out: pages above it
 * are never read or written, so they never fault in.
 *
 * <h2>Page heap</h2>
 * Free runs sit on doubly-linked lists by length (exactly 1..128 pages; one list for longer runs), with a
 * bitmap of non-empty lists. To allocate {@code n} pages: the first non-empty list of length {@code >= n}
 * (best fit in the long list); the run is split and the rest goes back on a list. If no run fits, the
 * frontier advances by what is missing (merging with a free run at the top), and the search repeats. A freed
 * run merges with free neighbours on both sides (the left one is found through its tail descriptor).
 *
 * <h2>Spans and blocks</h2>
 * Each class has a list of its spans that still have a free block or a never-carved one. A span's blocks are
 * carved lazily, in address order, so its pages fault in only as blocks are used. A free block is on its
 * span's free list: word 0 is the next block's offset, word 1 the tag {@code SALT ^ offset}. The tag is how a
 * second free of the same block is caught ({@link DoubleFreeException}) and how a block overwritten after it
 * was freed is caught when it is handed out again ({@link CorruptSegmentException}); an allocated block has
 * its tag cleared. A span whose blocks are all free goes back to the page heap unless it is the class's only
 * span (so an alloc/free loop does not churn spans).
 *
 * <h2>Allocate (small, class c)</h2>
 * <ol>
 *   <li>take the class's first span with room (or a new span from the page heap);</li>
 *   <li>pop its free list, else carve its next block;</li>
 *   <li>if the span is now full, unlink it from the class list.</li>
 * </ol>
 * <h2>Free (small)</h2>
 * <ol>
 *   <li>{@link #locate} the block from its page descriptor: span, class, and that a block starts there;</li>
 *   <li>reject it if it carries its free tag (double free);</li>
 *   <li>push it on its span's list; relink the span if it was full; release it if now empty.</li>
 * </ol>
 * Everything in this class except {@link #locate} and the statistics readers runs with the lock held
 * ({@code assert}ed). The scalable-page allocator takes the lock for every call; the thread-local allocator
 * only to move batches between its per-thread caches and these lists.
 *
 * <h2>Crash consistency</h2>
 * The page descriptors are the ground truth (see {@link PageDescriptor} for the single-store commit rule);
 * lists, counters and span free counts are derived. When a process dies holding the lock, the next one
 * {@link #repair() rebuilds} everything derived by walking the runs. The worst a death can cost is the blocks
 * it was moving at that moment, which stay allocated (a leak, never an overlap).
 */
final class Heap {

    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long TAG_MASK_CLEAR = 0L;

    final MemorySegment seg;
    final HeapLayout.Geometry geo;
    final AllocatorId id;
    final RobustLock lock;
    final long salt;
    final long heapOff;
    final long heapEnd;
    final long descOff;
    final long pageCount;
    private final long hdr;
    /** A frontier value this process has read; the frontier never moves down. Plain: a stale value is just smaller. */
    private long frontierSeen;
    private final long classTable;
    private final long runLists;

    private Heap(MemorySegment seg, HeapLayout.Geometry geo, AllocatorId id, long salt, ThreadModel threads) {
        this.seg = seg;
        this.geo = geo;
        this.id = id;
        this.salt = salt;
        this.hdr = geo.regionOffset();
        this.heapOff = geo.heapOffset();
        this.heapEnd = geo.heapEnd();
        this.descOff = geo.descTable();
        this.pageCount = geo.pageCount();
        this.classTable = geo.classTable();
        this.runLists = geo.runLists();
        this.lock = new RobustLock(seg, hdr + HeapLayout.H_LOCK, "heap " + id, threads, this::repair);
    }

    /**
     * Formats a new heap in the region of {@code geo} and publishes it (READY last).
     */
    static Heap format(MemorySegment seg, HeapLayout.Geometry geo, AllocatorId id, int typeCode, ThreadModel threads) {
        long r = geo.regionOffset();
        // The region comes fresh from the backend's directory, so whatever it holds (old bytes of reused malloc
        // memory included) is garbage: READY is cleared first so no reader can take it for a heap meanwhile.
        LONG.setRelease(seg, r + HeapLayout.H_READY, 0L);
        // Header, custom header, class table, run lists and slot table start zeroed; page descriptors are
        // written as the frontier reaches their pages, so a large heap costs no page faults up front.
        seg.asSlice(r, geo.descTable() - r).fill((byte) 0);
        long salt = new SecureRandom().nextLong() | 1L;
        seg.set(J, r + HeapLayout.H_MAGIC, HeapLayout.MAGIC);
        seg.set(ValueLayout.JAVA_INT, r + HeapLayout.H_LAYOUT_VERSION, HeapLayout.LAYOUT_VERSION);
        seg.set(ValueLayout.JAVA_INT, r + HeapLayout.H_TYPE_CODE, typeCode);
        seg.set(J, r + HeapLayout.H_ALLOCATOR_ID, id.toLong());
        geo.write(seg);
        seg.set(J, r + HeapLayout.H_TAG_SALT, salt);
        RobustLock.format(seg, r + HeapLayout.H_LOCK);
        seg.set(J, r + H_WILDERNESS, 0L);
        seg.set(J, r + H_FOOTPRINT_PAGES, 0L);
        seg.set(J, r + H_FREE_PAGES, 0L);
        seg.set(J, r + H_LARGE_BYTES, 0L);
        seg.set(J, r + H_LARGE_COUNT, 0L);
        for (int i = 0; i < 3; i++) {
            seg.set(J, r + H_RUN_BITMAP + 8L * i, 0L);
        }
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long ct = geo.classTable() + (long) c * CLASS_BYTES;
            seg.set(J, ct + C_SPAN_HEAD, NONE);
            seg.set(J, ct + C_LIVE, 0L);
            seg.set(J, ct + C_SPANS, 0L);
            seg.set(J, ct + C_FREE, 0L);
        }
        for (int i = 0; i < RUN_LISTS; i++) {
            seg.set(J, geo.runLists() + 8L * i, NONE);
        }
        return new Heap(seg, geo, id, salt, threads);
    }

    /** Publishes a formatted heap: the release store of READY, last. */
    void publish() {
        LONG.setRelease(seg, hdr + HeapLayout.H_READY, HeapLayout.READY_VALUE);
    }

    /**
     * Attaches to a published heap, checking its header against the region.
     */
    static Heap attach(MemorySegment seg, long regionOffset, long regionSize, AllocatorId id, int typeCode,
                       String typeName, ThreadModel threads) {
        if (regionOffset < 0 || regionSize <= 0 || regionOffset > seg.byteSize() - regionSize) {
            throw new CorruptSegmentException("allocator region outside the backend: regionOffset=" + regionOffset
                    + ", regionSize=" + regionSize + ", dataSize=" + seg.byteSize());
        }
        HeapLayout.Geometry geo = HeapLayout.Geometry.read(seg, regionOffset, regionSize, id, typeCode, typeName);
        long salt = seg.get(J, regionOffset + HeapLayout.H_TAG_SALT);
        Heap h = new Heap(seg, geo, id, salt, threads);
        long w = h.wilderness();
        if (w < 0 || w > h.pageCount) {
            throw new CorruptSegmentException("heap frontier out of range: allocator " + id + ", W=" + w
                    + ", pages=" + h.pageCount);
        }
        return h;
    }

    // ------------------------------------------------------------------ descriptors

    private long d(long page) {
        return descOff + (page << 5);
    }

    long infoOf(long page) {
        return seg.get(J, d(page) + INFO);
    }

    private void setInfo(long page, long info) {
        seg.set(J, d(page) + INFO, info);
    }

    private long aux(long page) {
        return seg.get(J, d(page) + AUX);
    }

    private void setAux(long page, long v) {
        seg.set(J, d(page) + AUX, v);
    }

    private long countsOf(long page) {
        return seg.get(J, d(page) + COUNTS);
    }

    private void setCounts(long page, long v) {
        seg.set(J, d(page) + COUNTS, v);
    }

    private long linksOf(long page) {
        return seg.get(J, d(page) + LINKS);
    }

    private void setLinks(long page, long v) {
        seg.set(J, d(page) + LINKS, v);
    }

    private void setPrev(long page, long prev) {
        long l = linksOf(page);
        setLinks(page, PageDescriptor.links(prev, PageDescriptor.next(l)));
    }

    private void setNext(long page, long next) {
        long l = linksOf(page);
        setLinks(page, PageDescriptor.links(PageDescriptor.prev(l), next));
    }

    long pageOffset(long page) {
        return heapOff + (page << PAGE_SHIFT);
    }

    long wilderness() {
        return (long) LONG.getOpaque(seg, hdr + H_WILDERNESS);
    }

    private long hget(long field) {
        return seg.get(J, hdr + field);
    }

    private void hset(long field, long v) {
        seg.set(J, hdr + field, v);
    }

    private void hadd(long field, long delta) {
        seg.set(J, hdr + field, seg.get(J, hdr + field) + delta);
    }

    private long ct(int c) {
        return classTable + (long) c * CLASS_BYTES;
    }

    private void cadd(int c, long field, long delta) {
        long at = ct(c) + field;
        seg.set(J, at, seg.get(J, at) + delta);
    }

    long tag(long off) {
        return salt ^ off;
    }

    boolean hasFreeTag(long off) {
        return seg.get(J, off + 8) == (salt ^ off);
    }

    void clearTag(long off) {
        seg.set(J, off + 8, TAG_MASK_CLEAR);
    }

    // ------------------------------------------------------------------ run lists

    private static int listIndex(long pages) {
        return pages > MAX_EXACT_RUN ? 0 : (int) pages;
    }

    private void setBit(int li, boolean on) {
        long at = hdr + H_RUN_BITMAP + 8L * (li >>> 6);
        long v = seg.get(J, at);
        seg.set(J, at, on ? v | (1L << (li & 63)) : v & ~(1L << (li & 63)));
    }

    private int nextListAtLeast(int from) {
        for (int li = from; li < RUN_LISTS; ) {
            long word = seg.get(J, hdr + H_RUN_BITMAP + 8L * (li >>> 6)) >>> (li & 63);
            if (word != 0) {
                return li + Long.numberOfTrailingZeros(word);
            }
            li = (li | 63) + 1;
        }
        return -1;
    }

    private void listInsert(long h, long pages) {
        int li = listIndex(pages);
        long at = runLists + 8L * li;
        long first = seg.get(J, at);
        setLinks(h, PageDescriptor.links(NO_PAGE, first == NONE ? NO_PAGE : first));
        if (first != NONE) {
            setPrev(first, h);
        }
        seg.set(J, at, h);
        setBit(li, true);
    }

    private void listRemove(long h, long pages) {
        int li = listIndex(pages);
        long at = runLists + 8L * li;
        long l = linksOf(h);
        long prev = PageDescriptor.prev(l);
        long next = PageDescriptor.next(l);
        if (prev == NO_PAGE) {
            seg.set(J, at, next == NO_PAGE ? NONE : next);
            if (next == NO_PAGE) {
                setBit(li, false);
            }
        } else {
            setNext(prev, next);
        }
        if (next != NO_PAGE) {
            setPrev(next, prev);
        }
    }

    // ------------------------------------------------------------------ page heap (lock held)

    /** The first page at or after {@code p} whose offset is a multiple of {@code align}. */
    private long alignPage(long p, long align) {
        if (align <= PAGE) {
            return p;
        }
        long off = pageOffset(p);
        long aligned = (off + align - 1) & -align;
        return (aligned - heapOff) >>> PAGE_SHIFT;
    }

    /**
     * Allocates a run of {@code n} pages starting at an offset that is a multiple of {@code align}, and
     * writes its head as {@code kind}. For SMALL, also initialises the span (empty free list, nothing carved,
     * interiors pointing at the head) before the commit.
     *
     * @return the head page, or -1 if the heap has no room
     */
    private long allocRun(long n, long align, int kind, int sizeClass, long aux) {
        assert lock.isHeldByCurrentThread();
        boolean trimmed = false;
        for (int attempt = 0; attempt < 6; attempt++) {
            long found = findRun(n, align);
            if (found >= 0) {
                long len = PageDescriptor.pages(infoOf(found));
                listRemove(found, len);
                long s = alignPage(found, align);
                carveRun(found, len, s, n, kind, sizeClass, aux);
                hadd(H_FREE_PAGES, -n);
                return s;
            }
            long slack = align > PAGE ? (align >>> PAGE_SHIFT) - 1 : 0;
            if (extendFrontier(n + slack)) {
                continue;
            }
            if (!trimmed) {
                trimmed = true;
                if (trimEmptySpans() > 0) {
                    continue;
                }
            }
            return -1;
        }
        throw new CorruptSegmentException("page heap: no run after extending the frontier: allocator " + id
                + ", pages=" + n + ", align=" + align);
    }

    /**
     * Releases the empty spans that classes keep to avoid churn (see {@link #pushBlock}); run when the page
     * heap cannot satisfy a request otherwise.
     *
     * @return pages released
     */
    private long trimEmptySpans() {
        long released = 0;
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long span = seg.get(J, ct(c) + C_SPAN_HEAD);
            long walked = 0;
            while (span != NONE && span != NO_PAGE) {
                checkSpan(span, c);
                long next = PageDescriptor.next(linksOf(span));
                long counts = countsOf(span);
                long free = PageDescriptor.freeCount(counts);
                if (free >= PageDescriptor.carved(counts)) {
                    classListRemove(c, span);
                    cadd(c, C_SPANS, -1);
                    cadd(c, C_FREE, -free);
                    releaseRun(span, SizeClasses.spanPages(c));
                    released += SizeClasses.spanPages(c);
                }
                span = next;
                if (++walked > pageCount) {
                    throw new CorruptSegmentException("cycle in the span list of class " + SizeClasses.size(c)
                            + ": allocator " + id);
                }
            }
        }
        return released;
    }

    /** A free run that can hold {@code n} pages at {@code align}, or -1. */
    private long findRun(long n, long align) {
        if (align <= PAGE) {
            if (n <= MAX_EXACT_RUN) {
                int li = nextListAtLeast((int) n);
                if (li > 0) {
                    return seg.get(J, runLists + 8L * li);
                }
            }
            long best = -1;
            long bestLen = Long.MAX_VALUE;
            long walked = 0;
            for (long h = seg.get(J, runLists); h != NONE && h != NO_PAGE; h = PageDescriptor.next(linksOf(h))) {
                checkPage(h, "long run list");
                long len = PageDescriptor.pages(infoOf(h));
                if (len >= n && len < bestLen) {
                    best = h;
                    bestLen = len;
                }
                if (++walked > pageCount) {
                    throw new CorruptSegmentException("page heap: cycle in the long run list: allocator " + id);
                }
            }
            return best;
        }
        // aligned: first fit over every list that can hold n pages, exact lists first, then the long list
        int li = n <= MAX_EXACT_RUN ? nextListAtLeast((int) n) : -1;
        while (true) {
            int list = li > 0 ? li : 0;
            long walked = 0;
            for (long h = seg.get(J, runLists + 8L * list); h != NONE && h != NO_PAGE;
                 h = PageDescriptor.next(linksOf(h))) {
                checkPage(h, "run list " + list);
                long len = PageDescriptor.pages(infoOf(h));
                if (alignPage(h, align) + n <= h + len) {
                    return h;
                }
                if (++walked > pageCount) {
                    throw new CorruptSegmentException("page heap: cycle in run list " + list + ": allocator " + id);
                }
            }
            if (list == 0) {
                return -1;
            }
            li = li < MAX_EXACT_RUN ? nextListAtLeast(li + 1) : -1;
        }
    }

    private void checkPage(long p, String where) {
        if (p < 0 || p >= wilderness()) {
            throw new CorruptSegmentException("page heap: page index out of range in " + where + ": allocator " + id
                    + ", page=" + p + ", frontier=" + wilderness());
        }
    }

    /**
     * Splits free run [h, h+len) (already off its list) into a free prefix [h, s), the allocated run
     * [s, s+n) and a free suffix. Every descriptor that a commit makes visible is written before it.
     */
    private void carveRun(long h, long len, long s, long n, int kind, int sizeClass, long aux) {
        long end = h + len;
        long suffix = s + n;
        if (suffix < end) {
            writeFreeRun(suffix, end - suffix);
        }
        writeHead(s, n, kind, sizeClass, aux); // commits when s == h
        if (s > h) {
            writeFreeRunTail(h, s - h);
            setInfo(h, PageDescriptor.info(FREE, 0, s - h)); // commit
            listInsert(h, s - h);
        }
        if (suffix < end) {
            listInsert(suffix, end - suffix);
        }
    }

    private void writeHead(long s, long n, int kind, int sizeClass, long aux) {
        if (kind == SMALL) {
            setAux(s, NULL);
            setCounts(s, 0L);
            setLinks(s, PageDescriptor.links(NO_PAGE, NO_PAGE));
            for (long p = s + 1; p < s + n; p++) {
                setInfo(p, PageDescriptor.info(INTERIOR, 0, 0));
                setAux(p, s);
            }
        } else {
            setAux(s, aux);
            setCounts(s, 0L);
        }
        setInfo(s, PageDescriptor.info(kind, sizeClass, n));
    }

    private void writeFreeRun(long h, long len) {
        writeFreeRunTail(h, len);
        setInfo(h, PageDescriptor.info(FREE, 0, len));
    }

    private void writeFreeRunTail(long h, long len) {
        if (len >= 2) {
            long t = h + len - 1;
            setAux(t, h);
            setInfo(t, PageDescriptor.info(FREE_TAIL, 0, 0));
        }
    }

    /** Moves the frontier up so that a free run of at least {@code need} pages ends at it. */
    private boolean extendFrontier(long need) {
        long w = hget(H_WILDERNESS);
        long topFree = 0;
        long topHead = -1;
        if (w > 0) {
            long[] left = leftFreeNeighbour(w);
            if (left != null) {
                topHead = left[0];
                topFree = left[1];
            }
        }
        long grow = Math.max(1, need - topFree);
        if (w + grow > pageCount) {
            return false;
        }
        for (long p = w + 1; p < w + grow; p++) {
            setInfo(p, PageDescriptor.info(PageDescriptor.NONE, 0, 0));
        }
        writeFreeRun(w, grow);
        hset(H_WILDERNESS, w + grow); // commit: [w, w+grow) is now a free run (the frontier never moves down)
        if (w + grow > hget(H_FOOTPRINT_PAGES)) {
            hset(H_FOOTPRINT_PAGES, w + grow);
        }
        hadd(H_FREE_PAGES, grow);
        if (topHead >= 0) {
            listRemove(topHead, topFree);
            writeFreeRunTail(topHead, topFree + grow);
            setInfo(topHead, PageDescriptor.info(FREE, 0, topFree + grow)); // commit the merge
            demote(w, topHead, w + grow);
            listInsert(topHead, topFree + grow);
        } else {
            listInsert(w, grow);
        }
        return true;
    }

    /**
     * Turns a page that stopped being a head (merged into the run [head, end)) into an interior page. The
     * run's last page keeps the FREE_TAIL written before the commit: coalescing needs it.
     */
    private void demote(long page, long head, long end) {
        if (page != end - 1) {
            setInfo(page, PageDescriptor.info(INTERIOR, 0, 0));
            setAux(page, head);
        }
    }

    /** The free run that ends right before page {@code p}: {head, pages}, or null. */
    private long[] leftFreeNeighbour(long p) {
        long q = p - 1;
        long qi = infoOf(q);
        int kind = PageDescriptor.kind(qi);
        if (kind == FREE && PageDescriptor.pages(qi) == 1) {
            return new long[] {q, 1};
        }
        if (kind == FREE_TAIL) {
            long a = aux(q);
            if (a >= 0 && a < q) {
                long ai = infoOf(a);
                if (PageDescriptor.kind(ai) == FREE && a + PageDescriptor.pages(ai) == p) {
                    return new long[] {a, PageDescriptor.pages(ai)};
                }
            }
        }
        return null;
    }

    /** Returns the run [h, h+n) (an allocated head) to the free lists, merging with free neighbours. */
    private void releaseRun(long h, long n) {
        assert lock.isHeldByCurrentThread();
        long start = h;
        long len = n;
        long w = hget(H_WILDERNESS);
        long[] left = h > 0 ? leftFreeNeighbour(h) : null;
        long right = -1;
        long rightLen = 0;
        if (h + n < w) {
            long ri = infoOf(h + n);
            if (PageDescriptor.kind(ri) == FREE) {
                right = h + n;
                rightLen = PageDescriptor.pages(ri);
            }
        }
        if (left != null) {
            listRemove(left[0], left[1]);
            start = left[0];
            len += left[1];
        }
        if (right >= 0) {
            listRemove(right, rightLen);
            len += rightLen;
        }
        writeFreeRunTail(start, len);
        setInfo(start, PageDescriptor.info(FREE, 0, len)); // commit
        if (start != h) {
            demote(h, start, start + len);
        }
        if (right >= 0) {
            demote(right, start, start + len);
        }
        listInsert(start, len);
        hadd(H_FREE_PAGES, n);
    }

    // ------------------------------------------------------------------ small classes (lock held)

    /**
     * Takes one block of class {@code c} from the shared table. The block keeps whatever its words hold
     * (its free tag, if it came off a free list); the caller clears or rewrites it.
     *
     * @return the block's offset, or {@link HeapLayout#NULL} if the heap has no room
     */
    long popBlock(int c) {
        assert lock.isHeldByCurrentThread();
        long ct = ct(c);
        int blocks = SizeClasses.blocksPerSpan(c);
        for (int guard = 0; guard < 8; guard++) {
            long span = seg.get(J, ct + C_SPAN_HEAD);
            if (span == NONE) {
                span = allocRun(SizeClasses.spanPages(c), PAGE, SMALL, c, 0);
                if (span < 0) {
                    return NULL;
                }
                classListInsert(c, span);
                cadd(c, C_SPANS, 1);
            }
            checkSpan(span, c);
            long counts = countsOf(span);
            long free = PageDescriptor.freeCount(counts);
            long carved = PageDescriptor.carved(counts);
            long fh = aux(span);
            long blk;
            if (fh != NULL) {
                checkFreeBlock(fh, span, c, "span free list");
                setAux(span, seg.get(J, fh)); // commit the pop
                blk = fh;
                free = free > 0 ? free - 1 : 0;
                cadd(c, C_FREE, -1);
            } else if (carved < blocks) {
                blk = pageOffset(span) + carved * (long) SizeClasses.size(c);
                carved++;
            } else {
                // a full span on the list (possible only after a crash): unlink it and look again
                classListRemove(c, span);
                continue;
            }
            setCounts(span, PageDescriptor.counts(free, carved));
            if (aux(span) == NULL && carved >= blocks) {
                classListRemove(c, span);
            }
            cadd(c, C_LIVE, 1);
            return blk;
        }
        throw new CorruptSegmentException("class list keeps yielding full spans: allocator " + id + ", class=" + c);
    }

    /**
     * Returns a block that {@link #locate} vetted to its span's free list.
     *
     * @param off the block
     * @param span its span's head page
     * @param c its class
     */
    void pushBlock(long off, long span, int c) {
        assert lock.isHeldByCurrentThread();
        long counts = countsOf(span);
        long free = PageDescriptor.freeCount(counts);
        long carved = PageDescriptor.carved(counts);
        long fh = aux(span);
        boolean wasFull = fh == NULL && carved >= SizeClasses.blocksPerSpan(c);
        seg.set(J, off, fh);
        seg.set(J, off + 8, salt ^ off);
        setAux(span, off); // commit the push
        free++;
        setCounts(span, PageDescriptor.counts(free, carved));
        cadd(c, C_LIVE, -1);
        cadd(c, C_FREE, 1);
        if (wasFull) {
            classListInsert(c, span);
        }
        if (free >= carved) {
            long first = seg.get(J, ct(c) + C_SPAN_HEAD);
            boolean onlySpan = first == span && PageDescriptor.next(linksOf(span)) == NO_PAGE;
            if (!onlySpan) {
                classListRemove(c, span);
                cadd(c, C_SPANS, -1);
                cadd(c, C_FREE, -free);
                releaseRun(span, SizeClasses.spanPages(c));
            }
        }
    }

    private void classListInsert(int c, long span) {
        long at = ct(c) + C_SPAN_HEAD;
        long first = seg.get(J, at);
        setLinks(span, PageDescriptor.links(NO_PAGE, first == NONE ? NO_PAGE : first));
        if (first != NONE) {
            setPrev(first, span);
        }
        seg.set(J, at, span);
    }

    private void classListRemove(int c, long span) {
        long at = ct(c) + C_SPAN_HEAD;
        long l = linksOf(span);
        long prev = PageDescriptor.prev(l);
        long next = PageDescriptor.next(l);
        if (prev == NO_PAGE) {
            if (seg.get(J, at) == span) {
                seg.set(J, at, next == NO_PAGE ? NONE : next);
            }
        } else {
            setNext(prev, next);
        }
        if (next != NO_PAGE) {
            setPrev(next, prev);
        }
        setLinks(span, PageDescriptor.links(NO_PAGE, NO_PAGE));
    }

    private void checkSpan(long span, int c) {
        if (span < 0 || span >= wilderness()) {
            throw new CorruptSegmentException("class list points outside the heap: allocator " + id + ", class=" + c
                    + ", page=" + span + ", frontier=" + wilderness());
        }
        long info = infoOf(span);
        if (PageDescriptor.kind(info) != SMALL || PageDescriptor.sizeClass(info) != c) {
            throw new CorruptSegmentException("class list entry is not a span of its class: allocator " + id
                    + ", class=" + c + ", page=" + span + ", kind=" + PageDescriptor.kindName(PageDescriptor.kind(info))
                    + ", class found=" + PageDescriptor.sizeClass(info));
        }
    }

    /** Checks a block taken off a free list: inside its span, at a block start, carrying its tag. */
    void checkFreeBlock(long blk, long span, int c, String list) {
        long start = pageOffset(span);
        long rel = blk - start;
        int idx = rel >= 0 && rel < ((long) SizeClasses.spanPages(c) << PAGE_SHIFT)
                ? SizeClasses.blockIndex(c, rel) : -1;
        if (idx < 0 || idx >= SizeClasses.blocksPerSpan(c)) {
            throw new CorruptSegmentException("free list corrupt (" + list + "): allocator " + id + ", class size="
                    + SizeClasses.size(c) + ", block offset=" + blk + " is not a block of span at offset " + start);
        }
        if (seg.get(J, blk + 8) != (salt ^ blk)) {
            throw new CorruptSegmentException("free block overwritten after it was freed (" + list + "): allocator "
                    + id + ", offset=" + blk + ", size=" + SizeClasses.size(c)
                    + " (a use-after-free wrote to its first 16 bytes)");
        }
    }

    // ------------------------------------------------------------------ locating a block (no lock needed)

    /** {@link #locate} result for a large block: the class field. */
    static final int LARGE_CLASS = 0xFF;

    /**
     * Finds what the block at {@code off} is: its span (or large run) head and class, packed as
     * {@code head << 8 | class} (class {@link #LARGE_CLASS} for a large block). Needs no lock for a live
     * block: a span or run cannot change while one of its blocks is live. For an offset that is not a live
     * block the answer is an exception, not a guess.
     *
     * @throws InvalidPointerException naming why {@code off} is not the start of a block here
     */
    long locate(long off) {
        long rel = off - heapOff;
        if (rel < 0 || off >= heapEnd) {
            throw new InvalidPointerException("offset outside allocator " + id + "'s heap: offset=" + off
                    + ", heap=[" + heapOff + "," + heapEnd + ")");
        }
        long page = rel >>> PAGE_SHIFT;
        // The frontier only ever grows, in every process, so a page below a value seen before is below it now.
        if (page >= frontierSeen && page >= (frontierSeen = wilderness())) {
            throw new InvalidPointerException("offset was never allocated (beyond the heap frontier): allocator "
                    + id + ", offset=" + off);
        }
        long info = infoOf(page);
        int kind = PageDescriptor.kind(info);
        long head = page;
        if (kind == INTERIOR) {
            head = aux(page);
            if (head < 0 || head > page || head < page - (SizeClasses.MAX_SPAN_PAGES - 1)) {
                throw notABlock(off, "inside a run");
            }
            info = infoOf(head);
            kind = PageDescriptor.kind(info);
            if (kind != SMALL) {
                throw notABlock(off, "inside a " + PageDescriptor.kindName(kind) + " run");
            }
        }
        if (kind == SMALL) {
            int c = PageDescriptor.sizeClass(info);
            if (c >= SizeClasses.COUNT || page >= head + PageDescriptor.pages(info)) {
                throw notABlock(off, "in a stale span");
            }
            long inSpan = off - pageOffset(head);
            int idx = SizeClasses.blockIndex(c, inSpan);
            if (idx < 0) {
                throw notABlock(off, "not the start of a " + SizeClasses.size(c) + "-byte block (it is "
                        + (inSpan % SizeClasses.size(c)) + " bytes into one)");
            }
            if (idx >= PageDescriptor.carved(countsOf(head))) {
                throw notABlock(off, "a block that was never allocated");
            }
            return (head << 8) | c;
        }
        if (kind == LARGE) {
            if ((rel & (PAGE - 1)) != 0) {
                throw notABlock(off, (rel & (PAGE - 1)) + " bytes into a large block");
            }
            return (head << 8) | LARGE_CLASS;
        }
        if (kind == FREE && (rel & (PAGE - 1)) == 0) {
            throw new DoubleFreeException("large block already free: allocator " + id + ", offset=" + off);
        }
        throw notABlock(off, "in a " + PageDescriptor.kindName(kind) + " page");
    }

    private InvalidPointerException notABlock(long off, String why) {
        return new InvalidPointerException("not a live block of allocator " + id + ": offset=" + off + " is " + why);
    }

    static long headOf(long located) {
        return located >>> 8;
    }

    static int classOf(long located) {
        return (int) (located & 0xFF);
    }

    /** Usable bytes of a located block. */
    long usable(long located) {
        int c = classOf(located);
        return c == LARGE_CLASS ? PageDescriptor.pages(infoOf(headOf(located))) << PAGE_SHIFT : SizeClasses.size(c);
    }

    // ------------------------------------------------------------------ whole operations (take the lock)

    /**
     * Allocates one small block under the lock, tag cleared.
     *
     * @throws OutOfMemoryException if the heap has no room
     */
    long allocateSmall(int c, long size, long align) {
        long blk;
        lock.lock();
        try {
            blk = popBlock(c);
        } finally {
            lock.unlock();
        }
        if (blk == NULL) {
            throw outOfMemory(size, align);
        }
        clearTag(blk);
        return blk;
    }

    /**
     * Allocates a large block (a page run) under the lock.
     *
     * @throws OutOfMemoryException if the heap has no room
     */
    long allocateLarge(long size, long align) {
        long pages = Math.max(1, (size + PAGE - 1) >>> PAGE_SHIFT);
        if (pages > pageCount) {
            throw outOfMemory(size, align);
        }
        long h;
        lock.lock();
        try {
            h = allocRun(pages, Math.max(align, PAGE), LARGE, 0, size);
            if (h >= 0) {
                hadd(H_LARGE_BYTES, pages << PAGE_SHIFT);
                hadd(H_LARGE_COUNT, 1);
            }
        } finally {
            lock.unlock();
        }
        if (h < 0) {
            throw outOfMemory(size, align);
        }
        return pageOffset(h);
    }

    /**
     * Frees a block under the lock: locate, double-free check, return.
     */
    void freeLocked(long off) {
        lock.lock();
        try {
            long loc = locate(off);
            int c = classOf(loc);
            if (c == LARGE_CLASS) {
                freeLargeHeld(headOf(loc));
            } else {
                if (hasFreeTag(off)) {
                    throw doubleFree(off, c);
                }
                pushBlock(off, headOf(loc), c);
            }
        } finally {
            lock.unlock();
        }
    }

    DoubleFreeException doubleFree(long off, int c) {
        return new DoubleFreeException("double free: allocator " + id + ", offset=" + off + ", size="
                + SizeClasses.size(c) + " is already free");
    }

    void freeLargeHeld(long head) {
        assert lock.isHeldByCurrentThread();
        long info = infoOf(head);
        if (PageDescriptor.kind(info) != LARGE) {
            throw new DoubleFreeException("large block already free: allocator " + id + ", offset=" + pageOffset(head));
        }
        long pages = PageDescriptor.pages(info);
        hadd(H_LARGE_BYTES, -(pages << PAGE_SHIFT));
        hadd(H_LARGE_COUNT, -1);
        releaseRun(head, pages);
    }

    /**
     * Resizes a large block in place if it can: shrinking always (whole pages go back), growing into a free
     * run right after it.
     *
     * @return {@code true} if the block now holds {@code newSize} bytes at the same offset
     */
    boolean resizeLargeInPlace(long head, long newSize) {
        long want = Math.max(1, (newSize + PAGE - 1) >>> PAGE_SHIFT);
        lock.lock();
        try {
            long info = infoOf(head);
            if (PageDescriptor.kind(info) != LARGE) {
                throw new InvalidPointerException("not a live large block of allocator " + id + ": offset="
                        + pageOffset(head));
            }
            long have = PageDescriptor.pages(info);
            if (want == have) {
                setAux(head, newSize);
                return true;
            }
            if (want < have) {
                long tail = head + want;
                writeHead(tail, have - want, LARGE, 0, 0); // hidden inside the block until the commit
                setAux(head, newSize);
                setInfo(head, PageDescriptor.info(LARGE, 0, want)); // commit: the tail is its own run
                releaseRun(tail, have - want);
                hadd(H_LARGE_BYTES, -((have - want) << PAGE_SHIFT));
                return true;
            }
            long more = want - have;
            long next = head + have;
            if (next >= hget(H_WILDERNESS) && !(next + more <= pageCount && extendFrontier(more))) {
                return false;
            }
            long ni = infoOf(next);
            if (PageDescriptor.kind(ni) != FREE || PageDescriptor.pages(ni) < more) {
                return false;
            }
            long nlen = PageDescriptor.pages(ni);
            listRemove(next, nlen);
            if (nlen > more) {
                writeFreeRun(next + more, nlen - more); // hidden inside the free run until the commit
            }
            setAux(head, newSize);
            setInfo(head, PageDescriptor.info(LARGE, 0, want)); // commit: the block absorbs the pages
            setInfo(next, PageDescriptor.info(INTERIOR, 0, 0));
            setAux(next, head);
            if (nlen > more) {
                listInsert(next + more, nlen - more);
            }
            hadd(H_FREE_PAGES, -more);
            hadd(H_LARGE_BYTES, more << PAGE_SHIFT);
            return true;
        } finally {
            lock.unlock();
        }
    }

    OutOfMemoryException outOfMemory(long size, long align) {
        long free;
        long w;
        free = hget(H_FREE_PAGES);
        w = wilderness();
        return new OutOfMemoryException("out of memory in allocator " + id + ": requested=" + size
                + (align > 16 ? ", alignment=" + align : "") + ", capacity=" + (pageCount << PAGE_SHIFT)
                + ", bytesInUse~" + approximateBytesInUse() + ", freePages=" + free + ", neverUsedPages="
                + (pageCount - w) + (size > SizeClasses.MAX_SMALL ? ", largest request needs "
                + ((size + PAGE - 1) >>> PAGE_SHIFT) + " contiguous pages" : ""));
    }

    // ------------------------------------------------------------------ statistics

    /** Bytes handed out by the shared table (live blocks plus blocks in per-thread caches), read without the lock. */
    long approximateBytesInUse() {
        long sum = (long) LONG.getOpaque(seg, hdr + H_LARGE_BYTES);
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            sum += (long) LONG.getOpaque(seg, ct(c) + C_LIVE) * SizeClasses.size(c);
        }
        return sum;
    }

    /**
     * Statistics; {@code cached[c]} are blocks of class c held by per-thread caches (counted as live by the
     * shared table, so subtracted here).
     */
    AllocatorStats stats(String type, long[] cached, int slotsInUse) {
        List<AllocatorStats.SizeClass> classes = new ArrayList<>();
        long bytes;
        long blocks;
        long cachedBytes = 0;
        long footprint;
        lock.lock();
        try {
            bytes = hget(H_LARGE_BYTES);
            blocks = hget(H_LARGE_COUNT);
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                long live = seg.get(J, ct(c) + C_LIVE);
                long inCaches = cached == null ? 0 : cached[c];
                long inUse = Math.max(0, live - inCaches);
                bytes += inUse * SizeClasses.size(c);
                blocks += inUse;
                cachedBytes += inCaches * SizeClasses.size(c);
                long freeBlocks = seg.get(J, ct(c) + C_FREE);
                if (live != 0 || freeBlocks != 0 || seg.get(J, ct(c) + C_SPANS) != 0) {
                    classes.add(new AllocatorStats.SizeClass(SizeClasses.size(c), inUse, inCaches, freeBlocks));
                }
            }
            footprint = hget(H_FOOTPRINT_PAGES) << PAGE_SHIFT;
        } finally {
            lock.unlock();
        }
        return new AllocatorStats(id, type, pageCount << PAGE_SHIFT, bytes, blocks, footprint, cachedBytes,
                slotsInUse, classes);
    }

    long lockRecoveries() {
        return lock.recoveries();
    }

    // ------------------------------------------------------------------ repair and check (lock held)

    /**
     * Rebuilds everything derived from the page descriptors: run lists and bitmap, class lists, span free
     * counts, counters. Span free lists are walked and cut at the first block that fails its checks (the
     * blocks after it leak; nothing overlaps). Idempotent; runs when a dead owner's lock is taken over.
     */
    void repair() {
        walk(true);
    }

    /**
     * Walks the heap and throws at the first inconsistency between the descriptors and the derived state.
     */
    void check() {
        lock.lock();
        try {
            walk(false);
        } finally {
            lock.unlock();
        }
    }

    private void walk(boolean rebuild) {
        long w = hget(H_WILDERNESS);
        if (w < 0 || w > pageCount) {
            throw new CorruptSegmentException("heap frontier out of range: allocator " + id + ", W=" + w);
        }
        long freePages = 0;
        long largeBytes = 0;
        long largeCount = 0;
        long[] live = new long[SizeClasses.COUNT];
        long[] spans = new long[SizeClasses.COUNT];
        long[] freeBlocks = new long[SizeClasses.COUNT];
        long[] runsPerList = new long[RUN_LISTS];
        long[] roomySpans = new long[SizeClasses.COUNT];
        if (rebuild) {
            for (int i = 0; i < RUN_LISTS; i++) {
                seg.set(J, runLists + 8L * i, NONE);
            }
            for (int i = 0; i < 3; i++) {
                seg.set(J, hdr + H_RUN_BITMAP + 8L * i, 0L);
            }
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                seg.set(J, ct(c) + C_SPAN_HEAD, NONE);
            }
        }
        long p = 0;
        long prevFree = -1; // head of the free run just before p, if the previous run was free
        long[] freeHeads = new long[16];
        int freeRuns = 0;
        while (p < w) {
            long info = infoOf(p);
            int kind = PageDescriptor.kind(info);
            long pages = PageDescriptor.pages(info);
            if ((kind != FREE && kind != SMALL && kind != LARGE) || pages < 1 || p + pages > w) {
                throw new CorruptSegmentException("page heap walk: page " + p + " is not a valid run head: allocator "
                        + id + ", kind=" + PageDescriptor.kindName(kind) + ", pages=" + pages + ", frontier=" + w);
            }
            switch (kind) {
                case FREE -> {
                    freePages += pages;
                    if (prevFree >= 0) {
                        if (!rebuild) {
                            throw new CorruptSegmentException("adjacent free runs were not merged: allocator " + id
                                    + ", runs at pages " + prevFree + " and " + p);
                        }
                        long merged = p + pages - prevFree;
                        writeFreeRunTail(prevFree, merged);
                        setInfo(prevFree, PageDescriptor.info(FREE, 0, merged));
                        demote(p, prevFree, prevFree + merged);
                    } else {
                        if (freeRuns == freeHeads.length) {
                            freeHeads = java.util.Arrays.copyOf(freeHeads, freeRuns * 2);
                        }
                        freeHeads[freeRuns++] = p;
                        prevFree = p;
                        if (rebuild) {
                            writeFreeRunTail(p, pages);
                        }
                    }
                }
                case LARGE -> {
                    prevFree = -1;
                    largeBytes += pages << PAGE_SHIFT;
                    largeCount++;
                }
                default -> {
                    prevFree = -1;
                    int c = PageDescriptor.sizeClass(info);
                    if (c >= SizeClasses.COUNT || pages != SizeClasses.spanPages(c)) {
                        throw new CorruptSegmentException("span with a bad class: allocator " + id + ", page=" + p
                                + ", class=" + c + ", pages=" + pages);
                    }
                    long carved = PageDescriptor.carved(countsOf(p));
                    if (carved > SizeClasses.blocksPerSpan(c)) {
                        throw new CorruptSegmentException("span carved past its end: allocator " + id + ", page=" + p
                                + ", carved=" + carved + ", blocks=" + SizeClasses.blocksPerSpan(c));
                    }
                    long n = walkSpanFreeList(p, c, carved, rebuild);
                    spans[c]++;
                    freeBlocks[c] += n;
                    live[c] += carved - n;
                    boolean roomy = n > 0 || carved < SizeClasses.blocksPerSpan(c);
                    if (roomy) {
                        roomySpans[c]++;
                    }
                    if (rebuild) {
                        setCounts(p, PageDescriptor.counts(n, carved));
                        if (roomy) {
                            classListInsert(c, p);
                        } else {
                            setLinks(p, PageDescriptor.links(NO_PAGE, NO_PAGE));
                        }
                    }
                }
            }
            p += pages;
        }
        for (int i = 0; i < freeRuns; i++) {
            long pages = PageDescriptor.pages(infoOf(freeHeads[i]));
            runsPerList[listIndex(pages)]++;
            if (rebuild) {
                listInsert(freeHeads[i], pages);
            }
        }
        if (rebuild) {
            hset(H_FREE_PAGES, freePages);
            hset(H_LARGE_BYTES, largeBytes);
            hset(H_LARGE_COUNT, largeCount);
            if (hget(H_FOOTPRINT_PAGES) < w) {
                hset(H_FOOTPRINT_PAGES, w);
            }
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                seg.set(J, ct(c) + C_LIVE, live[c]);
                seg.set(J, ct(c) + C_SPANS, spans[c]);
                seg.set(J, ct(c) + C_FREE, freeBlocks[c]);
            }
            return;
        }
        expect("free pages", hget(H_FREE_PAGES), freePages);
        expect("large bytes", hget(H_LARGE_BYTES), largeBytes);
        expect("large blocks", hget(H_LARGE_COUNT), largeCount);
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            expect("live blocks of class " + SizeClasses.size(c), seg.get(J, ct(c) + C_LIVE), live[c]);
            expect("spans of class " + SizeClasses.size(c), seg.get(J, ct(c) + C_SPANS), spans[c]);
            expect("free blocks of class " + SizeClasses.size(c), seg.get(J, ct(c) + C_FREE), freeBlocks[c]);
            expect("spans with room on the list of class " + SizeClasses.size(c), listLength(ct(c) + C_SPAN_HEAD, w),
                    roomySpans[c]);
        }
        for (int li = 0; li < RUN_LISTS; li++) {
            expect("free runs on list " + li, listLength(runLists + 8L * li, w), runsPerList[li]);
        }
    }

    private long listLength(long headAt, long w) {
        long n = 0;
        for (long h = seg.get(J, headAt); h != NONE && h != NO_PAGE; h = PageDescriptor.next(linksOf(h))) {
            if (h < 0 || h >= w || ++n > w) {
                throw new CorruptSegmentException("list corrupt: allocator " + id + ", list at " + headAt + ", page=" + h);
            }
        }
        return n;
    }

    private void expect(String what, long recorded, long actual) {
        if (recorded != actual) {
            throw new CorruptSegmentException("heap check failed: allocator " + id + ", " + what + ": recorded="
                    + recorded + ", walked=" + actual);
        }
    }

    /** Counts a span's free list; with {@code rebuild}, cuts it at the first bad block. */
    private long walkSpanFreeList(long span, int c, long carved, boolean rebuild) {
        long n = 0;
        long prev = NULL;
        long start = pageOffset(span);
        for (long b = aux(span); b != NULL; ) {
            long rel = b - start;
            int idx = rel >= 0 && rel < ((long) SizeClasses.spanPages(c) << PAGE_SHIFT)
                    ? SizeClasses.blockIndex(c, rel) : -1;
            boolean ok = idx >= 0 && idx < carved && n < carved && seg.get(J, b + 8) == (salt ^ b);
            if (!ok) {
                if (!rebuild) {
                    throw new CorruptSegmentException("span free list corrupt: allocator " + id + ", span offset="
                            + start + ", class size=" + SizeClasses.size(c) + ", bad entry=" + b + " after " + n
                            + " good ones");
                }
                if (prev == NULL) {
                    setAux(span, NULL);
                } else {
                    seg.set(J, prev, NULL);
                }
                System.getLogger(Heap.class.getName()).log(System.Logger.Level.WARNING, "heap " + id
                        + ": cut a corrupt span free list at offset " + b + " (blocks after it are leaked)");
                break;
            }
            n++;
            prev = b;
            b = seg.get(J, b);
        }
        return n;
    }
}
