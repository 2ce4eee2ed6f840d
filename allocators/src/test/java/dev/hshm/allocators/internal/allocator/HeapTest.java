package dev.hshm.allocators.internal.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.allocators.internal.backend.MallocBackend;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page heap and span table under the scalable-page allocator, looked at from inside. */
class HeapTest {

    private static final MemContext CTX = MemContext.DEFAULT;
    private MallocBackend backend;
    private ScalablePageAllocator spa;

    @BeforeEach
    void create() {
        backend = MallocBackend.create(MemoryBackendId.get(9), 16L << 20);
        spa = ScalablePageAllocator.create(backend, AllocatorId.of(4, 2), 0, backend.dataSize(), 0);
    }

    @AfterEach
    void destroy() {
        backend.destroy();
    }

    @Test
    void freedLargeRunsCoalesceSoTheWholeHeapFitsOneBlockAgain() {
        List<Long> offs = new ArrayList<>();
        try {
            while (true) {
                offs.add(spa.allocateOffset(CTX, 3 * 4096 + 100));
            }
        } catch (dev.hshm.api.OutOfMemoryException expected) {
            // full
        }
        Collections.shuffle(offs, new Random(7));
        for (long off : offs) {
            spa.freeOffset(CTX, off);
        }
        spa.check();
        long capacity = spa.stats().capacity();
        long whole = spa.allocateOffset(CTX, capacity - 4096);
        spa.freeOffset(CTX, whole);
        assertEquals(0, spa.bytesInUse());
        spa.check();
    }

