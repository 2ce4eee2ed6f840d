package dev.hshm.allocators.internal.heap;

import dev.hshm.api.ThreadModel;
import java.lang.foreign.Arena;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The owner word of {@link RobustLock}: CAS FREE-&gt;me to acquire, release store of FREE to unlock, and the CAS
 * from a dead owner's word to the waiter's own that takes a lock over. Each state is a fresh lock (one cache
 * line of its own) with a guarded word beside it that the critical sections increment with plain loads and
 * stores, as the heap's do.
 */
public final class RobustLockStress {

    /** The guarded word: after the lock's 64 bytes. */
    static final long GUARDED = RobustLock.BYTES;
    static final long BYTES = GUARDED + 64;

    /** Keeps the lock's logger (a takeover logs a warning per sample) silenced for the fork's life. */
    static final Logger QUIET = Logger.getLogger(RobustLock.class.getName());

    static {
        QUIET.setLevel(Level.OFF);
    }

    private RobustLockStress() {
    }

    static Words freshLock() {
        Words w = new Words(Arena.ofAuto().allocate(BYTES, 64));
        RobustLock.format(w, 0);
        w.put(GUARDED, 0L);
        return w;
    }

    /** The critical section: a plain read-modify-write of the guarded word; the value it read. */
    static int increment(Words w) {
        long v = w.get(GUARDED);
        w.put(GUARDED, v + 1);
        return (int) v;
    }

    /**
     * Mutual exclusion: two threads lock, increment the guarded word, unlock. r1, r2: the value each read inside
     * (so one must read 0 and the other 1); r3: the word at the end (2); r4: takeovers (0: both owners live).
     * Two threads inside at once show as "0, 0, 1" (a lost update); a live owner taken over shows in r4.
     */
    @JCStressTest
    @Outcome(id = {"0, 1, 2, 0", "1, 0, 2, 0"}, expect = Expect.ACCEPTABLE,
            desc = "one critical section after the other, no takeover")
    @Outcome(expect = Expect.FORBIDDEN, desc = "both inside at once (a lost update), or a live owner taken over")
    @State
    public static class Exclusion {
        private final Words w = freshLock();
        private final RobustLock lock = new RobustLock(w, 0, "stress", ThreadModel.current(), () -> { });

        private int critical() {
            lock.lock();
            try {
                return increment(w);
            } finally {
                lock.unlock();
            }
        }

        @Actor
        public void first(IIII_Result r) {
            r.r1 = critical();
        }

        @Actor
        public void second(IIII_Result r) {
            r.r2 = critical();
        }

        @Arbiter
        public void after(IIII_Result r) {
            r.r3 = (int) w.getVolatile(GUARDED);
            r.r4 = (int) lock.recoveries();
        }
    }

    /** A pid that ran and exited: a dead owner's process (a new one if the pid was recycled meanwhile). */
    private static volatile long deadPid = spawnDead();

    private static long spawnDead() {
        try {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            return p.pid();
        } catch (Exception e) {
            throw new IllegalStateException("cannot run 'true' for a dead pid", e);
        }
    }

    static long deadPid() {
        long pid = deadPid;
        if (ProcessHandle.of(pid).isPresent()) {
            deadPid = pid = spawnDead();
        }
        return pid;
    }

    /** Per thread: how many times the lock's repair action ran on it since the actor reset it. */
    static final ThreadLocal<int[]> REPAIRS = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Takeover: the lock word names a thread of a process that is gone ({@link #deadPid()}, start word unknown:
     * the pid alone is checked) when two threads lock it at once. A takeover is reported to the thread that did
     * it by running the lock's repair action on it, inside {@code lock()}, before it returns. Exactly one of the
     * two may take over and repair; the other must wait for it and then get the lock from FREE, without a repair.
     * r1, r2: repairs run on each thread; r3: RECOVERIES (1); r4: the guarded word at the end (2: both got in).
     * Each sample waits about 1 ms (the waiters' first liveness check).
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 1, 2", "0, 1, 1, 2"}, expect = Expect.ACCEPTABLE,
            desc = "one thread took the dead owner's lock over and repaired; the other got it after, from FREE")
    @Outcome(expect = Expect.FORBIDDEN, desc = "both took over, neither did, or a critical section was lost")
    @State
    public static class Takeover {
        private final Words w = freshLock();
        private final RobustLock lock = new RobustLock(w, 0, "stress", ThreadModel.current(), () -> REPAIRS.get()[0]++);

        public Takeover() {
            // a thread of a process that died holding the lock, before it wrote its start word
            w.put(RobustLock.OWNER_START, 0L);
            w.putRelease(RobustLock.OWNER, deadPid() << 32 | 5);
        }

        private int critical() {
            int[] repairs = REPAIRS.get();
            repairs[0] = 0;
            lock.lock();
            try {
                increment(w);
            } finally {
                lock.unlock();
            }
            return repairs[0];
        }

        @Actor
        public void first(IIII_Result r) {
            r.r1 = critical();
        }

        @Actor
        public void second(IIII_Result r) {
            r.r2 = critical();
        }

        @Arbiter
        public void after(IIII_Result r) {
            r.r3 = (int) lock.recoveries();
            r.r4 = (int) w.getVolatile(GUARDED);
        }
    }
}
