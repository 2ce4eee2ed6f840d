package dev.hshm.provider.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.provider.cuda.internal.CudaShmMmapProvider;
import dev.hshm.provider.cuda.internal.CudaThreadModelProvider;
import dev.hshm.testkit.ProviderContract;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CUDA module meets the contract of every provider module; it exports its api package; jcuda is optional. */
class CudaProviderContractTest extends ProviderContract {

    CudaProviderContractTest() {
        super("dev.hshm.provider.cuda", Set.of("dev.hshm.provider.cuda"), new CudaShmMmapProvider(),
                new CudaThreadModelProvider());
    }

    @Test
    void jcudaIsOptionalSoTheModuleResolvesWithoutIt() {
        Module m = CudaShmMmapProvider.class.getModule();
        assumeTrue(m.isNamed(), "tests run on the class path");
        ModuleDescriptor.Requires jcuda = m.getDescriptor().requires().stream().filter(r -> r.name().equals("jcuda"))
                .findFirst().orElseThrow();
        assertEquals(Set.of(ModuleDescriptor.Requires.Modifier.STATIC), jcuda.modifiers());
    }
}