    @Test
    void spansWhoseBlocksAreAllFreeGoBackToThePageHeap() {
        List<Long> offs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            offs.add(spa.allocateOffset(CTX, 64));
        }
        for (long off : offs) {
            spa.freeOffset(CTX, off);
        }
        AllocatorStats s = spa.stats();
        AllocatorStats.SizeClass c64 = s.sizeClasses().stream().filter(c -> c.blockSize() == 64).findFirst().orElseThrow();
        assertTrue(c64.blocksFree() <= SizeClasses.blocksPerSpan(SizeClasses.classOf(64)),
                "only the class's last span keeps its free blocks: " + c64);
        // the pages can now hold one large block of nearly the whole heap
        long big = spa.allocateOffset(CTX, s.capacity() - 8 * 4096);
        spa.freeOffset(CTX, big);
        spa.check();
    }

    @Test
    void aBlockWrittenAfterItWasFreedIsCaughtWhenHandedOutAgain() {
        long off = spa.allocateOffset(CTX, 64);
        spa.freeOffset(CTX, off);
        spa.memory().set(ValueLayout.JAVA_LONG, off + 8, 0x1234L); // use after free clobbers the tag
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> spa.allocateOffset(CTX, 64));
        assertTrue(e.getMessage().contains("use-after-free"), e.getMessage());
    }

    @Test
    void aCorruptedInteriorPageIsReportedAsABadPointerNotAnIndexError() {
        long first = spa.allocateOffset(CTX, 5000); // a class whose spans cover several pages
        Heap h = spa.heap;
        long firstPage = (first - h.geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT;
        long interior = first;
        while ((interior - h.geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT == firstPage) {
            interior = spa.allocateOffset(CTX, 5000);
        }
        long page = (interior - h.geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT;
        long aux = h.geo.descTable() + page * PageDescriptor.BYTES + PageDescriptor.AUX;
        assertEquals(firstPage, spa.memory().get(ValueLayout.JAVA_LONG, aux), "the interior page names its span's head");
        spa.memory().set(ValueLayout.JAVA_LONG, aux, -3L); // a stray write into the descriptor table
        long bad = interior;
        InvalidPointerException e = assertThrows(InvalidPointerException.class, () -> spa.freeOffset(CTX, bad));
        assertTrue(e.getMessage().contains("inside a run"), e.getMessage());
    }

    @Test
    void checkFindsACorruptedCounter() {
        long off = spa.allocateOffset(CTX, 100);
        spa.check();
        Heap h = spa.heap;
        long at = h.geo.classTable() + (long) SizeClasses.classOf(100) * HeapLayout.CLASS_BYTES + HeapLayout.C_LIVE;
        h.seg.set(ValueLayout.JAVA_LONG, at, 5L);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, spa::check);
        assertTrue(e.getMessage().contains("live blocks of class 112"), e.getMessage());
        h.seg.set(ValueLayout.JAVA_LONG, at, 1L);
        spa.freeOffset(CTX, off);
        spa.check();
    }

    @Test
    void aLockWhoseOwnerDiedIsTakenOverAndTheTablesRebuilt() throws Exception {
        List<Long> offs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            offs.add(spa.allocateOffset(CTX, 16 + i * 40));
        }
        for (int i = 0; i < offs.size(); i += 2) {
            spa.freeOffset(CTX, offs.get(i));
        }
        long liveBytes = spa.bytesInUse();
        Heap h = spa.heap;
        MemorySegment seg = h.seg;
        // a process that died mid-operation: derived state wiped, lock held by a dead pid
        for (int li = 0; li < HeapLayout.RUN_LISTS; li++) {
            seg.set(ValueLayout.JAVA_LONG, h.geo.runLists() + 8L * li, HeapLayout.NONE);
        }
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            seg.set(ValueLayout.JAVA_LONG, h.geo.classTable() + (long) c * HeapLayout.CLASS_BYTES + HeapLayout.C_LIVE, 0L);
            seg.set(ValueLayout.JAVA_LONG, h.geo.classTable() + (long) c * HeapLayout.CLASS_BYTES, HeapLayout.NONE);
        }
        long dead = deadPid();
        seg.set(ValueLayout.JAVA_LONG, h.geo.regionOffset() + HeapLayout.H_LOCK + RobustLock.OWNER, (dead << 32) | 5);
        long t0 = System.nanoTime();
        long off = spa.allocateOffset(CTX, 64); // waits ~1 ms, sees the dead owner, recovers, repairs
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertEquals(1, h.lockRecoveries());
        spa.freeOffset(CTX, off);
        spa.check();
        assertEquals(liveBytes, spa.bytesInUse());
        for (int i = 1; i < offs.size(); i += 2) {
            spa.freeOffset(CTX, offs.get(i));
        }
        assertEquals(0, spa.bytesInUse());
        spa.check();
    }

    @Test
    void attachRejectsARegionThatIsNotItsHeap() {
        CorruptSegmentException wrongType = assertThrows(CorruptSegmentException.class, () -> Heap.attach(spa.memory(),
                0, backend.dataSize(), spa.id(), HeapLayout.TYPE_THREAD_LOCAL, "thread_local", null));
        assertTrue(wrongType.getMessage().contains("type mismatch"), wrongType.getMessage());
        CorruptSegmentException wrongSize = assertThrows(CorruptSegmentException.class, () -> Heap.attach(spa.memory(),
                0, backend.dataSize() - 4096, spa.id(), HeapLayout.TYPE_SCALABLE_PAGE, "scalable_page", null));
        assertTrue(wrongSize.getMessage().contains("geometry"), wrongSize.getMessage());
        CorruptSegmentException wrongId = assertThrows(CorruptSegmentException.class, () -> Heap.attach(spa.memory(),
                0, backend.dataSize(), AllocatorId.of(4, 3), HeapLayout.TYPE_SCALABLE_PAGE, "scalable_page", null));
        assertTrue(wrongId.getMessage().contains("id mismatch"), wrongId.getMessage());
        CorruptSegmentException notAHeap = assertThrows(CorruptSegmentException.class, () -> Heap.attach(spa.memory(),
                4096, 8L << 20, spa.id(), HeapLayout.TYPE_SCALABLE_PAGE, "scalable_page", null));
        assertTrue(notAHeap.getMessage().contains("bad magic"), notAHeap.getMessage());
    }

    @Test
    void largeBlocksShrinkAndGrowInPlace() {
        long off = spa.allocateOffset(CTX, 40 * 4096);
        long after = spa.allocateOffset(CTX, 64); // something small in between does not matter
        assertEquals(off, spa.reallocateOffset(CTX, off, 20 * 4096), "shrinks in place");
        assertEquals(20 * 4096, spa.usableSize(off));
        assertEquals(off, spa.reallocateOffset(CTX, off, 39 * 4096), "grows back into the pages it gave up");
        spa.freeOffset(CTX, off);
        spa.freeOffset(CTX, after);
        spa.check();
        assertEquals(0, spa.bytesInUse());
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
