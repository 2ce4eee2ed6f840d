package dev.hshm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.FullPtr;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.OffsetPointer;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.Pointer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Allocator} must meet: sizes from one byte to megabytes, any power-of-two
 * alignment, reallocation that keeps contents, out of memory as an exception, double frees and foreign or
 * interior pointers rejected, bytes in use back to 0, threads freeing each other's blocks. Extend it and
 * implement {@link #create}.
 */
public abstract class AllocatorContract {

    /** For subclasses. */
    protected AllocatorContract() {
    }

    /** The heap size {@link #create} is asked for. */
    protected static final long HEAP = 64L << 20;

    private final List<Allocator> made = new ArrayList<>();

    /**
     * Creates a fresh, empty allocator with about {@code heapBytes} bytes of capacity.
     *
     * @param id its id
     * @param heapBytes capacity
     * @return the allocator
     */
    protected abstract Allocator create(AllocatorId id, long heapBytes);

    /**
     * Releases an allocator made by {@link #create} (and its backend).
     *
     * @param allocator the allocator
     */
    protected abstract void release(Allocator allocator);

    /**
     * Whether the allocator's capacity is bounded (so filling it ends in {@link OutOfMemoryException}).
     *
     * @return {@code false} for libc malloc
     */
    protected boolean boundedCapacity() {
        return true;
    }

    /**
     * Whether a second free of a block is reported as {@link DoubleFreeException} (rather than the more
     * general {@link InvalidPointerException}).
     *
     * @return {@code true} for allocators that keep free blocks tagged
     */
    protected boolean reportsDoubleFreeExactly() {
        return true;
    }

    /** An allocator made through the hook and released after the test. */
    protected final Allocator make(long heapBytes) {
        Allocator a = create(AllocatorId.of(1, made.size()), heapBytes);
        made.add(a);
        return a;
    }

    @AfterEach
    void releaseEverything() {
        for (Allocator a : made) {
            try {
                release(a);
            } catch (RuntimeException ignored) {
                // already released by the test
            }
        }
        made.clear();
    }

    private static final MemContext CTX = MemContext.DEFAULT;

    private static void fill(Allocator a, long off, long size, long seed) {
        MemorySegment s = a.resolve(off, size);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 131 + i * 7 + (i >>> 8)));
        }
    }

    private static void verify(Allocator a, long off, long size, long seed) {
        MemorySegment s = a.resolve(off, size);
        for (long i = 0; i < size; i++) {
            byte expect = (byte) (seed * 131 + i * 7 + (i >>> 8));
            if (s.get(ValueLayout.JAVA_BYTE, i) != expect) {
                throw new AssertionError("block at offset " + off + " (size " + size + ", seed " + seed
                        + ") corrupted at byte " + i);
            }
        }
    }

    @Test
    void sizesFromOneByteToMegabytesAreUsableAndDoNotOverlap() {
        Allocator a = make(HEAP);
        long[] sizes = {1, 7, 8, 15, 16, 17, 31, 48, 100, 128, 129, 1000, 4095, 4096, 4097, 5000, 65535, 65536,
            65537, 100_000, 1 << 20, (3 << 20) + 5};
        long[] offs = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            offs[i] = a.allocateOffset(CTX, sizes[i]);
            assertTrue(a.usableSize(offs[i]) >= sizes[i], "usable size of " + sizes[i]);
            assertEquals(0, offs[i] % 16, "16-byte alignment of a " + sizes[i] + "-byte block");
            fill(a, offs[i], sizes[i], i);
        }
        for (int i = 0; i < sizes.length; i++) {
            verify(a, offs[i], sizes[i], i);
        }
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (int i = 0; i < sizes.length; i++) {
            ranges.put(offs[i], sizes[i]);
        }
        long end = Long.MIN_VALUE;
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            assertTrue(e.getKey() >= end, "blocks overlap at offset " + e.getKey());
            end = e.getKey() + e.getValue();
        }
        for (long off : offs) {
            a.freeOffset(CTX, off);
        }
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void zeroBytesGivesAUsableMinimalBlock() {
        Allocator a = make(HEAP);
        long off = a.allocateOffset(CTX, 0);
        assertNotEquals(OffsetPointer.NULL_OFFSET, off);
        long other = a.allocateOffset(CTX, 0);
        assertNotEquals(off, other, "two zero-size blocks are distinct");
        a.freeOffset(CTX, off);
        a.freeOffset(CTX, other);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void negativeSizesAndBadAlignmentsAreRejected() {
        Allocator a = make(HEAP);
        assertThrows(IllegalArgumentException.class, () -> a.allocateOffset(CTX, -1));
        assertThrows(IllegalArgumentException.class, () -> a.alignedAllocateOffset(CTX, 64, 48));
        assertThrows(IllegalArgumentException.class, () -> a.alignedAllocateOffset(CTX, 64, 0));
    }

    @Test
    void alignedAllocationHonoursEveryPowerOfTwo() {
        Allocator a = make(HEAP);
        List<Long> offs = new ArrayList<>();
        for (int shift = 0; shift <= 20; shift++) {
            long align = 1L << shift;
            for (long size : new long[] {1, 24, 100, 4096, 10_000, 70_000}) {
                long off = a.alignedAllocateOffset(CTX, size, align);
                assertEquals(0, off % align, "offset " + off + " for size " + size + ", alignment " + align);
                if (align <= 4096) {
                    assertEquals(0, a.resolve(off, size).address() % align, "address alignment " + align);
                }
                fill(a, off, size, shift);
                offs.add(off);
            }
        }
        for (long off : offs) {
            a.freeOffset(CTX, off);
        }
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void reallocationKeepsContentsWhenGrowingAndShrinking() {
        Allocator a = make(HEAP);
        long off = a.allocateOffset(CTX, 40);
        fill(a, off, 40, 1);
        long[] steps = {48, 3000, 3 * 4096, 70_000, 1 << 20, 200_000, 5000, 100, 16};
        long kept = 40;
        for (long size : steps) {
            off = a.reallocateOffset(CTX, off, size);
            kept = Math.min(kept, size);
            verify(a, off, kept, 1);
            assertTrue(a.usableSize(off) >= size);
        }
        a.freeOffset(CTX, off);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void reallocatingNullAllocates() {
        Allocator a = make(HEAP);
        long off = a.reallocateOffset(CTX, OffsetPointer.NULL_OFFSET, 100);
        fill(a, off, 100, 3);
        a.freeOffset(CTX, off);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void outOfMemoryIsAnExceptionAndTheHeapStaysUsable() {
        assumeTrue(boundedCapacity(), "unbounded allocator");
        Allocator a = make(8L << 20);
        OutOfMemoryException huge = assertThrows(OutOfMemoryException.class, () -> a.allocateOffset(CTX, 1L << 40));
        assertTrue(huge.getMessage().contains("requested=" + (1L << 40)), huge.getMessage());
        List<Long> offs = new ArrayList<>();
        assertThrows(OutOfMemoryException.class, () -> {
            while (true) {
                offs.add(a.allocateOffset(CTX, 60_000));
            }
        });
        assertTrue(offs.size() > 50, "filled " + offs.size() + " blocks before running out");
        for (long off : offs) {
            a.freeOffset(CTX, off);
        }
        assertEquals(0, a.bytesInUse());
        long big = a.allocateOffset(CTX, 4L << 20);
        a.freeOffset(CTX, big);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void aSecondFreeOfTheSameBlockIsDetected() {
        Allocator a = make(HEAP);
        for (long size : new long[] {16, 64, 5000, 200_000}) {
            long off = a.allocateOffset(CTX, size);
            a.freeOffset(CTX, off);
            InvalidPointerException e = assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, off));
            if (reportsDoubleFreeExactly()) {
                assertTrue(e instanceof DoubleFreeException, "size " + size + ": " + e);
            }
        }
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void interiorAndOutOfRangeOffsetsAreRejected() {
        Allocator a = make(HEAP);
        long small = a.allocateOffset(CTX, 64);
        long large = a.allocateOffset(CTX, 300_000);
        assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, small + 16));
        assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, large + 4096));
        assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, large + 8));
        assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, -5));
        assertThrows(InvalidPointerException.class, () -> a.freeOffset(CTX, 1L << 50));
        assertThrows(InvalidPointerException.class, () -> a.reallocateOffset(CTX, small + 16, 10));
        // nothing above changed the heap
        a.freeOffset(CTX, small);
        a.freeOffset(CTX, large);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void aPointerFromAnotherAllocatorIsRejected() {
        Allocator a = make(HEAP);
        FullPtr p = a.allocate(CTX, 32);
        Pointer foreign = new Pointer(AllocatorId.of(999, 9), p.offset());
        InvalidPointerException e = assertThrows(InvalidPointerException.class, () -> a.free(CTX, foreign));
        assertTrue(e.getMessage().contains("another allocator"), e.getMessage());
        assertThrows(InvalidPointerException.class, () -> a.free(CTX, Pointer.NULL));
        a.free(CTX, p);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void typedPointersRoundTrip() {
        Allocator a = make(HEAP);
        FullPtr p = a.allocate(CTX, 100);
        assertEquals(a.id(), p.pointer().allocatorId());
        assertEquals(100, p.size());
        p.segment().set(ValueLayout.JAVA_LONG, 0, 99L);
        assertEquals(99L, a.resolve(p.offset(), 8).get(ValueLayout.JAVA_LONG, 0));
        FullPtr q = a.reallocate(CTX, p.pointer(), 5000);
        assertEquals(99L, q.segment().get(ValueLayout.JAVA_LONG, 0));
        FullPtr al = a.alignedAllocate(CTX, 64, 256);
        assertEquals(0, al.offset() % 256);
        a.free(CTX, q);
        a.free(CTX, al.pointer());
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void bytesInUseCountsLiveBlocksAndReturnsToZero() {
        Allocator a = make(HEAP);
        long b1 = a.allocateOffset(CTX, 100);
        long b2 = a.allocateOffset(CTX, 100_000);
        long used = a.bytesInUse();
        assertTrue(used >= 100_100, "bytesInUse=" + used);
        assertTrue(used <= a.usableSize(b1) + a.usableSize(b2), "bytesInUse=" + used);
        assertEquals(used, a.stats().bytesInUse());
        assertEquals(2, a.stats().blocksInUse());
        a.freeOffset(CTX, b1);
        a.freeOffset(CTX, b2);
        assertEquals(0, a.bytesInUse());
        assertEquals(0, a.stats().blocksInUse());
    }

    @Test
    void aContextFromCreateTlsWorksOnItsThreadUntilFreeTls() {
        Allocator a = make(HEAP);
        MemContext ctx = a.createTls(MemContext.DEFAULT);
        long off = a.allocateOffset(ctx, 64);
        fill(a, off, 64, 5);
        verify(a, off, 64, 5);
        a.freeOffset(ctx, off);
        a.freeTls(ctx);
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void blocksFreedByAnotherThreadGoBackCorrectly() throws Exception {
        Allocator a = make(HEAP);
        int n = 2000;
        long[] offs = new long[n];
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                offs[i] = a.allocateOffset(CTX, 16 + (i % 50) * 24);
                fill(a, offs[i], 16, i);
            }
        });
        producer.join();
        Thread consumer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                verify(a, offs[i], 16, i);
                a.freeOffset(CTX, offs[i]);
            }
        });
        consumer.join();
        assertEquals(0, a.bytesInUse());
        // the freed blocks are reusable from a third thread
        Thread third = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                a.freeOffset(CTX, a.allocateOffset(CTX, 64));
            }
        });
        third.join();
        assertEquals(0, a.bytesInUse());
        a.check();
    }

    @Test
    void concurrentThreadsGetDisjointBlocksAndLeaveNothingBehind() throws Exception {
        Allocator a = make(HEAP);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int seed = t;
            fs.add(pool.submit(() -> {
                start.await();
                SplittableRandom rnd = new SplittableRandom(seed);
                Map<Long, long[]> live = new HashMap<>();
                for (int i = 0; i < 20_000; i++) {
                    if (live.size() < 64 && (live.isEmpty() || rnd.nextInt(3) != 0)) {
                        long size = rnd.nextInt(10) == 0 ? 16 + rnd.nextInt(100_000) : 1 + rnd.nextInt(512);
                        long off = a.allocateOffset(CTX, size);
                        long tagged = Math.min(size, 64);
                        fill(a, off, tagged, i + seed * 1_000_000L);
                        live.put(off, new long[] {tagged, i + seed * 1_000_000L});
                    } else {
                        Long k = live.keySet().iterator().next();
                        long[] v = live.remove(k);
                        verify(a, k, v[0], v[1]);
                        a.freeOffset(CTX, k);
                    }
                }
                for (Map.Entry<Long, long[]> e : live.entrySet()) {
                    verify(a, e.getKey(), e.getValue()[0], e.getValue()[1]);
                    a.freeOffset(CTX, e.getKey());
                }
                a.freeTls(CTX);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        assertEquals(0, a.bytesInUse());
        a.check();
    }

    @Test
    void aRandomWorkloadMatchesAModelOfTheHeap() {
        Allocator a = make(HEAP);
        SplittableRandom rnd = new SplittableRandom(20261125);
        Map<Long, long[]> live = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            int op = rnd.nextInt(10);
            if ((op < 5 && keys.size() < 200) || keys.isEmpty()) {
                long size = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(1, 65);
                    case 1 -> rnd.nextInt(65, 4097);
                    case 2 -> rnd.nextInt(4097, 65_537);
                    default -> rnd.nextInt(65_537, 600_000);
                };
                long off = rnd.nextInt(4) == 0 ? a.alignedAllocateOffset(CTX, size, 1L << rnd.nextInt(4, 14))
                        : a.allocateOffset(CTX, size);
                long tagged = Math.min(size, 48);
                fill(a, off, tagged, i);
                live.put(off, new long[] {tagged, i, size});
                keys.add(off);
            } else if (op < 8 || keys.size() >= 200) {
                long off = keys.remove(rnd.nextInt(keys.size()));
                long[] v = live.remove(off);
                verify(a, off, v[0], v[1]);
                a.freeOffset(CTX, off);
            } else {
                int k = rnd.nextInt(keys.size());
                long off = keys.get(k);
                long[] v = live.remove(off);
                long size = rnd.nextInt(1, 200_000);
                long moved = a.reallocateOffset(CTX, off, size);
                long kept = Math.min(v[0], size);
                verify(a, moved, kept, v[1]);
                live.put(moved, new long[] {kept, v[1], size});
                keys.set(k, moved);
            }
        }
        for (long off : keys) {
            long[] v = live.remove(off);
            verify(a, off, v[0], v[1]);
            a.freeOffset(CTX, off);
        }
        assertEquals(0, a.bytesInUse());
        a.check();
    }
}
