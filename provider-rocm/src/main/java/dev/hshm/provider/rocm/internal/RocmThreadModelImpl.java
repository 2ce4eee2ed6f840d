package dev.hshm.provider.rocm.internal;

import dev.hshm.api.StateException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.provider.rocm.RocmThreadModel;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@value ThreadModel#ROCM} thread model over a {@link HipApi}: the seed's {@code Rocm} model, for the host
 * threads that drive AMD GPUs (hermes-shm's own ROCm model runs on the GPU and has neither TLS nor thread ids;
 * on the JVM the threads are host threads).
 *
 * <ul>
 *   <li>{@link #getTid()}: {@link ThreadIds#current()}, unique across the processes of the machine.</li>
 *   <li>TLS: {@link JvmThreadLocalKey}, the JVM's thread-local storage.</li>
 *   <li>{@link #yield()}: {@link Thread#yield()}; {@link #sleepForUs(long)}: {@link LockSupport#parkNanos} until
 *       the time has passed or the thread is interrupted.</li>
 *   <li>GPU state per platform thread, in a {@link ThreadLocal}: the device, made current with
 *       {@code hipSetDevice} on first use, and a stream, made with {@code hipStreamCreate} on first use.
 *       {@link #releaseThread()} destroys the stream at once; a {@link Cleaner} destroys the stream of a thread
 *       that ended without calling it, once its state is unreachable (a backstop: it runs when the garbage
 *       collector gets to it, maybe never in a short program).</li>
 * </ul>
 *
 * <p>Only the owning thread touches its state; the cleaner sees only the stream handle, through a
 * {@link StreamReleaser} that lets exactly one of the explicit release and the cleaner destroy it.
 */
public final class RocmThreadModelImpl extends JvmThreadModel implements RocmThreadModel {

    private static final System.Logger LOG = System.getLogger(RocmThreadModelImpl.class.getName());

    private final HipApi hip;
    private final int defaultDevice;
    private final ThreadLocal<GpuThread> threads = new ThreadLocal<>();

    /**
     * Creates the model.
     *
     * @param hip the HIP runtime
     * @param defaultDevice the device a thread uses until it chooses another
     * @throws IllegalArgumentException if {@code defaultDevice} is not one of the runtime's devices
     * @throws dev.hshm.api.NativeException if {@code hipGetDeviceCount} fails
     */
    RocmThreadModelImpl(HipApi hip, int defaultDevice) {
        super(ROCM);
        this.hip = Objects.requireNonNull(hip, "hip");
        int count = hip.deviceCount();
        if (defaultDevice < 0 || defaultDevice >= count) {
            throw new IllegalArgumentException("default ROCm device " + defaultDevice + " does not exist: this process"
                    + " sees " + count + " AMD GPU" + (count == 1 ? " (device 0)" : "s (devices 0.." + (count - 1) + ")")
                    + "; set -D" + RocmThreadModelProvider.DEVICE_PROPERTY + " to one of them");
        }
        this.defaultDevice = defaultDevice;
    }

    /** A platform thread's GPU state; touched only by that thread. */
    private static final class GpuThread {
        int device = -1;
        StreamReleaser releaser;
        Cleaner.Cleanable cleanable;
    }

    /**
     * Destroys one stream exactly once: either when the thread releases it ({@link #destroyNow()}) or, as a
     * backstop, when the cleaner runs it after the thread's state became unreachable ({@link #run()}). Holds no
     * reference to the state it cleans up after.
     */
    private static final class StreamReleaser implements Runnable {
        private final HipApi hip;
        private final long stream;
        private final String thread;
        private final AtomicBoolean done = new AtomicBoolean();

        StreamReleaser(HipApi hip, long stream, String thread) {
            this.hip = hip;
            this.stream = stream;
            this.thread = thread;
        }

        /** The explicit release: failures reach the caller. */
        void destroyNow() {
            if (done.compareAndSet(false, true)) {
                hip.streamDestroy(stream);
            }
        }

        /** The cleaner's backstop: failures are logged, there is nobody to throw to. */
        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                try {
                    hip.streamDestroy(stream);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not destroy the HIP stream 0x" + Long.toHexString(stream)
                            + " of ended thread '" + thread + "'", e);
                }
            }
        }
    }

    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("hshm-rocm-stream-cleaner")
                .factory());
    }

    // ------------------------------------------------------------------ GPU state per thread

    private GpuThread current() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            throw new StateException("the rocm thread model keeps a HIP device and stream per platform thread, and "
                    + t + " is a virtual thread: HIP's current device belongs to an OS thread, and a virtual thread"
                    + " moves between carrier threads; drive the GPU from a platform thread");
        }
        GpuThread g = threads.get();
        if (g == null) {
            g = new GpuThread();
            threads.set(g);
        }
        return g;
    }

    @Override
    public int device() {
        GpuThread g = current();
        if (g.device < 0) {
            hip.setDevice(defaultDevice);
            g.device = defaultDevice;
        }
        return g.device;
    }

    @Override
    public void setDevice(int device) {
        if (device < 0) {
            throw new IllegalArgumentException("device ordinal must be >= 0: " + device);
        }
        GpuThread g = current();
        if (g.device == device) {
            return;
        }
        hip.setDevice(device); // if this fails, the thread keeps its device and stream
        g.device = device;
        releaseStream(g); // the old stream belongs to the old device
    }

    @Override
    public long stream() {
        GpuThread g = current();
        device();
        if (g.releaser == null) {
            long stream = hip.streamCreate();
            StreamReleaser r = new StreamReleaser(hip, stream, Thread.currentThread().getName());
            g.releaser = r;
            g.cleanable = Cleaners.CLEANER.register(g, r);
        }
        return g.releaser.stream;
    }

    @Override
    public void releaseThread() {
        if (Thread.currentThread().isVirtual()) {
            return; // virtual threads never get GPU state
        }
        GpuThread g = threads.get();
        if (g == null) {
            return;
        }
        threads.remove();
        releaseStream(g);
    }

    private static void releaseStream(GpuThread g) {
        StreamReleaser r = g.releaser;
        Cleaner.Cleanable c = g.cleanable;
        g.releaser = null;
        g.cleanable = null;
        if (r != null) {
            try {
                r.destroyNow();
            } finally {
                c.clean(); // deregisters; the releaser is done, so this destroys nothing twice
            }
        }
    }

    @Override
    public String toString() {
        return "ThreadModel[rocm, defaultDevice=" + defaultDevice + "]";
    }
}
