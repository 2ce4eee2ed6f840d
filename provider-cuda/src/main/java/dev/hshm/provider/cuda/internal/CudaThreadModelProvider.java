package dev.hshm.provider.cuda.internal;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AbstractThreadModelProvider;
import dev.hshm.api.spi.Support;

/**
 * Provides the {@value ThreadModel#CUDA} thread model ({@link CudaThreadModelImpl}). Its priority, {@value #PRIORITY},
 * is below {@code pthreads} (50): it is chosen only when forced with {@code -Dhshm.thread.model=cuda} or when no
 * other model is supported. Supported when CUDA is usable ({@link CudaProbe}); otherwise the reason says what
 * is missing, and {@link #create()} throws it.
 */
public final class CudaThreadModelProvider extends AbstractThreadModelProvider {

    /** Priority among thread models: below {@code pthreads} (50), above the {@code java} fallback. */
    public static final int PRIORITY = 20;

    /** Creates the provider; cheap, loads nothing. */
    public CudaThreadModelProvider() {
        super(ThreadModel.CUDA, PRIORITY);
        // discovery-time constructor: CUDA is probed once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the model, with the default device from {@code -Dhshm.cuda.device} (0 if unset).
     *
     * @throws UnsupportedOperationException with the reason if CUDA is not usable here
     * @throws IllegalArgumentException if {@code -Dhshm.cuda.device} names no device
     */
    @Override
    protected ThreadModel newModel() {
        CudaProbe.State s = CudaProbe.state();
        return new CudaThreadModelImpl(CudaProbe.api(what()), s.deviceCount(), CudaThreadModelImpl.defaultDeviceFromProperty());
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support cuda = CudaProbe.support();
            return cuda.supported() ? Support.yes("JVM threads with a CUDA device and stream each; " + cuda.reason())
                    : cuda;
        });
    }
}
