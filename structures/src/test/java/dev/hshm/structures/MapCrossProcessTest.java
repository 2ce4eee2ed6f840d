package dev.hshm.structures;

import dev.hshm.testkit.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hash maps between JVMs: a stress of three JVMs with two threads each doing random put/get/remove whose
 * final contents reconcile with what each thread says it committed ({@code -Dhshm.stress.seconds}, 5 by default
 * in the build, {@code -Dhshm.stress.seconds=20} for the long run); a writer SIGKILLed at each step of a change
 * while it holds the segment lock; growth while another JVM reads.
 */
@EnabledOnOs(OS.LINUX)
class MapCrossProcessTest {

    private final TestHeap heap = TestHeap.create(dev.hshm.api.Allocator.THREAD_LOCAL, 256L << 20);
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    private String major() {
        return "" + heap.allocatorId.major();
    }

    @Test
    void threeJvmsTimesTwoThreadsReconcileWithWhatEachCommitted() throws Exception {
        long seconds = Long.getLong("hshm.stress.seconds", 5);
        ShmHashMap m = ShmHashMap.create(dir, "stress", 16, 64, 16, 100); // small: it grows while they run
        List<ChildJvm> kids = new ArrayList<>();
        long checks = 0;
        try {
            for (int k = 0; k < 3; k++) {
                kids.add(Children.startMain(ContainerChild.class, "map-stress", heap.url, major(), "stress", "" + 10 * k,
                        "" + seconds * 1000));
            }
            // this JVM reads while they write: every value found must carry its key's checksum
            SplittableRandom rnd = new SplittableRandom(9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 120);
            while (kids.stream().anyMatch(c -> c.process().isAlive()) && System.nanoTime() < deadline) {
                byte[] key = ContainerChild.key(rnd.nextInt(3) * 10L + rnd.nextInt(2), rnd.nextInt(2_000));
                byte[] v = m.get(key);
                if (v != null) {
                    ContainerChild.checkValue(key, v);
                    checks++;
                }
            }
            Map<Long, long[]> said = new HashMap<>();
            long ops = 0;
            for (ChildJvm c : kids) {
                assertEquals(0, c.waitFor(60), c.lines().toString());
                for (String l : c.lines()) {
                    if (l.startsWith("digest ")) {
                        String[] f = l.split(" ");
                        said.put(Long.parseLong(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                        ops += Long.parseLong(f[5]);
                    }
                }
            }
            assertEquals(Set.of(0L, 1L, 10L, 11L, 20L, 21L), said.keySet());
            Map<Long, long[]> found = new HashMap<>();
            m.forEach((k, v) -> {
                byte[] key = k.toArray(ValueLayout.JAVA_BYTE);
                ContainerChild.checkValue(key, v.toArray(ValueLayout.JAVA_BYTE));
                long[] d = found.computeIfAbsent(ContainerChild.owner(k), o -> new long[2]);
                d[0]++;
                d[1] += v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            });
            for (Map.Entry<Long, long[]> e : said.entrySet()) {
                long[] f = found.getOrDefault(e.getKey(), new long[2]);
                assertEquals(e.getValue()[0], f[0], "entries of thread " + e.getKey());
                assertEquals(e.getValue()[1], f[1], "checksum sum of thread " + e.getKey());
            }
            assertEquals(m.size(), m.check());
            assertTrue(checks > 0, "this JVM read nothing");
            System.out.println("map stress: " + seconds + " s, 3 JVMs x 2 threads, " + ops + " operations, " + checks
                    + " checked reads by this JVM, " + m.size() + " entries at the end");
        } finally {
            for (ChildJvm c : kids) {
                c.close();
            }
        }
    }

    /** Whether the change in flight at {@code step} is rolled forward by the repair (else it is absent). */
    private static boolean rolledForward(String step) {
        return Set.of("journaled", "half-written", "counted", "published").contains(step);
    }

    /** Whether SEQ is odd at {@code step}: lock-free readers then wait for the repair. */
    private static boolean oddAt(String step) {
        return Set.of("half-written", "counted", "table-swapped").contains(step);
    }

    @ParameterizedTest(name = "{0} writer killed at {1}")
    @CsvSource({"bytes,building", "bytes,journaled", "bytes,half-written", "bytes,counted", "bytes,published",
        "bytes,table-journaled", "bytes,table-swapped", "longs,half-written", "longs,published", "longs,table-swapped"})
    void aWriterKilledHoldingTheSegmentLockIsRepairedByTheNextOne(String kind, String step) throws Exception {
        boolean longs = kind.equals("longs");
        ShmHashMap hm = longs ? null : ShmHashMap.create(dir, "m", 1, 16, 16, 100);
        ShmLongLongMap lm = longs ? ShmLongLongMap.create(dir, "m", 1, 16) : null;
        long inFlight;
        try (ChildJvm child = Children.startMain(ContainerChild.class, "map-hang", heap.url, major(), "m", kind, step)) {
            child.await("committed", 60);
            String[] l = child.await("hanging", 60).split(" ");
            inFlight = Long.parseLong(l[2]);
            CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
                for (long i = 0; i < 1000; i++) {
                    if (longs) {
                        assertEquals(i * 7, lm.get(i, -1), "committed key " + i);
                    } else {
                        byte[] k = ContainerChild.key(0, i);
                        assertArrayEquals(ContainerChild.value(k, 1), hm.get(k), "committed key " + i);
                    }
                }
            });
            if (!oddAt(step)) {
                // a writer holding the lock at an even SEQ does not stop lock-free readers at all
                reads.get(30, TimeUnit.SECONDS);
            }
            child.kill();
            reads.get(60, TimeUnit.SECONDS); // with an odd SEQ: readers fall back to the lock, take it over, repair
        }
        // the next writer repairs (if no reader did) and the map keeps working
        if (longs) {
            assertTrue(lm.put(-1, -7));
            long got = lm.get(inFlight, -1);
            assertEquals(rolledForward(step) ? inFlight * 7 : -1, got, "the key in flight at " + step);
            assertEquals(1, lm.repairs());
            assertEquals(inFlight + 1 + (rolledForward(step) ? 1 : 0), lm.check()); // keys below inFlight were committed
            for (long i = 0; i < inFlight; i++) {
                assertEquals(i * 7, lm.get(i, -1));
            }
        } else {
            byte[] fresh = ContainerChild.key(9, 9);
            assertTrue(hm.put(fresh, ContainerChild.value(fresh, 1)));
            byte[] k = ContainerChild.key(0, inFlight);
            byte[] got = hm.get(k);
            if (rolledForward(step)) {
                assertArrayEquals(ContainerChild.value(k, 1), got, "the key in flight at " + step);
            } else {
                assertNull(got, "the key in flight at " + step);
            }
            assertEquals(1, hm.repairs());
            assertEquals(inFlight + 1 + (rolledForward(step) ? 1 : 0), hm.check()); // keys below inFlight were committed
            for (long i = 0; i < inFlight; i++) {
                byte[] c = ContainerChild.key(0, i);
                assertArrayEquals(ContainerChild.value(c, 1), hm.get(c));
            }
            for (long i = 0; i < 5000; i++) {
                byte[] c = ContainerChild.key(8, i);
                hm.put(c, ContainerChild.value(c, 2));
            }
            assertEquals(inFlight + 5001 + (rolledForward(step) ? 1 : 0), hm.check());
        }
    }

