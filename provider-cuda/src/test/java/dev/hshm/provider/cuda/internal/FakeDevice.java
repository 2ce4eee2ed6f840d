package dev.hshm.provider.cuda.internal;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.mock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Mockito mocks of {@link CudaApi} that answer as a working device would: every call succeeds, device pointers
 * are the host addresses (unified addressing), streams get increasing handles, error names are CUDA's. Tests
 * override single calls with {@code when(...)}/{@code doReturn(...)} to inject failures, and verify the calls.
 */
final class FakeDevice {

    /** Where stream handles start (any non-zero value a real cudaStream_t could have). */
    static final long FIRST_STREAM = 0x7f00_0000_1000L;

    private FakeDevice() {
    }

    /** A mock whose calls succeed; device pointers equal host addresses plus {@code deviceOffset}. */
    static CudaApi working(long deviceOffset) {
        CudaApi api = mock(CudaApi.class);
        AtomicLong streams = new AtomicLong(FIRST_STREAM);
        lenient().when(api.getDevice(any())).thenAnswer(inv -> {
            ((int[]) inv.getArgument(0))[0] = 0;
            return CudaApi.SUCCESS;
        });
        lenient().when(api.getDeviceCount(any())).thenAnswer(inv -> {
            ((int[]) inv.getArgument(0))[0] = 1;
            return CudaApi.SUCCESS;
        });
        lenient().when(api.setDevice(anyInt())).thenReturn(CudaApi.SUCCESS);
        lenient().when(api.hostRegister(anyLong(), anyLong(), anyInt())).thenReturn(CudaApi.SUCCESS);
        lenient().when(api.hostUnregister(anyLong())).thenReturn(CudaApi.SUCCESS);
        lenient().when(api.hostGetDevicePointer(anyLong(), any())).thenAnswer(inv -> {
            ((long[]) inv.getArgument(1))[0] = (long) inv.getArgument(0) + deviceOffset;
            return CudaApi.SUCCESS;
        });
        lenient().when(api.streamCreate(any())).thenAnswer(inv -> {
            ((long[]) inv.getArgument(0))[0] = streams.getAndAdd(0x100);
            return CudaApi.SUCCESS;
        });
        lenient().when(api.streamDestroy(anyLong())).thenReturn(CudaApi.SUCCESS);
        lenient().when(api.streamSynchronize(anyLong())).thenReturn(CudaApi.SUCCESS);
        lenient().when(api.errorName(anyInt())).thenAnswer(inv -> name(inv.getArgument(0)));
        lenient().when(api.errorString(anyInt())).thenAnswer(inv -> "description of " + name(inv.getArgument(0)));
        return api;
    }

    /** A mock with device pointers equal to host addresses. */
    static CudaApi working() {
        return working(0);
    }

    static String name(int code) {
        return switch (code) {
            case 0 -> "cudaSuccess";
            case CudaErrors.INVALID_VALUE -> "cudaErrorInvalidValue";
            case CudaErrors.MEMORY_ALLOCATION -> "cudaErrorMemoryAllocation";
            case CudaErrors.INSUFFICIENT_DRIVER -> "cudaErrorInsufficientDriver";
            case CudaErrors.NO_DEVICE -> "cudaErrorNoDevice";
            case CudaErrors.INVALID_DEVICE -> "cudaErrorInvalidDevice";
            case CudaErrors.HOST_MEMORY_ALREADY_REGISTERED -> "cudaErrorHostMemoryAlreadyRegistered";
            case CudaErrors.HOST_MEMORY_NOT_REGISTERED -> "cudaErrorHostMemoryNotRegistered";
            case 719 -> "cudaErrorLaunchFailure";
            case CudaErrors.NOT_SUPPORTED -> "cudaErrorNotSupported";
            default -> "INVALID cudaError: " + code;
        };
    }
}
