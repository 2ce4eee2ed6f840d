package dev.hshm.provider.cuda.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.spi.Support;
import dev.hshm.provider.cuda.internal.CudaProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The end-to-end GPU test ({@link GpuHeapScenario}): two JVMs and CUDA kernels share one {@code cuda_shm_mmap} heap
 * by offsets. Runs where CUDA is supported (a driver and a device) and the kernels' PTX can be had; skipped
 * elsewhere, with the reason.
 */
@EnabledOnOs(OS.LINUX)
class CudaHeapGpuTest {

    @Test
    void kernelsAndASecondProcessShareAThreadLocalHeapByOffset() throws Exception {
        Support s = CudaProbe.support();
        System.out.println("CudaHeapGpuTest: CUDA " + s);
        assumeTrue(s.supported(), () -> "CUDA is not usable here: " + s.reason());
        assumeTrue(Kernels.available(), Kernels::ptxProblem);
        String child = GpuHeapScenario.parent();
        assertTrue(child.contains("CHILD verified " + GpuHeapScenario.BLOCKS + " blocks"), child);
        assertTrue(child.contains("CHILD kernel sum_outputs over its own registration: " + GpuHeapScenario.BLOCKS
                + " sums match"), child);
        assertTrue(child.contains("CHILD OK"), child);
    }
}
