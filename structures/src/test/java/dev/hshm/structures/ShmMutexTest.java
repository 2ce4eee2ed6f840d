package dev.hshm.structures;

import dev.hshm.testkit.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ShmMutexTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    private String major() {
        return "" + heap.allocatorId.major();
    }

    @Test
    void lockAndUnlockRecordTheHolder() {
        ShmMutex m = ShmMutex.create(dir, "m");
        assertFalse(m.isLocked());
        assertEquals(ShmMutex.LockResult.ACQUIRED, m.lock());
        assertTrue(m.isHeldByCurrentThread());
        assertEquals(ProcessHandle.current().pid(), m.ownerPid());
        m.unlock();
        assertFalse(m.isLocked());
        assertEquals(0, m.ownerPid());
        assertEquals(0, m.recoveries());
    }

    @Test
    void guardsACounterAcrossThreads() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        MemorySegment counter = dir.create("counter", 8, s -> { }).memory();
        Thread[] ts = new Thread[4];
        for (int k = 0; k < ts.length; k++) {
            ts[k] = new Thread(() -> {
                ShmMutex mine = ShmMutex.attach(dir, "m");
                for (int i = 0; i < 20_000; i++) {
                    mine.lock();
                    try {
                        // a plain read-modify-write: lost updates unless the mutex excludes
                        counter.set(ValueLayout.JAVA_LONG, 0, counter.get(ValueLayout.JAVA_LONG, 0) + 1);
                    } finally {
                        mine.unlock();
                    }
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(80_000, counter.get(ValueLayout.JAVA_LONG, 0));
        assertFalse(m.isLocked());
    }

    @Test
    void aWaiterSleepsUntilUnlock() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        m.lock();
        AtomicBoolean got = new AtomicBoolean();
        CompletableFuture<ShmMutex.LockResult> f = CompletableFuture.supplyAsync(() -> {
            ShmMutex.LockResult r = m.lock();
            got.set(true);
            m.unlock();
            return r;
        });
        Thread.sleep(200);
        assertFalse(got.get(), "the waiter acquired a held mutex");
        m.unlock();
        assertEquals(ShmMutex.LockResult.ACQUIRED, f.get(10, TimeUnit.SECONDS));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void anInterruptedWaiterSleepsRatherThanSpinsAndKeepsItsInterrupt() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        m.lock();
        try (ChildJvm child = Children.startMain(ContainerChild.class, "mutex-interrupted-lock", heap.url, major(), "m")) {
            String cpu = child.await("cpu-ms", 60);
            m.unlock();
            assertEquals("acquired interrupted=true", child.await("acquired", 30), "lock() swallowed the interrupt");
            assertEquals(0, child.waitFor(30));
            // the whole child JVM over 1 s: a busy loop burns its share of a core (hundreds of ms even on a loaded
            // machine); a sleeping waiter and an idle JVM, a few ms
            long ms = Long.parseLong(cpu.split(" ")[1]);
            System.out.println("cpu: an interrupted waiter's JVM used " + ms + " ms in 1 s");
            assertTrue(ms < 150, "the JVM of an interrupted waiter used " + ms + " ms of CPU in 1 s");
        }
    }

    @Test
    void tryLockTimesOutWhileALiveThreadHoldsIt() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        CompletableFuture<Void> holder = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            m.lock();
            holder.complete(null);
            release.join();
            m.unlock();
        });
        t.start();
        holder.get(10, TimeUnit.SECONDS);
        assertEquals(ShmMutex.LockResult.TIMED_OUT, m.tryLock());
        assertEquals(ShmMutex.LockResult.TIMED_OUT, m.tryLock(50, TimeUnit.MILLISECONDS));
        assertFalse(m.isHeldByCurrentThread());
        release.complete(null);
        t.join();
        assertEquals(ShmMutex.LockResult.ACQUIRED, m.tryLock(1, TimeUnit.SECONDS));
        m.unlock();
        assertThrows(IllegalArgumentException.class, () -> m.tryLock(-1, TimeUnit.SECONDS));
    }

    @Test
    void unlockByANonHolderIsRefused() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        StateException free = assertThrows(StateException.class, m::unlock);
        assertTrue(free.getMessage().contains("does not hold it") && free.getMessage().contains("nobody"),
                free.getMessage());
        m.lock();
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
            try {
                m.unlock();
                return null;
            } catch (StateException e) {
                return e;
            }
        });
        Throwable e = other.get(10, TimeUnit.SECONDS);
        assertTrue(e instanceof StateException && e.getMessage().contains("pid " + ProcessHandle.current().pid()), "" + e);
        assertTrue(m.isHeldByCurrentThread(), "the refused unlock released the mutex");
        m.unlock();
    }

    @Test
    void attachRejectsWhatIsNotAMutex() {
        dir.create("raw", 64, s -> { });
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> ShmMutex.attach(dir, "raw"));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        ShmVector.createLongs(dir, "vec", 4);
        CorruptSegmentException t = assertThrows(CorruptSegmentException.class, () -> ShmMutex.attach(dir, "vec"));
        assertTrue(t.getMessage().contains("found type=2 (vector)"), t.getMessage());
    }

    @Test
    void aCorruptOwnerWordIsAnExceptionNotAHang() {
        ShmMutex.create(dir, "m");
        MemorySegment mem = dir.attach("m").memory();
        mem.set(ValueLayout.JAVA_LONG, MutexLayout.BODY + MutexLayout.OWNER, 0x1234L); // pid 0
        ShmMutex m = ShmMutex.attach(dir, "m");
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> m.tryLock(1, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("owner=0x1234"), e.getMessage());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aWaiterTakesOverFromAHolderKilledWithSigkillAndIsTold() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        try (ChildJvm child = Children.startMain(ContainerChild.class, "mutex-lock-hang", heap.url, major(), "m")) {
            assertEquals("locked ACQUIRED", child.await("locked", 60));
            assertEquals(child.pid(), m.ownerPid());
            assertEquals(ShmMutex.LockResult.TIMED_OUT, m.tryLock(100, TimeUnit.MILLISECONDS));
            CompletableFuture<ShmMutex.LockResult> waiter = CompletableFuture.supplyAsync(() -> {
                ShmMutex.LockResult got = m.lock();
                m.unlock();
                return got;
            });
            Thread.sleep(100);
            assertFalse(waiter.isDone(), "the waiter got a mutex a live process holds");
            child.kill();
            ShmMutex.LockResult r = waiter.get(10, TimeUnit.SECONDS);
            assertEquals(ShmMutex.LockResult.OWNER_DIED, r);
            assertEquals(1, m.recoveries());
        }
        assertFalse(m.isLocked(), "the taker-over unlocked as usual");
        assertEquals(ShmMutex.LockResult.ACQUIRED, m.tryLock());
        m.unlock();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void unlockWakesAWaiterInAnotherProcess() throws Exception {
        ShmMutex m = ShmMutex.create(dir, "m");
        m.lock();
        try (ChildJvm child = Children.startMain(ContainerChild.class, "mutex-lock-unlock", heap.url, major(), "m")) {
            child.await("waiting", 60);
            Thread.sleep(300);
            assertTrue(child.process().isAlive());
            assertFalse(child.lines().stream().anyMatch(l -> l.startsWith("acquired")), child.lines().toString());
            m.unlock();
            assertEquals("acquired ACQUIRED", child.await("acquired", 30));
            assertEquals(0, child.waitFor(30));
        }
        assertEquals(ShmMutex.LockResult.ACQUIRED, m.tryLock());
        m.unlock();
    }
}
