package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.Processes;
import dev.hshm.api.spi.ThreadIds;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A mutual-exclusion lock in shared memory that survives the death of its owner.
 *
 * <pre>
 * at +0   OWNER        u64  0 = free; else the owner's thread id: pid &lt;&lt; 32 | thread number
 *                           CAS 0-&gt;me to acquire (volatile); release store 0 to unlock
 * at +8   OWNER_START  i64  the owner process's start time (epoch ms), or 0 while unknown
 *                           plain store after the CAS; plain store 0 before the unlocking release store
 * at +16  RECOVERIES   u64  how many times a dead owner's lock was taken over    getAndAdd
 * at +24  (reserved)
 * </pre>
 *
 * <p><b>Waiting.</b> A waiter spins briefly, then yields through the thread model, then sleeps with
 * growing pauses (at most 1 ms). About every millisecond of waiting it checks whether the owner's process
 * still lives ({@link Processes#isAlive}: pid plus start time, so a recycled pid is not mistaken for the
 * dead owner). OWNER_START is cleared before every unlock, so a waiter never pairs a new owner's pid with a
 * previous owner's start time: it sees the right start time or 0 (pid-only check).
 *
 * <p><b>Recovery.</b> A waiter that finds the owner dead takes the lock over with one CAS from the dead
 * owner's word to its own (so only one waiter wins), counts it in RECOVERIES, and runs the repair action
 * before returning: the dead owner may have stopped half-way through a critical section, and the repair
 * rebuilds whatever the lock protects from its ground truth. Critical sections must therefore keep their
 * ground truth consistent at every store (see {@link Heap#repair()}).
 *
 * <p>Not reentrant: locking twice from one thread throws instead of deadlocking.
 */
final class RobustLock {

    static final long OWNER = 0;
    static final long OWNER_START = OWNER + 8;
    static final long RECOVERIES = OWNER_START + 8;
    static final int BYTES = 32;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int SPINS = 64;
    private static final long LIVENESS_CHECK_NANOS = 1_000_000;
    private static final long WARN_AFTER_NANOS = 10_000_000_000L;

    private final MemorySegment seg;
    private final long at;
    private final String name;
    private final ThreadModel threads;
    private final Runnable repair;

    /**
     * A lock whose words are at {@code at} in {@code seg}.
     *
     * @param seg the shared segment
     * @param at the offset of the lock (8-byte aligned, {@value #BYTES} bytes)
     * @param name for messages
     * @param threads the thread model, for yield and sleep
     * @param repair run by the thread that took the lock over from a dead owner, while holding it
     */
    RobustLock(MemorySegment seg, long at, String name, ThreadModel threads, Runnable repair) {
        this.seg = seg;
        this.at = at;
        this.name = name;
        this.threads = threads;
        this.repair = repair;
    }

    /** Formats the lock as free. */
    static void format(MemorySegment seg, long at) {
        seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, 0L);
        seg.set(ValueLayout.JAVA_LONG, at + RECOVERIES, 0L);
        seg.set(ValueLayout.JAVA_LONG, at + 24, 0L);
        LONG.setRelease(seg, at + OWNER, 0L);
    }

    /** Acquires the lock, recovering it if its owner died. */
    void lock() {
        long me = ThreadIds.current();
        if (LONG.compareAndSet(seg, at + OWNER, 0L, me)) {
            seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, Processes.currentStartMillis());
            return;
        }
        lockSlow(me);
    }

    /**
     * Tries to acquire the lock once, without waiting or recovering.
     *
     * @return {@code true} if acquired
     */
    boolean tryLock() {
        long me = ThreadIds.current();
        if (LONG.compareAndSet(seg, at + OWNER, 0L, me)) {
            seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, Processes.currentStartMillis());
            return true;
        }
        return false;
    }

    private void lockSlow(long me) {
        long owner = (long) LONG.getVolatile(seg, at + OWNER);
        if (owner == me) {
            throw new IllegalStateException("lock '" + name + "' is already held by this thread (not reentrant)");
        }
        long start = System.nanoTime();
        long nextLivenessCheck = start + LIVENESS_CHECK_NANOS;
        boolean warned = false;
        long pauseUs = 1;
        for (int round = 0; ; round++) {
            owner = (long) LONG.getVolatile(seg, at + OWNER);
            if (owner == 0) {
                if (LONG.compareAndSet(seg, at + OWNER, 0L, me)) {
                    seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, Processes.currentStartMillis());
                    return;
                }
                continue;
            }
            if (round < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (now >= nextLivenessCheck) {
                nextLivenessCheck = now + LIVENESS_CHECK_NANOS;
                long ownerStart = seg.get(ValueLayout.JAVA_LONG, at + OWNER_START);
                if (!Processes.isAlive(ThreadIds.pidOf(owner), ownerStart)
                        && LONG.compareAndSet(seg, at + OWNER, owner, me)) {
                    seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, Processes.currentStartMillis());
                    LONG.getAndAdd(seg, at + RECOVERIES, 1L);
                    System.getLogger(RobustLock.class.getName()).log(System.Logger.Level.WARNING,
                            "lock '" + name + "': owner pid " + ThreadIds.pidOf(owner)
                                    + " died while holding it; taken over and repairing");
                    boolean repaired = false;
                    try {
                        repair.run();
                        repaired = true;
                    } finally {
                        if (!repaired) {
                            unlock();
                        }
                    }
                    return;
                }
                if (!warned && now - start > WARN_AFTER_NANOS) {
                    warned = true;
                    System.getLogger(RobustLock.class.getName()).log(System.Logger.Level.WARNING,
                            "lock '" + name + "' held for over 10 s by live pid " + ThreadIds.pidOf(owner)
                                    + " (thread " + (owner & 0xFFFF_FFFFL) + "); still waiting");
                }
            }
            if (round < SPINS + 16) {
                threads.yield();
            } else {
                threads.sleepForUs(pauseUs);
                pauseUs = Math.min(pauseUs * 2, 1000);
            }
        }
    }

    /** Releases the lock; the caller must hold it. */
    void unlock() {
        seg.set(ValueLayout.JAVA_LONG, at + OWNER_START, 0L);
        LONG.setRelease(seg, at + OWNER, 0L);
    }

    /**
     * Tells whether the calling thread holds the lock (for {@code assert}s in helpers that need it).
     *
     * @return {@code true} if it does
     */
    boolean isHeldByCurrentThread() {
        return (long) LONG.getVolatile(seg, at + OWNER) == ThreadIds.current();
    }

    /**
     * The current owner word, for diagnostics.
     *
     * @return 0 if free, else pid &lt;&lt; 32 | thread number
     */
    long owner() {
        return (long) LONG.getVolatile(seg, at + OWNER);
    }

    /**
     * How many times a dead owner's lock was taken over.
     *
     * @return the count
     */
    long recoveries() {
        return (long) LONG.getVolatile(seg, at + RECOVERIES);
    }
}
