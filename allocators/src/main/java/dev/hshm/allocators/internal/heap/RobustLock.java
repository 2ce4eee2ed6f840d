package dev.hshm.allocators.internal.heap;

import dev.hshm.api.ThreadModel;

/**
 * A mutual-exclusion lock in shared memory that survives the death of its owner. Layout (one cache line, so two
 * locks never share one):
 *
 * <pre>
 *  +0  OWNER        u64  {@link OwnerWords}: FREE, or the owner thread's word
 *                        CAS FREE-&gt;me to acquire (volatile); release store FREE to unlock
 *  +8  OWNER_START  u64  the owner process's {@linkplain OwnerWords#startWord start word}, or 0 while unknown
 *                        plain store right after the CAS; plain store 0 right before the unlocking release
 * +16  RECOVERIES   u64  how many times a dead owner's lock was taken over           getAndAdd
 * +24  (reserved, 0) to +64
 * </pre>
 *
 * <p><b>Waiting.</b> A waiter spins ({@value #SPINS} rounds of {@link Thread#onSpinWait}: a critical section is
 * tens of nanoseconds), then yields through the thread model ({@value #YIELDS} times: the owner may be
 * descheduled on this core), then sleeps with doubling pauses up to {@value #MAX_PAUSE_US} µs. About every
 * {@value #LIVENESS_CHECK_NANOS} ns of waiting it checks whether the owner's process lives
 * ({@link OwnerWords#isAlive}: pid plus start time, so a recycled pid is not mistaken for the dead owner).
 * OWNER_START is cleared before every unlock, and it names the pid whose start it records, so a waiter that reads
 * the owner word of one hold and the start word of another (the lock changed hands between its two loads, and
 * came back to the first owner before its CAS) sees "start unknown" and checks the pid only: a live owner is
 * never declared dead by a start time that is not its own.
 *
 * <p>An owner that cannot be proven alive is not waited on forever: if its start word is unknown (0, or one that
 * names another pid) at every liveness check for {@value #UNPROVEN_OWNER_NANOS} ns with the same owner word, it
 * is no live holder (one writes its start word nanoseconds after its CAS): a forged or stale owner such as
 * "pid 1, start 0". It is taken over like a dead one. (Skipped where the OS tells no start times.)
 *
 * <p><b>Recovery.</b> A waiter that finds the owner dead takes the lock over with one CAS from the dead owner's
 * word to its own (so one waiter wins), counts it in RECOVERIES and runs the repair action before returning: the
 * dead owner may have stopped anywhere in a critical section, and the repair rebuilds what the lock guards from
 * its ground truth. Critical sections must therefore keep their ground truth consistent at every store (see
 * {@code HeapWalk}).
 *
 * <p>Not reentrant: locking twice from one thread throws instead of deadlocking.
 */
final class RobustLock {

    static final long OWNER = 0;
    static final long OWNER_START = OWNER + 8;
    static final long RECOVERIES = OWNER_START + 8;
    static final long RESERVED = RECOVERIES + 8;
    static final int BYTES = 64;

    /** Spin rounds before yielding: a critical section is tens of ns, a handoff between cores about 100 ns. */
    static final int SPINS = 200;
    /** Yields before sleeping: enough for a descheduled owner on this core to run its critical section. */
    static final int YIELDS = 50;
    /** The longest pause between two looks at the lock word. */
    static final long MAX_PAUSE_US = 1000;
    /** How often a waiter asks whether the owner's process lives (a /proc read; not on every round). */
    static final long LIVENESS_CHECK_NANOS = 1_000_000;
    /**
     * An owner whose start word stays unknown (0, or another pid's) this long, while this process can read start
     * times, is not a live holder (a live one writes its start word right after its CAS): taken over.
     */
    static final long UNPROVEN_OWNER_NANOS = 2_000_000_000L;
    /** After this long waiting on a live owner, say so once in the log. */
    static final long WARN_AFTER_NANOS = 10_000_000_000L;

    private static final System.Logger LOG = System.getLogger(RobustLock.class.getName());

    private final Words w;
    private final long at;
    private final String name;
    private final ThreadModel threads;
    private final Runnable repair;

    /**
     * A lock whose words are at {@code at}.
     *
     * @param w the shared memory
     * @param at the offset of the lock ({@value #BYTES} bytes, 8-byte aligned)
     * @param name for messages
     * @param threads the thread model, for yield and sleep
     * @param repair run by the thread that took the lock over from a dead owner, while holding it
     */
    RobustLock(Words w, long at, String name, ThreadModel threads, Runnable repair) {
        this.w = w;
        this.at = at;
        this.name = name;
        this.threads = threads;
        this.repair = repair;
    }

