package dev.hshm.provider.windows;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AbstractThreadModelProvider;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.windows.internal.WinNative;

/**
 * Provides the {@value ThreadModel#WINDOWS} thread model ({@link WindowsThreadModel}). Supported on 64-bit
 * Windows when this module may make native calls; elsewhere the reason says why
 * ({@code "not Windows: Linux 6.8.0 amd64"}), without loading any library.
 */
public final class WindowsThreadModelProvider extends AbstractThreadModelProvider {

    /** Priority among thread models: above the built-in {@code java} fallback ({@link Integer#MIN_VALUE}). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public WindowsThreadModelProvider() {
        super(ThreadModel.WINDOWS, PRIORITY);
        // discovery-time constructor: the native work happens once, on the first support() call on Windows
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the model.
     *
     * @throws UnsupportedOperationException with the reason if the model is not supported here
     */
    @Override
    protected ThreadModel newModel() {
        return new WindowsThreadModel(Natives.require("thread model '" + name() + "'"));
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = WinNative.support();
            return s.supported()
                    ? Support.yes("Win32 threads: GetCurrentThreadId, SwitchToThread, Sleep on " + s.reason())
                    : s;
        });
    }
}
