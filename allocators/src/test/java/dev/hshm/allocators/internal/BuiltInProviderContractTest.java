package dev.hshm.allocators.internal;

import dev.hshm.allocators.internal.allocator.AllocatorProviders;
import dev.hshm.allocators.internal.backend.ArrayBackendProvider;
import dev.hshm.allocators.internal.backend.MallocBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.testkit.ProviderContract;
import java.util.List;
import java.util.Set;

/** The built-ins meet the contract of any provider module. */
class BuiltInProviderContractTest extends ProviderContract {

    @Override
    protected List<NamedProvider> providers() {
        return List.of(new ArrayBackendProvider(), new MallocBackendProvider(), new AllocatorProviders.Malloc(),
                new AllocatorProviders.ScalablePage(), new AllocatorProviders.ThreadLocal());
    }

    @Override
    protected String moduleName() {
        return "dev.hshm.allocators";
    }

    @Override
    protected Set<String> exportedPackages() {
        return Set.of();
    }
}
