package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.allocator.AllocatorProviders;
import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page heap, the shards and the walk under the scalable-page allocator, looked at from inside: the test holds
 * a second view of the same heap ({@link Heap#attach}, as another process would) to reach its words.
 */
class HeapTest {

    private static final MemContext CTX = MemContext.DEFAULT;
    private static final AllocatorId ID = AllocatorId.of(4, 2);
    private MallocBackend backend;
    private Allocator spa;
    private Heap h;

    @BeforeEach
    void create() {
        backend = MallocBackend.create(MemoryBackendId.get(9), 16L << 20);
        spa = new AllocatorProviders.ScalablePage().create(backend, ID, 0, backend.dataSize(), 0);
        h = Heap.attach(backend.data(), 0, backend.dataSize(), ID, HeapHeader.TYPE_SCALABLE_PAGE, "scalable_page",
                ThreadModel.current());
    }

    @AfterEach
    void destroy() {
        backend.destroy();
    }

    private long word(long at) {
        return backend.data().get(ValueLayout.JAVA_LONG, at);
    }

    private void setWord(long at, long v) {
        backend.data().set(ValueLayout.JAVA_LONG, at, v);
    }

    @Test
    void freedLargeRunsCoalesceSoTheWholeHeapFitsOneBlockAgain() {
        List<Long> offs = new ArrayList<>();
        try {
            while (true) {
                offs.add(spa.allocateOffset(CTX, 3 * 4096 + 100));
            }
        } catch (OutOfMemoryException expected) {
            // full
        }
        Collections.shuffle(offs, new Random(7));
        for (long off : offs) {
            spa.freeOffset(CTX, off);
        }
        spa.check();
        long whole = spa.allocateOffset(CTX, spa.stats().capacity() - 4096);
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
        assertTrue(c64.blocksFree() <= (long) h.shardCount() * SizeClasses.blocksPerSpan(SizeClasses.classOf(64)),
                "a shard keeps at most its last span of the class: " + c64);
        long big = spa.allocateOffset(CTX, s.capacity() - 8 * 4096); // the pages hold nearly the whole heap again
        spa.freeOffset(CTX, big);
        spa.check();
    }

    @Test
    void theEmptySpansShardsKeepAreGivenBackWhenThePageHeapRunsOut() {
        for (int c = 0; c < SizeClasses.COUNT; c += 3) {
            spa.freeOffset(CTX, spa.allocateOffset(CTX, SizeClasses.size(c))); // each class keeps one empty span
        }
        long big = spa.allocateOffset(CTX, spa.stats().capacity() - 4096); // fits only if those spans go back
        spa.freeOffset(CTX, big);
        spa.check();
    }

    @Test
    void aBlockWrittenAfterItWasFreedIsCaughtWhenHandedOutAgain() {
        long off = spa.allocateOffset(CTX, 64);
        spa.freeOffset(CTX, off);
        setWord(off + FreeBlock.TAG, 0x1234L); // use after free clobbers the tag
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> spa.allocateOffset(CTX, 64));
        assertTrue(e.getMessage().contains("use after free"), e.getMessage());
    }

    @Test
    void aCorruptedInteriorPageIsReportedAsABadPointerNotAnIndexError() {
        long first = spa.allocateOffset(CTX, 5000); // a class whose spans cover several pages
        HeapHeader.Geometry geo = h.geometry();
        long firstPage = (first - geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT;
        long interior = first;
        while ((interior - geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT == firstPage) {
            interior = spa.allocateOffset(CTX, 5000);
        }
        long page = (interior - geo.heapOffset()) >>> SizeClasses.PAGE_SHIFT;
        long aux = geo.descTable() + page * PageDescriptor.BYTES + PageDescriptor.AUX;
        assertEquals(firstPage, word(aux), "the interior page names its span's head");
        setWord(aux, -3L); // a stray write into the descriptor table
        long bad = interior;
        InvalidPointerException e = assertThrows(InvalidPointerException.class, () -> spa.freeOffset(CTX, bad));
        assertTrue(e.getMessage().contains("inside a run"), e.getMessage());
    }

    /** The class entry of class {@code c} in the shard that has live blocks of it. */
    private long liveEntry(int c) {
        for (int s = 0; s < h.shardCount(); s++) {
            long e = ShardLayout.entry(h.geometry().shard(s), c);
            if (word(e + ShardLayout.LIVE) != 0) {
                return e;
            }
        }
        throw new AssertionError("no shard has live blocks of class " + c);
    }

    @Test
    void checkFindsACorruptedCounter() {
        long off = spa.allocateOffset(CTX, 100);
        spa.check();
        long at = liveEntry(SizeClasses.classOf(100)) + ShardLayout.LIVE;
        setWord(at, 5L);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, spa::check);
        assertTrue(e.getMessage().contains("live blocks of class 112 in shard"), e.getMessage());
        setWord(at, 1L);
        spa.freeOffset(CTX, off);
        spa.check();
    }

    /** Wipes the derived state of the whole heap, as a process that died in the middle of everything would. */
    private void wipeDerivedState() {
        HeapHeader.Geometry geo = h.geometry();
        for (int li = 0; li < PageHeapLayout.LISTS; li++) {
            setWord(geo.pageHeap() + PageHeapLayout.RUN_LISTS + 8L * li, PageDescriptor.NO_PAGE);
        }
        setWord(geo.pageHeap() + PageHeapLayout.FREE_PAGES, 0);
        for (int s = 0; s < h.shardCount(); s++) {
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                long e = ShardLayout.entry(geo.shard(s), c);
                setWord(e + ShardLayout.LIVE, 0L);
                setWord(e + ShardLayout.SPAN_HEAD, PageDescriptor.NO_PAGE);
            }
        }
    }

    @Test
    void deadOwnersOfEveryLockAreTakenOverAndTheirStructuresRebuilt() throws Exception {
        List<Long> offs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            offs.add(spa.allocateOffset(CTX, 16 + i * 40));
        }
        for (int i = 0; i < offs.size(); i += 2) {
            spa.freeOffset(CTX, offs.get(i));
        }
        long liveBytes = spa.bytesInUse();
        wipeDerivedState();
        long dead = (deadPid() << 32) | 5;
        setWord(h.geometry().pageHeap() + PageHeapLayout.LOCK + RobustLock.OWNER, dead);
        for (int s = 0; s < h.shardCount(); s++) {
            setWord(h.geometry().shard(s) + ShardLayout.LOCK + RobustLock.OWNER, dead);
        }
        long off = spa.allocateOffset(CTX, 64); // waits ~1 ms per lock, sees the dead owner, recovers, repairs
        assertTrue(h.lockRecoveries() >= 2, "a shard's lock and the page heap's: " + h.lockRecoveries());
        spa.freeOffset(CTX, off);
        assertEquals(h.shardCount() + 1 - h.lockRecoveries(), spa.reclaimDeadProcesses(), "the rest, all at once");
        assertEquals(h.shardCount() + 1, h.lockRecoveries(), "every lock was recovered once");
        spa.check();
        assertEquals(liveBytes, spa.bytesInUse());
        for (int i = 1; i < offs.size(); i += 2) {
            spa.freeOffset(CTX, offs.get(i));
        }
        assertEquals(0, spa.bytesInUse());
        spa.check();
    }

    @Test
    void aDeadOwnerOfThePageHeapAloneIsRepairedWithoutTouchingTheShards() throws Exception {
        long small = spa.allocateOffset(CTX, 48);
        long large = spa.allocateOffset(CTX, 200_000);
        spa.freeOffset(CTX, large);
        setWord(h.geometry().pageHeap() + PageHeapLayout.RUN_LISTS + 8L * 0, PageDescriptor.NO_PAGE); // lost a list
        setWord(h.geometry().pageHeap() + PageHeapLayout.LOCK + RobustLock.OWNER, (deadPid() << 32) | 9);
        long again = spa.allocateOffset(CTX, 200_000);
        assertEquals(1, h.lockRecoveries());
        spa.freeOffset(CTX, again);
        spa.freeOffset(CTX, small);
        spa.check();
        assertEquals(0, spa.bytesInUse());
    }

    @Test
    void attachRejectsARegionThatIsNotItsHeap() {
        ThreadModel tm = ThreadModel.current();
        long size = backend.dataSize();
        CorruptSegmentException wrongType = assertThrows(CorruptSegmentException.class, () -> Heap.attach(
                spa.memory(), 0, size, ID, HeapHeader.TYPE_THREAD_LOCAL, "thread_local", tm));
        assertTrue(wrongType.getMessage().contains("type mismatch"), wrongType.getMessage());
        CorruptSegmentException wrongSize = assertThrows(CorruptSegmentException.class, () -> Heap.attach(
                spa.memory(), 0, size - 4096, ID, HeapHeader.TYPE_SCALABLE_PAGE, "scalable_page", tm));
        assertTrue(wrongSize.getMessage().contains("geometry"), wrongSize.getMessage());
        CorruptSegmentException wrongId = assertThrows(CorruptSegmentException.class, () -> Heap.attach(
                spa.memory(), 0, size, AllocatorId.of(4, 3), HeapHeader.TYPE_SCALABLE_PAGE, "scalable_page", tm));
        assertTrue(wrongId.getMessage().contains("id mismatch"), wrongId.getMessage());
        CorruptSegmentException notAHeap = assertThrows(CorruptSegmentException.class, () -> Heap.attach(
                spa.memory(), 4096, 8L << 20, ID, HeapHeader.TYPE_SCALABLE_PAGE, "scalable_page", tm));
        assertTrue(notAHeap.getMessage().contains("bad magic"), notAHeap.getMessage());
        backend.data().set(ValueLayout.JAVA_INT, HeapHeader.SHARD_COUNT, 1_000_000);
        CorruptSegmentException badShards = assertThrows(CorruptSegmentException.class, () -> Heap.attach(
                spa.memory(), 0, size, ID, HeapHeader.TYPE_SCALABLE_PAGE, "scalable_page", tm));
        assertTrue(badShards.getMessage().contains("shards=1000000"), badShards.getMessage());
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

    @Test
    void eachSentinelHasOneMeaningAndIsNeverAValidValue() {
        assertTrue(PageDescriptor.MAX_PAGES < PageDescriptor.NO_PAGE, "no page index equals NO_PAGE");
        assertTrue(h.geometry().pageCount() <= PageDescriptor.MAX_PAGES);
        assertEquals(-1L, FreeBlock.NO_OFFSET, "the api's null offset");
        assertEquals(dev.hshm.api.OffsetPointer.NULL_OFFSET, Heap.NO_OFFSET);
        assertEquals(0, PageDescriptor.NO_KIND);
        assertEquals("NO_KIND", PageDescriptor.kindName(PageDescriptor.NO_KIND));
        assertEquals(SizeClasses.NO_CLASS, SizeClasses.classOf(SizeClasses.MAX_SMALL + 1));
        assertEquals(SizeClasses.NO_BLOCK, SizeClasses.blockIndex(0, 8));
    }

    @Test
    void ownerWordsSayWhoHoldsAWord() {
        long me = OwnerWords.currentThread();
        assertTrue(OwnerWords.isOurs(me));
        assertEquals(ProcessHandle.current().pid(), OwnerWords.pidOf(me));
        assertTrue(OwnerWords.describe(me).matches("pid \\d+ thread \\d+"), OwnerWords.describe(me));
        assertTrue(OwnerWords.describe(OwnerWords.stripe(3)).endsWith("stripe 3"));
        assertTrue(OwnerWords.describe(OwnerWords.reclaimer()).contains("reclaimer thread"));
        assertTrue(OwnerWords.reclaimer() != me && OwnerWords.stripe(0) != me);
        assertEquals("free", OwnerWords.describe(OwnerWords.FREE));
        assertTrue(!OwnerWords.isOurs(OwnerWords.FREE));
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
