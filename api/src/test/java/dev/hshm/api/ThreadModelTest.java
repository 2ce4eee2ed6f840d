package dev.hshm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.spi.JvmThreadLocalKey;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadModelTest {

    @Test
    void withNoProviderPresentTheJavaModelIsChosenOnce() {
        ThreadModel m = ThreadModel.current();
        assertEquals(ThreadModel.JAVA, m.name(), "api alone has no thread-model provider");
        assertSame(m, ThreadModel.current());
    }

    @Test
    void threadIdsCarryThePidAndDifferPerThread() throws Exception {
        ThreadModel m = ThreadModel.current();
        long mine = m.getTid();
        assertEquals(ProcessHandle.current().pid(), mine >>> 32);
        long[] other = new long[1];
        Thread t = Thread.ofPlatform().start(() -> other[0] = m.getTid());
        t.join();
        assertNotEquals(mine, other[0]);
        Thread v = Thread.ofVirtual().start(() -> other[0] = m.getTid());
        v.join();
        assertNotEquals(mine, other[0]);
        assertEquals(ProcessHandle.current().pid(), other[0] >>> 32);
    }

    @Test
    void tlsIsPerThread() throws Exception {
        ThreadModel m = ThreadModel.current();
        ThreadLocalKey<String> key = m.createTls("main");
        assertEquals("main", m.getTls(key));
        String[] seen = new String[2];
        Thread t = Thread.ofPlatform().start(() -> {
            seen[0] = m.getTls(key);
            m.setTls(key, "other");
            seen[1] = m.getTls(key);
        });
        t.join();
        assertNull(seen[0]);
        assertEquals("other", seen[1]);
        assertEquals("main", m.getTls(key));
        m.setTls(key, null);
        assertNull(m.getTls(key));
    }

    @Test
    void aKeyFromAnotherModelIsRejected() {
        ThreadLocalKey<String> foreign = new JvmThreadLocalKey<>("elsewhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadModel.current().getTls(foreign));
        assertTrue(e.getMessage().contains("elsewhere"), e.getMessage());
    }

    @Test
    void sleepSleepsAndYieldReturns() {
        ThreadModel m = ThreadModel.current();
        long t0 = System.nanoTime();
        m.sleepForUs(2000);
        assertTrue(System.nanoTime() - t0 >= 1_500_000L);
        m.yield();
    }

    @Test
    void waitOnWordReturnsAtOnceWhenTheWordDiffersAndFalseAfterTheTimeout() {
        ThreadModel m = ThreadModel.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64, 8);
            s.set(ValueLayout.JAVA_INT, 8, 7);
            assertTrue(m.waitOnWord(s, 8, 6, Long.MAX_VALUE), "word differs: no sleep");
            long start = System.nanoTime();
            assertEquals(false, m.waitOnWord(s, 8, 7, 20_000_000L));
            assertTrue(System.nanoTime() - start >= 20_000_000L, "returned before its timeout");
        }
    }

    @Test
    void aWaiterWakesWhenAnotherThreadChangesTheWord() throws Exception {
        ThreadModel m = ThreadModel.current();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(64, 8);
            AtomicBoolean woke = new AtomicBoolean();
            Thread waiter = Thread.ofPlatform().start(() -> {
                while (s.get(ValueLayout.JAVA_INT_UNALIGNED, 4) == 0) {
                    m.waitOnWord(s, 4, 0, Long.MAX_VALUE);
                }
                woke.set(true);
            });
            Thread.sleep(20);
            ValueLayout.JAVA_INT.varHandle().setVolatile(s, 4L, 1);
            m.wakeWord(s, 4, ThreadModel.WAKE_ALL);
            waiter.join(10_000);
            assertTrue(woke.get(), "the waiter did not see the change within 10 s");
        }
    }

    @Test
    void badWaitArgumentsAreRefusedWithTheirValues() {
        ThreadModel m = ThreadModel.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16, 8);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.waitOnWord(s, 2, 0, 1))
                    .getMessage().contains("offset 2"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.waitOnWord(s, 16, 0, 1))
                    .getMessage().contains("16 bytes"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.waitOnWord(s, 0, 0, -1))
                    .getMessage().contains("-1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.wakeWord(s, 0, 0))
                    .getMessage().contains("count"));
        }
    }
}
