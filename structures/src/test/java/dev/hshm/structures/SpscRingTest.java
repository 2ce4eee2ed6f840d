package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpscRingTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void fifoAcrossManyWrapsWithFullAndEmpty() {
        SpscRing p = SpscRing.create(dir, "q", 8, 8);
        SpscRing c = SpscRing.attach(dir, "q");
        assertTrue(c.pollLong().isEmpty());
        long next = 0;
        long expect = 0;
        for (int round = 0; round < 100; round++) {
            while (p.offer(next)) {
                next++;
            }
            assertEquals(8, p.size(), "full at capacity");
            for (int i = 0; i < 5; i++) {
                assertEquals(expect++, c.pollLong().orElseThrow());
            }
        }
        for (OptionalLong v; (v = c.pollLong()).isPresent(); ) {
            assertEquals(expect++, v.getAsLong());
        }
        assertEquals(next, expect, "nothing lost or duplicated");
        assertEquals(0, c.size());
    }

    @Test
    void fixedSizeRecordsAndBatchDrain() {
        SpscRing r = SpscRing.create(dir, "rec", 16, 24);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rec = arena.allocate(24, 8);
            for (int i = 0; i < 10; i++) {
                rec.set(ValueLayout.JAVA_LONG, 0, i);
                rec.set(ValueLayout.JAVA_LONG, 16, -i);
                assertTrue(r.offer(rec));
            }
            List<Long> seen = new ArrayList<>();
            assertEquals(4, r.drain((b, off) -> {
                assertEquals(-b.get(ValueLayout.JAVA_LONG, off), b.get(ValueLayout.JAVA_LONG, off + 16));
                seen.add(b.get(ValueLayout.JAVA_LONG, off));
            }, 4));
            MemorySegment out = arena.allocate(24, 8);
            assertTrue(r.poll(out));
            assertEquals(4L, out.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(5, r.drain((b, off) -> seen.add(b.get(ValueLayout.JAVA_LONG, off)), 100));
            assertEquals(List.of(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L), seen);
            assertThrows(IllegalArgumentException.class, () -> r.offer(arena.allocate(16, 8)));
        }
    }

    @Test
    void badCapacitiesAndElementSizesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpscRing.bytesFor(12, 8));
        assertTrue(e.getMessage().contains("power of two") && e.getMessage().contains("capacity=12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpscRing.bytesFor(0, 8));
        assertThrows(IllegalArgumentException.class, () -> SpscRing.bytesFor(8, 12));
        assertThrows(IllegalArgumentException.class, () -> SpscRing.bytesFor(8, 0));
        assertThrows(IllegalArgumentException.class, () -> SpscRing.create(dir, "q", 1L << 31, 8));
    }

    @Test
    void openOrCreateRefusesAnotherShape() {
        SpscRing.openOrCreate(dir, "q", 8, 8);
        assertEquals(8, SpscRing.openOrCreate(dir, "q", 8, 8).capacity());
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> SpscRing.openOrCreate(dir, "q", 16, 8));
        assertTrue(e.getMessage().contains("capacity=8") && e.getMessage().contains("capacity=16"), e.getMessage());
    }

    @Test
    void attachRefusesAnotherTypeOrVersionNamingBoth() {
        MpscRing.create(dir, "m", 1024);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SpscRing.attach(dir, "m"));
        assertTrue(e.getMessage().contains("spsc") && e.getMessage().contains("mpsc"), e.getMessage());
        NamedObject o = dir.create("v", SpscRing.bytesFor(8, 8), m -> SpscRing.format(m, 8, 8));
        Words.putInt(o.memory(), QueueHeader.VERSION_OFFSET, 9);
        e = assertThrows(CorruptSegmentException.class, () -> SpscRing.attach(dir, "v"));
        assertTrue(e.getMessage().contains("expected version=1") && e.getMessage().contains("found version=9"),
                e.getMessage());
        Words.putInt(o.memory(), QueueHeader.VERSION_OFFSET, 1);
        Words.put(o.memory(), QueueHeader.MAGIC_OFFSET, 0x1234L);
        assertThrows(CorruptSegmentException.class, () -> SpscRing.attach(dir, "v"));
    }

    @Test
    void aCorruptIndexIsAnExceptionNeverAHang() {
        SpscRing r = SpscRing.create(dir, "q", 8, 8);
        MemorySegment m = dir.attach("q").memory();
        Words.put(m, SpscLayout.TAIL, 1_000_000L);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, r::pollLong);
        assertTrue(e.getMessage().contains("tail=1000000"), e.getMessage());
        SpscRing p = SpscRing.attach(dir, "q");
        Words.put(m, SpscLayout.TAIL, 0L);
        Words.put(m, SpscLayout.HEAD, 99L);
        assertThrows(CorruptSegmentException.class, () -> p.offer(1L));
        Words.put(m, QueueHeader.CAPACITY_OFFSET, 12L);
        e = assertThrows(CorruptSegmentException.class, () -> SpscRing.attach(dir, "q"));
        assertTrue(e.getMessage().contains("capacity=12"), e.getMessage());
    }

    @Test
    void aConsumerWaitingOnAnEmptyRingWhoseProducerDiedGetsAnException() throws Exception {
        SpscRing c = SpscRing.create(dir, "q", 4, 8);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Words.put(dir.attach("q").memory(), QueueHeader.PRODUCER_OFFSET, Owner.of(gone.pid(), 0));
        dev.hshm.api.StateException e = assertThrows(dev.hshm.api.StateException.class,
                () -> c.takeLong(TimeUnit.SECONDS.toNanos(30)));
        assertTrue(e.getMessage().contains("producer") && e.getMessage().contains("pid " + gone.pid()), e.getMessage());
    }

    @Test
    void blockingTakeTimesOutThenPutWakesIt() throws Exception {
        SpscRing c = SpscRing.create(dir, "q", 4, 8);
        assertTrue(c.takeLong(TimeUnit.MILLISECONDS.toNanos(20)).isEmpty(), "timed out on an empty ring");
        SpscRing p = SpscRing.attach(dir, "q");
        Thread producer = putting(p, 1000);
        for (long i = 0; i < 1000; i++) {
            assertEquals(i, c.takeLong(TimeUnit.SECONDS.toNanos(10)).orElseThrow());
        }
        producer.join();
        assertFalse(p.put(0, 0) && p.put(1, 0) && p.put(2, 0) && p.put(3, 0) && p.put(4, 0), "a full ring times out");
    }

    @Test
    void theBlockingBatchTakeTimesOutHandsElementsInOrderAndThrowsOnADeadProducer() throws Exception {
        SpscRing c = SpscRing.create(dir, "q", 8, 8);
        List<Long> got = new ArrayList<>();
        ElementHandler into = (buf, off) -> got.add(buf.get(ValueLayout.JAVA_LONG, off));
        assertEquals(0, c.take(into, 4, TimeUnit.MILLISECONDS.toNanos(20)), "timed out on an empty ring");
        SpscRing p = SpscRing.attach(dir, "q");
        Thread producer = putting(p, 1000);
        while (got.size() < 1000) {
            int n = c.take(into, 4, TimeUnit.SECONDS.toNanos(10));
            assertTrue(n >= 1 && n <= 4, "a batch of 1..4: " + n);
        }
        producer.join();
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, got.get(i));
        }
        assertThrows(IllegalArgumentException.class, () -> c.take(into, 0, 0));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Words.put(dir.attach("q").memory(), QueueHeader.PRODUCER_OFFSET, Owner.of(gone.pid(), 0));
        assertThrows(dev.hshm.api.StateException.class, () -> c.take(into, 4, TimeUnit.SECONDS.toNanos(30)));
    }

    /** A started thread that puts 0 .. n-1 into {@code p}, blocking while the ring is full. */
    private static Thread putting(SpscRing p, long n) {
        Thread producer = new Thread(() -> {
            try {
                for (long i = 0; i < n; i++) {
                    assertTrue(p.put(i, TimeUnit.SECONDS.toNanos(10)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        return producer;
    }
}
