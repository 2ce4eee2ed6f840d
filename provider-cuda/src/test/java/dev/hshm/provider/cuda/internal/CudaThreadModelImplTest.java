package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.NativeException;
import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadLocalKey;
import dev.hshm.api.spi.ThreadIds;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The cuda thread model's per-thread device and stream, with the CUDA calls mocked. */
class CudaThreadModelImplTest {

    private final CudaApi api = FakeDevice.working();

    @Test
    void aThreadSelectsTheDefaultDeviceOnFirstUseOnly() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 2, 1);
        verify(api, never()).setDevice(anyInt());
        assertEquals(1, m.device());
        assertEquals(1, m.device());
        verify(api, times(1)).setDevice(1);
        assertEquals(2, m.deviceCount());
        assertEquals(ThreadModel.CUDA, m.name());
    }

    @Test
    void theStreamIsCreatedLazilyOncePerThreadAfterTheDevice() throws Exception {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        long s1 = m.stream();
        assertEquals(s1, m.stream());
        InOrder order = inOrder(api);
        order.verify(api).setDevice(0);
        order.verify(api).streamCreate(any());
        verify(api, times(1)).streamCreate(any());
        AtomicLong other = new AtomicLong();
        Thread t = Thread.ofPlatform().start(() -> {
            other.set(m.stream());
            m.release();
        });
        t.join();
        assertNotEquals(0, other.get());
        assertNotEquals(s1, other.get(), "each thread has its own stream");
        verify(api).streamDestroy(other.get());
        verify(api, never()).streamDestroy(s1);
        m.release();
        verify(api).streamDestroy(s1);
    }

    @Test
    void releaseDestroysTheStreamAndTheNextUseCreatesAnother() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        long s1 = m.stream();
        m.release();
        verify(api).streamDestroy(s1);
        long s2 = m.stream();
        assertNotEquals(s1, s2);
        verify(api, times(2)).setDevice(0);
        m.release();
        m.release();
        verify(api, times(1)).streamDestroy(s2);
    }

    @Test
    void aFailedDestroyIsThrownButTheStreamIsForgottenAndNeverDestroyedTwice() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        long s = m.stream();
        when(api.streamDestroy(s)).thenReturn(CudaErrors.INVALID_VALUE);
        NativeException e = assertThrows(NativeException.class, m::release);
        assertEquals("cudaStreamDestroy", e.function());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(s)), e.getMessage());
        m.release();
        verify(api, times(1)).streamDestroy(s);
    }

    @Test
    void useDeviceDestroysTheOldStreamAndSelectsTheNewDevice() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 2, 0);
        long s0 = m.stream();
        m.useDevice(1);
        InOrder order = inOrder(api);
        order.verify(api).setDevice(0);
        order.verify(api).streamDestroy(s0);
        order.verify(api).setDevice(1);
        assertEquals(1, m.device());
        long s1 = m.stream();
        assertNotEquals(s0, s1);
        clearInvocations(api);
        m.useDevice(1);
        verify(api, never()).setDevice(anyInt());
        m.release();
    }

    @Test
    void devicesOutOfRangeAreRejectedNamingTheCount() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.useDevice(2));
        assertTrue(e.getMessage().contains("no CUDA device 2") && e.getMessage().contains("2 devices (0..1)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.useDevice(-1));
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> new CudaThreadModelImpl(api, 1, 3));
        assertTrue(d.getMessage().contains("hshm.cuda.device"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CudaThreadModelImpl(api, 0, 0));
        verify(api, never()).setDevice(anyInt());
    }

    @Test
    void aRefusedDeviceIsANativeExceptionAndNothingIsRemembered() {
        when(api.setDevice(0)).thenReturn(CudaErrors.INVALID_DEVICE).thenReturn(CudaApi.SUCCESS);
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        NativeException e = assertThrows(NativeException.class, m::stream);
        assertEquals("cudaSetDevice", e.function());
        verify(api, never()).streamCreate(any());
        assertNotEquals(0, m.stream(), "the next use tries again");
        m.release();
    }

    @Test
    void synchronizeWaitsOnTheThreadsStreamAndReportsKernelFailures() {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        m.synchronize();
        verify(api, never()).streamSynchronize(anyLong());
        long s = m.stream();
        m.synchronize();
        verify(api).streamSynchronize(s);
        when(api.streamSynchronize(s)).thenReturn(719);
        NativeException e = assertThrows(NativeException.class, m::synchronize);
        assertEquals("cudaErrorLaunchFailure", e.errorName());
        m.release();
    }

    @Test
    void aThreadThatEndsWithoutReleasingHasItsStreamDestroyedByTheCleaner() throws Exception {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        AtomicLong handle = new AtomicLong();
        Thread t = Thread.ofPlatform().start(() -> handle.set(m.stream()));
        t.join();
        t = null; // the thread object, and with it its thread-locals, may now be collected
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!destroyed(handle.get()) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(destroyed(handle.get()), "the Cleaner destroyed stream 0x" + Long.toHexString(handle.get()));
        assertNull(t);
    }

    private boolean destroyed(long handle) {
        return mockingDetails(api).getInvocations().stream()
                .anyMatch(i -> i.getMethod().getName().equals("streamDestroy") && (long) i.getArgument(0) == handle);
    }

    @Test
    void threadLocalStorageIdsAndTimingAreThoseOfJvmThreads() throws Exception {
        CudaThreadModelImpl m = new CudaThreadModelImpl(api, 1, 0);
        ThreadLocalKey<String> key = m.createTls("main");
        assertEquals("main", m.getTls(key));
        Thread t = Thread.ofPlatform().start(() -> {
            assertNull(m.getTls(key));
            m.setTls(key, "other");
            assertEquals("other", m.getTls(key));
        });
        t.join();
        assertEquals("main", m.getTls(key));
        assertEquals(ThreadIds.current(), m.getTid());
        assertEquals(ProcessHandle.current().pid(), ThreadIds.pidOf(m.getTid()));
        assertThrows(IllegalArgumentException.class, () -> m.getTls(new JvmThreadLocalKey<String>(ThreadModel.PTHREADS)));
        long t0 = System.nanoTime();
        m.sleepForUs(2_000);
        assertTrue(System.nanoTime() - t0 >= 2_000_000L, "slept at least 2 ms");
        assertThrows(IllegalArgumentException.class, () -> m.sleepForUs(-1));
        m.yield();
        assertSame(m, m);
        verify(api, never()).setDevice(anyInt()); // none of this touched CUDA
    }
}
