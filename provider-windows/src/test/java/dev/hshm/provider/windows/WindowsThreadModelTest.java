package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadLocalKey;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.provider.windows.internal.WinApi;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link WindowsThreadModel} against a Mockito {@link WinApi}: id composition, fall-backs, yield, sleep, TLS. */
class WindowsThreadModelTest {

    private final WinApi api = mock(WinApi.class);

    private WindowsThreadModel model(int pid, int tid) {
        when(api.getCurrentProcessId()).thenReturn(pid);
        when(api.getCurrentThreadId()).thenReturn(tid);
        return new WindowsThreadModel(api);
    }

    private static <T> T onVirtualThread(java.util.function.Supplier<T> work) throws InterruptedException {
        AtomicReference<T> out = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> out.set(work.get()));
        t.join();
        return out.get();
    }

    @Test
    void nameIsWindows() {
        assertEquals(ThreadModel.WINDOWS, model(1, 4).name());
    }

    @Test
    void aPlatformThreadsIdIsTheProcessIdOverTheWin32ThreadId() {
        WindowsThreadModel m = model(0x1234, 0x5678);
        assertEquals(0x0000_1234_0000_5678L, m.getTid());
        assertEquals(0x1234, ThreadIds.pidOf(m.getTid()), "the pid reads back as ThreadIds does it");
    }

    @Test
    void dwordsAreUnsignedNotSignExtended() {
        WindowsThreadModel m = model(0x8000_0010, 0x0000_0FFC);
        assertEquals(0x8000_0010_0000_0FFCL, m.getTid());
    }

    @Test
    void theProcessIdIsAskedOnceAndTheThreadIdOnEveryCall() {
        WindowsThreadModel m = model(7, 8);
        m.getTid();
        m.getTid();
        m.getTid();
        verify(api, times(1)).getCurrentProcessId();
        verify(api, times(3)).getCurrentThreadId();
    }

    @Test
    void aVirtualThreadGetsItsJvmIdWithBit31AndNeverTheCarriersWin32Id() throws Exception {
        WindowsThreadModel m = model(0x1234, 0x5678);
        long[] both = onVirtualThread(() -> new long[] {m.getTid(), ThreadIds.current()});

        assertEquals(both[1] | WindowsThreadModel.JVM_TID_BIT, both[0]);
        assertEquals(ProcessHandle.current().pid(), ThreadIds.pidOf(both[0]));
        verify(api, never()).getCurrentThreadId();
    }

    @Test
    void twoVirtualThreadsOnOneCarrierGetDifferentIds() throws Exception {
        WindowsThreadModel m = model(0x1234, 0x5678);
        long a = onVirtualThread(m::getTid);
        long b = onVirtualThread(m::getTid);
        assertNotEquals(a, b);
    }

    @Test
    void aWin32IdWithBit31FallsBackToTheJvmId() {
        WindowsThreadModel m = model(0x1234, 0x8000_0004);
        assertEquals(ThreadIds.current() | WindowsThreadModel.JVM_TID_BIT, m.getTid());
    }

    @Test
    void platformAndVirtualIdsCannotCollideEvenWhenTheNumbersMatch() throws Exception {
        AtomicLong jvmIdOfVirtual = new AtomicLong();
        WindowsThreadModel m = model((int) ProcessHandle.current().pid(), 0);
        long virtualTid = onVirtualThread(() -> {
            jvmIdOfVirtual.set(Thread.currentThread().threadId());
            return m.getTid();
        });
        // a platform thread whose Win32 id happens to equal that virtual thread's JVM id
        when(api.getCurrentThreadId()).thenReturn((int) jvmIdOfVirtual.get());
        long platformTid = m.getTid();
        assertEquals(virtualTid & 0xFFFF_FFFFL & ~WindowsThreadModel.JVM_TID_BIT, platformTid & 0xFFFF_FFFFL);
        assertNotEquals(virtualTid, platformTid);
    }

    @Test
    void yieldIsSwitchToThreadOnAPlatformThreadOnly() throws Exception {
        WindowsThreadModel m = model(1, 4);
        m.yield();
        verify(api, times(1)).switchToThread();
        onVirtualThread(() -> {
            m.yield();
            return null;
        });
        verify(api, times(1)).switchToThread();
    }

    @Test
    void wholeMillisecondsAreSleptWithSleepAndTheRestIsParked() {
        WindowsThreadModel m = model(1, 4);
        long t0 = System.nanoTime();
        m.sleepForUs(2500);
        long elapsed = System.nanoTime() - t0;
        verify(api).sleep(2);
        // the mock's Sleep returns at once: the deadline is still kept, by parking
        assertTrue(elapsed >= 2_500_000, "slept " + elapsed + " ns");
    }

    @Test
    void subMillisecondSleepsOnlyPark() {
        WindowsThreadModel m = model(1, 4);
        long t0 = System.nanoTime();
        m.sleepForUs(700);
        assertTrue(System.nanoTime() - t0 >= 700_000);
        verify(api, never()).sleep(anyInt());
    }

    @Test
    void virtualThreadsParkInsteadOfBlockingTheirCarrierInSleep() throws Exception {
        WindowsThreadModel m = model(1, 4);
        long elapsed = onVirtualThread(() -> {
            long t0 = System.nanoTime();
            m.sleepForUs(3000);
            return System.nanoTime() - t0;
        });
        assertTrue(elapsed >= 3_000_000, "slept " + elapsed + " ns");
        verify(api, never()).sleep(anyInt());
    }

    @Test
    void anInterruptedThreadStopsSleepingAndKeepsItsInterruptStatus() {
        WindowsThreadModel m = model(1, 4);
        Thread.currentThread().interrupt();
        try {
            long t0 = System.nanoTime();
            m.sleepForUs(10_000_000);
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
            assertTrue(Thread.currentThread().isInterrupted());
            verify(api, never()).sleep(anyInt());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void negativeSleepsAreRefusedAndZeroReturnsAtOnce() {
        WindowsThreadModel m = model(1, 4);
        assertThrows(IllegalArgumentException.class, () -> m.sleepForUs(-1));
        m.sleepForUs(0);
        verify(api, never()).sleep(anyInt());
    }

    @Test
    void tlsIsPerThreadAndKeysFromAnotherModelAreRefused() throws Exception {
        WindowsThreadModel m = model(1, 4);
        ThreadLocalKey<String> key = m.createTls("main");
        assertEquals(ThreadModel.WINDOWS, key.modelName());
        assertEquals("main", m.getTls(key));
        String other = onVirtualThread(() -> {
            String before = m.getTls(key);
            m.setTls(key, "virtual");
            return before + "/" + m.getTls(key);
        });
        assertEquals("null/virtual", other);
        assertEquals("main", m.getTls(key));
        m.setTls(key, null);
        assertNull(m.getTls(key));

        ThreadLocalKey<String> foreign = new JvmThreadLocalKey<>(ThreadModel.PTHREADS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getTls(foreign));
        assertTrue(e.getMessage().contains("pthreads"), e.getMessage());
    }
}
