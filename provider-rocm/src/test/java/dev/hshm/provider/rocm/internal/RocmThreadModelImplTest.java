package dev.hshm.provider.rocm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.NativeException;
import dev.hshm.api.StateException;
import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadLocalKey;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.provider.rocm.RocmThreadModel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The {@code rocm} thread model over a mocked HIP runtime: per-thread device and stream, release, backstop. */
class RocmThreadModelImplTest {

    private HipApi hip;
    private RocmThreadModelImpl model;

    @BeforeEach
    void mockHip() {
        hip = mock(HipApi.class);
        when(hip.deviceCount()).thenReturn(2);
        when(hip.streamCreate()).thenReturn(0x100L, 0x200L, 0x300L, 0x400L);
        model = new RocmThreadModelImpl(hip, 0);
    }

    /** Runs {@code body} on a new platform thread and waits; rethrows what it threw. */
    private static void onPlatformThread(Runnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
    }

    @Test
    void isTheRocmModel() {
        assertEquals(ThreadModel.ROCM, model.name());
        assertTrue(model instanceof RocmThreadModel);
    }

    @Test
    void aDefaultDeviceTheRuntimeDoesNotHaveIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RocmThreadModelImpl(hip, 2));
        assertTrue(e.getMessage().contains("sees 2 AMD GPUs (devices 0..1)"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dhshm.rocm.device"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RocmThreadModelImpl(hip, -1));
    }

    @Test
    void theDeviceIsMadeCurrentOnceOnFirstUse() throws Exception {
        onPlatformThread(() -> {
            verify(hip, never()).setDevice(anyInt());
            assertEquals(0, model.device());
            assertEquals(0, model.device());
        });
        verify(hip, times(1)).setDevice(0);
    }

    @Test
    void theStreamIsCreatedOnceAfterTheDeviceIsMadeCurrent() throws Exception {
        onPlatformThread(() -> {
            assertEquals(0x100L, model.stream());
            assertEquals(0x100L, model.stream());
        });
        InOrder order = inOrder(hip);
        order.verify(hip).setDevice(0);
        order.verify(hip).streamCreate();
        verify(hip, times(1)).streamCreate();
    }

    @Test
    void eachPlatformThreadHasItsOwnDeviceAndStream() throws Exception {
        Set<Long> streams = ConcurrentHashMap.newKeySet();
        onPlatformThread(() -> streams.add(model.stream()));
        onPlatformThread(() -> streams.add(model.stream()));
        assertEquals(Set.of(0x100L, 0x200L), streams);
        verify(hip, times(2)).setDevice(0);
    }

    @Test
    void releaseThreadDestroysTheStreamAndTheNextUseStartsAfresh() throws Exception {
        onPlatformThread(() -> {
            assertEquals(0x100L, model.stream());
            model.releaseThread();
            verify(hip).streamDestroy(0x100L);
            assertEquals(0x200L, model.stream(), "a new stream after release");
            model.releaseThread();
        });
        verify(hip).streamDestroy(0x200L);
        verify(hip, times(2)).setDevice(0);
        verify(hip, times(2)).streamDestroy(anyLong());
    }

    @Test
    void releaseThreadWithoutStateCallsNothing() throws Exception {
        onPlatformThread(model::releaseThread);
        verify(hip, never()).streamDestroy(anyLong());
        verify(hip, never()).setDevice(anyInt());
    }

    @Test
    void setDeviceSwitchesAndDestroysTheStreamOfTheOldDevice() throws Exception {
        onPlatformThread(() -> {
            assertEquals(0x100L, model.stream());
            model.setDevice(1);
            assertEquals(1, model.device());
            assertEquals(0x200L, model.stream(), "a stream on the new device");
            model.setDevice(1); // same device: nothing to do
        });
        InOrder order = inOrder(hip);
        order.verify(hip).setDevice(0);
        order.verify(hip).streamCreate();
        order.verify(hip).setDevice(1);
        order.verify(hip).streamDestroy(0x100L);
        order.verify(hip).streamCreate();
        verify(hip, times(1)).setDevice(1);
        assertThrows(IllegalArgumentException.class, () -> model.setDevice(-1));
    }

    @Test
    void aFailedSetDeviceKeepsTheThreadsDeviceAndStream() throws Exception {
        doThrow(new NativeException("hipSetDevice", 101, "hipErrorInvalidDevice", "mocked"))
                .when(hip).setDevice(7);
        onPlatformThread(() -> {
            long s = model.stream();
            NativeException e = assertThrows(NativeException.class, () -> model.setDevice(7));
            assertEquals(101, e.errorCode());
            assertEquals(0, model.device());
            assertEquals(s, model.stream());
        });
        verify(hip, never()).streamDestroy(anyLong());
    }

    @Test
    void aFailedStreamCreateLeavesNoStreamAndTheNextCallTriesAgain() throws Exception {
        when(hip.streamCreate()).thenThrow(new NativeException("hipStreamCreate", 2, "hipErrorOutOfMemory", "mocked"))
                .thenReturn(0x500L);
        onPlatformThread(() -> {
            assertThrows(NativeException.class, model::stream);
            assertEquals(0x500L, model.stream());
            model.releaseThread();
        });
        verify(hip, times(1)).streamDestroy(0x500L);
        verify(hip, times(1)).streamDestroy(anyLong());
    }

    @Test
    void aFailedReleaseReachesTheCallerAndTheStateIsForgotten() throws Exception {
        doThrow(new NativeException("hipStreamDestroy", 400, "hipErrorInvalidHandle", "mocked"))
                .when(hip).streamDestroy(0x100L);
        onPlatformThread(() -> {
            model.stream();
            assertThrows(NativeException.class, model::releaseThread);
            assertEquals(0x200L, model.stream(), "forgotten: a fresh stream");
            model.releaseThread();
        });
        verify(hip, times(1)).streamDestroy(0x100L);
    }

    @Test
    void theStreamOfAThreadThatEndedWithoutReleasingIsDestroyedByTheCleaner() throws Exception {
        AtomicLong destroyed = new AtomicLong();
        doAnswer(inv -> {
            destroyed.set(inv.getArgument(0));
            return null;
        }).when(hip).streamDestroy(anyLong());
        onPlatformThread(() -> assertEquals(0x100L, model.stream()));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (destroyed.get() == 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0x100L, destroyed.get(), "the cleaner destroyed the ended thread's stream");
        verify(hip, times(1)).streamDestroy(anyLong());
    }

    @Test
    void virtualThreadsGetNoGpuStateButKeepTlsAndIds() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                StateException e = assertThrows(StateException.class, model::device);
                assertTrue(e.getMessage().contains("virtual thread"), e.getMessage());
                assertThrows(StateException.class, model::stream);
                assertThrows(StateException.class, () -> model.setDevice(0));
                model.releaseThread();
                ThreadLocalKey<String> key = model.createTls("v");
                assertEquals("v", model.getTls(key));
                assertEquals(ProcessHandle.current().pid(), ThreadIds.pidOf(model.getTid()));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        v.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        verify(hip, never()).setDevice(anyInt());
        verify(hip, never()).streamCreate();
    }

    @Test
    void theTidIsUniqueAcrossThreadsAndCarriesThePid() throws Exception {
        long mine = model.getTid();
        assertEquals(ThreadIds.current(), mine);
        assertEquals(ProcessHandle.current().pid(), ThreadIds.pidOf(mine));
        AtomicLong other = new AtomicLong();
        onPlatformThread(() -> other.set(model.getTid()));
        assertNotEquals(mine, other.get());
    }

    @Test
    void tlsIsPerThreadAndRejectsKeysOfAnotherModel() throws Exception {
        ThreadLocalKey<String> key = model.createTls("main");
        assertEquals(ThreadModel.ROCM, key.modelName());
        assertEquals("main", model.getTls(key));
        AtomicReference<String> seen = new AtomicReference<>("unset");
        onPlatformThread(() -> {
            seen.set(model.getTls(key));
            model.setTls(key, "other");
        });
        assertNull(seen.get(), "another thread starts without a value");
        assertEquals("main", model.getTls(key));
        model.setTls(key, null);
        assertNull(model.getTls(key));
        ThreadLocalKey<String> foreign = new JvmThreadLocalKey<>(ThreadModel.PTHREADS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.getTls(foreign));
        assertTrue(e.getMessage().contains("key model=pthreads"), e.getMessage());
    }

    @Test
    void sleepForUsSleepsAtLeastThatLongAndRejectsNegativeTimes() {
        long t0 = System.nanoTime();
        model.sleepForUs(2_000);
        assertTrue(System.nanoTime() - t0 >= 2_000_000L);
        model.sleepForUs(0);
        model.yield();
        assertThrows(IllegalArgumentException.class, () -> model.sleepForUs(-1));
    }

    @Test
    void creatingTheModelAsksForTheDeviceCountOnlyAndTouchesNoDevice() {
        verify(hip, times(1)).deviceCount();
        verify(hip, never()).setDevice(anyInt());
        verify(hip, never()).streamCreate();
    }
}
