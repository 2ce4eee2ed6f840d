package dev.hshm.provider.windows;

import dev.hshm.api.Allocator;
import dev.hshm.provider.windows.internal.WinApi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The allocator contract for {@code Allocator.THREAD_LOCAL} in a {@code posix_shm_mmap} backend made by
 * {@link WindowsShmMmap} over {@link SimulatedWinApi} (runs on every OS; nothing may leak).
 * {@link NativeThreadLocalAllocatorOverWindowsShmTest} runs it against kernel32 on Windows.
 */
class SimulatedThreadLocalAllocatorOverWindowsShmTest extends WindowsShmAllocatorContract {

    private final SimulatedWinApi api = new SimulatedWinApi();

    @RegisterExtension
    final AfterEachCallback nothingLeaks = context -> api.assertNothingLeaked();

    @Override
    WinApi api() {
        return api;
    }

    @Override
    String type() {
        return Allocator.THREAD_LOCAL;
    }
}
