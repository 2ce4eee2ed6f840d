package dev.hshm.structures;

import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;

/**
 * A mutual-exclusion lock in shared memory that survives the death of the process holding it; guards the
 * named-object directory. Layout ({@value #BYTES} bytes, 8-byte aligned):
 *
 * <pre>
 *  +0  OWNER       u64  {@link Owner} word of the holding process, or NONE
 *                       CAS NONE-&gt;me to lock (volatile); release store NONE to unlock
 *  +8  RECOVERIES  u64  how many times a dead holder's lock was taken over          getAndAdd
 * </pre>
 *
 * <p>The owner is a process, not a thread: one word names it completely (no second store that a death could
 * skip). Threads of one process exclude each other through the same CAS, so it is not reentrant, and a
 * thread of a live holder's process waits like any other.
 *
 * <p><b>Waiting.</b> Spins {@value #SPINS} rounds, yields {@value #YIELDS} times, then sleeps with pauses
 * doubling up to {@value #MAX_PAUSE_US} µs; about every {@value #LIVENESS_CHECK_NANOS} ns it asks whether the
 * holder lives. A dead holder's lock is taken over with one CAS from its word to ours (one waiter wins); the
 * caller then repairs what the lock guards ({@link #lock()} returns {@code true}).
 */
final class SharedLock {

    static final long OWNER = 0;
    static final long RECOVERIES = OWNER + 8;
    static final long BYTES = RECOVERIES + 8;

    /** Spin rounds before yielding: directory critical sections are a scan of a few kilobytes. */
    static final int SPINS = 100;
    /** Yields before sleeping: the holder may be descheduled on this core. */
    static final int YIELDS = 20;
    /** The longest pause between two looks at the lock word. */
    static final long MAX_PAUSE_US = 1000;
    /** How often a waiter asks whether the holder lives (a /proc read; not on every round). */
    static final long LIVENESS_CHECK_NANOS = 1_000_000;

    private final MemorySegment seg;
    private final long at;

    SharedLock(MemorySegment seg, long at) {
        this.seg = seg;
        this.at = at;
    }

    static void format(MemorySegment seg, long at) {
        Words.put(seg, at + RECOVERIES, 0L);
        Words.putRelease(seg, at + OWNER, Owner.NONE);
    }

    /**
     * Takes the lock.
     *
     * @return {@code true} if it was taken over from a dead holder (the caller must repair), else {@code false}
     */
    boolean lock() {
        if (Words.cas(seg, at + OWNER, Owner.NONE, Owner.CURRENT)) {
            return false;
        }
        ThreadModel threads = ThreadModel.current();
        long nextCheck = System.nanoTime() + LIVENESS_CHECK_NANOS;
        long pauseUs = 1;
        for (int round = 0; ; round++) {
            long owner = Words.getVolatile(seg, at + OWNER);
            if (owner == Owner.NONE) {
                if (Words.cas(seg, at + OWNER, Owner.NONE, Owner.CURRENT)) {
                    return false;
                }
                continue;
            }
            if (round < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (now >= nextCheck) {
                nextCheck = now + LIVENESS_CHECK_NANOS;
                if (!Owner.isAlive(owner) && Words.cas(seg, at + OWNER, owner, Owner.CURRENT)) {
                    Words.getAndAdd(seg, at + RECOVERIES, 1L);
                    return true;
                }
            }
            if (round < SPINS + YIELDS) {
                threads.yield();
            } else {
                threads.sleepForUs(pauseUs);
                pauseUs = Math.min(pauseUs * 2, MAX_PAUSE_US);
            }
        }
    }

    void unlock() {
        Words.putRelease(seg, at + OWNER, Owner.NONE);
    }

    long recoveries() {
        return Words.getVolatile(seg, at + RECOVERIES);
    }
}
