package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs({OS.LINUX, OS.MAC})
class PthreadsThreadModelTest {

    private final ThreadModel model = new PthreadsThreadModelProvider().create();

    @Test
    void isTheProcessModelWhenThisProviderIsPresent() {
        assertEquals(ThreadModel.PTHREADS, model.name());
        assertEquals(ThreadModel.PTHREADS, ThreadModel.current().name());
        assertSame(ThreadModel.current(), ThreadModel.current());
    }

    @Test
    void tidCarriesThePidInItsHigh32Bits() {
        long tid = model.getTid();
        assertEquals(ProcessHandle.current().pid(), tid >>> 32);
        assertEquals(Thread.currentThread().threadId() & 0xFFFF_FFFFL, tid & 0xFFFF_FFFFL);
        assertEquals(tid, model.getTid(), "stable within a thread");
    }

    @Test
    void tidsAreUniqueAcrossPlatformAndVirtualThreads() throws InterruptedException {
        Set<Long> tids = ConcurrentHashMap.newKeySet();
        tids.add(model.getTid());
        List<Thread> threads = new ArrayList<>();
        CountDownLatch allAlive = new CountDownLatch(32);
        for (int i = 0; i < 32; i++) {
            Thread.Builder b = i % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
            threads.add(b.start(() -> {
                tids.add(model.getTid());
                allAlive.countDown();
                try {
                    allAlive.await(); // all alive at once: ids must differ while threads live
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(33, tids.size());
    }

    @Test
    void tlsIsPerThread() throws InterruptedException {
        ThreadLocalKey<String> key = model.createTls("main");
        assertEquals(ThreadModel.PTHREADS, key.modelName());
        assertEquals("main", model.getTls(key));
        AtomicReference<String> seenByOther = new AtomicReference<>("unset");
        Thread t = Thread.ofPlatform().start(() -> {
            seenByOther.set(model.getTls(key));
            model.setTls(key, "other");
        });
        t.join();
        assertNull(seenByOther.get(), "another thread starts without a value");
        assertEquals("main", model.getTls(key), "its value is not ours");
        model.setTls(key, null);
        assertNull(model.getTls(key));
    }

    @Test
    void tlsRejectsKeysFromOtherModels() {
        ThreadLocalKey<String> foreign = () -> "argobots";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.getTls(foreign));
        assertTrue(e.getMessage().contains("argobots"), e.getMessage());
    }

    @Test
    void yieldWorksOnPlatformAndVirtualThreads() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            model.yield();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    model.yield();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        v.join();
        assertNull(failure.get());
    }

    @Test
    void sleepForUsSleepsAtLeastThatLong() {
        long t0 = System.nanoTime();
        model.sleepForUs(20_000);
        long us = (System.nanoTime() - t0) / 1000;
        assertTrue(us >= 20_000, "slept " + us + " us");
        model.sleepForUs(0);
        assertThrows(IllegalArgumentException.class, () -> model.sleepForUs(-1));
    }

    @Test
    void sleepForUsReturnsEarlyWhenInterruptedAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        long t0 = System.nanoTime();
        model.sleepForUs(10_000_000);
        assertTrue(Thread.interrupted(), "interrupt status kept (and cleared here)");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }

    @Test
    void distinctModelsHandOutDistinctKeys() {
        ThreadLocalKey<Integer> a = model.createTls(1);
        ThreadLocalKey<Integer> b = model.createTls(2);
        assertNotEquals(a, b);
        assertEquals(1, model.getTls(a));
        assertEquals(2, model.getTls(b));
    }
}
