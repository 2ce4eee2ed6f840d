package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.spi.JvmThreadLocalKey;
import dev.hshm.api.spi.ThreadIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The argobots model's ids, TLS, sleeping, yielding and ULTs, in this JVM (default scheduler). */
@Timeout(120)
class ArgobotsThreadModelTest {

    private static final long PID = ProcessHandle.current().pid();

    private final ArgobotsThreadModel abt = new ArgobotsThreadModel();

    /** Runs {@code task} in a ULT, waits for it, and rethrows what it threw (assertion failures included). */
    private void inUlt(ThrowingRunnable task) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = abt.spawn(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertTrue(t.join(Duration.ofSeconds(60)), "ULT did not finish");
        rethrow(failure.get());
    }

    private static void rethrow(Throwable t) throws Exception {
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------ ids

    @Test
    void tidsAreUniqueAcrossTenThousandLiveUltsAndCarryThePid() throws Exception {
        int n = 10_000;
        long[] tids = new long[n];
        long[] threadIds = new long[n];
        CountDownLatch allRecorded = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> ults = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int me = i;
            ults.add(abt.spawn(() -> {
                tids[me] = abt.getTid();
                threadIds[me] = Thread.currentThread().threadId();
                allRecorded.countDown();
                try {
                    release.await(); // all n ULTs are alive at once while their ids are compared
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        allRecorded.await();
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < n; i++) {
            assertEquals(PID, ThreadIds.pidOf(tids[i]), "pid in the high 32 bits of tid " + Long.toHexString(tids[i]));
            assertEquals(threadIds[i] & 0xFFFF_FFFFL, tids[i] & 0xFFFF_FFFFL, "JVM thread id in the low 32 bits");
            distinct.add(tids[i]);
        }
        release.countDown();
        for (Thread t : ults) {
            t.join();
        }
        assertEquals(n, distinct.size(), "distinct tids among " + n + " live ULTs");
        assertFalse(distinct.contains(abt.getTid()), "the test's platform thread has a tid of its own");
    }

    @Test
    void aUltKeepsItsTidWhenItParksAndResumes() throws Exception {
        inUlt(() -> {
            long tid = abt.getTid();
            for (int i = 0; i < 50; i++) {
                if (i % 2 == 0) {
                    abt.yield();
                } else {
                    abt.sleepForUs(200);
                }
                assertEquals(tid, abt.getTid(), "the tid follows the ULT, not its carrier");
            }
        });
    }

    @Test
    void platformThreadsHaveTidsWithThePidToo() {
        long tid = abt.getTid();
        assertEquals(PID, ThreadIds.pidOf(tid));
        assertEquals(Thread.currentThread().threadId() & 0xFFFF_FFFFL, tid & 0xFFFF_FFFFL);
    }

    // ------------------------------------------------------------------ TLS

    @Test
    void aTlsValueSetInOneUltIsNotSeenInAnother() throws Exception {
        ThreadLocalKey<String> key = abt.createTls("platform");
        CountDownLatch aSet = new CountDownLatch(1);
        CountDownLatch bChecked = new CountDownLatch(1);
        AtomicReference<String> seenByB = new AtomicReference<>("unset");
        AtomicReference<String> seenByAAfter = new AtomicReference<>();
        Thread a = abt.spawn(() -> {
            abt.setTls(key, "a");
            aSet.countDown();
            try {
                bChecked.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seenByAAfter.set(abt.getTls(key));
        });
        Thread b = abt.spawn(() -> {
            try {
                aSet.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seenByB.set(abt.getTls(key));
            abt.setTls(key, "b");
            bChecked.countDown();
        });
        a.join();
        b.join();
        assertNull(seenByB.get(), "B saw A's value");
        assertEquals("a", seenByAAfter.get(), "B's set changed A's value");
        assertEquals("platform", abt.getTls(key), "the ULTs changed the creating thread's value");
    }

    @Test
    void createTlsSetsOnlyTheCallingUltsValue() throws Exception {
        AtomicReference<ThreadLocalKey<Integer>> key = new AtomicReference<>();
        inUlt(() -> {
            key.set(abt.createTls(42));
            assertEquals(42, abt.getTls(key.get()));
        });
        assertNull(abt.getTls(key.get()), "the platform thread sees the ULT's initial value");
        inUlt(() -> assertNull(abt.getTls(key.get()), "another ULT sees the first one's initial value"));
    }

    @Test
    void tlsValuesSurviveYieldsAndParksThatMayMoveTheUltToAnotherCarrier() throws Exception {
        ThreadLocalKey<Long> key = abt.createTls(null);
        int n = 1_000;
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger moved = new AtomicInteger();
        List<Thread> ults = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long mine = 1_000_000L + i;
            ults.add(abt.spawn(() -> {
                abt.setTls(key, mine);
                String carrier = ChildMain.carrier();
                boolean movedOnce = false;
                for (int r = 0; r < 20; r++) {
                    if (r % 2 == 0) {
                        abt.yield();
                    } else {
                        abt.sleepForUs(100);
                    }
                    if (!Long.valueOf(mine).equals(abt.getTls(key))) {
                        wrong.incrementAndGet();
                    }
                    movedOnce |= !carrier.equals(ChildMain.carrier());
                }
                if (movedOnce) {
                    moved.incrementAndGet();
                }
            }));
        }
        for (Thread t : ults) {
            t.join();
        }
        assertEquals(0, wrong.get(), "reads of a ULT's own value that returned something else (" + moved.get()
                + " of " + n + " ULTs changed carrier)");
        assertNull(abt.getTls(key));
    }

    @Test
    void settingNullRemovesTheValue() throws Exception {
        inUlt(() -> {
            ThreadLocalKey<String> key = abt.createTls("x");
            abt.setTls(key, null);
            assertNull(abt.getTls(key));
            abt.setTls(key, "y");
            assertEquals("y", abt.getTls(key));
        });
    }

    @Test
    void keysOfAnotherModelAreRejectedWithBothNames() {
        ThreadLocalKey<String> foreign = new JvmThreadLocalKey<>("pthreads");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> abt.getTls(foreign));
        assertTrue(e.getMessage().contains("pthreads") && e.getMessage().contains("argobots"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> abt.setTls(foreign, "v"));
    }

    // ------------------------------------------------------------------ sleep and yield

    @Test
    void sleepForUsWaitsAtLeastTheTimeAskedInAUltAndOnAPlatformThread() throws Exception {
        AtomicLong ultSlept = new AtomicLong();
        inUlt(() -> {
            long t0 = System.nanoTime();
            abt.sleepForUs(20_000);
            ultSlept.set(System.nanoTime() - t0);
        });
        assertTrue(ultSlept.get() >= 20_000_000L, "ULT slept " + ultSlept.get() + " ns");
        long t0 = System.nanoTime();
        abt.sleepForUs(20_000);
        long slept = System.nanoTime() - t0;
        assertTrue(slept >= 20_000_000L, "platform thread slept " + slept + " ns");
    }

    @Test
    void sleepingZeroReturnsAndANegativeTimeIsRejected() {
        abt.sleepForUs(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> abt.sleepForUs(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void anInterruptedUltStopsSleepingAndKeepsItsInterruptStatus() throws Exception {
        CountDownLatch asleep = new CountDownLatch(1);
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread t = abt.spawn(() -> {
            asleep.countDown();
            abt.sleepForUs(3_600_000_000L); // an hour; the interrupt ends it
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        asleep.await();
        t.interrupt();
        assertTrue(t.join(Duration.ofSeconds(60)), "the interrupted ULT kept sleeping");
        assertEquals(Boolean.TRUE, interruptedAfter.get());
    }

    @Test
    void yieldReturnsOnPlatformThreadsAndUlts() throws Exception {
        abt.yield();
        inUlt(abt::yield);
    }

    // ------------------------------------------------------------------ ULTs and execution streams

    @Test
    void spawnStartsVirtualThreadsNamedUltN() throws Exception {
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicReferenceArray<Boolean> virtual = new AtomicReferenceArray<>(10);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int me = i;
            ts.add(abt.spawn(() -> {
                names.add(Thread.currentThread().getName());
                virtual.set(me, Thread.currentThread().isVirtual());
            }));
        }
        for (Thread t : ts) {
            t.join();
            assertTrue(t.isVirtual());
        }
        assertEquals(10, names.size(), names.toString());
        for (String name : names) {
            assertTrue(name.matches("ult-\\d+"), name);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(Boolean.TRUE, virtual.get(i), "task " + i + " ran in a virtual thread");
        }
        assertThrows(NullPointerException.class, () -> abt.spawn(null));
    }

    @Test
    void executionStreamsIsTheSchedulersParallelism() {
        // surefire starts this JVM without the property: the JDK uses one carrier per available processor
        assertEquals(null, System.getProperty(ArgobotsThreadModel.PARALLELISM));
        assertEquals(ArgobotsThreadModel.parallelism(null, System.getProperty(ArgobotsThreadModel.MAX_POOL_SIZE),
                Runtime.getRuntime().availableProcessors()), ArgobotsThreadModel.executionStreams());
        assertTrue(ArgobotsThreadModel.executionStreams() >= 1);
    }

    @Test
    void parallelismIsComputedAsTheJdkSchedulerDoes() {
        assertEquals(8, ArgobotsThreadModel.parallelism(null, null, 8));
        assertEquals(3, ArgobotsThreadModel.parallelism("3", null, 8));
        assertEquals(2, ArgobotsThreadModel.parallelism("3", "2", 8), "maxPoolSize caps the parallelism");
        assertEquals(4, ArgobotsThreadModel.parallelism(null, "4", 8));
        assertEquals(8, ArgobotsThreadModel.parallelism(null, "300", 8));
        assertThrows(NumberFormatException.class, () -> ArgobotsThreadModel.parallelism("many", null, 8));
    }

    @Test
    void theModelIsNamedArgobots() {
        assertEquals("argobots", abt.name());
        assertNotEquals(-1, abt.toString().indexOf("argobots"));
    }
}
