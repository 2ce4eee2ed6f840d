package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.PageDescriptor.AUX;
import static dev.hshm.allocators.internal.heap.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.FREE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.FREE_TAIL;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INFO;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INTERIOR;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LARGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LINKS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_KIND;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_PAGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.SMALL;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.FOOTPRINT;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.FREE_PAGES;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.FRONTIER;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.LARGE_BYTES;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.LARGE_COUNT;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.LISTS;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.MAX_EXACT_RUN;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.RUN_BITMAP;
import static dev.hshm.allocators.internal.heap.PageHeapLayout.RUN_LISTS;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE_SHIFT;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.ThreadModel;

/**
 * The page heap: runs of 4 KiB pages, each described by the {@link PageDescriptor} of its first page; free runs
 * on {@link PageList}s by length, coalesced with their free neighbours; a frontier above which pages were never
 * handed out. Guarded by its own {@link RobustLock}; every public-to-the-package method takes the lock itself.
 *
 * <p><b>Allocate {@code n} pages.</b> The first non-empty list of length {@code >= n} (the bitmap finds it; best
 * fit in the long list; first fit that can be aligned for aligned requests); the run is split and what is left
 * goes back on a list. If no run fits, the frontier advances by what is missing (merging with a free run at the
 * top), and the search repeats.
 *
 * <p><b>Free a run.</b> It merges with a free run on either side (the left one is found through its FREE_TAIL
 * descriptor), and the merged run goes on its list.
 *
 * <p><b>Crash notes.</b> Each operation changes the partition with one INFO store (marked "commit" below), after
 * the descriptors it exposes are written; what follows the commit (interiors, lists, counters) is derived. A
 * process that dies anywhere leaves a walkable partition, and the next owner of the lock rebuilds the lists and
 * counters ({@link HeapWalk#repairPages}): a run can be lost to a death only as a run nobody holds (a leak that
 * the repair turns back into free pages when it is free), never handed out twice.
 */
final class PageHeap {

    /** A run search that extends the frontier needs at most one retry; a few more allow for trimming. */
    static final int MAX_SEARCHES = 4;

    final Descriptors d;
    final RobustLock lock;
    private final Words w;
    private final long base;
    private final long pageCount;
    private final String name;
    /** A frontier this process has seen; the frontier never moves down. Plain: a stale value is only smaller. */
    private long frontierSeen;

    PageHeap(Descriptors d, long base, ThreadModel threads, Runnable repair) {
        this.d = d;
        this.w = d.w;
        this.base = base;
        this.pageCount = d.pageCount;
        this.name = "page heap of allocator " + d.id;
        this.lock = new RobustLock(w, base + PageHeapLayout.LOCK, name, threads, repair);
    }

    /** Formats an empty page heap: no page handed out, every list empty. */
    static void format(Words w, long base) {
        RobustLock.format(w, base + PageHeapLayout.LOCK);
        w.zero(base + FRONTIER, RUN_LISTS - FRONTIER);
        for (int i = 0; i < LISTS; i++) {
            w.put(base + RUN_LISTS + 8L * i, NO_PAGE);
        }
    }

    // ------------------------------------------------------------------ reading (no lock)

    /** The frontier W, read opaque (it only ever grows, so any value read is a safe lower bound). */
    long frontier() {
        return w.getOpaque(base + FRONTIER);
    }

    /**
     * Tells whether {@code page} is below the frontier, reading the shared word only when the last value this
     * process saw does not already say so.
     */
    boolean belowFrontier(long page) {
        return page < frontierSeen || page < (frontierSeen = frontier());
    }

    long largeBytesOpaque() {
        return w.getOpaque(base + LARGE_BYTES);
    }

    long word(long field) {
        return w.get(base + field);
    }

    long listHead(int li) {
        return base + RUN_LISTS + 8L * li;
    }

    // ------------------------------------------------------------------ for the walk (lock held)

    /** Empties every run list and the bitmap, before the walk re-inserts the free runs. */
    void clearLists() {
        for (int i = 0; i < LISTS; i++) {
            w.put(listHead(i), NO_PAGE);
        }
        for (int i = 0; i < PageHeapLayout.BITMAP_WORDS; i++) {
            w.put(base + RUN_BITMAP + 8L * i, 0L);
        }
    }

