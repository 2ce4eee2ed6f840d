package dev.hshm.provider.windows;

import dev.hshm.api.Allocator;
import dev.hshm.provider.windows.internal.NativeWinApi;
import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The allocator contract for {@code Allocator.THREAD_LOCAL} in a real named file mapping (Windows only). Elsewhere
 * {@link SimulatedThreadLocalAllocatorOverWindowsShmTest} runs it over the same backend code.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "kernel32 exists only on Windows;"
        + " SimulatedThreadLocalAllocatorOverWindowsShmTest runs this contract over the same backend code here")
class NativeThreadLocalAllocatorOverWindowsShmTest extends WindowsShmAllocatorContract {

    @Override
    WinApi api() {
        return NativeWinApi.INSTANCE;
    }

    @Override
    String type() {
        return Allocator.THREAD_LOCAL;
    }
}
