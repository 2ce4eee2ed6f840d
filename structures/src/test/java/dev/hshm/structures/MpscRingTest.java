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

    /** Reads until a batch delivers something (the consumer repairs stalls as it polls), for up to 10 s. */
    private static List<Integer> typesOnceARecordComes(MpscRing r) {
        List<Integer> types = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (types.isEmpty() && System.nanoTime() < deadline) {
            r.read((t, b, o, l) -> types.add(t), 10);
        }
        return types;
    }

    /** Runs {@code body} with handles made meanwhile padding an ownerless or unwritten claim after 50 ms. */
    private static void withClaimTimeoutOf50Ms(Runnable body) {
        System.setProperty("hshm.structures.claim.timeout.ms", "50");
        try {
            body.run();
        } finally {
            System.clearProperty("hshm.structures.claim.timeout.ms");
        }
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
        assertEquals(4096 / 8 - 8, r.maxPayload());
        long at = r.tryClaim(3, r.maxPayload());
        assertTrue(at > 0);
        r.commit(at);
        int[] len = {0};
        assertEquals(1, r.read((t, b, o, l) -> len[0] = l, 10));
        assertEquals(r.maxPayload(), len[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.tryClaim(3, r.maxPayload() + 1));
        assertTrue(e.getMessage().contains("" + r.maxPayload()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.tryClaim(0, 8));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> r.tryClaim(MpscLayout.MAX_TYPE + 1, 8));
        assertTrue(t.getMessage().contains("24 bits"), t.getMessage());
        r.commit(r.tryClaim(MpscLayout.MAX_TYPE, 8));
        int[] type = {0};
        assertEquals(1, r.read((ty, b, o, l) -> type[0] = ty, 10));
        assertEquals(MpscLayout.MAX_TYPE, type[0], "the largest type survives the claimer byte");
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
        // 108-byte records take 112: 8 fit in the 992 bytes before the wrap; the 9th needs the 96 to the end as
        // padding plus 112, more than the 128 free
        assertEquals(8, claimed, "full after the records that fit, counting the padding at the wrap");
    }

    @Test
    void aClaimOfADeadProcessBecomesPaddingAndTheConsumerGoesOn() throws Exception {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        long dead = r.tryClaim(1, 16);
        // the claim of another process, which took producer slot 9 and died
        Words.put(r.buffer(), MpscLayout.slot(9) + MpscLayout.S_OWNER, Owner.of(deadPid(), 0));
        long word = Words.get(r.buffer(), dead - MpscLayout.HEADER);
        assertEquals(1, MpscLayout.claimer(word), "this process took the first free slot");
        Words.put(r.buffer(), dead - MpscLayout.HEADER, word & ~(0xFFL << 56) | 9L << 56);
        long live = r.tryClaim(2, 16);
        r.commit(live);
        List<Integer> types = typesOnceARecordComes(r);
        assertEquals(List.of(2), types);
        assertEquals(1, r.repairs());
        assertThrows(IllegalStateException.class, () -> r.commit(dead), "the repaired claim is no longer claimed");
    }

    @Test
    void aDeadProducersSlotIsRetiredAndFreedOnlyAfterTheConsumerPassedItsClaims() throws Exception {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        MemorySegment m = r.buffer();
        long slot = MpscLayout.slot(3);
        long deadOwner = Owner.of(deadPid(), 0);
        Words.put(m, slot + MpscLayout.S_OWNER, deadOwner);
        long dead = r.tryClaim(1, 16); // this process takes slot 1; the claim is made slot 3's below
        Words.put(m, dead - MpscLayout.HEADER, MpscLayout.claimedWord(3, 1, -(MpscLayout.HEADER + 16)));
        r.commit(r.tryClaim(2, 16));
        long tail = Words.get(m, MpscLayout.TAIL);
        // one step checks one taken slot, or looks at SWEEP_SCAN free ones: a whole round of the table
        int round = MpscLayout.SLOTS / MpscRing.SWEEP_SCAN + 2;
        for (int i = 0; i < 3; i++) {
            r.sweep(0, tail); // slot 1 (this process, alive), then slot 3 (dead): retired at TAIL
        }
        assertEquals(tail + 1, Words.get(m, slot + MpscLayout.S_RETIRE), "retired at the TAIL it was found dead at");
        for (int i = 0; i < round; i++) {
            r.sweep(0, tail);
        }
        assertEquals(deadOwner, Words.get(m, slot + MpscLayout.S_OWNER), "not freed while its claim is ahead of HEAD");
        List<Integer> types = typesOnceARecordComes(r);
        assertEquals(List.of(2), types, "the dead claim was padded over");
        assertEquals(tail, Words.get(m, MpscLayout.HEAD));
        for (int i = 0; i < round; i++) {
            r.sweep(tail, tail);
        }
        assertEquals(0, Words.get(m, slot + MpscLayout.S_RETIRE));
        assertEquals(Owner.NONE, Words.get(m, slot + MpscLayout.S_OWNER), "freed once HEAD passed the retire TAIL");
        assertEquals(Owner.CURRENT, Words.get(m, MpscLayout.slot(1) + MpscLayout.S_OWNER), "a live slot stays");
    }

    @Test
    void aConsumerThatNeverWaitsStillFreesTheSlotOfADeadProducer() throws Exception {
        MpscRing r = MpscRing.create(dir, "m", 1 << 16);
        MemorySegment m = r.buffer();
        long slot = MpscLayout.slot(2);
        Words.put(m, slot + MpscLayout.S_OWNER, Owner.of(deadPid(), 0)); // this process takes slot 1
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long batches = 0;
        r.commit(r.tryClaim(1, 8)); // one record always ahead of the consumer
        while (Words.get(m, slot + MpscLayout.S_OWNER) != Owner.NONE && System.nanoTime() < deadline) {
            r.commit(r.tryClaim(1, 8));
            assertEquals(1, r.read((t, b, o, l) -> { }, 1), "one record read: the head never stalls");
            batches++;
        }
        assertEquals(Owner.NONE, Words.get(m, slot + MpscLayout.S_OWNER), "the dead producer's slot was never freed "
                + "in " + batches + " batches");
        assertEquals(Owner.CURRENT, Words.get(m, MpscLayout.slot(1) + MpscLayout.S_OWNER));
    }

    @Test
    void aProducerThatFindsTheTableFullClaimsWithoutASlotAndItsStallIsTimedOut() {
        withClaimTimeoutOf50Ms(() -> {
            MpscRing r = MpscRing.create(dir, "m", 1024);
            MemorySegment m = r.buffer();
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            for (int s = 1; s < MpscLayout.SLOTS; s++) {
                Words.put(m, MpscLayout.slot(s) + MpscLayout.S_OWNER, Owner.of(parent, 0)); // live, not this one
            }
            long stuck = r.tryClaim(1, 8);
            assertEquals(0, MpscLayout.claimer(Words.get(m, stuck - MpscLayout.HEADER)), "no slot: CLAIMER 0");
            r.commit(r.tryClaim(4, 8));
            List<Integer> types = typesOnceARecordComes(r);
            assertEquals(List.of(4), types, "the slotless claim was padded after the claim timeout");
            assertEquals(1, r.repairs());
        });
    }

    @Test
    void aCommitOfARecordNamingAnotherSlotIsRefused() {
        MpscRing r = MpscRing.create(dir, "m", 1024);
        long at = r.tryClaim(1, 8);
        long word = Words.get(r.buffer(), at - MpscLayout.HEADER);
        Words.put(r.buffer(), at - MpscLayout.HEADER, word & ~(0xFFL << 56) | 7L << 56);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.commit(at));
        assertTrue(e.getMessage().contains("not claimed by this process"), e.getMessage());
    }

    @Test
    void anUnwrittenClaimIsPaddedAfterTheTimeout() {
        withClaimTimeoutOf50Ms(() -> {
            MpscRing r = MpscRing.create(dir, "m", 1024);
            MemorySegment m = r.buffer();
            // a producer that died between its TAIL CAS and its header store: 32 bytes claimed, nothing written
            Words.put(m, MpscLayout.TAIL, 32L);
            long live = r.tryClaim(5, 8);
            r.commit(live);
            List<Integer> types = typesOnceARecordComes(r);
            assertEquals(List.of(5), types);
            assertEquals(1, r.repairs());
        });
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
