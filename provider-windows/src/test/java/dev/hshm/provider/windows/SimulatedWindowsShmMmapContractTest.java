package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backend contract for {@link WindowsShmMmap} over {@link SimulatedWinApi}: runs on every OS, so the
 * backend's create, attach (VirtualQuery sizing, header verification), detach order and attach counting run
 * here; after each test (and after the contract destroyed its backends) no handle, view or section may be left.
 * {@link NativeWindowsShmMmapContractTest} runs the same contract against kernel32 on Windows.
 */
class SimulatedWindowsShmMmapContractTest extends WindowsShmMmapContract {

    private final SimulatedWinApi api = new SimulatedWinApi();

    @RegisterExtension
    final AfterEachCallback nothingLeaks = context -> api.assertNothingLeaked();

    @Override
    WinApi api() {
        return api;
    }
}
