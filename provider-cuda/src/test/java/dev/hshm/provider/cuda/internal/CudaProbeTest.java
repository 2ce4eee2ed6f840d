package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.spi.Support;
import org.junit.jupiter.api.Test;

/** The support decision, with each outcome of each check supplied by a mocked environment. */
class CudaProbeTest {

    private final CudaProbe.Environment env = mock(CudaProbe.Environment.class);
    private final CudaApi api = FakeDevice.working();

    CudaProbeTest() {
        when(env.osName()).thenReturn("Linux");
        when(env.osArch()).thenReturn("amd64");
        when(env.driverLibraryProblem()).thenReturn(null);
        when(env.loadBinding()).thenReturn(api);
        when(api.driverGetVersion(any())).thenAnswer(inv -> {
            ((int[]) inv.getArgument(0))[0] = 13000;
            return CudaApi.SUCCESS;
        });
        when(api.runtimeGetVersion(any())).thenAnswer(inv -> {
            ((int[]) inv.getArgument(0))[0] = 12000;
            return CudaApi.SUCCESS;
        });
    }

    private void deviceCount(int rc, int count) {
        doAnswer(inv -> {
            ((int[]) inv.getArgument(0))[0] = count;
            return rc;
        }).when(api).getDeviceCount(any());
    }

    @Test
    void aMachineWithADriverAndDevicesIsSupportedAndSaysWhatItFound() {
        deviceCount(CudaApi.SUCCESS, 2);
        CudaProbe.State s = CudaProbe.probe(env);
        assertTrue(s.support().supported(), s.support().toString());
        assertEquals("2 CUDA devices, driver supports CUDA 13.0, jcuda's runtime is CUDA 12.0", s.support().reason());
        assertSame(api, s.api());
        assertEquals(2, s.deviceCount());
    }

    @Test
    void anotherOsIsRejectedBeforeAnythingIsLoaded() {
        when(env.osName()).thenReturn("Mac OS X");
        when(env.osArch()).thenReturn("aarch64");
        Support s = CudaProbe.probe(env).support();
        assertFalse(s.supported());
        assertTrue(s.reason().contains("Linux on x86_64") && s.reason().contains("Mac OS X on aarch64"), s.reason());
        verify(env, never()).driverLibraryProblem();
        verify(env, never()).loadBinding();
    }

    @Test
    void aMissingDriverLibraryIsTheReasonAndJcudaIsNeverTouched() {
        when(env.driverLibraryProblem()).thenReturn("libcuda.so.1 not found (no NVIDIA driver): Cannot open library");
        CudaProbe.State s = CudaProbe.probe(env);
        assertFalse(s.support().supported());
        assertEquals("libcuda.so.1 not found (no NVIDIA driver): Cannot open library", s.support().reason());
        assertNull(s.api());
        verify(env, never()).loadBinding();
    }

    @Test
    void jcudaMissingFromThePathIsNamedWithWhatToDo() {
        when(env.loadBinding()).thenThrow(new NoClassDefFoundError("jcuda/runtime/JCuda"));
        Support s = CudaProbe.probe(env).support();
        assertFalse(s.supported());
        assertTrue(s.reason().startsWith("jcuda is not visible to") && s.reason().contains("jcuda/runtime/JCuda")
                && s.reason().contains("--add-modules jcuda") && s.reason().contains("OSGi"), s.reason());
    }

    @Test
    void jcudasLongLinkErrorIsSummarizedToItsInformativeLines() {
        String jcudaMessage = """
                Error while loading native library "JCudaRuntime-12.0.0-linux-x86_64"
                Operating system name: Linux
                Architecture         : amd64
                Architecture bit size: 64
                ---(start of nested stack traces)---
                Stack trace from the attempt to load the library as a file:
                java.lang.UnsatisfiedLinkError: no JCudaRuntime-12.0.0-linux-x86_64 in java.library.path
                \tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2458)
                Stack trace from the attempt to load the library as a resource:
                java.io.IOException: No resource found with name '/lib/libJCudaRuntime-12.0.0-linux-x86_64.so'
                \tat jcuda.LibUtils.writeResourceToFile(LibUtils.java:313)
                ---(end of nested stack traces)---
                """;
        when(env.loadBinding()).thenThrow(new ExceptionInInitializerError(new UnsatisfiedLinkError(jcudaMessage)));
        String r = CudaProbe.probe(env).support().reason();
        assertTrue(r.startsWith("jcuda's native library could not be loaded: UnsatisfiedLinkError: Error while loading"
                + " native library \"JCudaRuntime-12.0.0-linux-x86_64\""), r);
        assertTrue(r.contains("No resource found with name '/lib/libJCudaRuntime-12.0.0-linux-x86_64.so'"), r);
        assertFalse(r.contains("\tat ") || r.contains(" at java.base") || r.contains("Operating system") || r.contains("\n"), r);
        assertTrue(r.length() < 500, r);
    }

    @Test
    void deniedNativeAccessForJcudaNamesTheFlag() {
        when(env.loadBinding()).thenThrow(new IllegalCallerException("Illegal native access from: module jcuda"));
        String r = CudaProbe.probe(env).support().reason();
        assertTrue(r.startsWith("native access denied to jcuda: add --enable-native-access="), r);
    }

    @Test
    void noDeviceIsSaidSoWithTheDriverVersion() {
        deviceCount(CudaErrors.NO_DEVICE, 0);
        String r = CudaProbe.probe(env).support().reason();
        assertTrue(r.startsWith("no CUDA device (cudaGetDeviceCount=0, cudaErrorNoDevice: description of"
                + " cudaErrorNoDevice; driver supports CUDA 13.0"), r);
        assertTrue(r.contains("CUDA_VISIBLE_DEVICES"), r);
    }

    @Test
    void aZeroCountReportedAsSuccessIsNoDeviceToo() {
        deviceCount(CudaApi.SUCCESS, 0);
        CudaProbe.State s = CudaProbe.probe(env);
        assertFalse(s.support().supported());
        assertTrue(s.support().reason().startsWith("no CUDA device (cudaGetDeviceCount=0; "), s.support().reason());
        assertNull(s.api(), "an unsupported state hands out no binding");
    }

    @Test
    void anOldDriverIsExplained() {
        deviceCount(CudaErrors.INSUFFICIENT_DRIVER, 0);
        String r = CudaProbe.probe(env).support().reason();
        assertTrue(r.startsWith("CUDA is not usable: cudaGetDeviceCount failed: cudaErrorInsufficientDriver (35)"), r);
        assertTrue(r.contains("install or update the NVIDIA driver"), r);
    }

    @Test
    void theProbeNeverThrows() {
        when(env.osName()).thenThrow(new IllegalStateException("boom"));
        Support s = CudaProbe.probe(env).support();
        assertFalse(s.supported());
        assertEquals("CUDA probe failed: IllegalStateException: boom", s.reason());
    }

    @Test
    void versionsAreFormattedAsCudaDoes() {
        assertEquals("13.0", CudaProbe.version(13000));
        assertEquals("12.2", CudaProbe.version(12020));
        assertEquals("none", CudaProbe.version(0));
    }

    @Test
    void onThisMachineTheRealProbeReportsTheMissingDriver() {
        assumeTrue(DriverLibrary.problem() != null, "libcuda.so.1 is present here");
        Support s = CudaProbe.support();
        assertFalse(s.supported());
        assertTrue(s.reason().startsWith("libcuda.so.1 not found (no NVIDIA driver): "), s.reason());
        assertSame(s, CudaProbe.support(), "probed once");
    }
}
