package dev.hshm.allocators.internal.heap;

/**
 * Layout of a page descriptor: one per heap page, {@value #BYTES} bytes, in the descriptor table. Descriptors
 * are the heap's ground truth; every list and counter is derived from them and can be rebuilt ({@code HeapWalk}).
 *
 * <pre>
 *  +0  INFO    u64  kind (bits 0-7) | size class (bits 8-15) | shard (bits 16-31) | run length in pages (32-63)
 *  +8  LINKS   u64  prev page (bits 0-31) | next page (bits 32-63) in the run's {@link PageList}, or NO_PAGE
 * +16  AUX     u64  SMALL: first block of the span's free list (an offset) or NO_OFFSET;
 *                   INTERIOR, FREE_TAIL: the page index of the run's head;  LARGE: the size asked for
 * +24  COUNTS  u64  SMALL: free blocks on the span's list (bits 0-31) | blocks carved so far (bits 32-63)
 * +32  (reserved, 0) to +64: a descriptor is one cache line (see {@link #BYTES})
 *
 * kinds
 *   NO_KIND   0  not a head: a never-used page, or one that left the heap frontier
 *   FREE      1  head of a free run (a one-page run is its own tail)
 *   FREE_TAIL 2  last page of a free run of two or more pages; AUX = head (used to coalesce)
 *   SMALL     3  head of a span of small blocks of one class, owned by one shard of the span table
 *   LARGE     4  head of a run handed out as one large block
 *   INTERIOR  5  a non-head page; for spans AUX = head
 * </pre>
 *
 * <p><b>Invariant.</b> Below the heap frontier the head kinds (FREE, SMALL, LARGE) appear only at pages that
 * really are the head of a run, and walking from page 0 by run lengths visits exactly the runs. Every change of
 * the partition is a single store of one INFO word, written after everything it makes visible (the tails, a
 * span's counts, a split-off remainder's head): a process that dies at any store leaves a walkable partition. A
 * head that stops being one (merged into a neighbour) is overwritten with INTERIOR right after the commit.
 *
 * <p><b>Memory ordering.</b> All fields are plain. INFO and the INTERIOR/FREE_TAIL AUX are written under the page
 * heap's lock; LINKS, AUX and COUNTS of a SMALL head under its shard's lock. Threads read INFO, the AUX of
 * INTERIOR pages and the COUNTS of the span of a block they free without a lock, which is safe because a span
 * cannot change while one of its blocks is live.
 */
final class PageDescriptor {

    static final long INFO = 0;
    static final long LINKS = INFO + 8;
    static final long AUX = LINKS + 8;
    static final long COUNTS = AUX + 8;
    /** Zero; pads a descriptor to a cache line. */
    static final long RESERVED = COUNTS + 8;
    /**
     * A descriptor is a cache line: the spans of two shards are often neighbours, and their descriptors are
     * written on every block taken or given back, so sharing a line would bounce it between the threads'
     * cores. 64 bytes per 4 KiB page is 1.6 % of the pages, touched only as the frontier reaches them.
     */
    static final int BYTES = 64;
    /** log2 of {@link #BYTES}. */
    static final int SHIFT = 6;

    static final int NO_KIND = 0;
    static final int FREE = 1;
    static final int FREE_TAIL = 2;
    static final int SMALL = 3;
    static final int LARGE = 4;
    static final int INTERIOR = 5;

    /** "No page": the value of an empty list head and of a missing prev/next link. Never a page index. */
    static final long NO_PAGE = 0xFFFF_FFFFL;
    /** The most pages a heap can have (a page index and a run length fit 32 bits, and NO_PAGE is not one). */
    static final long MAX_PAGES = NO_PAGE - 1;
    /** The most shards a span table can have (INFO's shard field is 16 bits). */
    static final int MAX_SHARDS = 1 << 16;

    static {
        if (BYTES != 1 << SHIFT || RESERVED > BYTES) {
            throw new AssertionError("PageDescriptor drifted: BYTES=" + BYTES);
        }
    }

    private PageDescriptor() {
    }

    static long info(int kind, int sizeClass, int shard, long pages) {
        return (kind & 0xFF) | ((long) (sizeClass & 0xFF) << 8) | ((long) (shard & 0xFFFF) << 16) | (pages << 32);
    }

    static int kind(long info) {
        return (int) (info & 0xFF);
    }

    static int sizeClass(long info) {
        return (int) ((info >>> 8) & 0xFF);
    }

    static int shard(long info) {
        return (int) ((info >>> 16) & 0xFFFF);
    }

    static long pages(long info) {
        return info >>> 32;
    }

    /**
     * Packs two 32-bit halves: LINKS is {@code pack(prev, next)}, COUNTS is {@code pack(free, carved)}.
     *
     * @param low bits 0-31 (prev page; free blocks)
     * @param high bits 32-63 (next page; blocks carved)
     * @return the word
     */
    static long pack(long low, long high) {
        return (low & 0xFFFF_FFFFL) | (high << 32);
    }

    /** Bits 0-31: the prev page of LINKS, the free blocks of COUNTS. */
    static long low(long word) {
        return word & 0xFFFF_FFFFL;
    }

    /** Bits 32-63: the next page of LINKS, the blocks carved of COUNTS. */
    static long high(long word) {
        return word >>> 32;
    }

    static String kindName(int kind) {
        return switch (kind) {
            case NO_KIND -> "NO_KIND";
            case FREE -> "FREE";
            case FREE_TAIL -> "FREE_TAIL";
            case SMALL -> "SMALL";
            case LARGE -> "LARGE";
            case INTERIOR -> "INTERIOR";
            default -> "UNKNOWN(" + kind + ")";
        };
    }

    /**
     * A run head's INFO as {@code key=value} text, for messages.
     *
     * @param page the page
     * @param info its INFO word
     * @return e.g. {@code "page=12, kind=SMALL, class=3, shard=0, pages=1"}
     */
    static String describe(long page, long info) {
        return "page=" + page + ", kind=" + kindName(kind(info)) + ", class=" + sizeClass(info) + ", shard="
                + shard(info) + ", pages=" + pages(info);
    }
}
