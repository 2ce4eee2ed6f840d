package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.nativeclient.CQueueFixture.CProcess;
import dev.hshm.nativeclient.CQueueReceiver.Message;
import dev.hshm.nativeclient.CQueueReceiver.TextQueue;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JVMs and C processes on the same named queues (hshm_queue.h): the example's C sender ({@code send}) on an SPSC and
 * an MPSC ring this JVM created, in order to the "bye"; both directions of the wake-up across languages, measured
 * not to spin (the JVM asleep in take() returns promptly after the C put, and C asleep in put() returns promptly
 * after the JVM's poll); several C producers on one MPSC ring; a C consumer ({@code hshm_queue_recv}) of what this
 * JVM produces, checksums compared; u64 elements echoed through C. The bad inputs (wrong names and types, corrupt
 * words, misused claims, dead peers and claimers, the directory lock) are {@link CQueueBadInputTest}'s.
 */
class CQueueTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private CQueueFixture heap;

    @BeforeEach
    void build() {
        NativeBuild.out(); // builds the C programs, or skips with the reason
        heap = new CQueueFixture();
    }

    @AfterEach
    void removeSegment() {
        heap.close();
    }

    /** The example's queue, as the JVM side creates it: SPSC of small elements or MPSC of a few KiB. */
    private TextQueue textQueue(String kind, long spscCapacity, long mpscCapacity) {
        NamedObjects dir = heap.dir();
        return kind.equals("spsc") ? CQueueReceiver.spsc(SpscRing.create(dir, CQueueReceiver.QUEUE, spscCapacity,
                CQueueReceiver.ELEMENT)) : CQueueReceiver.mpsc(MpscRing.create(dir, CQueueReceiver.QUEUE, mpscCapacity));
    }

    private CProcess send(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("-a", heap.id()));
        args.addAll(List.of(options));
        args.add(heap.url);
        args.add(CQueueReceiver.QUEUE);
        return CQueueFixture.start("send", args.toArray(String[]::new));
    }

    /** The "put I BEFORE AFTER" lines of send -v: index -> {before, after} (CLOCK_MONOTONIC = System.nanoTime). */
    private static Map<Integer, long[]> puts(CProcess p) {
        Map<Integer, long[]> m = new HashMap<>();
        for (String l : p.lines()) {
            if (l.startsWith("put ")) {
                String[] f = l.split(" ");
                m.put(Integer.parseInt(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
            }
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsc", "mpsc"})
    void theExampleSendsEveryMessageInOrderAndBye(String kind) throws Exception {
        int n = 20_000;
        // small rings: the C sender fills them again and again and sleeps in put until this JVM takes
        TextQueue q = textQueue(kind, 8, 4096);
        try (CProcess c = send("-n", Integer.toString(n))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Message m = q.take(10 * SECOND);
                assertNotNull(m, "message " + i + " did not come; C: " + c.output());
                assertEquals("hello from C #" + i, m.text());
            }
            Message bye = q.take(10 * SECOND);
            long elapsed = System.nanoTime() - t0;
            assertNotNull(bye, "no bye; C: " + c.output());
            assertEquals("bye", bye.text());
            assertEquals(kind.equals("mpsc") ? 1 : 0, bye.type());
            String summary = c.success(30);
            assertTrue(summary.contains("sent " + n + " messages and bye to " + kind + " queue"), summary);
            System.out.printf("C -> JVM over %s: %d messages, %.0f messages/s received; C: %s%n", kind, n + 1,
                    (n + 1) / (elapsed / 1e9), summary.strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsc", "mpsc"})
    void theJvmSleepsInTakeWhileCIsSlowAndWakesPromptlyAfterItsPut(String kind) throws Exception {
        int n = 4;
        long delayMs = 250;
        TextQueue q = textQueue(kind, 8, 4096);
        List<Message> got = new ArrayList<>();
        long[] cpu = new long[n + 1];
        long[] waited = new long[n + 1];
        try (CProcess c = send("-n", Integer.toString(n), "-d", Long.toString(delayMs), "-v")) {
            for (int i = 0; i <= n; i++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                Message m = q.take(10 * SECOND);
                waited[i] = System.nanoTime() - t0;
                cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
                assertNotNull(m, "message " + i + "; C: " + c.output());
                got.add(m);
            }
            c.success(30);
            Map<Integer, long[]> puts = puts(c);
            long totalWait = 0;
            long totalCpu = 0;
            List<Long> latencies = new ArrayList<>();
            for (int i = 1; i <= n; i++) { // message 0's wait includes the C process's start
                long[] put = puts.get(i);
                long latency = got.get(i).receivedNanos() - put[0];
                assertTrue(latency >= 0, "received before the put began?! i=" + i + " latency=" + latency);
                assertTrue(latency < 50 * MS, "take returned " + latency / 1000 + " us after the C put began (i=" + i
                        + ")");
                assertTrue(waited[i] > delayMs * MS / 2, "take waited only " + waited[i] / MS + " ms");
                latencies.add(latency);
                totalWait += waited[i];
                totalCpu += cpu[i];
            }
            // asleep, not spinning: a spinning take would burn about its whole wait
            assertTrue(totalCpu < totalWait / 10, "take used " + totalCpu / MS + " ms of CPU in " + totalWait / MS
                    + " ms of waiting");
            latencies.sort(null);
            System.out.printf("JVM take() woken by a C put on %s: latency median %d us, max %d us; %d ms asleep used %.1f"
                    + " ms CPU%n", kind, latencies.get(latencies.size() / 2) / 1000,
                    latencies.get(latencies.size() - 1) / 1000, totalWait / MS, totalCpu / 1e6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsc", "mpsc"})
    void cSleepsInPutWhileTheJvmIsSlowAndWakesPromptlyAfterItsPoll(String kind) throws Exception {
        // spsc: 2 slots; mpsc: 1 KiB holds 42 records of these texts (8-byte header + 15 or 16 bytes: 24 each)
        int capacity = kind.equals("spsc") ? 2 : 42;
        int n = capacity + 3;
        TextQueue q = textQueue(kind, 2, 1024);
        try (CProcess c = send("-n", Integer.toString(n), "-v")) {
            Thread.sleep(600); // C fills the ring and sleeps in put
            long firstPoll = System.nanoTime();
            for (int i = 0; i <= n; i++) {
                Message m = q.take(10 * SECOND);
                assertNotNull(m, "message " + i + "; C: " + c.output());
                assertEquals(i < n ? "hello from C #" + i : "bye", m.text());
            }
            String out = c.success(30);
            Map<Integer, long[]> puts = puts(c);
            long[] blocked = puts.get(capacity); // the first put that found the ring full
            assertNotNull(blocked, out);
            long slept = blocked[1] - blocked[0];
            long latency = blocked[1] - firstPoll;
            String summary = c.lines().get(c.lines().size() - 1);
            double cpuMs = CQueueFixture.value(summary, "cpu");
            assertTrue(slept > 300 * MS, "C's put of message " + capacity + " took " + slept / MS + " ms: " + out);
            assertTrue(latency >= 0 && latency < 50 * MS, "C's blocked put returned " + latency / 1000
                    + " us after this JVM's first poll began");
            // asleep, not spinning: the whole C process used far less CPU than its put slept
            assertTrue(cpuMs < slept / 1e6 / 5, "C used " + cpuMs + " ms of CPU while its put slept " + slept / MS
                    + " ms");
            System.out.printf("C put() woken by a JVM poll on %s: latency %d us; %d ms asleep, C process CPU %.1f ms%n",
                    kind, latency / 1000, slept / MS, cpuMs);
        }
    }

    @Test
    void severalCProducersOnOneMpscRingAtOnce() throws Exception {
        int producers = 4;
        int n = 10_000;
        TextQueue q = textQueue("mpsc", 8, 4096);
        List<CProcess> cs = new ArrayList<>();
        try {
            for (int k = 1; k <= producers; k++) {
                cs.add(send("-n", Integer.toString(n), "-y", Integer.toString(k)));
            }
            long t0 = System.nanoTime();
            int[] next = new int[producers + 1];
            int byes = 0;
            int total = 0;
            while (byes < producers) {
                Message m = q.take(10 * SECOND);
                assertNotNull(m, "after " + total + " messages; C: " + cs.get(0).output());
                int k = m.type();
                assertTrue(k >= 1 && k <= producers, "record type " + k);
                total++;
                if (m.text().equals("bye")) {
                    assertEquals(n, next[k], "producer " + k + " said bye after " + next[k] + " messages");
                    byes++;
                    continue;
                }
                assertEquals("hello from C #" + next[k], m.text(), "producer " + k + "'s messages in order");
                next[k]++;
            }
            long elapsed = System.nanoTime() - t0;
            assertEquals(producers * (n + 1), total);
            for (CProcess c : cs) {
                c.success(30);
            }
            System.out.printf("%d C producers -> JVM over one mpsc ring: %d messages, %.0f messages/s%n", producers,
                    total, total / (elapsed / 1e9));
        } finally {
            cs.forEach(CProcess::close);
        }
    }

    // ------------------------------------------------------------------ the JVM produces, C consumes

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static long fnv(long h, byte[] b) {
        for (byte x : b) {
            h = (h ^ (x & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    /** hshm_queue_recv's checksum of one message: type (i32), length (u32), bytes, little-endian. */
    private static long fnvMessage(long h, int type, byte[] payload) {
        byte[] w = new byte[8];
        for (int i = 0; i < 4; i++) {
            w[i] = (byte) (type >>> (8 * i));
            w[4 + i] = (byte) (payload.length >>> (8 * i));
        }
        return fnv(fnv(h, w), payload);
    }

    private CProcess recv(String queue, int count, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("-a", heap.id()));
        args.addAll(List.of(options));
        args.addAll(List.of(heap.url, queue, Integer.toString(count)));
        return CQueueFixture.start("hshm_queue_recv", args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsc", "mpsc"})
    void aCConsumerReceivesWhatTheJvmProducesWithTheSameChecksum(String kind) throws Exception {
        int n = 20_000;
        NamedObjects dir = heap.dir();
        SplittableRandom rnd = new SplittableRandom(42);
        long sum = FNV_OFFSET;
        long bytes = 0;
        if (kind.equals("spsc")) {
            SpscRing r = SpscRing.create(dir, "jvm-to-c", 16, 72);
            try (CProcess c = recv("jvm-to-c", n); Arena arena = Arena.ofConfined()) {
                c.await("ready", 30);
                MemorySegment e = arena.allocate(72, 8);
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[72];
                    rnd.nextBytes(b);
                    e.copyFrom(MemorySegment.ofArray(b));
                    assertTrue(r.put(e, 10 * SECOND), "put " + i + "; C: " + c.output());
                    sum = fnvMessage(sum, 0, b);
                    bytes += b.length;
                }
                check(c, n, bytes, sum, kind);
            }
        } else {
            MpscRing r = MpscRing.create(dir, "jvm-to-c", 8192);
            try (CProcess c = recv("jvm-to-c", n)) {
                c.await("ready", 30);
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[rnd.nextInt(r.maxPayload() + 1)]; // 0 .. max payload bytes
                    rnd.nextBytes(b);
                    int type = 1 + i % 7;
                    assertTrue(r.put(type, MemorySegment.ofArray(b), 10 * SECOND), "put " + i + "; C: " + c.output());
                    sum = fnvMessage(sum, type, b);
                    bytes += b.length;
                }
                check(c, n, bytes, sum, kind);
            }
        }
    }

    private static void check(CProcess c, int n, long bytes, long sum, String kind) throws InterruptedException {
        String out = c.success(30);
        String last = c.lines().get(c.lines().size() - 1);
        assertEquals((double) n, CQueueFixture.value(last, "received"), out);
        assertEquals((double) bytes, CQueueFixture.value(last, "bytes"), out);
        assertTrue(last.contains(String.format("checksum 0x%016x", sum)), "JVM checksum " + String.format("0x%016x", sum)
                + "; C: " + last);
        System.out.printf("JVM -> C over %s: %d messages, %d bytes, checksums equal%n", kind, n, bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spsc", "mpsc"})
    void theJvmSleepsInPutWhileTheCConsumerIsSlowAndWakesPromptlyAfterItsTake(String kind) throws Exception {
        int n = 4;
        long delayMs = 250;
        NamedObjects dir = heap.dir();
        SpscRing s = kind.equals("spsc") ? SpscRing.create(dir, "jvm-to-c", 2, 8) : null;
        MpscRing m = kind.equals("mpsc") ? MpscRing.create(dir, "jvm-to-c", 1024) : null;
        // spsc: 2 slots; mpsc: records of 112 payload bytes (128 with the header), 8 per 1 KiB
        int fill = s != null ? 2 : 8;
        MemorySegment big = MemorySegment.ofArray(new byte[m != null ? m.maxPayload() : 8]);
        try (CProcess c = recv("jvm-to-c", fill + n, "-d", Long.toString(delayMs), "-v")) {
            c.await("ready", 30); // registered as the consumer: a JVM put that sleeps checks it is alive
            long[] returned = new long[fill + n];
            long totalWait = 0;
            long totalCpu = 0;
            for (int i = 0; i < fill + n; i++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                boolean ok = s != null ? s.put(i, 10 * SECOND) : m.put(1, big, 10 * SECOND);
                returned[i] = System.nanoTime();
                assertTrue(ok, "put " + i + "; C: " + c.output());
                if (i >= fill) {
                    totalWait += returned[i] - t0;
                    totalCpu += THREADS.getCurrentThreadCpuTime() - c0;
                }
            }
            c.success(30);
            // the put of element fill + k waited for C's take of element k
            List<Long> latencies = new ArrayList<>();
            Map<Integer, Long> took = new HashMap<>();
            for (String l : c.lines()) {
                if (l.startsWith("took ")) {
                    String[] f = l.split(" ");
                    took.put(Integer.parseInt(f[1]), Long.parseLong(f[5]));
                }
            }
            for (int k = 0; k < n; k++) {
                long latency = returned[fill + k] - took.get(k);
                // C reads its clock after its take returned, so the JVM may be back first: |latency| is the bound
                assertTrue(Math.abs(latency) < 50 * MS, "put " + (fill + k) + " returned " + latency / 1000
                        + " us after C took element " + k);
                latencies.add(Math.abs(latency));
            }
            assertTrue(totalWait > n * delayMs * MS / 2, "the puts waited only " + totalWait / MS + " ms");
            assertTrue(totalCpu < totalWait / 10, "put used " + totalCpu / MS + " ms of CPU in " + totalWait / MS
                    + " ms of waiting");
            latencies.sort(null);
            System.out.printf("JVM put() woken by a C take on %s: latency median %d us; %d ms asleep used %.1f ms CPU%n",
                    kind, latencies.get(latencies.size() / 2) / 1000, totalWait / MS, totalCpu / 1e6);
        }
    }

    @Test
    void u64ElementsMakeARoundTripThroughC() throws Exception {
        int n = 5000;
        NamedObjects dir = heap.dir();
        SpscRing in = SpscRing.create(dir, "in", 4, 8);
        SpscRing out = SpscRing.create(dir, "out", 4, 8);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (CProcess c = CQueueFixture.start("hshm_queue_check", heap.url, heap.id(), "echo-u64", "in", "out",
                Integer.toString(n))) {
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (long v = 1; v <= n; v++) {
                        assertTrue(in.put(v * 1_000_003L, 10 * SECOND), "put " + v);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            for (long v = 1; v <= n; v++) {
                OptionalLong got = out.takeLong(10 * SECOND);
                assertTrue(got.isPresent(), "echo " + v + "; C: " + c.output());
                assertEquals(v * 1_000_003L + 1, got.getAsLong());
            }
            producer.join(10_000);
            assertEquals(null, failure.get());
            assertTrue(c.success(30).contains("ok echoed " + n + " left 0"), c.output());
            assertEquals(0, in.size());
            assertEquals(0, out.size());
        }
    }

    @Test
    void theReadmeSnippetsAreVerbatimPartsOfTheExample() throws Exception {
        // the example's core, which the READMEs quote: from the declarations to the end of the send loop
        Path example = NativeBuild.DIR.resolve("../examples/c-queue").normalize();
        String send = Files.readString(example.resolve("send.c"));
        int from = send.indexOf("    hshm_backend *b;\n");
        String end = "        stopwatch(i, true);\n    }\n";
        int to = send.indexOf(end) + end.length();
        assertTrue(from > 0 && to > from + end.length(), "the core block of send.c moved");
        long lines = send.substring(from, to).lines().count();
        assertTrue(lines >= 15 && lines <= 25, "the core is " + lines + " lines");
        assertTrue(Files.readString(example.resolve("README.md")).contains(send.substring(from, to)),
                "examples/c-queue/README.md quotes the core of send.c verbatim");
        // the top-level README's "From C" section: its C block is a slice of send.c (which the tests compile and run)
        String readme = Files.readString(example.resolve("../../README.md").normalize());
        int section = readme.indexOf("## From C");
        int fence = section < 0 ? -1 : readme.indexOf("```c\n", section);
        assertTrue(fence > section && section > 0, "README.md has a '## From C' section with a C block");
        String block = readme.substring(fence + 5, readme.indexOf("```", fence + 5));
        assertTrue(block.lines().count() >= 15 && send.contains(block),
                "the README's C block is not verbatim in examples/c-queue/send.c:\n" + block);
    }
}
