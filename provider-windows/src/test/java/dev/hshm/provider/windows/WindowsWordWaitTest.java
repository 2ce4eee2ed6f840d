package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WindowsThreadModel}'s cross-process word wait ({@link SharedWaits}) over {@link SimulatedWinApi}, whose
 * named semaphores follow the Win32 rules the logic relies on (a name opens the existing object, permits persist,
 * a release past the maximum fails, the wait is not interruptible). The same logic runs against kernel32 only on
 * Windows; this machine has none, so the bindings themselves ({@code CreateSemaphoreW}, {@code ReleaseSemaphore},
 * {@code WaitForSingleObject} in {@code WinNative}) are written to Microsoft's signatures and not run here.
 */
class WindowsWordWaitTest {

    private final SimulatedWinApi api = new SimulatedWinApi();
    private final WindowsThreadModel model = new WindowsThreadModel(api);
    private final String name = ShmTestNames.unique("hshmwait");
    private final WindowsShmMmap backend = WindowsShmMmap.create(api, MemoryBackendId.get(31), 1 << 16, name, 0600);
    private final MemorySegment data = backend.data();

    @AfterEach
    void tearDown() {
        backend.destroy();
        api.assertNothingLeaked(); // the view's semaphores were closed with it
    }

    private String semaphoreOf(long dataOffset) {
        return SharedWaits.name(WindowsShmMmap.objectName(name), BackendHeader.DATA_OFFSET + dataOffset);
    }

    @Test
    void aWaiterSleepsOnTheWordsNamedSemaphoreAndAWakeReleasesIt() throws Exception {
        data.set(ValueLayout.JAVA_INT, 64, 7);
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            boolean r = model.waitOnWord(data, 64, 7, TimeUnit.SECONDS.toNanos(10));
            return r ? System.nanoTime() - t0 : -1L;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (api.semaphorePermits(semaphoreOf(64)) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(1); // until the waiter has opened the semaphore
        }
        Thread.sleep(50);
        assertFalse(woke.isDone(), "the waiter did not sleep");
        data.set(ValueLayout.JAVA_INT, 64, 8);
        model.wakeWord(data, 64, ThreadModel.WAKE_ALL);
        long slept = woke.get(5, TimeUnit.SECONDS);
        assertTrue(slept > TimeUnit.MILLISECONDS.toNanos(40), "woke after " + slept + " ns");
        // WAKE_ALL released 64 permits and one waiter took one: the rest are later spurious returns
        assertEquals(SharedWaits.WAKE_ALL_PERMITS - 1, api.semaphorePermits(semaphoreOf(64)));
    }

    @Test
    void aWakeBeforeTheSleepIsNotLostAndAChangedWordReturnsAtOnce() {
        data.set(ValueLayout.JAVA_INT, 128, 1);
        model.wakeWord(data, 128, 1); // the permit waits for the waiter
        long t0 = System.nanoTime();
        assertTrue(model.waitOnWord(data, 128, 1, TimeUnit.SECONDS.toNanos(10)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertEquals(0, api.semaphorePermits(semaphoreOf(128)));
        assertTrue(model.waitOnWord(data, 128, 2, TimeUnit.SECONDS.toNanos(10)), "the word differs: no sleep");
    }

    @Test
    void aTimeoutReturnsFalseAfterItAndAnInterruptEndsTheWaitWithinASlice() throws Exception {
        data.set(ValueLayout.JAVA_INT, 0, 3);
        long t0 = System.nanoTime();
        assertFalse(model.waitOnWord(data, 0, 3, TimeUnit.MILLISECONDS.toNanos(30)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(30), "returned before its timeout");
        Thread waiter = Thread.ofPlatform().start(() -> model.waitOnWord(data, 0, 3, Long.MAX_VALUE));
        Thread.sleep(30);
        waiter.interrupt();
        waiter.join(TimeUnit.MILLISECONDS.toMillis(WindowsThreadModel.WAIT_SLICE_MILLIS * 5L));
        assertFalse(waiter.isAlive(), "an interrupted wait did not return");
    }

    @Test
    void aWordOutsideEveryViewPollsAndItsWakeMakesNoCall() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment local = a.allocate(64, 8);
            local.set(ValueLayout.JAVA_INT, 0, 5);
            assertFalse(model.waitOnWord(local, 0, 5, TimeUnit.MILLISECONDS.toNanos(20)));
            model.wakeWord(local, 0, 1);
        }
        assertEquals(-1, api.semaphorePermits(semaphoreOf(0)), "no semaphore for memory of no view");
    }

    @Test
    void theSemaphoreCountIsCappedSoUntakenWakesStayFew() {
        for (int i = 0; i < SharedWaits.MAX_PERMITS / SharedWaits.WAKE_ALL_PERMITS + 5; i++) {
            model.wakeWord(data, 256, ThreadModel.WAKE_ALL); // past the maximum: ERROR_TOO_MANY_POSTS, ignored
        }
        assertEquals(SharedWaits.MAX_PERMITS, api.semaphorePermits(semaphoreOf(256)));
    }
}
