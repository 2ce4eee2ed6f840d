package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backend contract for {@link WindowsMmap} over {@link SimulatedWinApi}: runs on every OS; after each test
 * every {@code VirtualAlloc} block must have been released. {@link NativeWindowsMmapContractTest} runs the same
 * contract against kernel32 on Windows.
 */
class SimulatedWindowsMmapContractTest extends WindowsMmapContract {

    private final SimulatedWinApi api = new SimulatedWinApi();

    @RegisterExtension
    final AfterEachCallback nothingLeaks = context -> api.assertNothingLeaked();

    @Override
    WinApi api() {
        return api;
    }
}
