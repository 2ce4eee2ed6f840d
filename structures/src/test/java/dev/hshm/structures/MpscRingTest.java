package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MpscRingTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void variableLengthRecordsInOrderAcrossWrapsWithPadding() {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        List<Integer> sent = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            int n = 0;
            for (int round = 0; round < 200; round++) {
                int len = (round * 37) % (r.maxPayload() + 1);
                MemorySegment src = arena.allocate(Math.max(len, 1)).asSlice(0, len);
                src.fill((byte) round);
                if (r.offer(1 + round % 5, src)) {
                    sent.add(len);
                    n++;
                }
                if (round % 3 == 0) {
                    r.read((type, b, off, length) -> {
                        for (int i = 0; i < length; i++) {
                            assertEquals(b.get(ValueLayout.JAVA_BYTE, off), b.get(ValueLayout.JAVA_BYTE, off + i));
                        }
                        got.add(length);
                    }, 100);
                }
            }
            while (r.read((type, b, off, length) -> got.add(length), 100) > 0) {
                // drain
            }
            assertEquals(sent, got);
            assertTrue(n > 100);
        }
    }

    @Test
    void largestRecordFitsAndOneMoreByteIsAClearError() {
        MpscRing r = MpscRing.create(dir, "m", 4096);
        assertEquals(4096 / 8 - 16, r.maxPayload());
        long at = r.tryClaim(3, r.maxPayload());
        assertTrue(at > 0);
        r.commit(at);
        int[] len = {0};
        assertEquals(1, r.read((t, b, o, l) -> len[0] = l, 10));
        assertEquals(r.maxPayload(), len[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.tryClaim(3, r.maxPayload() + 1));
        assertTrue(e.getMessage().contains("" + r.maxPayload()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.tryClaim(0, 8));
        assertThrows(IllegalArgumentException.class, () -> MpscRing.bytesFor(1000));
        assertThrows(IllegalArgumentException.class, () -> MpscRing.bytesFor(512));
    }

    @Test
    void abortedClaimsAreSkippedAndAFullRingSaysSo() {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        long a = r.tryClaim(1, 8);
        long b = r.tryClaim(2, 8);
        r.abort(a);
        r.commit(b);
        List<Integer> types = new ArrayList<>();
        assertEquals(1, r.read((t, buf, o, l) -> types.add(t), 10));
        assertEquals(List.of(2), types);
        int claimed = 0;
        while (r.tryClaim(1, 100) >= 0) {
            claimed++;
        }
        assertEquals(1024 / 120, claimed, "full after capacity / aligned record bytes");
    }

    @Test
    void aClaimOfADeadProcessBecomesPaddingAndTheConsumerGoesOn() throws Exception {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        long dead = r.tryClaim(1, 16);
        Words.put(r.buffer(), dead - MpscLayout.HEADER + MpscLayout.R_OWNER, Owner.of(deadPid(), 0));
        long live = r.tryClaim(2, 16);
        r.commit(live);
        List<Integer> types = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (types.isEmpty() && System.nanoTime() < deadline) {
            r.read((t, b, o, l) -> types.add(t), 10);
        }
        assertEquals(List.of(2), types);
        assertEquals(1, r.repairs());
        assertThrows(IllegalStateException.class, () -> r.commit(dead), "the repaired claim is no longer claimed");
    }

    @Test
    void anUnwrittenClaimIsPaddedAfterTheTimeout() throws Exception {
        System.setProperty("hshm.structures.claim.timeout.ms", "50");
        try {
            MpscRing r = MpscRing.create(dir, "m", 1024);
            MemorySegment m = r.buffer();
            // a producer that died between its TAIL CAS and its header store: 32 bytes claimed, nothing written
            Words.put(m, MpscLayout.TAIL, 32L);
            long live = r.tryClaim(5, 8);
            r.commit(live);
            List<Integer> types = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (types.isEmpty() && System.nanoTime() < deadline) {
                r.read((t, b, o, l) -> types.add(t), 10);
            }
            assertEquals(List.of(5), types);
            assertEquals(1, r.repairs());
        } finally {
            System.clearProperty("hshm.structures.claim.timeout.ms");
        }
    }

    @Test
    void manyProducerThreadsLoseAndDuplicateNothing() throws Exception {
        MpscRing c = MpscRing.create(dir, "m", 4096);
        int producers = 4;
        int each = 20_000;
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            MpscRing r = MpscRing.attach(dir, "m");
            Thread t = new Thread(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment rec = arena.allocate(16, 8);
                    for (int i = 0; i < each; i++) {
                        rec.set(ValueLayout.JAVA_LONG, 0, id);
                        rec.set(ValueLayout.JAVA_LONG, 8, i);
                        assertTrue(r.put(1, rec, TimeUnit.SECONDS.toNanos(10)));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ts.add(t);
            t.start();
        }
        long[] next = new long[producers];
        long total = 0;
        while (total < (long) producers * each) {
            total += c.take((t, b, o, l) -> {
                int id = (int) b.get(ValueLayout.JAVA_LONG_UNALIGNED, o);
                assertEquals(next[id]++, b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8), "per-producer order");
            }, 64, TimeUnit.SECONDS.toNanos(10));
        }
        for (Thread t : ts) {
            t.join();
        }
        for (long n : next) {
            assertEquals(each, n);
        }
    }

    @Test
    void aCorruptRecordHeaderIsAnException() {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        r.commit(r.tryClaim(1, 8));
        Words.put(r.buffer(), MpscLayout.BUFFER, MpscLayout.word(1, 5000));
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> r.read((t, b, o, l) -> { }, 10));
        assertTrue(e.getMessage().contains("length=5000"), e.getMessage());
        Words.put(r.buffer(), MpscLayout.TAIL, -5L);
        assertThrows(CorruptSegmentException.class, () -> r.tryClaim(1, 64));
    }
}
