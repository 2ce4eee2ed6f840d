package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WaitWordTest {

    @Test
    void aSignalWithNobodyWaitingWritesNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(64, 8);
            WaitWord w = new WaitWord(m, 8);
            assertFalse(w.signal(), "no waiter: no wake asked for");
            assertEquals(0, w.sequence(), "and the sequence untouched");
        }
    }

    @Test
    void aWaiterIsCountedAndWokenBySignal() throws Exception {
        MemorySegment m = Arena.ofShared().allocate(64, 8);
        WaitWord w = new WaitWord(m, 0);
        CountDownLatch counted = new CountDownLatch(1);
        boolean[] woke = {false};
        Thread t = new Thread(() -> {
            int seen = w.prepare();
            counted.countDown();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (w.sequence() == seen && System.nanoTime() < deadline) {
                    w.await(seen, TimeUnit.SECONDS.toNanos(1));
                }
                woke[0] = w.sequence() != seen;
            } finally {
                w.finish();
            }
        });
        t.start();
        counted.await();
        assertEquals(1, w.waiters());
        assertTrue(w.signal(), "a waiter: the sequence moves and a wake is asked for");
        t.join(30_000);
        assertTrue(woke[0]);
        assertEquals(0, w.waiters());
    }

    @Test
    void aBadOffsetIsRefused() {
        MemorySegment m = Arena.ofAuto().allocate(16, 8);
        assertThrows(IllegalArgumentException.class, () -> new WaitWord(m, 2));
        assertThrows(IllegalArgumentException.class, () -> new WaitWord(m, 12));
    }
}
