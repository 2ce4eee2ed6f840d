package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MpmcQueueTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void fifoFullEmptyAndWrap() {
        MpmcQueue q = MpmcQueue.create(dir, "q", 4, 8);
        assertTrue(q.pollLong().isEmpty());
        long expect = 0;
        long next = 0;
        for (int round = 0; round < 50; round++) {
            while (q.offer(next)) {
                next++;
            }
            assertEquals(expect++, q.pollLong().orElseThrow());
            assertEquals(expect++, q.pollLong().orElseThrow());
        }
        for (OptionalLong v; (v = q.pollLong()).isPresent(); ) {
            assertEquals(expect++, v.getAsLong());
        }
        assertEquals(next, expect);
        assertThrows(IllegalArgumentException.class, () -> MpmcQueue.bytesFor(6, 8));
        assertThrows(IllegalArgumentException.class, () -> MpmcQueue.bytesFor(8, 4));
    }

    @Test
    void manyProducersManyConsumersNothingLostOrDuplicated() throws Exception {
        MpmcQueue.create(dir, "q", 64, 8);
        int each = 20_000;
        List<Thread> ts = new ArrayList<>();
        ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
        AtomicLong taken = new AtomicLong();
        for (int p = 0; p < 3; p++) {
            long base = (long) p << 32;
            ts.add(new Thread(() -> {
                MpmcQueue q = MpmcQueue.attach(dir, "q");
                for (long i = 0; i < each; i++) {
                    while (!q.offer(base | i)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        for (int c = 0; c < 3; c++) {
            ts.add(new Thread(() -> {
                MpmcQueue q = MpmcQueue.attach(dir, "q");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (taken.get() < 3L * each && System.nanoTime() < deadline) {
                    OptionalLong v = q.pollLong();
                    if (v.isPresent()) {
                        assertTrue(seen.putIfAbsent(v.getAsLong(), true) == null, "duplicate " + v);
                        taken.incrementAndGet();
                    }
                }
            }));
        }
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        ts.forEach(t -> t.setUncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e)));
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a thread failed", failure.get());
        }
        assertEquals(3L * each, seen.size());
    }

    @Test
    void aDeadProducersSlotIsSkippedAndADeadConsumersSlotIsFreed() throws Exception {
        MpmcQueue q = MpmcQueue.create(dir, "q", 2, 8);
        MemorySegmentAccess m = new MemorySegmentAccess(dir.attach("q").memory());
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = Owner.of(gone.pid(), 0);
        // a producer took position 0 and died before publishing it
        Words.put(m.seg, MpmcLayout.TAIL, 1L);
        Words.put(m.seg, MpmcLayout.SLOTS + MpmcLayout.S_HOLDER_POS, 0L);
        Words.put(m.seg, MpmcLayout.SLOTS + MpmcLayout.S_HOLDER, dead);
        assertTrue(q.offer(11L));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        OptionalLong v = OptionalLong.empty();
        while (v.isEmpty() && System.nanoTime() < deadline) {
            v = q.pollLong();
        }
        assertEquals(11L, v.orElseThrow());
        assertEquals(1, q.repairs());
        // a consumer took position 2 and died before freeing its slot: producers at position 4 repair it
        assertTrue(q.offer(12L));
        long stride = MpmcLayout.stride(8);
        long slot0 = MpmcLayout.SLOTS;
        assertEquals(3L, Words.get(m.seg, slot0 + MpmcLayout.S_SEQ));
        Words.put(m.seg, MpmcLayout.HEAD, 3L);
        Words.put(m.seg, slot0 + MpmcLayout.S_HOLDER_POS, 2L | MpmcLayout.CONSUMER);
        Words.put(m.seg, slot0 + MpmcLayout.S_HOLDER, dead);
        assertTrue(q.offer(13L)); // position 3, slot 1
        boolean offered = false;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!offered && System.nanoTime() < deadline) {
            offered = q.offer(14L); // position 4 needs slot 0
        }
        assertTrue(offered);
        assertEquals(2, q.repairs());
        assertEquals(13L, q.pollLong().orElseThrow());
        assertEquals(14L, q.pollLong().orElseThrow());
        assertFalse(q.pollLong().isPresent());
        assertTrue(stride > 8);
    }

    @Test
    void aCorruptSequenceIsAnException() {
        MpmcQueue q = MpmcQueue.create(dir, "q", 4, 8);
        Words.put(dir.attach("q").memory(), MpmcLayout.SLOTS + MpmcLayout.S_SEQ, 1L << 40);
        assertThrows(CorruptSegmentException.class, () -> q.offer(1L));
    }

    private record MemorySegmentAccess(java.lang.foreign.MemorySegment seg) {
    }
}
