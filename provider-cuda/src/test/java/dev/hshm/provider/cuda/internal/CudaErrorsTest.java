package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.when;

import dev.hshm.api.NativeException;
import org.junit.jupiter.api.Test;

class CudaErrorsTest {

    private final CudaApi api = FakeDevice.working();

    @Test
    void successIsNotAnError() {
        assertDoesNotThrow(() -> CudaErrors.check(api, "cudaHostRegister", CudaApi.SUCCESS, "x"));
    }

    @Test
    void aFailedCallNamesTheFunctionCodeNameDescriptionPurposeAndAdvice() {
        NativeException e = assertThrows(NativeException.class, () -> CudaErrors.check(api, "cudaHostRegister",
                CudaErrors.MEMORY_ALLOCATION, "registering shared memory (url=x, bytes=4096)"));
        assertEquals("cudaHostRegister", e.function());
        assertEquals(2, e.errorCode());
        assertEquals("cudaErrorMemoryAllocation", e.errorName());
        assertTrue(e.getMessage().startsWith("cudaHostRegister failed: cudaErrorMemoryAllocation (2): registering"
                + " shared memory (url=x, bytes=4096): description of cudaErrorMemoryAllocation; "), e.getMessage());
        assertTrue(e.getMessage().contains("ulimit -l"), "advice for pinning failures: " + e.getMessage());
    }

    @Test
    void adviceDependsOnTheFunction() {
        assertTrue(CudaErrors.advice("cudaHostRegister", CudaErrors.MEMORY_ALLOCATION).contains("RLIMIT_MEMLOCK"));
        assertEquals("the device or host is out of memory", CudaErrors.advice("cudaStreamCreate", CudaErrors.MEMORY_ALLOCATION));
        assertTrue(CudaErrors.advice("cudaHostRegister", CudaErrors.HOST_MEMORY_ALREADY_REGISTERED).contains("once per process"));
        assertTrue(CudaErrors.advice("cudaHostUnregister", CudaErrors.HOST_MEMORY_NOT_REGISTERED).contains("per process"));
        assertTrue(CudaErrors.advice("cudaGetDeviceCount", CudaErrors.INSUFFICIENT_DRIVER).contains("libcuda.so.1"));
        assertTrue(CudaErrors.advice("cudaSetDevice", CudaErrors.INVALID_DEVICE).contains("hshm.cuda.device"));
        assertEquals("", CudaErrors.advice("cudaStreamCreate", 12345));
    }

    @Test
    void anUnknownCodeGetsANumericNameAndNoAdvice() {
        NativeException e = CudaErrors.failure(api, "cudaStreamCreate", 12345, "creating a stream");
        assertEquals("cudaError(12345)", e.errorName(), "jcuda's 'INVALID cudaError: N' is not a name");
        assertTrue(e.getMessage().endsWith("creating a stream: description of INVALID cudaError: 12345"), e.getMessage());
    }

    @Test
    void aBindingThatCannotNameTheErrorStillYieldsAnException() {
        when(api.errorName(anyInt())).thenThrow(new UnsatisfiedLinkError("gone"));
        when(api.errorString(anyInt())).thenReturn(null);
        NativeException e = CudaErrors.failure(api, "cudaHostUnregister", 713, "unregistering");
        assertEquals("cudaError(713)", e.errorName());
        assertTrue(e.getMessage().contains("unregistering: no description; the range is not registered"), e.getMessage());
    }
}
