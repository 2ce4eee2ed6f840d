package dev.hshm.allocators.internal.allocator;

/**
 * Layout of a page descriptor: one per heap page, {@value #BYTES} bytes, in the descriptor table.
 * Descriptors are the page heap's ground truth; every list is derived from them and can be rebuilt
 * ({@link Heap#repair()}).
 *
 * <pre>
 *  +0  INFO    u64  kind (bits 0-7) | size class (bits 8-15) | run length in pages (bits 32-63)
 *  +8  LINKS   u64  prev page (bits 0-31) | next page (bits 32-63) in the run's list; 0xFFFFFFFF = none
 * +16  AUX     u64  SMALL: first block on the span's free list (offset) or NULL;
 *                   INTERIOR, FREE_TAIL: the page index of the run's head;  LARGE: the size asked for
 * +24  COUNTS  u64  SMALL: free blocks on the span's list (bits 0-31) | blocks carved so far (bits 32-63)
 *
 * kinds
 *   NONE      0  not a head; never-used page or a page that left the heap frontier
 *   FREE      1  head of a free run (a one-page run is its own tail)
 *   FREE_TAIL 2  last page of a free run of two or more pages; AUX = head (used to coalesce)
 *   SMALL     3  head of a span of small blocks of one class
 *   LARGE     4  head of a run handed out as one large block
 *   INTERIOR  5  a non-head page; for spans AUX = head
 * </pre>
 *
 * <p><b>Invariant.</b> Below the heap frontier (WILDERNESS) the head kinds (FREE, SMALL, LARGE) appear only
 * at pages that really are the head of a run, and walking from page 0 by run lengths visits exactly the
 * runs. Every change of the partition is a single store of one INFO word, written after everything it
 * makes visible (the tails, the span's counts, a split-off remainder's head): a process that dies at any
 * point leaves a walkable partition. A head that stops being one (merged into a neighbour, or dropped
 * behind the frontier) is overwritten with INTERIOR or NONE right after the commit. All fields are plain
 * and written under the heap lock; threads of {@code thread_local} read INFO, AUX of INTERIOR pages and
 * COUNTS of the span of a block they free without the lock, which is safe because a span cannot change
 * while one of its blocks is live.
 */
final class PageDescriptor {

    static final int BYTES = 32;
    static final long INFO = 0;
    static final long LINKS = 8;
    static final long AUX = 16;
    static final long COUNTS = 24;

    static final int NONE = 0;
    static final int FREE = 1;
    static final int FREE_TAIL = 2;
    static final int SMALL = 3;
    static final int LARGE = 4;
    static final int INTERIOR = 5;

    static final long NO_PAGE = 0xFFFF_FFFFL;

    private PageDescriptor() {
    }

    static long info(int kind, int sizeClass, long pages) {
        return (kind & 0xFF) | ((long) (sizeClass & 0xFF) << 8) | (pages << 32);
    }

    static int kind(long info) {
        return (int) (info & 0xFF);
    }

    static int sizeClass(long info) {
        return (int) ((info >>> 8) & 0xFF);
    }

    static long pages(long info) {
        return info >>> 32;
    }

    static long links(long prev, long next) {
        return (prev & 0xFFFF_FFFFL) | (next << 32);
    }

    static long prev(long links) {
        return links & 0xFFFF_FFFFL;
    }

    static long next(long links) {
        return links >>> 32;
    }

    static long counts(long free, long carved) {
        return (free & 0xFFFF_FFFFL) | (carved << 32);
    }

    static long freeCount(long counts) {
        return counts & 0xFFFF_FFFFL;
    }

    static long carved(long counts) {
        return counts >>> 32;
    }

    static String kindName(int kind) {
        return switch (kind) {
            case NONE -> "NONE";
            case FREE -> "FREE";
            case FREE_TAIL -> "FREE_TAIL";
            case SMALL -> "SMALL";
            case LARGE -> "LARGE";
            case INTERIOR -> "INTERIOR";
            default -> "UNKNOWN(" + kind + ")";
        };
    }
}
