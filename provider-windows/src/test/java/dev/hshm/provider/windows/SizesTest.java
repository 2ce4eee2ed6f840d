package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.spi.BackendHeader;
import org.junit.jupiter.api.Test;

/** Sizes: header plus data, and 64-bit sizes split into the two DWORDs Win32 takes. */
class SizesTest {

    @Test
    void theMappingIsTheHeaderPageplusTheData() {
        assertEquals(BackendHeader.DATA_OFFSET + 1L, Sizes.mappingBytes(1));
        assertEquals(BackendHeader.DATA_OFFSET + (5L << 30), Sizes.mappingBytes(5L << 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.mappingBytes(0));
        assertTrue(e.getMessage().contains("size=0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sizes.mappingBytes(Sizes.MAX_DATA_SIZE + 1));
    }

    @Test
    void sizesSplitIntoUnsignedDwordsThatRecombine() {
        for (long v : new long[] {0, 1, 0xFFFF_FFFFL, 1L << 32, 0x1_8000_0000L, 0x7FFF_FFFF_FFFF_F000L}) {
            long back = (Integer.toUnsignedLong(Sizes.high(v)) << 32) | Integer.toUnsignedLong(Sizes.low(v));
            assertEquals(v, back, Long.toHexString(v));
        }
        assertEquals(1, Sizes.high(0x1_8000_0000L));
        assertEquals(0x8000_0000, Sizes.low(0x1_8000_0000L));
        assertEquals("0x1, 0x80000000", Sizes.dwords(0x1_8000_0000L));
    }
}
