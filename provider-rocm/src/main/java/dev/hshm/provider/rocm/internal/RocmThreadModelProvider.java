package dev.hshm.provider.rocm.internal;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AbstractThreadModelProvider;
import dev.hshm.api.spi.Support;

/**
 * Provides the {@value ThreadModel#ROCM} thread model ({@link RocmThreadModelImpl}). Supported when {@code libamdhip64}
 * loads and sees at least one AMD GPU; the reason says why not otherwise. Its priority, {@value #PRIORITY}, is
 * below {@code pthreads} (50): the model is chosen only when forced ({@code -Dhshm.thread.model=rocm}) or when it
 * is the only supported one. The default device of each thread is {@code -Dhshm.rocm.device} (0 unless set).
 */
public final class RocmThreadModelProvider extends AbstractThreadModelProvider {

    /** Priority among thread models: below pthreads (50), above the built-in {@code java} fallback. */
    public static final int PRIORITY = 20;

    /** The system property that picks the device threads use until they choose another. */
    public static final String DEVICE_PROPERTY = "hshm.rocm.device";

    /** Creates the provider; cheap, loads nothing. */
    public RocmThreadModelProvider() {
        super(ThreadModel.ROCM, PRIORITY);
        // discovery-time constructor: the library is loaded once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the model over the process's HIP runtime.
     *
     * @throws UnsupportedOperationException with the reason if the model is not supported here
     * @throws IllegalArgumentException if {@code -Dhshm.rocm.device} is not a device of this machine
     */
    @Override
    protected ThreadModel newModel() {
        String prop = System.getProperty(DEVICE_PROPERTY, "0").trim();
        int device;
        try {
            device = Integer.parseInt(prop);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + " must be a device ordinal: '" + prop + "'", e);
        }
        return new RocmThreadModelImpl(HipNative.require(), device);
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support hip = HipNative.support();
            return hip.supported()
                    ? Support.yes("host threads driving AMD GPUs, a device and stream per thread; " + hip.reason())
                    : hip;
        });
    }
}
