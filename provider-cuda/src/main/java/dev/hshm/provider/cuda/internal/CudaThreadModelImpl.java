package dev.hshm.provider.cuda.internal;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.provider.cuda.CudaThreadModel;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@value ThreadModel#CUDA} thread model ({@link CudaThreadModel}): the seed's {@code Cuda} model, on the
 * host. hermes-shm's CUDA model describes <em>device</em> threads, which the JVM cannot run; here the model
 * describes JVM threads that drive the GPU, and gives each one what such a thread needs: its device and a
 * stream of its own.
 *
 * <ul>
 *   <li>TLS: {@link JvmThreadLocalKey}, one {@link ThreadLocal} per key (platform and virtual threads);</li>
 *   <li>{@link #getTid()}: {@link ThreadIds#current()}, unique across the processes of the machine;</li>
 *   <li>{@link #yield()}: {@link Thread#yield()}; {@link #sleepForUs(long)}: {@link LockSupport#parkNanos}
 *       until the time has passed (early return when interrupted, keeping the interrupt);</li>
 *   <li>per thread, in a {@link ThreadLocal}: the device (selected with {@code cudaSetDevice} on first use) and
 *       the stream ({@code cudaStreamCreate} on first use). {@link #release()} destroys the stream; a thread that
 *       ends without releasing has it destroyed by a {@link Cleaner} once the thread's state is unreachable
 *       (from the Cleaner's thread: a stream belongs to its device's context, not to a thread).</li>
 * </ul>
 * Safe for use by many threads: all per-thread state is the calling thread's own.
 */
public final class CudaThreadModelImpl extends JvmThreadModel implements CudaThreadModel {

    private static final System.Logger LOG = System.getLogger(CudaThreadModelImpl.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaApi api;
    private final int deviceCount;
    private final int defaultDevice;
    private final ThreadLocal<PerThread> perThread = new ThreadLocal<>();

    /**
     * Creates the model.
     *
     * @param api the binding
     * @param deviceCount devices this process sees ({@code >= 1})
     * @param defaultDevice the device threads use until they call {@link #useDevice(int)}
     * @throws IllegalArgumentException if the default device is out of range
     */
    public CudaThreadModelImpl(CudaApi api, int deviceCount, int defaultDevice) {
        super(CUDA);
        this.api = Objects.requireNonNull(api, "api");
        if (deviceCount < 1) {
            throw new IllegalArgumentException("the cuda thread model needs a device: deviceCount=" + deviceCount);
        }
        this.deviceCount = deviceCount;
        this.defaultDevice = checkDevice(defaultDevice, "-D" + DEVICE_PROPERTY);
    }

    /**
     * The default device from {@code -Dhshm.cuda.device}, 0 if unset.
     *
     * @return the device ordinal
     * @throws IllegalArgumentException if the property is not a number
     */
    public static int defaultDeviceFromProperty() {
        String v = System.getProperty(DEVICE_PROPERTY);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + " must be a device ordinal: '" + v + "'", e);
        }
    }

    private int checkDevice(int device, String source) {
        if (device < 0 || device >= deviceCount) {
            throw new IllegalArgumentException("no CUDA device " + device + " (" + source + "): this process sees "
                    + deviceCount + (deviceCount == 1 ? " device (0)" : " devices (0.." + (deviceCount - 1) + ")")
                    + "; check CUDA_VISIBLE_DEVICES");
        }
        return device;
    }

    @Override
    public int deviceCount() {
        return deviceCount;
    }

    @Override
    public int device() {
        return current().device;
    }

    @Override
    public void useDevice(int device) {
        checkDevice(device, "useDevice");
        PerThread t = perThread.get();
        if (t != null && t.device == device) {
            return;
        }
        if (t != null) {
            perThread.remove();
            dispose(t); // may throw, after forgetting the state: the old stream is gone either way
        }
        select(device);
    }

    @Override
    public long stream() {
        PerThread t = current();
        StreamHandle s = t.stream;
        if (s.handle == 0) {
            s = createStream(t.device);
            t.stream = s;
            t.cleanable = CLEANER.register(t, s::destroyQuietly);
        }
        return s.handle;
    }

    @Override
    public void synchronize() {
        PerThread t = perThread.get();
        if (t != null && t.stream.handle != 0) {
            CudaErrors.check(api, "cudaStreamSynchronize", api.streamSynchronize(t.stream.handle),
                    "waiting for the work of " + Thread.currentThread() + " on device " + t.device + " (stream 0x"
                            + Long.toHexString(t.stream.handle) + ")");
        }
    }

    @Override
    public void release() {
        PerThread t = perThread.get();
        if (t == null) {
            return;
        }
        perThread.remove();
        dispose(t);
    }

    /** Destroys a thread's stream now (throwing if CUDA refuses) and withdraws the Cleaner backstop. */
    private static void dispose(PerThread t) {
        try {
            t.stream.destroy();
        } finally {
            if (t.cleanable != null) {
                t.cleanable.clean(); // runs the action, which finds the stream destroyed and does nothing
            }
        }
    }

    /** The calling thread's state, selecting its device on first use. */
    private PerThread current() {
        PerThread t = perThread.get();
        return t != null ? t : select(defaultDevice);
    }

    private PerThread select(int device) {
        CudaErrors.check(api, "cudaSetDevice", api.setDevice(device), "selecting device " + device + " for "
                + Thread.currentThread());
        PerThread t = new PerThread(device, StreamHandle.NONE);
        perThread.set(t);
        return t;
    }

    private StreamHandle createStream(int device) {
        long[] out = {0};
        CudaErrors.check(api, "cudaStreamCreate", api.streamCreate(out), "creating the stream of "
                + Thread.currentThread() + " on device " + device);
        return new StreamHandle(api, device, out[0]);
    }

    @Override
    public String toString() {
        return "ThreadModel[cuda, devices=" + deviceCount + ", default device=" + defaultDevice + "]";
    }

    /** One thread's device and stream; the Cleaner's referent (the stream handle must not point back to it). */
    private static final class PerThread {
        final int device;
        StreamHandle stream;
        Cleaner.Cleanable cleanable;

        PerThread(int device, StreamHandle stream) {
            this.device = device;
            this.stream = stream;
        }
    }

    /** A stream and the means to destroy it exactly once, from its thread or from the Cleaner. */
    private static final class StreamHandle {
        static final StreamHandle NONE = new StreamHandle(null, -1, 0);

        final CudaApi api;
        final int device;
        final long handle;
        final AtomicBoolean live;

        StreamHandle(CudaApi api, int device, long handle) {
            this.api = api;
            this.device = device;
            this.handle = handle;
            this.live = new AtomicBoolean(handle != 0);
        }

        /** Destroys the stream (once), throwing if CUDA refuses. */
        void destroy() {
            if (live.compareAndSet(true, false)) {
                CudaErrors.check(api, "cudaStreamDestroy", api.streamDestroy(handle), "destroying stream 0x"
                        + Long.toHexString(handle) + " of device " + device);
            }
        }

        /** The Cleaner's action: destroy, logging a failure (there is nobody to throw to). */
        void destroyQuietly() {
            try {
                destroy();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a thread ended without releasing its CUDA stream, and"
                        + " destroying it afterwards failed", e);
            }
        }
    }
}
