package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** 64-bit sizes split into the two DWORDs Win32 takes. */
class DwordsTest {

    @Test
    void sizesSplitIntoUnsignedDwordsThatRecombine() {
        for (long v : new long[] {0, 1, 0xFFFF_FFFFL, 1L << 32, 0x1_8000_0000L, 0x7FFF_FFFF_FFFF_F000L}) {
            long back = (Integer.toUnsignedLong(Dwords.high(v)) << 32) | Integer.toUnsignedLong(Dwords.low(v));
            assertEquals(v, back, Long.toHexString(v));
        }
        assertEquals(1, Dwords.high(0x1_8000_0000L));
        assertEquals(0x8000_0000, Dwords.low(0x1_8000_0000L));
        assertEquals("0x1, 0x80000000", Dwords.dwords(0x1_8000_0000L));
    }
}
