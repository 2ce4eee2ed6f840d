package dev.hshm.api.spi;

import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * What every thread model built on JVM threads shares, written once: the JVM's thread-local storage
 * ({@link JvmThreadLocalKey}, per platform and per virtual thread), ids unique across the processes of the
 * machine ({@link ThreadIds#current()}), a sleep that parks until its deadline (it unmounts a virtual thread
 * instead of pinning its carrier, and returns early when the thread is interrupted, keeping the interrupt
 * status), and {@link Thread#yield()}. A platform's model extends it and overrides what its platform does
 * differently: {@code pthreads} yields with {@code sched_yield} on platform threads, {@code windows} with
 * {@code SwitchToThread}, sleeps with {@code Sleep} and marks its ids; the GPU models add a device and a
 * stream per thread.
 *
 * <p>Safe for use by many threads; stateless apart from the keys it hands out.
 */
public abstract class JvmThreadModel implements ThreadModel {

    private final String name;

    /**
     * Creates the model.
     *
     * @param name its name, as its provider reports it
     */
    protected JvmThreadModel(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Parks until {@code us} microseconds have passed or the thread is interrupted.
     *
     * @param us microseconds, {@code >= 0}; 0 returns at once
     * @throws IllegalArgumentException if {@code us < 0}
     */
    @Override
    public void sleepForUs(long us) {
        parkUntil(deadlineAfter(us));
    }

    /**
     * The {@link System#nanoTime()} at which a sleep of {@code us} microseconds ends. Compare it only by
     * difference ({@code deadline - System.nanoTime()}), as {@code nanoTime} values may wrap.
     *
     * @param us microseconds, {@code >= 0}
     * @return the deadline
     * @throws IllegalArgumentException if {@code us < 0}
     */
    protected static long deadlineAfter(long us) {
        if (us < 0) {
            throw new IllegalArgumentException("sleep time must be >= 0 us: " + us);
        }
        long nanos = us >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : us * 1000;
        return System.nanoTime() + nanos;
    }

    /**
     * Parks until {@code deadline} ({@link System#nanoTime()}) or until the thread is interrupted; parks again
     * after a spurious wake-up or a stray unpark.
     *
     * @param deadline from {@link #deadlineAfter(long)}
     */
    protected static void parkUntil(long deadline) {
        long left = deadline - System.nanoTime();
        while (left > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(left);
            left = deadline - System.nanoTime();
        }
    }

    /** {@link Thread#yield()}: for a virtual thread, unmounts it and lets another run on its carrier. */
    @Override
    public void yield() {
        Thread.yield();
    }

    @Override
    public final <T> ThreadLocalKey<T> createTls(T data) {
        JvmThreadLocalKey<T> key = new JvmThreadLocalKey<>(name);
        key.set(data);
        return key;
    }

    @Override
    public final <T> T getTls(ThreadLocalKey<T> key) {
        return JvmThreadLocalKey.cast(key, name).get();
    }

    @Override
    public final <T> void setTls(ThreadLocalKey<T> key, T data) {
        JvmThreadLocalKey.cast(key, name).set(data);
    }

    /** {@link ThreadIds#current()}: the process id in the high 32 bits, the JVM's thread id below. */
    @Override
    public long getTid() {
        return ThreadIds.current();
    }

    @Override
    public String toString() {
        return "ThreadModel[" + name + "]";
    }
}
