package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.NativeWinApi;
import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The backend contract for {@link WindowsShmMmap} against the real kernel32 (Windows only). Elsewhere
 * {@link SimulatedWindowsShmMmapContractTest} runs the same contract over the same backend code.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "kernel32 exists only on Windows;"
        + " SimulatedWindowsShmMmapContractTest runs this contract over the same backend code here")
class NativeWindowsShmMmapContractTest extends WindowsShmMmapContract {

    @Override
    WinApi api() {
        return NativeWinApi.INSTANCE;
    }
}
