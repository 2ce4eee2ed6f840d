package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Corrupt heap metadata, then attach and use the heap as another process would: every outcome is a result or one
 * of the library's exceptions (never a JDK exception from an unchecked index, never a hang). Crafted cases check
 * the messages; a seeded run of random and crafted edits counts the outcomes.
 */
class CorruptionTest {

    private static final AllocatorId ID = CorruptHeaps.ID;
    private static final MemContext CTX = MemContext.DEFAULT;

    private static void setWord(CorruptHeaps.Fixture f, long at, long v) {
        f.b().data().set(ValueLayout.JAVA_LONG, at, v);
    }

    @Test
    void aRunListLinkBeyondTheTableIsACorruptSegmentNamingIt() {
        CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(Allocator.SCALABLE_PAGE, 1);
        HeapHeader.Geometry g = f.h().geometry();
        for (int li = 0; li < PageHeapLayout.LISTS; li++) {
            setWord(f, g.pageHeap() + PageHeapLayout.RUN_LISTS + 8L * li, 1L << 31); // every list head far away
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> f.a().check());
        assertTrue(e.getMessage().contains("page index out of range") && e.getMessage().contains("run list"),
                e.getMessage());
        f.b().destroy();
    }

    @Test
    void aDescriptorIndexOutOfTheTableIsNamedNotAnIndexError() {
        CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(Allocator.THREAD_LOCAL, 2);
        Descriptors d = f.h().d;
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> d.get(d.pageCount + 5,
                PageDescriptor.LINKS));
        assertTrue(e.getMessage().contains("page=" + (d.pageCount + 5)) && e.getMessage().contains("field=LINKS"),
                e.getMessage());
        CorruptSegmentException outside = assertThrows(CorruptSegmentException.class, () -> f.h().w.get(1L << 40));
        assertTrue(outside.getMessage().contains("outside the backend"), outside.getMessage());
        f.b().destroy();
    }

    @Test
    void aThreadLocalHeapWithNoSlotsIsRefusedAtAttach() {
        CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(Allocator.THREAD_LOCAL, 3);
        f.b().data().set(ValueLayout.JAVA_INT, HeapHeader.SLOT_COUNT, 0);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> CrashScenarios.provider(Allocator.THREAD_LOCAL).attach(f.b(), ID, 0, f.b().dataSize()));
        assertTrue(e.getMessage().contains("SLOT_COUNT") && e.getMessage().contains("value=0"), e.getMessage());
        f.b().destroy();
    }

    @Test
    void aLockOwnerThatCannotBeProvenAliveIsTakenOverAfterABoundedWait() {
        CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(Allocator.SCALABLE_PAGE, 4);
        HeapHeader.Geometry g = f.h().geometry();
        setWord(f, g.pageHeap() + PageHeapLayout.LOCK + RobustLock.OWNER, (1L << 32) | 5); // pid 1: always running
        setWord(f, g.pageHeap() + PageHeapLayout.LOCK + RobustLock.OWNER_START, 0L); // start unknown
        long t0 = System.nanoTime();
        long off = f.a().allocateOffset(CTX, 200_000); // needs the page heap's lock
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= RobustLock.UNPROVEN_OWNER_NANOS, "waited " + waited + " ns");
        assertEquals(1, f.h().pages.lock.recoveries());
        f.a().freeOffset(CTX, off);
        f.a().check();
        f.b().destroy();
    }

    @Test
    void randomAndCraftedEditsOfTheMetadataEndInAResultOrTheLibrarysException() throws Exception {
        int cases = Integer.getInteger("hshm.corruption.cases", 400);
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService exec = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "corruption-case");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < cases; i++) {
                String type = i % 2 == 0 ? Allocator.THREAD_LOCAL : Allocator.SCALABLE_PAGE;
                SplittableRandom r = new SplittableRandom(1000 + i);
                CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(type, i);
                HeapHeader.Geometry g = f.h().geometry();
                long frontier = f.h().pages.frontier();
                long lo = g.pageHeap();
                long hi = g.descTable() + frontier * PageDescriptor.BYTES;
                long at = lo + 8 * r.nextLong(0, (hi - lo) / 8);
                MemorySegment data = f.b().data();
                long old = data.get(ValueLayout.JAVA_LONG, at);
                long v = switch (r.nextInt(9)) {
                    case 0 -> r.nextLong();
                    case 1 -> -1L;
                    case 2 -> 0L;
                    case 3 -> g.pageCount() + r.nextLong(0, 3);
                    case 4 -> old ^ (1L << r.nextInt(64));
                    case 5 -> PageDescriptor.NO_PAGE;
                    case 6 -> (old & 0xFFFF_FFFFL) | (r.nextLong(1, 1L << 20) << 32); // a huge high half
                    case 7 -> old + r.nextLong(-3, 4);
                    default -> 1L << r.nextInt(20, 62);
                };
                data.set(ValueLayout.JAVA_LONG, at, v);
                String where = "case " + i + " (" + type + "): word at data offset " + at + " 0x"
                        + Long.toHexString(old) + " -> 0x" + Long.toHexString(v);
                Future<?> run = exec.submit(() -> CorruptHeaps.use(f, type));
                String outcome;
                try {
                    run.get(20, TimeUnit.SECONDS);
                    outcome = "result";
                } catch (TimeoutException hang) {
                    throw new AssertionError(where + ": no result after 20 s (a hang)");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (!(c instanceof HshmException) && !(c instanceof CorruptHeaps.SilentOverlap)) {
                        throw new AssertionError(where + ": not one of the library's exceptions: " + c, c);
                    }
                    outcome = c.getClass().getSimpleName();
                }
                outcomes.merge(outcome, 1, Integer::sum);
                f.b().destroy();
            }
        } finally {
            exec.shutdownNow();
        }
        // SilentOverlap (undetected corruption) is counted, not failed: detecting every edit is issue 12 part 3's
        // remaining work (docs/heap-crash-consistency.md)
        System.out.println("corruption cases: " + cases + ", outcomes: " + outcomes);
        assertEquals(cases, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }
}
