package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
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

    private static final AllocatorId ID = AllocatorId.of(8, 3);
    private static final MemContext CTX = MemContext.DEFAULT;

    /** A heap with live, free and cached blocks; the held ones are pattern-filled. */
    private record Fixture(MallocBackend b, Allocator a, Heap h, List<Long> held) {
        static Fixture make(String type, long seed) {
            MallocBackend b = MallocBackend.create(MemoryBackendId.get(13), 2L << 20);
            Allocator a = CrashScenarios.provider(type).create(b, ID, 0, b.dataSize(), 0);
            Heap h = Heap.attach(b.data(), 0, b.dataSize(), ID, CrashScenarios.typeCode(type), type,
                    ThreadModel.current());
            SplittableRandom r = new SplittableRandom(seed);
            List<Long> held = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long size = i % 13 == 0 ? 70_000 : r.nextLong(1, 6000);
                long off = a.allocateOffset(CTX, size);
                if (i % 2 == 0) {
                    a.freeOffset(CTX, off);
                } else {
                    a.memory().asSlice(off, a.usableSize(off)).fill((byte) off);
                    held.add(off);
                }
            }
            return new Fixture(b, a, h, held);
        }
    }

    /** Attaches a second allocator and allocates, frees and checks; throws what the heap throws. */
    private static void use(Fixture f, String type) {
        Allocator a = CrashScenarios.provider(type).attach(f.b(), ID, 0, f.b().dataSize());
        a.reclaimDeadProcesses();
        List<Long> mine = new ArrayList<>();
        for (long size : new long[] {16, 100, 700, 3000, 20_000, 70_000, 48, 5000}) {
            long off = a.allocateOffset(CTX, size);
            a.memory().asSlice(off, size).fill((byte) 0x11);
            mine.add(off);
        }
        for (long off : f.held()) {
            long size = f.a().usableSize(off);
            for (long i = 0; i < size; i++) {
                if (a.memory().get(ValueLayout.JAVA_BYTE, off + i) != (byte) off) {
                    throw new SilentOverlap();
                }
            }
        }
        for (long off : mine) {
            a.freeOffset(CTX, off);
        }
        for (long off : f.held()) {
            a.freeOffset(CTX, off);
        }
        a.freeTls(CTX);
        a.check();
    }

    /** A block handed out over a live one: the corruption went undetected. */
    private static final class SilentOverlap extends RuntimeException {
        SilentOverlap() {
            super("a block was handed out over a live one", null, false, false);
        }
    }

    private static void setWord(Fixture f, long at, long v) {
        f.b().data().set(ValueLayout.JAVA_LONG, at, v);
    }

    @Test
    void aRunListLinkBeyondTheTableIsACorruptSegmentNamingIt() {
        Fixture f = Fixture.make(Allocator.SCALABLE_PAGE, 1);
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
        Fixture f = Fixture.make(Allocator.THREAD_LOCAL, 2);
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
        Fixture f = Fixture.make(Allocator.THREAD_LOCAL, 3);
        f.b().data().set(ValueLayout.JAVA_INT, HeapHeader.SLOT_COUNT, 0);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> CrashScenarios.provider(Allocator.THREAD_LOCAL).attach(f.b(), ID, 0, f.b().dataSize()));
        assertTrue(e.getMessage().contains("SLOT_COUNT") && e.getMessage().contains("value=0"), e.getMessage());
        f.b().destroy();
    }

    @Test
    void aLockOwnerThatCannotBeProvenAliveIsTakenOverAfterABoundedWait() {
        Fixture f = Fixture.make(Allocator.SCALABLE_PAGE, 4);
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
                Fixture f = Fixture.make(type, i);
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
                Future<?> run = exec.submit(() -> use(f, type));
                String outcome;
                try {
                    run.get(20, TimeUnit.SECONDS);
                    outcome = "result";
                } catch (TimeoutException hang) {
                    throw new AssertionError(where + ": no result after 20 s (a hang)");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (!(c instanceof HshmException) && !(c instanceof SilentOverlap)) {
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
