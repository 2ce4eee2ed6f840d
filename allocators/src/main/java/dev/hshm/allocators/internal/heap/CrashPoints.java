package dev.hshm.allocators.internal.heap;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store counter behind crash-point tests: every store the heap makes to shared memory goes through
 * {@link Words}, which calls {@link #beforeStore()} first. In production the hook is off: {@link #ENABLED} is a
 * {@code static final} read once from {@code -Dhshm.heap.crashPoints=true}, so the JIT folds the call away.
 *
 * <p>With it on, a test arms the counter ({@link #arm(long)}) in a child JVM right before the operation it
 * examines; the JVM then halts ({@link Runtime#halt}, no shutdown hooks, no cleanup: like {@code SIGKILL}) just
 * before its k-th store, so the shared memory holds exactly the first k - 1 stores of the operation. Another
 * process then recovers and checks the heap. {@link #stores()} tells how many stores an operation made, so a
 * test can enumerate k = 1, 2, ... until the operation completes.
 *
 * <p>A test can also {@linkplain #record record} the stores instead of halting: after each store the log is told
 * which bytes it wrote. The memory a death before the k-th store leaves is then the memory before the operation
 * plus the first k - 1 logged stores, so one run of an operation yields every crash point of it (the crash-point
 * test replays them in another process; a sample of them is also run as real halts).
 */
public final class CrashPoints {

    /** Whether the hook is compiled in ({@code -Dhshm.heap.crashPoints=true}); false in production. */
    public static final boolean ENABLED = Boolean.getBoolean("hshm.heap.crashPoints");
    /** The exit status of a JVM halted at a crash point. */
    public static final int HALT_STATUS = 86;

    private static final AtomicLong STORES = new AtomicLong();
    /** Halt when {@link #STORES} reaches this; 0 = not armed. */
    private static volatile long haltAt;

    private CrashPoints() {
    }

    /** Told about each store while recording (see {@link #record}). */
    @FunctionalInterface
    public interface StoreLog {
        /**
         * A store has just written {@code bytes} bytes at {@code address} (a native address).
         *
         * @param address the first byte written
         * @param bytes how many
         */
        void stored(long address, long bytes);
    }

    private static volatile StoreLog log;

    /**
     * Sends every later store to {@code l} (null stops recording).
     *
     * @param l the log
     * @throws IllegalStateException if the hook is off
     */
    public static void record(StoreLog l) {
        if (!ENABLED) {
            throw new IllegalStateException("crash points are off: start the JVM with -Dhshm.heap.crashPoints=true");
        }
        log = l;
    }

    /** Called by {@link Words} after each store to shared memory. */
    static void afterStore(MemorySegment seg, long at, long bytes) {
        if (ENABLED) {
            StoreLog l = log;
            if (l != null) {
                l.stored(seg.address() + at, bytes);
            }
        }
    }

    /** Called by {@link Words} before each store to shared memory. */
    static void beforeStore() {
        if (ENABLED) {
            long n = STORES.incrementAndGet();
            long at = haltAt;
            if (at != 0 && n >= at) {
                Runtime.getRuntime().halt(HALT_STATUS);
            }
        }
    }

    /**
     * Arms the counter: the JVM halts right before the {@code k}-th store from now.
     *
     * @param k 1 or more; 0 disarms
     * @throws IllegalStateException if the hook is off
     */
    public static void arm(long k) {
        if (!ENABLED) {
            throw new IllegalStateException("crash points are off: start the JVM with -Dhshm.heap.crashPoints=true");
        }
        haltAt = k == 0 ? 0 : STORES.get() + k;
    }

    /**
     * The stores counted so far (0 while the hook is off).
     *
     * @return the count
     */
    public static long stores() {
        return STORES.get();
    }
}
