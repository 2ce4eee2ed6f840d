package dev.hshm.provider.windows;

import dev.hshm.api.spi.BackendHeader;

/** Size checks and {@code DWORD} splitting shared by the two backends. */
final class Sizes {

    /** The largest data size accepted: header plus data must fit in a {@code long} with room to spare. */
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

    /**
     * The high {@code DWORD} of a 64-bit size, as Win32 functions take it ({@code dwMaximumSizeHigh}).
     *
     * @param value the size
     * @return bits 32..63
     */
    static int high(long value) {
        return (int) (value >>> 32);
    }

    /**
     * The low {@code DWORD} of a 64-bit size ({@code dwMaximumSizeLow}).
     *
     * @param value the size
     * @return bits 0..31
     */
    static int low(long value) {
        return (int) value;
    }

    /**
     * A {@code DWORD} pair as the hexadecimal arguments of a call, for messages.
     *
     * @param value the size
     * @return e.g. {@code "0x1, 0x1000"}
     */
    static String dwords(long value) {
        return "0x" + Integer.toHexString(high(value)) + ", 0x" + Integer.toHexString(low(value));
    }
}
