package dev.hshm.api;

import dev.hshm.api.spi.WordWaits;
import java.lang.foreign.MemorySegment;

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
 * back-off. Structures that block (queues) use {@link #waitOnWord} and {@link #wakeWord}: a platform's way
 * of sleeping on a word of shared memory until another <em>process</em> changes it.
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

    /** {@link #wakeWord} count that wakes every waiter. */
    int WAKE_ALL = Integer.MAX_VALUE;

    /**
     * Sleeps until the 32-bit word at {@code offset} of {@code segment} may no longer hold {@code expected},
     * for at most {@code timeoutNanos}: the seed's thread model asked to block the way its platform blocks.
     * The word is read first; if it already differs, the call returns at once. Otherwise the thread sleeps
     * until a {@link #wakeWord} on the same word (from any thread of any process that maps the segment), a
     * spurious wake-up, an interrupt, or the timeout. The caller re-reads its condition after every return:
     * the word may hold {@code expected} again, and a wake may belong to another waiter.
     *
     * <p>The default, for models with no kernel primitive of their own, polls: it spins briefly, then
     * yields, then sleeps with {@link #sleepForUs} for a time that doubles up to 1 ms, so a waiter uses
     * almost no CPU but wakes up to 1 ms late. {@code pthreads} on Linux sleeps in the kernel on the word
     * (a shared futex), so a wake from another process takes microseconds.
     *
     * @param segment the shared memory holding the word; must be alive and at least {@code offset + 4} long
     * @param offset the word's offset in {@code segment}, a multiple of 4
     * @param expected the value the caller saw, and will sleep as long as the word holds it
     * @param timeoutNanos the longest sleep, {@code >= 0}; {@code Long.MAX_VALUE} means no limit
     * @return {@code false} if the timeout passed, {@code true} otherwise (woken, word changed, spurious, or
     *         interrupted: the interrupt status is kept)
     * @throws IllegalArgumentException if {@code offset} is not a multiple of 4, or out of the segment, or
     *         {@code timeoutNanos < 0}
     */
    default boolean waitOnWord(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        WordWaits.check(segment, offset, timeoutNanos);
        return WordWaits.poll(this, segment, offset, expected, timeoutNanos);
    }

    /**
     * Wakes up to {@code count} threads sleeping in {@link #waitOnWord} on the word at {@code offset} of
     * {@code segment}, in this or another process. Call it after changing the word. It costs a system call
     * on platforms that have one, so structures keep a count of waiters beside the word and only wake when
     * it is not zero. The default does nothing: its waiters poll.
     *
     * @param segment the shared memory holding the word
     * @param offset the word's offset, a multiple of 4
     * @param count how many waiters to wake, {@code >= 1}; {@link #WAKE_ALL} for all
     * @throws IllegalArgumentException if {@code offset} is not a multiple of 4 or out of the segment, or
     *         {@code count < 1}
     */
    default void wakeWord(MemorySegment segment, long offset, int count) {
        WordWaits.check(segment, offset, 0);
        if (count < 1) {
            throw new IllegalArgumentException("wake count must be >= 1: " + count);
        }
    }
}
