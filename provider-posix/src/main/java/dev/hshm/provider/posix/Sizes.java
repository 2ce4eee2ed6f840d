package dev.hshm.provider.posix;

import dev.hshm.api.spi.BackendHeader;

/** Size checks shared by the two backends. */
final class Sizes {

    /** The largest data size accepted: header plus data plus page rounding must fit in a {@code long}. */
    static final long MAX_DATA_SIZE = Long.MAX_VALUE - BackendHeader.DATA_OFFSET - (1L << 30);

    private Sizes() {
    }

    /**
     * Checks a requested data size and returns the bytes of the mapping (header plus data).
     *
     * @param size the requested data size
     * @return {@code DATA_OFFSET + size}
     * @throws IllegalArgumentException naming the size if it is not positive or too large
     */
    static long mappingBytes(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("backend size must be > 0: size=" + size);
        }
        if (size > MAX_DATA_SIZE) {
            throw new IllegalArgumentException("backend size is too large: size=" + size + ", max=" + MAX_DATA_SIZE);
        }
        return BackendHeader.DATA_OFFSET + size;
    }

    static long roundUpToPage(long bytes, long page) {
        return Math.addExact(bytes, page - 1) & -page;
    }
}
