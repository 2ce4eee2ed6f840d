package dev.hshm.provider.windows;

import dev.hshm.api.spi.Support;
import dev.hshm.provider.windows.internal.NativeWinApi;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinNative;

/** Hands the providers the real Win32 calls, or refuses with the reason they are not available here. */
final class Natives {

    private Natives() {
    }

    /**
     * The real calls, if this process can make them.
     *
     * @param what what needs them, for the message (e.g. {@code "backend kind 'posix_shm_mmap'"})
     * @return {@link NativeWinApi#INSTANCE}
     * @throws UnsupportedOperationException with {@link WinNative#support()}'s reason, e.g. "not Windows: Linux"
     */
    static WinApi require(String what) {
        Support s = WinNative.support();
        if (!s.supported()) {
            throw new UnsupportedOperationException(what + " of provider-windows is not supported here: " + s.reason());
        }
        return NativeWinApi.INSTANCE;
    }
}
