package dev.hshm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The size arithmetic every backend shares. */
class SizesTest {

    @Test
    void theMappingIsTheHeaderPagePlusTheData() {
        assertEquals(BackendHeader.DATA_OFFSET + 1L, Sizes.mappingBytes(1));
        assertEquals(BackendHeader.DATA_OFFSET + (5L << 30), Sizes.mappingBytes(5L << 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.mappingBytes(0));
        assertTrue(e.getMessage().contains("size=0"), e.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Sizes.mappingBytes(Sizes.MAX_DATA_SIZE + 1));
        assertTrue(big.getMessage().contains("too large"), big.getMessage());
    }

    @Test
    void roundUpGoesToTheNextMultipleOfAPowerOfTwo() {
        assertEquals(0, Sizes.roundUp(0, 4096));
        assertEquals(4096, Sizes.roundUp(1, 4096));
        assertEquals(4096, Sizes.roundUp(4096, 4096));
        assertEquals(2L << 20, Sizes.roundUp((1L << 20) + 1, 1L << 20));
        assertThrows(IllegalArgumentException.class, () -> Sizes.roundUp(10, 48));
        assertThrows(ArithmeticException.class, () -> Sizes.roundUp(Long.MAX_VALUE, 4096));
    }
}
