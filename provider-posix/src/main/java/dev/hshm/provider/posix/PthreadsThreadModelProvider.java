package dev.hshm.provider.posix;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.posix.internal.PosixShm;

/**
 * Provides the {@value ThreadModel#PTHREADS} thread model ({@link PthreadsThreadModel}). Supported on Linux
 * and macOS when this module may make native calls (it binds {@code sched_yield}); the reason names the OS
 * and libc found, or why not ({@code "not a POSIX OS: Windows 11"}, {@code "native access denied: add
 * --enable-native-access=dev.hshm.provider.posix"}).
 */
public final class PthreadsThreadModelProvider implements ThreadModelProvider {

    /** Priority among thread models: above the built-in {@code java} fallback ({@link Integer#MIN_VALUE}). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public PthreadsThreadModelProvider() {
        // discovery-time constructor: the native work happens once, on the first support() call
    }

    @Override
    public String name() {
        return ThreadModel.PTHREADS;
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * Creates the model.
     *
     * @throws UnsupportedOperationException with the reason if the model is not supported here
     */
    @Override
    public ThreadModel create() {
        if (!Holder.SUPPORT.supported()) {
            throw new UnsupportedOperationException("thread model '" + ThreadModel.PTHREADS + "' is not supported here: "
                    + Holder.SUPPORT.reason());
        }
        return new PthreadsThreadModel();
    }

    @Override
    public String toString() {
        return "PthreadsThreadModelProvider[" + support() + "]";
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = PosixShm.support();
            return s.supported() ? Support.yes("JVM platform threads, sched_yield on " + s.reason()) : s;
        });
    }
}
