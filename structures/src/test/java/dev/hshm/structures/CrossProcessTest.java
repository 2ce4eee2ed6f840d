package dev.hshm.structures;

import dev.hshm.testkit.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.StateException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Queues between JVMs: a multi-process stress that reconciles every message, a producer killed between claim
 * and commit, a consumer killed while a producer waits, and a consumer blocked in another JVM that uses almost no
 * CPU and wakes when this one puts. The stress runs {@code -Dhshm.stress.seconds} seconds (5 by default in the
 * build; {@code -Dhshm.stress.seconds=20} for the long run).
 */
@EnabledOnOs(OS.LINUX)
class CrossProcessTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
        assertTrue(!Files.exists(Path.of("/dev/shm", heap.url)), "the segment was removed");
    }

    private String major() {
        return "" + heap.allocatorId.major();
    }

    @Test
    void threeJvmsTimesTwoThreadsReconcileExactly() throws Exception {
        long seconds = Long.getLong("hshm.stress.seconds", 5);
        MpscRing r = MpscRing.create(dir, "stress", 1 << 16);
        List<ChildJvm> kids = new ArrayList<>();
        Map<Long, Long> next = new HashMap<>();
        long[] received = {0};
        try {
            for (int k = 0; k < 3; k++) {
                kids.add(Children.start("mpsc-produce", heap.url, major(), "stress", "" + (10 * k),
                        "" + seconds * 1000));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60);
            while (kids.stream().anyMatch(k -> k.process().isAlive()) && System.nanoTime() < deadline) {
                received[0] += r.take((type, b, o, l) -> {
                    assertEquals(7, type);
                    assertEquals(24, l);
                    long producer = b.get(ValueLayout.JAVA_LONG_UNALIGNED, o);
                    long seq = b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8);
                    assertEquals(ChildMain.checksum(producer, seq), b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 16),
                            "checksum of producer " + producer + " message " + seq);
                    assertEquals((long) next.getOrDefault(producer, 0L), seq, "order of producer " + producer);
                    next.put(producer, seq + 1);
                }, 256, TimeUnit.MILLISECONDS.toNanos(100));
            }
            while (r.read((type, b, o, l) -> {
                long producer = b.get(ValueLayout.JAVA_LONG_UNALIGNED, o);
                long seq = b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8);
                assertEquals((long) next.getOrDefault(producer, 0L), seq);
                next.put(producer, seq + 1);
            }, 256) > 0) {
                received[0]++;
            }
            long sent = 0;
            for (ChildJvm k : kids) {
                assertEquals(0, k.waitFor(30), k.lines().toString());
                for (String l : k.lines()) {
                    if (l.startsWith("sent ")) {
                        String[] f = l.split(" ");
                        long producer = Long.parseLong(f[1]);
                        long count = Long.parseLong(f[2]);
                        assertEquals(count, (long) next.getOrDefault(producer, 0L), "producer " + producer);
                        sent += count;
                    }
                }
            }
            assertEquals(6, next.size(), "six producers: " + next);
            long got = next.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(sent, got, "every message sent was received exactly once");
            assertTrue(sent > 1000, "the stress moved messages: " + sent);
            System.out.println("stress: " + sent + " messages from 6 producers in 3 JVMs over " + seconds + " s");
        } finally {
            for (ChildJvm k : kids) {
                k.close();
            }
        }
    }

    @Test
    void anMpmcQueueBetweenThreeProducerJvmsAndTwoConsumerThreadsReconciles() throws Exception {
        long seconds = Math.max(2, Long.getLong("hshm.stress.seconds", 5) / 2);
        MpmcQueue.create(dir, "mpmc", 256, 24);
        List<ChildJvm> kids = new ArrayList<>();
        java.util.concurrent.ConcurrentHashMap<Long, Long> next = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ConcurrentHashMap<Long, java.util.BitSet> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> consumers = new ArrayList<>();
        try {
            for (int k = 0; k < 3; k++) {
                kids.add(Children.start("mpmc-produce", heap.url, major(), "mpmc", "" + (10 * k), "" + seconds * 1000));
            }
            for (int c = 0; c < 2; c++) {
                Thread t = new Thread(() -> {
                    MpmcQueue q = MpmcQueue.attach(dir, "mpmc");
                    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                        java.lang.foreign.MemorySegment e = arena.allocate(24, 8);
                        while (true) {
                            boolean more = producing.get();
                            if (!q.take(e, TimeUnit.MILLISECONDS.toNanos(100))) {
                                if (!more) {
                                    return;
                                }
                                continue;
                            }
                            long producer = e.get(ValueLayout.JAVA_LONG, 0);
                            long seq = e.get(ValueLayout.JAVA_LONG, 8);
                            assertEquals(ChildMain.checksum(producer, seq), e.get(ValueLayout.JAVA_LONG, 16));
                            // two consumers: per producer, each sequence number arrives once (order may interleave)
                            java.util.BitSet got = seen.computeIfAbsent(producer, p -> new java.util.BitSet());
                            synchronized (got) {
                                assertTrue(!got.get((int) seq), "duplicate: producer " + producer + " message " + seq);
                                got.set((int) seq);
                            }
                            next.merge(producer, 1L, Long::sum);
                        }
                    } catch (Throwable x) {
                        failure.compareAndSet(null, x);
                    }
                });
                consumers.add(t);
                t.start();
            }
            long sent = 0;
            Map<Long, Long> perProducer = new HashMap<>();
            for (ChildJvm k : kids) {
                assertEquals(0, k.waitFor(seconds + 60), k.lines().toString());
                for (String l : k.lines()) {
                    if (l.startsWith("sent ")) {
                        String[] f = l.split(" ");
                        perProducer.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
                        sent += Long.parseLong(f[2]);
                    }
                }
            }
            producing.set(false);
            for (Thread t : consumers) {
                t.join(60_000);
            }
            if (failure.get() != null) {
                throw new AssertionError("a consumer failed", failure.get());
            }
            assertEquals(perProducer, new HashMap<>(next), "every producer's count received exactly");
            assertTrue(sent > 1000, "the stress moved messages: " + sent);
        } finally {
            producing.set(false);
            for (ChildJvm k : kids) {
                k.close();
            }
        }
    }

    @Test
    void aProducerKilledBetweenClaimAndCommitDoesNotStopTheConsumer() throws Exception {
        MpscRing r = MpscRing.create(dir, "m", 4096);
        try (ChildJvm child = Children.start("claim-and-hang", heap.url, major(), "m")) {
            child.await("claimed", 60);
            r.commit(r.tryClaim(2, 8)); // behind the child's claim
            List<Integer> types = new ArrayList<>();
            assertEquals(0, r.read((t, b, o, l) -> types.add(t), 10), "the live claim blocks the head");
            child.kill();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (types.isEmpty() && System.nanoTime() < deadline) {
                r.take((t, b, o, l) -> types.add(t), 10, TimeUnit.MILLISECONDS.toNanos(100));
            }
            assertEquals(List.of(2), types);
            assertEquals(1, r.repairs());
        }
    }

    @Test
    void aProducerWaitingOnAFullQueueWhoseConsumerIsKilledGetsAnException() throws Exception {
        SpscRing p = SpscRing.create(dir, "s", 4, 8);
        try (ChildJvm child = Children.start("spsc-consumer-hang", heap.url, major(), "s")) {
            child.await("consumer registered", 60);
            for (int i = 0; i < 4; i++) {
                assertTrue(p.offer(i));
            }
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    child.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            StateException e = assertThrows(StateException.class, () -> p.put(99, TimeUnit.SECONDS.toNanos(60)));
            assertTrue(e.getMessage().contains("consumer") && e.getMessage().contains("pid " + child.pid()),
                    e.getMessage());
            killer.join();
        }
    }

    @Test
    void aConsumerBlockedInAnotherJvmUsesAlmostNoCpuAndWakesOnPut() throws Exception {
        SpscRing p = SpscRing.create(dir, "s", 16, 8);
        try (ChildJvm child = Children.start("spsc-take", heap.url, major(), "s")) {
            child.await("taking", 60);
            Thread.sleep(300); // let it settle into its wait
            long pid = child.pid();
            long before = utimeTicks(pid);
            Thread.sleep(1000);
            long used = utimeTicks(pid) - before;
            // clock ticks are 10 ms: a spinning thread would show about 100; the JVM's own threads (JIT, GC) a few
            assertTrue(used <= 25, "a blocked consumer used " + used + " ticks of user CPU in 1 s");
            long t0 = System.nanoTime();
            assertTrue(p.offer(4242L));
            assertEquals("took 4242", child.await("took", 30));
            System.out.println("cpu: blocked consumer used " + used + " ticks in 1 s; woke "
                    + TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0) + " us after the put (incl. printing)");
            assertEquals(0, child.waitFor(30));
        }
    }

    /** Field 14 of /proc/PID/stat: user-mode CPU time of the whole process, in clock ticks. */
    private static long utimeTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", "" + pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]);
    }
}