    /** Formats the lock as free. */
    static void format(Words w, long at) {
        w.put(at + OWNER_START, 0L);
        w.put(at + RECOVERIES, 0L);
        w.zero(at + RESERVED, BYTES - RESERVED);
        w.putRelease(at + OWNER, OwnerWords.FREE);
    }

    /**
     * Acquires the lock, recovering it if its owner died.
     *
     * @return {@code true} if the lock was taken at once, {@code false} if this thread had to wait (callers that
     *     can choose among several locks use it to move elsewhere)
     */
    boolean lock() {
        long me = OwnerWords.currentThread();
        if (w.cas(at + OWNER, OwnerWords.FREE, me)) {
            w.put(at + OWNER_START, OwnerWords.startWord());
            return true;
        }
        lockSlow(me);
        return false;
    }

    private void lockSlow(long me) {
        if (w.getVolatile(at + OWNER) == me) {
            throw new IllegalStateException("lock '" + name + "' is already held by this thread (not reentrant)");
        }
        long start = System.nanoTime();
        long nextLivenessCheck = start + LIVENESS_CHECK_NANOS;
        boolean warned = false;
        long pauseUs = 1;
        long unproven = OwnerWords.FREE; // the owner whose start word has been unknown at every check since...
        long unprovenSince = 0; // ...this time
        for (int round = 0; ; round++) {
            long owner = w.getVolatile(at + OWNER);
            if (owner == OwnerWords.FREE) {
                if (w.cas(at + OWNER, OwnerWords.FREE, me)) {
                    w.put(at + OWNER_START, OwnerWords.startWord());
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
                long ownerStart = w.get(at + OWNER_START);
                if (!OwnerWords.isAlive(owner, ownerStart) && w.cas(at + OWNER, owner, me)) {
                    takeOver(owner);
                    return;
                }
                if (OwnerWords.startMillisOf(owner, ownerStart) != 0 || OwnerWords.startWord() == 0) {
                    unproven = OwnerWords.FREE; // proven alive (or this OS tells no start times: pid only)
                } else if (owner != unproven) {
                    unproven = owner;
                    unprovenSince = now;
                } else if (now - unprovenSince > UNPROVEN_OWNER_NANOS && w.cas(at + OWNER, owner, me)) {
                    LOG.log(System.Logger.Level.WARNING, "lock '" + name + "': owner " + OwnerWords.describe(owner)
                            + " wrote no start word of its own for " + (now - unprovenSince) / 1_000_000
                            + " ms (start word 0x" + Long.toHexString(ownerStart) + "): it cannot be proven alive");
                    takeOver(owner);
                    return;
                }
                if (!warned && now - start > WARN_AFTER_NANOS) {
                    warned = true;
                    LOG.log(System.Logger.Level.WARNING, "lock '" + name + "' held for over 10 s by live "
                            + OwnerWords.describe(owner) + "; still waiting");
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

    private void takeOver(long deadOwner) {
        w.put(at + OWNER_START, OwnerWords.startWord());
        w.getAndAdd(at + RECOVERIES, 1L);
        LOG.log(System.Logger.Level.WARNING, "lock '" + name + "': owner " + OwnerWords.describe(deadOwner)
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
    }

    /** The lock's name, for messages. */
    String name() {
        return "lock '" + name + "'";
    }

    /** Releases the lock; the caller must hold it. */
    void unlock() {
        w.put(at + OWNER_START, 0L);
        w.putRelease(at + OWNER, OwnerWords.FREE);
    }

    /**
     * Tells whether the calling thread holds the lock (for {@code assert}s in helpers that need it).
     *
     * @return {@code true} if it does
     */
    boolean isHeldByCurrentThread() {
        return w.getVolatile(at + OWNER) == OwnerWords.currentThread();
    }

    /**
     * How many times a dead owner's lock was taken over.
     *
     * @return the count
     */
    long recoveries() {
        return w.getVolatile(at + RECOVERIES);
    }

    /**
     * Checks the lock's words (for {@code check()}): the owner is free or names a process, and the reserved words
     * are zero.
     *
     * @throws dev.hshm.api.CorruptSegmentException naming the field and value
     */
    void checkWords() {
        long reserved = w.get(at + RESERVED);
        if (reserved != 0) {
            throw new dev.hshm.api.CorruptSegmentException("lock '" + name + "': reserved word not zero: found=0x"
                    + Long.toHexString(reserved));
        }
    }
}
