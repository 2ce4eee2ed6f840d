package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real jcuda binding on a machine without an NVIDIA driver. jcuda's runtime library links the CUDA runtime
 * statically, so it loads here, and every call that needs the driver answers {@code cudaErrorInsufficientDriver}
 * instead of crashing: these tests make real jcuda calls and check that the binding reports them faithfully (and
 * that its native library is found on this test's module path). On a machine with a driver they are skipped.
 */
@EnabledOnOs(OS.LINUX)
class CudaNativeTest {

    private static CudaNative api;

    @BeforeAll
    static void load() {
        assumeTrue(DriverLibrary.problem() != null, "libcuda.so.1 is present here: these tests are for a machine without it");
        api = CudaNative.load();
    }

    @Test
    void theRuntimeIsCuda12AndThereIsNoDriver() {
        int[] v = {-1};
        assertEquals(CudaApi.SUCCESS, api.runtimeGetVersion(v));
        assertEquals(12000, v[0]);
        assertEquals(CudaApi.SUCCESS, api.driverGetVersion(v));
        assertEquals(0, v[0], "0 means no driver");
    }

    @Test
    void callsThatNeedTheDriverReturnInsufficientDriverWithItsNameAndDescription() {
        int[] n = {-1};
        assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.getDeviceCount(n));
        assertEquals("cudaErrorInsufficientDriver", api.errorName(CudaErrors.INSUFFICIENT_DRIVER));
        assertTrue(api.errorString(CudaErrors.INSUFFICIENT_DRIVER).toLowerCase().contains("driver"),
                api.errorString(CudaErrors.INSUFFICIENT_DRIVER));
        assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.setDevice(0));
    }

    @Test
    void registeringRealMemoryFailsCleanlyAndLeavesTheOutValueAlone() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(1 << 16, 4096);
            assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.hostRegister(m.address(), m.byteSize(), HostRegistration.FLAGS));
            long[] dev = {1234};
            assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.hostGetDevicePointer(m.address(), dev));
            assertEquals(1234, dev[0], "CUDA leaves garbage in the out-value on error; the binding does not copy it");
            assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.hostUnregister(m.address()));
        }
    }

    @Test
    void streamsThisBindingDidNotCreateAreInvalidHandles() {
        long[] s = {0};
        assertEquals(CudaErrors.INSUFFICIENT_DRIVER, api.streamCreate(s));
        assertEquals(0, s[0]);
        assertEquals(CudaNative.INVALID_RESOURCE_HANDLE, api.streamDestroy(0x1234));
        assertEquals(CudaNative.INVALID_RESOURCE_HANDLE, api.streamSynchronize(0x1234));
        assertThrows(IllegalArgumentException.class, () -> api.jcudaStream(0x1234));
    }

    @Test
    void onTheModulePathJcudaIsAnAutomaticModuleAndItsLibraryIsExtractedWhereJcudaLooks() throws Exception {
        assumeTrue(CudaNative.class.getModule().isNamed(), "tests run on the class path");
        Module jcuda = jcuda.Pointer.class.getModule();
        assertEquals("jcuda", jcuda.getName());
        assertTrue(jcuda.getDescriptor().isAutomatic());
        Path lib = CudaNative.prepareNatives("JCudaRuntime");
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "libJCudaRuntime-12.0.0-linux-x86_64.so"), lib);
        assertTrue(Files.size(lib) > 100_000, lib + " is the real library");
    }

    @Test
    void theDriverApiLibraryIsFoundButNeedsLibcuda() {
        CudaNative.prepareNatives("JCudaDriver");
        Throwable t = assertThrows(Throwable.class, () -> jcuda.driver.JCudaDriver.cuInit(0));
        String all = String.valueOf(t.getMessage()) + (t.getCause() != null ? t.getCause().getMessage() : "");
        assertTrue(t instanceof UnsatisfiedLinkError || t instanceof ExceptionInInitializerError
                || t instanceof NoClassDefFoundError, t.toString());
        if (t instanceof UnsatisfiedLinkError) {
            assertTrue(all.contains("libcuda.so.1"), "the library was found and failed only on its dependency: " + all);
            assertFalse(all.contains("No resource found"), all);
        }
    }
}
