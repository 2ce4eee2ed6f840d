package dev.hshm.provider.windows;

/** {@code DWORD} splitting of 64-bit sizes, as Win32 functions take them (size checks: {@code spi.Sizes}). */
final class Dwords {

    private Dwords() {
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
