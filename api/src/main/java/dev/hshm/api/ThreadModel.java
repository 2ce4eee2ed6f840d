package dev.hshm.api;

/**
 * How threads sleep, yield, keep thread-local storage and are named; the seed's thread model.
 *
 * <p>The model for the process is chosen once, the first time {@link #current()} is called, from the
 * thread-model providers present: {@code -Dhshm.thread.model=NAME} forces one by name; otherwise the
 * supported provider with the highest priority wins. If none is present, the built-in {@code java}
 * model (plain JDK threads) is used. The choice is a {@code static final}, so the JIT folds it like
 * hermes-shm's compile-time factory, and it never changes while the JVM runs; stopping the bundle or
 * module that provided it does not unload it.
 *
 * If the forced model does not exist or is unsupported, every call of {@link #current()} throws a
 * {@link StateException} that lists the models that exist.
 *
 * <p>Allocators use the model's TLS for their per-thread caches and its {@link #yield()} in lock
 * back-off.
 */
public interface ThreadModel {

    /** POSIX threads (Linux, macOS): JVM platform threads. */
    String PTHREADS = "pthreads";
    /** Windows threads. */
    String WINDOWS = "windows";
    /** Argobots-style user-level threads, which on the JVM are virtual threads. */
    String ARGOBOTS = "argobots";
    /** Host threads that drive CUDA devices. */
    String CUDA = "cuda";
    /** Host threads that drive ROCm devices. */
    String ROCM = "rocm";
    /** The built-in fallback when no provider is present: plain JDK threads. */
    String JAVA = "java";

    /**
     * The model chosen for this process; the seed's {@code HSHM_THREAD_MODEL}.
     *
     * @return the process's thread model
     */
    static ThreadModel current() {
        ThreadModel m = CurrentThreadModel.INSTANCE;
        if (m == null) {
            throw CurrentThreadModel.failure();
        }
        return m;
    }

    /**
     * The model's name, e.g. {@link #PTHREADS}.
     *
     * @return the name
     */
    String name();

    /**
     * Suspends the calling thread for about {@code us} microseconds.
     *
     * @param us microseconds, {@code >= 0}
     */
    void sleepForUs(long us);

    /** Gives the rest of the calling thread's time slice to another thread. */
    void yield();

    /**
     * Creates a thread-local storage key and sets the calling thread's value to {@code data}.
     *
     * @param data the calling thread's initial value, may be {@code null}
     * @param <T> the stored type
     * @return the new key
     */
    <T> ThreadLocalKey<T> createTls(T data);

    /**
     * The calling thread's value for {@code key}.
     *
     * @param key a key from this model's {@link #createTls}
     * @param <T> the stored type
     * @return the value, or {@code null} if this thread never set one
     */
    <T> T getTls(ThreadLocalKey<T> key);

    /**
     * Sets the calling thread's value for {@code key}.
     *
     * @param key a key from this model's {@link #createTls}
     * @param data the value, may be {@code null}
     * @param <T> the stored type
     */
    <T> void setTls(ThreadLocalKey<T> key, T data);

    /**
     * The calling thread's id, unique across all processes on this machine while the thread lives:
     * the process id in the high 32 bits and a per-process thread number in the low 32 bits.
     *
     * @return the thread id
     */
    long getTid();
}
