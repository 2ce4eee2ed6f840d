package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShmLongLongMapTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 4, 16);
        Map<Long, Long> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            long k = rnd.nextLong(5_000) - 2_500; // negative keys, 0 and -1 included
            int op = rnd.nextInt(10);
            if (op < 5) {
                long v = rnd.nextLong();
                assertEquals(!model.containsKey(k), m.put(k, v), "put " + k);
                model.put(k, v);
            } else if (op < 7) {
                assertEquals(model.remove(k) != null, m.remove(k), "remove " + k);
            } else {
                assertEquals(model.getOrDefault(k, Long.MIN_VALUE), m.get(k, Long.MIN_VALUE), "get " + k);
                assertEquals(model.containsKey(k), m.containsKey(k));
            }
        }
        assertEquals(model.size(), m.size());
        assertEquals(model.size(), m.check());
        Map<Long, Long> seen = new HashMap<>();
        m.forEach(seen::put);
        assertEquals(model, seen);
        ShmLongLongMap other = ShmLongLongMap.attach(dir, "m");
        model.forEach((k, v) -> assertEquals(v, other.get(k, 0)));
    }

    @Test
    void growsFromTheSmallestTable() {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 1, 0);
        for (long i = 0; i < 100_000; i++) {
            assertTrue(m.put(i * 1_000_003, i));
        }
        for (long i = 0; i < 100_000; i++) {
            assertEquals(i, m.get(i * 1_000_003, -1));
        }
        assertEquals(100_000, m.check());
        assertEquals(-1, m.get(7, -1));
        assertEquals(5, m.merge(7, 0, 5, Long::sum));
        assertEquals(8, m.merge(7, 0, 3, Long::sum));
    }

    @Test
    void destroyGivesTheMemoryBack() {
        long before = heap.allocator.bytesInUse();
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 8, 10);
        for (long i = 0; i < 20_000; i++) {
            m.put(i, i);
        }
        m.destroy(dir);
        assertEquals(before, heap.allocator.bytesInUse());
    }

    @Test
    void threadsWriteDisjointKeysWhileOthersRead() throws Exception {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 4, 64);
        int n = 50_000;
        Thread[] ts = new Thread[4];
        Throwable[] failure = new Throwable[ts.length];
        for (int k = 0; k < ts.length; k++) {
            int id = k;
            ts[k] = new Thread(() -> {
                try {
                    if (id < 2) {
                        for (long i = 0; i < n; i++) {
                            m.put(i * 2 + id, (i * 2 + id) * 3);
                        }
                    } else {
                        SplittableRandom rnd = new SplittableRandom(id);
                        for (int i = 0; i < 200_000; i++) {
                            long key = rnd.nextLong(2L * n);
                            long v = m.get(key, -1);
                            if (v != -1 && v != key * 3) {
                                throw new AssertionError("key " + key + " read " + v);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure[id] = t;
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        for (Throwable t : failure) {
            if (t != null) {
                throw new AssertionError(t);
            }
        }
        assertEquals(2L * n, m.check());
    }

    @Test
    void attachRejectsAnotherType() {
        ShmHashMap.create(dir, "h", 1, 1, 8, 8);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> ShmLongLongMap.attach(dir, "h"));
        assertTrue(e.getMessage().contains("found type=4 (hash map)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShmLongLongMap.create(dir, "bad", 3, 1));
    }

    private MemorySegment header(String name) {
        return dir.attach(name).memory();
    }

    @Test
    void aCorruptTableOffsetIsAnExceptionNotAHang() {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 1, 1);
        m.put(1, 1);
        header("m").set(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_TABLE, 1L << 60);
        ShmLongLongMap a = ShmLongLongMap.attach(dir, "m");
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> a.get(1, 0));
        assertTrue(e.getMessage().contains("TABLE=" + (1L << 60)), e.getMessage());
        assertThrows(CorruptSegmentException.class, () -> a.put(2, 2));
    }

    @Test
    void aCorruptTableCapacityOrCountIsAnException() {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 1, 1);
        m.put(1, 1);
        MemorySegment h = header("m");
        long table = h.get(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_TABLE);
        MemorySegment t = heap.allocator.resolve(table, MapLayout.T_SLOTS);
        long cap = t.get(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY);
        t.set(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY, 12);
        CorruptSegmentException c = assertThrows(CorruptSegmentException.class,
                () -> ShmLongLongMap.attach(dir, "m").get(1, 0));
        assertTrue(c.getMessage().contains("CAPACITY=12"), c.getMessage());
        t.set(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY, cap);
        h.set(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_USED, -5);
        CorruptSegmentException u = assertThrows(CorruptSegmentException.class, () -> m.put(3, 3));
        assertTrue(u.getMessage().contains("USED=-5"), u.getMessage());
        h.set(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_J_STATE, 9);
        CorruptSegmentException j = assertThrows(CorruptSegmentException.class, () -> m.put(3, 3));
        assertTrue(j.getMessage().contains("J_STATE=9"), j.getMessage());
        assertFalse(ShmMutex.embedded(h, MapSegments.desc(0) + MapLayout.S_LOCK, "x").isLocked(),
                "a failed repair released the segment lock");
    }

    @Test
    void anOddSequenceNobodyHoldsIsRepairedByAReaderNotSpunOn() {
        ShmLongLongMap m = ShmLongLongMap.create(dir, "m", 1, 1);
        m.put(1, 11);
        MemorySegment h = header("m");
        h.set(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_SEQ, 7); // a writer's odd sequence, no writer
        long start = System.nanoTime();
        assertEquals(11, m.get(1, 0));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the reader waited for the odd sequence");
        assertEquals(0, h.get(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_SEQ) & 1, "repaired to even");
        assertEquals(1, m.repairs());
        assertEquals(1, m.check());
    }
}
