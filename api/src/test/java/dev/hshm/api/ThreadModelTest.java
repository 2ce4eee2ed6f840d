package dev.hshm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.spi.JvmThreadLocalKey;
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
}
