package dev.hshm.allocators.internal.heap;

/**
 * Layout of the page heap's shared state: its lock, its counters and the heads of its free-run lists.
 *
 * <pre>
 *    0  LOCK            {@value RobustLock#BYTES} B  {@link RobustLock} (its own cache line)
 *   64  FRONTIER        u64  W: pages [0, W) have been handed out at least once; pages at W and above are never
 *                            read or written (so they never fault in)   plain under the lock; opaque reads outside
 *   72  FOOTPRINT       u64  high-water mark of W                        plain under the lock
 *   80  FREE_PAGES      u64  pages in free runs below W                  plain under the lock
 *   88  LARGE_BYTES     u64  bytes in live large runs                    plain under the lock; opaque reads outside
 *   96  LARGE_COUNT     u64  live large runs                             plain under the lock
 *  104  RUN_BITMAP      3 x u64: bit i set if run list i may be non-empty (a hint: a set bit over an empty list
 *                            is cleared by the next search)              plain under the lock
 *  128  RUN_LISTS       {@value #LISTS} x u64: first page of the free runs of length i (i = 1..128), list 0
 *                            for runs longer than 128 pages; NO_PAGE if empty ({@link PageList})   plain under the lock
 * 1160  (pad to a cache line) to {@value #BYTES}
 * </pre>
 */
final class PageHeapLayout {

    static final long LOCK = 0;
    static final long FRONTIER = LOCK + RobustLock.BYTES;
    static final long FOOTPRINT = FRONTIER + 8;
    static final long FREE_PAGES = FOOTPRINT + 8;
    static final long LARGE_BYTES = FREE_PAGES + 8;
    static final long LARGE_COUNT = LARGE_BYTES + 8;
    static final long RUN_BITMAP = LARGE_COUNT + 8;
    static final int BITMAP_WORDS = 3;
    static final long RUN_LISTS = RUN_BITMAP + 8L * BITMAP_WORDS;

    /** Run lists: index 0 holds runs longer than {@value #MAX_EXACT_RUN} pages, index i runs of exactly i pages. */
    static final int LISTS = 129;
    static final int MAX_EXACT_RUN = LISTS - 1;
    static final int BYTES = (int) HeapHeader.align(RUN_LISTS + 8L * LISTS, 64);

    static {
        if (RUN_LISTS != 128 || LISTS > 64 * BITMAP_WORDS) {
            throw new AssertionError("PageHeapLayout drifted: RUN_LISTS=" + RUN_LISTS);
        }
    }

    private PageHeapLayout() {
    }

    /** The list a free run of {@code pages} pages belongs on. */
    static int listIndex(long pages) {
        return pages > MAX_EXACT_RUN ? 0 : (int) pages;
    }
}
