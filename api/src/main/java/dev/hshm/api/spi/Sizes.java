package dev.hshm.api.spi;

/** Size arithmetic every backend needs the same way: the checked mapping size, and rounding up. */
public final class Sizes {

    /** The largest data size accepted: header plus data plus page or alignment rounding must fit in a {@code long}. */
    public static final long MAX_DATA_SIZE = Long.MAX_VALUE - BackendHeader.DATA_OFFSET - (1L << 30);

    private Sizes() {
    }

    /**
     * Checks a requested data size and returns the bytes of the mapping (header plus data).
     *
     * @param size the requested data size
     * @return {@code DATA_OFFSET + size}
     * @throws IllegalArgumentException naming the size if it is not positive or too large
     */
    public static long mappingBytes(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("backend size must be > 0: size=" + size);
        }
        if (size > MAX_DATA_SIZE) {
            throw new IllegalArgumentException("backend size is too large: size=" + size + ", max=" + MAX_DATA_SIZE);
        }
        return BackendHeader.DATA_OFFSET + size;
    }

    /**
     * {@code bytes} rounded up to a multiple of {@code alignment}.
     *
     * @param bytes a non-negative size
     * @param alignment a power of two (a page size, say)
     * @return the rounded size
     * @throws ArithmeticException if it overflows
     */
    public static long roundUp(long bytes, long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        return Math.addExact(bytes, alignment - 1) & -alignment;
    }
}
