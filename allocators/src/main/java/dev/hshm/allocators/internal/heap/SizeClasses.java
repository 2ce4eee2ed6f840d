package dev.hshm.allocators.internal.heap;

/**
 * The size classes of the small-block allocators, and the span (run of pages) each class carves.
 *
 * <pre>
 * class  0..7  : 16, 32, 48, ..., 128                      (16-byte steps)
 * class  8..43 : four classes per power of two, 160 .. 65536 (steps of a quarter of the power)
 *                160 192 224 256 | 320 384 448 512 | ... | 40960 49152 57344 65536
 * </pre>
 *
 * Rounding a request up to its class wastes at most 25% (under 12.5% on average for uniform sizes),
 * against up to 100% for power-of-two classes. A class's blocks sit at {@code spanStart + i * size} with
 * spans page-aligned, so a block's natural alignment is the lowest set bit of its size, capped at the page
 * size; aligned allocation picks the smallest class that is both big and aligned enough.
 *
 * <p>Spans hold one class's blocks: between 1 and {@value #MAX_SPAN_PAGES} pages, chosen so that a span
 * holds at least 8 blocks where that fits in 64 KiB and its unusable tail is at most 1/8 of it. Everything
 * here is computed once and is part of the published heap layout ({@link HeapHeader#LAYOUT_VERSION}): a C
 * client computes the same tables from the same rules.
 */
public final class SizeClasses {

    /** Bytes per page of the page heap. */
    public static final int PAGE = 4096;
    /** log2 of {@link #PAGE}. */
    public static final int PAGE_SHIFT = 12;
    /** Number of small classes. */
    public static final int COUNT = 44;
    /** The largest small block; larger requests get page runs. */
    public static final long MAX_SMALL = 65536;
    /** What {@link #classOf} answers for a request no small class serves. */
    public static final int NO_CLASS = -1;
    /** What {@link #blockIndex} answers for an offset at which no block starts. */
    public static final int NO_BLOCK = -1;
    /** Largest span, in pages: 64 KiB, so a block's index fits the reciprocal trick in {@link #blockIndex}. */
    public static final int MAX_SPAN_PAGES = 16;

    private static final int[] SIZE = new int[COUNT];
    private static final int[] SPAN_PAGES = new int[COUNT];
    private static final int[] BLOCKS = new int[COUNT];
    private static final long[] RECIPROCAL = new long[COUNT];
    private static final int[] ALIGN = new int[COUNT];
    private static final int[] BATCH = new int[COUNT];

    static {
        for (int c = 0; c < COUNT; c++) {
            int s = computeSize(c);
            SIZE[c] = s;
            ALIGN[c] = Math.min(Integer.lowestOneBit(s), PAGE);
            RECIPROCAL[c] = ((1L << 32) + s - 1) / s;
            SPAN_PAGES[c] = computeSpanPages(s);
            BLOCKS[c] = SPAN_PAGES[c] * PAGE / s;
            BATCH[c] = Math.max(1, Math.min(32, 16384 / s));
        }
        if (SIZE[COUNT - 1] != MAX_SMALL) {
            throw new AssertionError("size classes drifted: last=" + SIZE[COUNT - 1]);
        }
    }

    private SizeClasses() {
    }

    private static int computeSize(int c) {
        if (c < 8) {
            return (c + 1) * 16;
        }
        int g = (c - 8) >> 2;
        int i = (c - 8) & 3;
        int base = 128 << g;
        return base + (i + 1) * (base >> 2);
    }

    private static int computeSpanPages(int s) {
        int minPages = (s + PAGE - 1) / PAGE;
        int best = minPages;
        long bestWaste = Long.MAX_VALUE;
        for (int p = minPages; p <= MAX_SPAN_PAGES; p++) {
            long bytes = (long) p * PAGE;
            long blocks = bytes / s;
            long waste = bytes - blocks * s;
            boolean enoughBlocks = blocks >= 8 || bytes >= 65536 || p == MAX_SPAN_PAGES;
            if (waste * 8 <= bytes && enoughBlocks) {
                return p;
            }
            if (waste * 1000 / bytes < bestWaste) {
                bestWaste = waste * 1000 / bytes;
                best = p;
            }
        }
        return best;
    }

    /**
     * The class for a request, or {@link #NO_CLASS} if it is larger than {@link #MAX_SMALL}.
     *
     * @param size bytes, {@code >= 0} ({@code 0} maps to the smallest class)
     * @return the class
     */
    public static int classOf(long size) {
        if (size <= 128) {
            return size <= 16 ? 0 : (int) ((size + 15) >>> 4) - 1;
        }
        if (size > MAX_SMALL) {
            return NO_CLASS;
        }
        long s = size - 1;
        int e = 63 - Long.numberOfLeadingZeros(s);
        return 8 + ((e - 7) << 2) + (int) ((s >>> (e - 2)) & 3);
    }

    /**
     * The smallest class that holds {@code size} bytes at a multiple of {@code alignment}, or {@link #NO_CLASS}.
     *
     * @param size bytes
     * @param alignment a power of two
     * @return the class, or {@link #NO_CLASS} if no small class fits
     */
    public static int classOf(long size, long alignment) {
        int c = classOf(size);
        if (c < 0 || alignment > PAGE) {
            return NO_CLASS;
        }
        while (c < COUNT && ALIGN[c] < alignment) {
            c++;
        }
        return c < COUNT ? c : NO_CLASS;
    }

    /**
     * The block size of a class.
     *
     * @param c the class
     * @return bytes
     */
    public static int size(int c) {
        return SIZE[c];
    }

    /**
     * The pages of a span of the class.
     *
     * @param c the class
     * @return 1 .. {@link #MAX_SPAN_PAGES}
     */
    public static int spanPages(int c) {
        return SPAN_PAGES[c];
    }

    /**
     * The blocks a span of the class holds.
     *
     * @param c the class
     * @return the count
     */
    public static int blocksPerSpan(int c) {
        return BLOCKS[c];
    }

    /**
     * Blocks moved between a thread cache and the shared table at once: 32, fewer for large classes (16 KiB
     * per batch at most).
     *
     * @param c the class
     * @return the batch size
     */
    public static int batch(int c) {
        return BATCH[c];
    }

    /**
     * The index of the block that starts {@code rel} bytes into its span, or {@link #NO_BLOCK} if no block starts there.
     * One multiply by a precomputed reciprocal instead of a division: exact for {@code rel < 2^16} and
     * sizes {@code <= 2^16}, which spans of at most 64 KiB guarantee.
     *
     * @param c the class
     * @param rel bytes from the span's start, {@code 0 <= rel < 65536}
     * @return the block index or {@link #NO_BLOCK}
     */
    public static int blockIndex(int c, long rel) {
        long q = (rel * RECIPROCAL[c]) >>> 32;
        return q * SIZE[c] == rel ? (int) q : NO_BLOCK;
    }
}
