package dev.hshm.provider.posix;

import dev.hshm.testkit.ProviderContract;
import java.util.Set;

/**
 * The POSIX module meets the contract of every provider module; only the backend package is exported (for GPU
 * providers).
 */
class PosixProviderContractTest extends ProviderContract {

    PosixProviderContractTest() {
        super("dev.hshm.provider.posix", Set.of("dev.hshm.provider.posix"), new PosixMmapProvider(),
                new PosixShmMmapProvider(), new PthreadsThreadModelProvider());
    }
}