    /** Sets the counters the walk recomputed; the footprint is at least the frontier. */
    void setCounters(long freePages, long largeBytes, long largeCount) {
        w.put(base + FREE_PAGES, freePages);
        w.put(base + LARGE_BYTES, largeBytes);
        w.put(base + LARGE_COUNT, largeCount);
        long f = word(FRONTIER);
        if (word(FOOTPRINT) < f) {
            w.put(base + FOOTPRINT, f);
        }
    }

    /** Merges the free run at {@code p} into the free run [head, p) before it (found adjacent by the walk). */
    void mergeAdjacent(long head, long p, long pages) {
        long merged = p + pages - head;
        writeFreeRunTail(head, merged);
        d.set(head, INFO, PageDescriptor.info(FREE, 0, 0, merged)); // commit the merge
        demote(p, head, head + merged);
    }

    // ------------------------------------------------------------------ whole operations (take the lock)

    /**
     * Allocates the span of a size class for a shard: its pages, its descriptor initialised (empty free list,
     * nothing carved, its interiors naming the head) before the commit.
     *
     * @return the head page, or NO_PAGE if no run is free
     */
    long allocateSpan(int c, int shard) {
        lock.lock();
        try {
            return allocRun(SizeClasses.spanPages(c), PAGE, SMALL, c, shard, FreeBlock.NO_OFFSET);
        } finally {
            lock.unlock();
        }
    }

