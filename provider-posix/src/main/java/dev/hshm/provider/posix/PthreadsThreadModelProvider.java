package dev.hshm.provider.posix;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AbstractThreadModelProvider;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.posix.internal.PosixNative;

/**
 * Provides the {@value ThreadModel#PTHREADS} thread model ({@link PthreadsThreadModel}). Supported on Linux
 * and macOS when this module may make native calls (it binds {@code sched_yield}); the reason names the OS
 * and libc found, or why not ({@code "not a POSIX OS: Windows 11"}, {@code "native access denied: add
 * --enable-native-access=dev.hshm.provider.posix"}).
 */
public final class PthreadsThreadModelProvider extends AbstractThreadModelProvider {

    /** Priority among thread models: above the built-in {@code java} fallback ({@link Integer#MIN_VALUE}). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public PthreadsThreadModelProvider() {
        super(ThreadModel.PTHREADS, PRIORITY);
        // discovery-time constructor: the native work happens once, on the first support() call
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
        return new PthreadsThreadModel();
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = PosixNative.support();
            return s.supported() ? Support.yes("JVM platform threads, sched_yield on " + s.reason()) : s;
        });
    }
}
