package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizeClassesTest {

    @Test
    void everySizeMapsToTheSmallestClassThatHoldsIt() {
        for (long s = 0; s <= SizeClasses.MAX_SMALL; s++) {
            int c = SizeClasses.classOf(s);
            assertTrue(c >= 0 && c < SizeClasses.COUNT, "size " + s);
            assertTrue(SizeClasses.size(c) >= Math.max(1, s), "size " + s + " -> class size " + SizeClasses.size(c));
            if (c > 0) {
                assertTrue(SizeClasses.size(c - 1) < s, "size " + s + " fits class " + (c - 1) + " already");
            }
        }
        assertEquals(-1, SizeClasses.classOf(SizeClasses.MAX_SMALL + 1));
    }

    @Test
    void roundingWastesUnderSixteenBytesOrAtMostAQuarter() {
        for (long s = 17; s <= SizeClasses.MAX_SMALL; s++) {
            long waste = SizeClasses.size(SizeClasses.classOf(s)) - s;
            assertTrue(waste < 16 || waste * 4 <= s, "size " + s + " wastes " + waste);
        }
    }

    @Test
    void theReciprocalBlockIndexEqualsDivisionForEveryOffsetInASpan() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            int size = SizeClasses.size(c);
            for (long rel = 0; rel < 65536; rel++) {
                int expect = rel % size == 0 ? (int) (rel / size) : -1;
                if (SizeClasses.blockIndex(c, rel) != expect) {
                    throw new AssertionError("class size " + size + ", rel " + rel);
                }
            }
        }
    }

    @Test
    void spansFitTheirClassWithLittleWaste() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            long bytes = (long) SizeClasses.spanPages(c) * SizeClasses.PAGE;
            assertTrue(SizeClasses.spanPages(c) <= SizeClasses.MAX_SPAN_PAGES);
            assertTrue(SizeClasses.blocksPerSpan(c) >= 1);
            long waste = bytes - (long) SizeClasses.blocksPerSpan(c) * SizeClasses.size(c);
            assertTrue(waste * 8 <= bytes, "class " + SizeClasses.size(c) + " wastes " + waste + " of " + bytes);
        }
    }

    @Test
    void alignedRequestsGetANaturallyAlignedClass() {
        for (long align = 32; align <= 4096; align <<= 1) {
            for (long s = 1; s <= 20_000; s += 37) {
                int c = SizeClasses.classOf(s, align);
                assertTrue(c >= 0, "size " + s + " align " + align);
                assertTrue(SizeClasses.size(c) >= s);
                assertEquals(0, SizeClasses.size(c) % Math.min(align, 4096), "class " + SizeClasses.size(c));
            }
        }
        assertEquals(-1, SizeClasses.classOf(100, 8192));
    }
}
