package dev.hshm.allocators.internal.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promise of {@link Allocator#alignedAllocateOffset}: offsets are aligned for every power of two (here up to
 * 4 MiB, beyond the 1 MiB the issue asks for), relative to the backend's data; addresses agree with offsets up to
 * the alignment of the data's start in this process.
 */
class AlignedOffsetsTest {

    private static final MemContext CTX = MemContext.DEFAULT;
    private static final int MAX_SHIFT = 22;

    private static Allocator create(String type, MallocBackend b) {
        return type.equals(Allocator.THREAD_LOCAL)
                ? ThreadLocalAllocator.create(b, AllocatorId.of(6, 1), 0, b.dataSize(), 0)
                : ScalablePageAllocator.create(b, AllocatorId.of(6, 2), 0, b.dataSize(), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE})
    void everyPowerOfTwoUpToFourMebibytesAlignsTheOffset(String type) {
        MallocBackend b = MallocBackend.create(MemoryBackendId.get(12), 96L << 20);
        try {
            Allocator a = create(type, b);
            long base = a.memory().address();
            long baseAlignment = Long.lowestOneBit(base);
            assertTrue(baseAlignment >= 4096, "the data starts page-aligned: 0x" + Long.toHexString(base));
            List<Long> offs = new ArrayList<>();
            for (int shift = 0; shift <= MAX_SHIFT; shift++) {
                long align = 1L << shift;
                for (long size : new long[] {0, 1, 24, 100, 4096, 10_000, 70_000, 300_000}) {
                    long off = a.alignedAllocateOffset(CTX, size, align);
                    assertEquals(0, off % align, type + ": offset " + off + " for size " + size + ", alignment " + align);
                    assertTrue(a.usableSize(off) >= size);
                    long address = a.resolve(off, Math.max(1, size)).address();
                    assertEquals(0, address % Math.min(align, baseAlignment),
                            "the address is aligned up to the data's own alignment " + baseAlignment);
                    offs.add(off);
                }
            }
            for (long off : offs) {
                a.freeOffset(CTX, off);
            }
            assertEquals(0, a.bytesInUse());
            a.check();
            if (a instanceof ThreadLocalAllocator t) {
                t.close();
            }
        } finally {
            b.destroy();
        }
    }
}
