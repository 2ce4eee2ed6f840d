package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.NativeWinApi;
import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The backend contract for {@link WindowsMmap} against the real kernel32 (Windows only). Elsewhere
 * {@link SimulatedWindowsMmapContractTest} runs the same contract over the same backend code.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "kernel32 exists only on Windows;"
        + " SimulatedWindowsMmapContractTest runs this contract over the same backend code here")
class NativeWindowsMmapContractTest extends WindowsMmapContract {

    @Override
    WinApi api() {
        return NativeWinApi.INSTANCE;
    }
}