    @Test
    void growsWhileAnotherProcessReads() throws Exception {
        ShmHashMap m = ShmHashMap.create(dir, "m", 2, 16, 16, 100);
        int keys = 10_000;
        for (long i = 0; i < keys; i++) {
            byte[] k = ContainerChild.key(0, i);
            m.put(k, ContainerChild.value(k, 1));
        }
        MemorySegment stop = heap.allocator.customHeader().asSlice(NamedObjects.CUSTOM_HEADER_BYTES, 8);
        try (ChildJvm child = Children.startMain(ContainerChild.class, "map-read", heap.url, major(), "m", "" + keys)) {
            child.await("reading", 60);
            Thread.sleep(200);
            long before = tableCapacity(0);
            for (long i = 0; i < 300_000; i++) {
                byte[] k = ContainerChild.key(1, i);
                m.put(k, ContainerChild.value(k, 1));
            }
            assertTrue(tableCapacity(0) >= before * 8, "segment 0 grew from " + before + " to " + tableCapacity(0));
            stop.set(ValueLayout.JAVA_LONG, 0, 1);
            String line = child.await("checked", 60);
            assertEquals(0, child.waitFor(30), child.lines().toString());
            assertTrue(Long.parseLong(line.split(" ")[1]) > 0, line);
        }
        assertEquals(keys + 300_000, m.check());
    }

    private long tableCapacity(int s) {
        MemorySegment h = dir.attach("m").memory();
        long t = h.get(ValueLayout.JAVA_LONG, MapSegments.desc(s) + MapLayout.S_TABLE);
        return heap.allocator.resolve(t, MapLayout.T_SLOTS).get(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY);
    }
}