    /** Returns a span that its shard has already taken off its lists to the free runs. */
    void releaseSpan(long head, int c) {
        lock.lock();
        try {
            releaseRun(head, SizeClasses.spanPages(c));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Allocates a large block: {@code pages} pages whose first offset is a multiple of {@code align}.
     *
     * @return the head page, or NO_PAGE if no run fits
     */
    long allocateLarge(long pages, long align, long size) {
        lock.lock();
        try {
            long h = allocRun(pages, align, LARGE, 0, 0, size);
            if (h != NO_PAGE) {
                w.add(base + LARGE_BYTES, pages << PAGE_SHIFT);
                w.add(base + LARGE_COUNT, 1);
            }
            return h;
        } finally {
            lock.unlock();
        }
    }

    /** Frees the large block whose head is {@code head}. */
    void freeLarge(long head) {
        lock.lock();
        try {
            long pages = PageDescriptor.pages(largeInfo(head, true));
            w.add(base + LARGE_BYTES, -(pages << PAGE_SHIFT));
            w.add(base + LARGE_COUNT, -1);
            releaseRun(head, pages);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resizes a large block in place if it can: shrinking always (whole pages go back), growing into a free run
     * right after it (or into never-used pages at the frontier).
     *
     * @return {@code true} if the block now holds {@code newSize} bytes at the same offset
     */
    boolean resizeLarge(long head, long newSize) {
        long want = Math.max(1, (newSize + PAGE - 1) >>> PAGE_SHIFT);
        lock.lock();
        try {
            long have = PageDescriptor.pages(largeInfo(head, false));
            if (want == have) {
                d.set(head, AUX, newSize);
                return true;
            }
            if (want < have) {
                long tail = head + want;
                // the tail becomes a free run at the commit (hidden inside the block until then): a death after it
                // leaves a free run on no list, which the repair puts on its list; none is lost
                writeFreeRun(tail, have - want);
                d.set(head, AUX, newSize);
                d.set(head, INFO, PageDescriptor.info(LARGE, 0, 0, want)); // commit: the tail is a run of its own
                w.add(base + LARGE_BYTES, -((have - want) << PAGE_SHIFT));
                releaseRun(tail, have - want);
                return true;
            }
            long more = want - have;
            long next = head + have;
            if (next >= word(FRONTIER) && !(next + more <= pageCount && extendFrontier(more))) {
                return false;
            }
            long ni = d.get(next, INFO);
            if (PageDescriptor.kind(ni) != FREE || PageDescriptor.pages(ni) < more) {
                return false;
            }
            long nlen = PageDescriptor.pages(ni);
            removeFree(next, nlen);
            if (nlen > more) {
                writeFreeRun(next + more, nlen - more); // hidden inside the free run until the commit
            }
            d.set(head, AUX, newSize);
            d.set(head, INFO, PageDescriptor.info(LARGE, 0, 0, want)); // commit: the block absorbs the pages
            d.set(next, INFO, PageDescriptor.info(INTERIOR, 0, 0, 0));
            d.set(next, AUX, head);
            if (nlen > more) {
                insertFree(next + more, nlen - more);
            }
            w.add(base + FREE_PAGES, -more);
            w.add(base + LARGE_BYTES, more << PAGE_SHIFT);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The INFO of the live large block at {@code head} (lock held); freeing one that is not live is a double free. */
    private long largeInfo(long head, boolean freeing) {
        long info = d.get(head, INFO);
        if (PageDescriptor.kind(info) != LARGE) {
            throw freeing ? new DoubleFreeException("large block already free: allocator " + d.id + ", offset="
                    + d.pageOffset(head)) : new InvalidPointerException("not a live large block of allocator " + d.id
                    + ": offset=" + d.pageOffset(head));
        }
        checkRunLength(head, info);
        return info;
    }

    /**
     * The pages of the large block at {@code head} (no lock: a live block's run cannot change), checked: a run
     * length that a stray write made longer than the heap below the frontier would hand the caller a block
     * reaching over other blocks (found by HeapFuzzTest).
     */
    long largePages(long head) {
        return PageDescriptor.pages(checkRunLength(head, d.get(head, INFO)));
    }

    private long checkRunLength(long head, long info) {
        long n = PageDescriptor.pages(info);
        if (n < 1 || n > frontier() - head) {
            throw new CorruptSegmentException("large block's run length is out of range: allocator " + d.id + ", "
                    + PageDescriptor.describe(head, info) + ", frontier=" + frontier());
        }
        return info;
    }

    // ------------------------------------------------------------------ runs (lock held)

    /**
     * Allocates a run of {@code n} pages starting at an offset that is a multiple of {@code align}, and writes
     * its head as {@code kind}.
     *
     * @return the head page, or NO_PAGE if the heap has no room
     */
    private long allocRun(long n, long align, int kind, int sizeClass, int shard, long aux) {
        assert lock.isHeldByCurrentThread();
        for (int search = 0; search < MAX_SEARCHES; search++) {
            long found = findRun(n, align);
            if (found != NO_PAGE) {
                long len = PageDescriptor.pages(d.get(found, INFO));
                removeFree(found, len);
                long s = alignPage(found, align);
                carveRun(found, len, s, n, kind, sizeClass, shard, aux);
                w.add(base + FREE_PAGES, -n);
                return s;
            }
            long slack = align > PAGE ? (align >>> PAGE_SHIFT) - 1 : 0;
            if (!extendFrontier(n + slack)) {
                return NO_PAGE;
            }
        }
        throw new CorruptSegmentException("page heap: no run after extending the frontier: allocator " + d.id
                + ", pages=" + n + ", align=" + align);
    }

    /** The first page at or after {@code p} whose offset is a multiple of {@code align}. */
    private long alignPage(long p, long align) {
        if (align <= PAGE) {
            return p;
        }
        long off = d.pageOffset(p);
        return (((off + align - 1) & -align) - d.heapOffset) >>> PAGE_SHIFT;
    }

    /** A free run that can hold {@code n} pages at {@code align}, or NO_PAGE. */
    private long findRun(long n, long align) {
        long frontier = word(FRONTIER);
        if (align <= PAGE && n <= MAX_EXACT_RUN) {
            int li = nextListAtLeast((int) n);
            if (li > 0) {
                return PageList.first(d, listHead(li), frontier);
            }
        }
        // aligned, or longer than the exact lists: the exact lists that can hold n (aligned only), then the long
        // list, best fit by length (first fit that can be aligned, when aligned)
        int li = align > PAGE && n <= MAX_EXACT_RUN ? nextListAtLeast((int) n) : 0;
        while (true) {
            int list = Math.max(li, 0);
            long best = NO_PAGE;
            long bestLen = Long.MAX_VALUE;
            long walked = 0;
            for (long h = PageList.first(d, listHead(list), frontier); h != NO_PAGE;
                 h = PageList.next(d, listHead(list), h, frontier)) {
                long len = PageDescriptor.pages(d.get(h, INFO));
                if (alignPage(h, align) + n <= h + len && len < bestLen) {
                    if (align > PAGE) {
                        return h;
                    }
                    best = h;
                    bestLen = len;
                }
                if (++walked > frontier) {
                    throw new CorruptSegmentException("page heap: cycle in run list " + list + ": allocator " + d.id);
                }
            }
            if (list == 0) {
                return best;
            }
            li = li < MAX_EXACT_RUN ? nextListAtLeast(li + 1) : 0;
        }
    }

    private int nextListAtLeast(int from) {
        for (int li = from; li < LISTS; ) {
            long word = w.get(base + RUN_BITMAP + 8L * (li >>> 6)) >>> (li & 63);
            if (word != 0) {
                int found = li + Long.numberOfTrailingZeros(word);
                if (found >= LISTS) {
                    return -1;
                }
                if (w.get(listHead(found)) != NO_PAGE) {
                    return found;
                }
                setBit(found, false); // a hint left set by a process that died between the two stores
                li = found + 1;
                continue;
            }
            li = (li | 63) + 1;
        }
        return -1;
    }

    private void setBit(int li, boolean on) {
        long at = base + RUN_BITMAP + 8L * (li >>> 6);
        long v = w.get(at);
        w.put(at, on ? v | (1L << (li & 63)) : v & ~(1L << (li & 63)));
    }

    void insertFree(long h, long pages) {
        int li = PageHeapLayout.listIndex(pages);
        PageList.insert(d, listHead(li), h, word(FRONTIER));
        setBit(li, true);
    }

    private void removeFree(long h, long pages) {
        int li = PageHeapLayout.listIndex(pages);
        PageList.remove(d, listHead(li), h, word(FRONTIER));
        if (w.get(listHead(li)) == NO_PAGE) {
            setBit(li, false);
        }
    }

    /**
     * Splits free run [h, h+len) (already off its list) into a free prefix [h, s), the allocated run [s, s+n) and
     * a free suffix. Every descriptor that a commit makes visible is written before it.
     */
    private void carveRun(long h, long len, long s, long n, int kind, int sizeClass, int shard, long aux) {
        long end = h + len;
        long suffix = s + n;
        if (suffix < end) {
            writeFreeRun(suffix, end - suffix); // hidden inside the run until the commit below
        }
        writeHead(s, n, kind, sizeClass, shard, aux); // commits when s == h
        if (s > h) {
            writeFreeRunTail(h, s - h);
            d.set(h, INFO, PageDescriptor.info(FREE, 0, 0, s - h)); // commit: the prefix is a run of its own
            insertFree(h, s - h);
        }
        if (suffix < end) {
            insertFree(suffix, end - suffix);
        }
    }

    /** Writes a run head, the INFO store last. A span's descriptor and interiors are initialised first. */
    private void writeHead(long s, long n, int kind, int sizeClass, int shard, long aux) {
        if (kind == SMALL) {
            d.set(s, AUX, FreeBlock.NO_OFFSET);
            d.set(s, COUNTS, 0L);
            d.set(s, LINKS, PageDescriptor.pack(NO_PAGE, NO_PAGE));
            for (long p = s + 1; p < s + n; p++) {
                d.set(p, INFO, PageDescriptor.info(INTERIOR, 0, 0, 0));
                d.set(p, AUX, s);
            }
        } else {
            d.set(s, AUX, aux);
            d.set(s, COUNTS, 0L);
        }
        d.set(s, INFO, PageDescriptor.info(kind, sizeClass, shard, n));
    }

    private void writeFreeRun(long h, long len) {
        writeFreeRunTail(h, len);
        d.set(h, INFO, PageDescriptor.info(FREE, 0, 0, len));
    }

    /** Writes the FREE_TAIL of a free run of {@code len >= 2} pages (none for one page). */
    void writeFreeRunTail(long h, long len) {
        if (len >= 2) {
            long t = h + len - 1;
            d.set(t, AUX, h);
            d.set(t, INFO, PageDescriptor.info(FREE_TAIL, 0, 0, 0));
        }
    }

    /** Moves the frontier up so that a free run of at least {@code need} pages ends at it. */
    private boolean extendFrontier(long need) {
        long f = word(FRONTIER);
        long topHead = NO_PAGE;
        long topFree = 0;
        if (f > 0) {
            long left = leftFreeNeighbour(f);
            if (left != NO_PAGE) {
                topHead = left;
                topFree = PageDescriptor.pages(d.get(left, INFO));
            }
        }
        long grow = Math.max(1, need - topFree);
        if (f + grow > pageCount) {
            return false;
        }
        for (long p = f + 1; p < f + grow; p++) {
            d.set(p, INFO, PageDescriptor.info(NO_KIND, 0, 0, 0));
        }
        writeFreeRun(f, grow);
        w.put(base + FRONTIER, f + grow); // commit: [f, f+grow) is a free run (the frontier never moves down)
        if (f + grow > word(FOOTPRINT)) {
            w.put(base + FOOTPRINT, f + grow);
        }
        w.add(base + FREE_PAGES, grow);
        if (topHead != NO_PAGE) {
            removeFree(topHead, topFree);
            writeFreeRunTail(topHead, topFree + grow);
            d.set(topHead, INFO, PageDescriptor.info(FREE, 0, 0, topFree + grow)); // commit the merge
            demote(f, topHead, topHead + topFree + grow);
            insertFree(topHead, topFree + grow);
        } else {
            insertFree(f, grow);
        }
        return true;
    }

    /**
     * Turns a page that stopped being a head (merged into the run [head, end)) into an interior page. The run's
     * last page keeps the FREE_TAIL written before the commit: coalescing needs it.
     */
    private void demote(long page, long head, long end) {
        if (page != end - 1) {
            d.set(page, INFO, PageDescriptor.info(INTERIOR, 0, 0, 0));
            d.set(page, AUX, head);
        }
    }

    /** The head of the free run that ends right before page {@code p}, or NO_PAGE. */
    private long leftFreeNeighbour(long p) {
        long q = p - 1;
        long qi = d.get(q, INFO);
        int kind = PageDescriptor.kind(qi);
        if (kind == FREE && PageDescriptor.pages(qi) == 1) {
            return q;
        }
        if (kind == FREE_TAIL) {
            long a = d.get(q, AUX);
            if (a >= 0 && a < q) {
                long ai = d.get(a, INFO);
                if (PageDescriptor.kind(ai) == FREE && a + PageDescriptor.pages(ai) == p) {
                    return a;
                }
            }
        }
        return NO_PAGE;
    }

    /** Returns the run [h, h+n) (an allocated head) to the free lists, merging with free neighbours. */
    private void releaseRun(long h, long n) {
        assert lock.isHeldByCurrentThread();
        long start = h;
        long len = n;
        long left = h > 0 ? leftFreeNeighbour(h) : NO_PAGE;
        long right = NO_PAGE;
        long rightLen = 0;
        if (h + n < word(FRONTIER)) {
            long ri = d.get(h + n, INFO);
            if (PageDescriptor.kind(ri) == FREE) {
                right = h + n;
                rightLen = PageDescriptor.pages(ri);
            }
        }
        if (left != NO_PAGE) {
            long leftLen = PageDescriptor.pages(d.get(left, INFO));
            removeFree(left, leftLen);
            start = left;
            len += leftLen;
        }
        if (right != NO_PAGE) {
            removeFree(right, rightLen);
            len += rightLen;
        }
        writeFreeRunTail(start, len);
        d.set(start, INFO, PageDescriptor.info(FREE, 0, 0, len)); // commit
        if (start != h) {
            demote(h, start, start + len);
        }
        if (right != NO_PAGE) {
            demote(right, start, start + len);
        }
        insertFree(start, len);
        w.add(base + FREE_PAGES, n);
    }
}
