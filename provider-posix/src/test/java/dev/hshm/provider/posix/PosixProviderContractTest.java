package dev.hshm.provider.posix;

import dev.hshm.api.spi.NamedProvider;
import dev.hshm.testkit.ProviderContract;
import java.util.List;
import java.util.Set;

/** The POSIX module meets the contract of every provider module; only the backend package is exported (for GPU providers). */
class PosixProviderContractTest extends ProviderContract {

    @Override
    protected List<NamedProvider> providers() {
        return List.of(new PosixMmapProvider(), new PosixShmMmapProvider(), new PthreadsThreadModelProvider());
    }

    @Override
    protected String moduleName() {
        return "dev.hshm.provider.posix";
    }

    @Override
    protected Set<String> exportedPackages() {
        return Set.of("dev.hshm.provider.posix");
    }
}
