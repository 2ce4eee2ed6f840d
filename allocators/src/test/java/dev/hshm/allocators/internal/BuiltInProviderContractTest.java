package dev.hshm.allocators.internal;

import dev.hshm.allocators.internal.allocator.AllocatorProviders;
import dev.hshm.allocators.internal.backend.ArrayBackendProvider;
import dev.hshm.allocators.internal.backend.MallocBackendProvider;
import dev.hshm.testkit.ProviderContract;
import java.util.Set;

/** The built-ins meet the contract of any provider module. */
class BuiltInProviderContractTest extends ProviderContract {

    BuiltInProviderContractTest() {
        super("dev.hshm.allocators", Set.of(), new ArrayBackendProvider(), new MallocBackendProvider(), new AllocatorProviders.Malloc(),
                new AllocatorProviders.ScalablePage(), new AllocatorProviders.ThreadLocal());
    }
}
