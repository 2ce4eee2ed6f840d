package dev.hshm.provider.rocm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.provider.rocm.internal.RocmShmMmapProvider;
import dev.hshm.provider.rocm.internal.RocmThreadModelProvider;
import dev.hshm.testkit.ProviderContract;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ROCm module meets the contract of every provider module; it exports its api package only. */
class RocmProviderContractTest extends ProviderContract {

    RocmProviderContractTest() {
        super("dev.hshm.provider.rocm", Set.of("dev.hshm.provider.rocm"), new RocmShmMmapProvider(),
                new RocmThreadModelProvider());
    }

    @Test
    void itBuildsOnThePosixModuleAndPassesTheApiOn() {
        Module m = RocmBackend.class.getModule();
        assumeTrue(m.isNamed(), "tests run on the class path");
        ModuleDescriptor d = m.getDescriptor();
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.provider.posix")));
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.api")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)));
    }
}
