package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.NativeException;
import dev.hshm.api.StateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** Registration logic with the CUDA calls mocked and real memory from an arena. */
class HostRegistrationTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(64 * 1024, 4096);
    private final long address = memory.address();
    private final CudaApi api = FakeDevice.working(0x1000_0000L);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void registersPortableAndMappedThenAsksForTheDevicePointerOfTheSameAddress() {
        HostRegistration r = HostRegistration.register(api, address, memory.byteSize(), "seg");
        InOrder order = inOrder(api);
        order.verify(api).getDevice(any());
        order.verify(api).hostRegister(address, memory.byteSize(), CudaApi.HOST_REGISTER_PORTABLE | CudaApi.HOST_REGISTER_MAPPED);
        order.verify(api).hostGetDevicePointer(eq(address), any());
        assertEquals(address + 0x1000_0000L, r.devicePointer(), "the API's answer is kept, not the host address");
        assertEquals(address, r.address());
        assertEquals(memory.byteSize(), r.bytes());
        assertEquals(0, r.device());
        assertTrue(r.isRegistered());
        verify(api, never()).hostUnregister(anyLong());
    }

    @Test
    void aRefusedRegistrationIsANativeExceptionAndNothingElseIsCalled() {
        when(api.hostRegister(anyLong(), anyLong(), org.mockito.ArgumentMatchers.anyInt()))
                .thenReturn(CudaErrors.MEMORY_ALLOCATION);
        NativeException e = assertThrows(NativeException.class,
                () -> HostRegistration.register(api, address, memory.byteSize(), "seg"));
        assertEquals("cudaHostRegister", e.function());
        assertEquals("cudaErrorMemoryAllocation", e.errorName());
        assertTrue(e.getMessage().contains("address=0x" + Long.toHexString(address)) && e.getMessage().contains("bytes=65536")
                && e.getMessage().contains("Portable|Mapped") && e.getMessage().contains("ulimit -l"), e.getMessage());
        verify(api, never()).hostGetDevicePointer(anyLong(), any());
        verify(api, never()).hostUnregister(anyLong());
    }

    @Test
    void whenTheDevicePointerCannotBeHadTheRangeIsUnregisteredBeforeTheFailureIsThrown() {
        doReturn(CudaErrors.NOT_SUPPORTED).when(api).hostGetDevicePointer(anyLong(), any());
        NativeException e = assertThrows(NativeException.class,
                () -> HostRegistration.register(api, address, memory.byteSize(), "seg"));
        assertEquals("cudaHostGetDevicePointer", e.function());
        assertTrue(e.getMessage().contains("mapped pinned memory"), e.getMessage());
        InOrder order = inOrder(api);
        order.verify(api).hostRegister(eq(address), anyLong(), org.mockito.ArgumentMatchers.anyInt());
        order.verify(api).hostGetDevicePointer(eq(address), any());
        order.verify(api).hostUnregister(address);
        assertEquals(0, e.getSuppressed().length);
    }

    @Test
    void anUnregisterThatFailsDuringCleanupIsKeptAsSuppressed() {
        doReturn(CudaErrors.INVALID_VALUE).when(api).hostGetDevicePointer(anyLong(), any());
        when(api.hostUnregister(anyLong())).thenReturn(CudaErrors.HOST_MEMORY_NOT_REGISTERED);
        NativeException e = assertThrows(NativeException.class,
                () -> HostRegistration.register(api, address, memory.byteSize(), "seg"));
        assertEquals("cudaHostGetDevicePointer", e.function());
        assertEquals(1, e.getSuppressed().length);
        assertEquals("cudaHostUnregister", ((NativeException) e.getSuppressed()[0]).function());
    }

    @Test
    void aNullDevicePointerReportedAsSuccessIsRejectedAndUnregistered() {
        doAnswer(inv -> {
            ((long[]) inv.getArgument(1))[0] = 0;
            return CudaApi.SUCCESS;
        }).when(api).hostGetDevicePointer(anyLong(), any());
        StateException e = assertThrows(StateException.class,
                () -> HostRegistration.register(api, address, memory.byteSize(), "seg"));
        assertTrue(e.getMessage().contains("NULL"), e.getMessage());
        verify(api).hostUnregister(address);
    }

    @Test
    void aFailedDeviceQueryStopsBeforeRegistering() {
        doReturn(CudaErrors.INSUFFICIENT_DRIVER).when(api).getDevice(any());
        NativeException e = assertThrows(NativeException.class,
                () -> HostRegistration.register(api, address, memory.byteSize(), "seg"));
        assertEquals("cudaGetDevice", e.function());
        verify(api, never()).hostRegister(anyLong(), anyLong(), org.mockito.ArgumentMatchers.anyInt());
    }

    @Test
    void unregisterCallsCudaOnceWhateverHappens() {
        HostRegistration r = HostRegistration.register(api, address, memory.byteSize(), "seg");
        when(api.hostUnregister(anyLong())).thenReturn(CudaErrors.HOST_MEMORY_NOT_REGISTERED);
        NativeException e = assertThrows(NativeException.class, r::unregister);
        assertEquals("cudaErrorHostMemoryNotRegistered", e.errorName());
        assertFalse(r.isRegistered());
        r.unregister();
        verify(api, times(1)).hostUnregister(address);
    }
}
