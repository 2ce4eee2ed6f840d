package dev.hshm.provider.windows;

import dev.hshm.testkit.ProviderContract;
import java.util.Set;

/**
 * The Windows module meets the contract of every provider module on every OS (off Windows each provider is
 * unsupported and refuses naming why); it exports nothing.
 */
class WindowsProviderContractTest extends ProviderContract {

    WindowsProviderContractTest() {
        super("dev.hshm.provider.windows", Set.of(), new WindowsMmapProvider(), new WindowsShmMmapProvider(),
                new WindowsThreadModelProvider());
    }
}
