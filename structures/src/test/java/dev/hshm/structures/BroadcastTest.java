package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void tearDown() {
        arena.close();
        heap.close();
    }

    private MemorySegment msg(long v, int len) {
        MemorySegment m = arena.allocate(Math.max(len, 8), 8).asSlice(0, Math.max(len, 8));
        m.set(ValueLayout.JAVA_LONG, 0, v);
        return m;
    }

    @Test
    void everyReceiverSeesEveryRecordInOrderAcrossWraps() {
        Broadcast b = Broadcast.create(dir, "b", 1024);
        Broadcast.Transmitter tx = b.transmitter();
        Broadcast.Receiver r1 = b.receiver();
        Broadcast.Receiver r2 = Broadcast.attach(dir, "b").receiver();
        List<Long> got1 = new ArrayList<>();
        List<Long> got2 = new ArrayList<>();
        for (long i = 0; i < 500; i++) {
            tx.transmit(1, msg(i, 8 + (int) (i % 7) * 8));
            r1.receive((t, s, o, l) -> got1.add(s.get(ValueLayout.JAVA_LONG, o)));
            r2.receive((t, s, o, l) -> got2.add(s.get(ValueLayout.JAVA_LONG, o)));
        }
        assertEquals(500, got1.size());
        assertEquals(got1, got2);
        for (int i = 0; i < got1.size(); i++) {
            assertEquals((long) i, got1.get(i));
        }
        assertEquals(0, r1.lapped());
    }

    @Test
    void aSlowReceiverIsLappedAndSkipsToTheLatest() {
        Broadcast b = Broadcast.create(dir, "b", 1024);
        Broadcast.Transmitter tx = b.transmitter();
        Broadcast.Receiver slow = b.receiver();
        for (long i = 0; i < 200; i++) {
            tx.transmit(1, msg(i, 24));
        }
        List<Long> got = new ArrayList<>();
        while (slow.receive((t, s, o, l) -> got.add(s.get(ValueLayout.JAVA_LONG, o))) > 0) {
            // catch up
        }
        assertTrue(slow.lapped() >= 1, "lapped");
        assertEquals(List.of(199L), got, "skipped to the latest record");
    }

    @Test
    void oneLiveTransmitterAtATimeAndBadSizesAreClearErrors() {
        Broadcast b = Broadcast.create(dir, "b", 1024);
        b.transmitter();
        Words.put(dir.attach("b").memory(), QueueHeader.PRODUCER_OFFSET, Owner.of(1, 0)); // init: alive
        assertThrows(StateException.class, b::transmitter);
        Words.put(dir.attach("b").memory(), QueueHeader.PRODUCER_OFFSET, Owner.NONE);
        Broadcast.Transmitter tx = b.transmitter();
        assertThrows(IllegalArgumentException.class, () -> tx.transmit(1, msg(0, b.maxPayload() + 8)));
        assertThrows(IllegalArgumentException.class, () -> tx.transmit(0, msg(0, 8)));
        assertThrows(IllegalArgumentException.class, () -> Broadcast.bytesFor(3000));
        assertThrows(CorruptSegmentException.class, () -> SpscRing.attach(dir, "b"));
    }

    @Test
    void aBlockedReceiverWakesOnTransmit() throws Exception {
        Broadcast b = Broadcast.create(dir, "b", 4096);
        Broadcast.Receiver r = b.receiver();
        assertEquals(0, r.receive((t, s, o, l) -> { }, TimeUnit.MILLISECONDS.toNanos(10)));
        Broadcast.Transmitter tx = b.transmitter();
        MemorySegment m = Arena.ofAuto().allocate(8, 8);
        m.set(ValueLayout.JAVA_LONG, 0, 77L);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            tx.transmit(3, m);
        });
        t.start();
        long[] v = {0};
        assertEquals(1, r.receive((ty, s, o, l) -> v[0] = s.get(ValueLayout.JAVA_LONG, o), TimeUnit.SECONDS.toNanos(10)));
        assertEquals(77, v[0]);
        t.join();
    }

    @Test
    void aCorruptTailIsAnException() {
        Broadcast b = Broadcast.create(dir, "b", 1024);
        Broadcast.Receiver r = b.receiver();
        Words.put(dir.attach("b").memory(), BroadcastLayout.TAIL, 13L);
        assertThrows(CorruptSegmentException.class, () -> r.receive((t, s, o, l) -> { }));
    }
}
