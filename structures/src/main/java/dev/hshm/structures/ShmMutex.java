package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.ThreadIds;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock between threads of any processes, found by name ({@link NamedObjects}), that
 * survives the death of its holder ({@link MutexLayout}): the cross-process counterpart of a robust
 * {@code pthread_mutex_t}.
 *
 * <p><b>Who holds it.</b> The holding process's {@link Owner} word (pid and start time, so a recycled pid is
 * told from the dead process) is taken with one CAS; the holding thread's id is recorded beside it. The
 * mutex is not reentrant, and only the holding thread may {@link #unlock()} it: anyone else gets a
 * {@link StateException} naming the holder.
 *
 * <p><b>A dead holder.</b> A waiter that finds the holder's process gone takes the mutex over with one CAS
 * from the dead word to its own (one waiter wins) and is told so: {@link #lock()} returns
 * {@link LockResult#OWNER_DIED}, like {@code EOWNERDEAD}. The state the mutex guards may then be half-updated;
 * the caller repairs it before relying on it, then unlocks as usual. A thread that ends while holding the
 * mutex in a process that lives on is not detected (the process still runs): unlock in {@code finally}.
 *
 * <p><b>Waiting.</b> A short spin ({@value #SPINS} rounds), then sleeps in the kernel on the mutex's
 * {@link WaitWord} (a shared futex with the {@code pthreads} thread model; polling with others), woken by
 * {@link #unlock()}; a sleeper wakes at least every {@value #LIVENESS_POLL_MILLIS} ms to ask whether the
 * holder still lives, so a dead holder is found within about that time, never after a fixed long timeout.
 *
 * <p>Handles are cheap and safe for use by many threads.
 */
public final class ShmMutex {

    /** What an acquisition gave. */
    public enum LockResult {
        /** The mutex was free or released by its holder: the state it guards is consistent. */
        ACQUIRED,
        /**
         * The holder's process died holding it and the caller took it over: the caller holds the mutex, and the
         * state it guards may be half-updated (the {@code EOWNERDEAD} of robust POSIX mutexes).
         */
        OWNER_DIED,
        /** A timed acquisition gave up: the caller does not hold the mutex. */
        TIMED_OUT;

        /**
         * Whether the caller holds the mutex after this result.
         *
         * @return {@code true} for {@link #ACQUIRED} and {@link #OWNER_DIED}
         */
        public boolean acquired() {
            return this != TIMED_OUT;
        }
    }

    /** Spin rounds before sleeping: most critical sections over shared memory are short. */
    static final int SPINS = 200;
    /** The longest sleep before a waiter asks again whether the holder lives. */
    static final long LIVENESS_POLL_MILLIS = 20;
    private static final long LIVENESS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_POLL_MILLIS);
    private static final long FOREVER = Long.MAX_VALUE;

    private final MemorySegment seg;
    private final long at;
    private final String what;
    private final WaitWord wait;

    private ShmMutex(MemorySegment seg, long at, String what) {
        this.seg = seg;
        this.at = at;
        this.what = what;
        this.wait = new WaitWord(seg, at + MutexLayout.WAIT);
    }

    /**
     * Creates a named mutex, free.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws dev.hshm.api.AlreadyExistsException if the name exists
     */
    public static ShmMutex create(NamedObjects dir, String name) {
        NamedObject o = dir.create(name, MutexLayout.BYTES, ShmMutex::formatNamed);
        return new ShmMutex(o.memory(), MutexLayout.BODY, "mutex '" + name + "'");
    }

    /**
     * Finds a named mutex.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws dev.hshm.api.NotFoundException if there is none
     * @throws CorruptSegmentException if the name holds something else or a corrupt mutex
     */
    public static ShmMutex attach(NamedObjects dir, String name) {
        return attached(dir.attach(name), name);
    }

    /**
     * Finds a named mutex or creates it; when processes race, one creates and the others find it.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws CorruptSegmentException if the name holds something else
     */
    public static ShmMutex openOrCreate(NamedObjects dir, String name) {
        NamedObject o = dir.openOrCreate(name, MutexLayout.BYTES, ShmMutex::formatNamed);
        return o.created() ? new ShmMutex(o.memory(), MutexLayout.BODY, "mutex '" + name + "'") : attached(o, name);
    }

    private static ShmMutex attached(NamedObject o, String name) {
        ContainerHeader.check(o.memory(), ContainerHeader.MUTEX, MutexLayout.LAYOUT_VERSION, MutexLayout.BYTES, name);
        return new ShmMutex(o.memory(), MutexLayout.BODY, "mutex '" + name + "'");
    }

    private static void formatNamed(MemorySegment m) {
        ContainerHeader.format(m, ContainerHeader.MUTEX, MutexLayout.LAYOUT_VERSION);
        formatBody(m, MutexLayout.BODY);
        ContainerHeader.publish(m);
    }

    /** Formats a mutex body at {@code at} of {@code seg}, free (for containers that embed mutexes). */
    static void formatBody(MemorySegment seg, long at) {
        Words.put(seg, at + MutexLayout.TID, 0L);
        Words.put(seg, at + MutexLayout.RECOVERIES, 0L);
        Words.putInt(seg, at + MutexLayout.WAIT + WaitWord.SEQUENCE, 0);
        Words.putInt(seg, at + MutexLayout.WAIT + WaitWord.WAITERS, 0);
        Words.putRelease(seg, at + MutexLayout.OWNER, Owner.NONE);
    }

    /** A handle on a body another container embeds at {@code at} of {@code seg}; {@code what} names it in errors. */
    static ShmMutex embedded(MemorySegment seg, long at, String what) {
        return new ShmMutex(seg, at, what);
    }

    /**
     * Takes the mutex, waiting as long as it takes.
     *
     * @return {@link LockResult#ACQUIRED}, or {@link LockResult#OWNER_DIED} if it was taken over from a dead
     *     holder (repair what it guards)
     * @throws CorruptSegmentException if the owner word is not one a process could have written
     */
    public LockResult lock() {
        return acquire(FOREVER);
    }

    /**
     * Takes the mutex if it is free or its holder is dead, without waiting.
     *
     * @return the result; {@link LockResult#TIMED_OUT} if a live holder has it
     */
    public LockResult tryLock() {
        return acquire(0);
    }

    /**
     * Takes the mutex, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait, {@code >= 0}
     * @param unit its unit
     * @return the result; {@link LockResult#TIMED_OUT} if the wait ran out (the caller does not hold it)
     */
    public LockResult tryLock(long timeout, TimeUnit unit) {
        if (timeout < 0) {
            throw new IllegalArgumentException("lock timeout must be >= 0: timeout=" + timeout + " " + unit);
        }
        return acquire(unit.toNanos(timeout));
    }

    private LockResult acquire(long timeoutNanos) {
        if (Words.cas(seg, at + MutexLayout.OWNER, Owner.NONE, Owner.CURRENT)) {
            return taken(LockResult.ACQUIRED);
        }
        // acquisition is uninterruptible: a pending interrupt would make every sleep return at once (a busy
        // loop), so it is cleared while waiting and set again on the way out
        boolean interrupted = Thread.interrupted();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < SPINS && timeoutNanos > 0; i++) {
                if (Words.getOpaque(seg, at + MutexLayout.OWNER) == Owner.NONE
                        && Words.cas(seg, at + MutexLayout.OWNER, Owner.NONE, Owner.CURRENT)) {
                    return taken(LockResult.ACQUIRED);
                }
                Thread.onSpinWait();
            }
            long nextLivenessCheck = start;
            while (true) {
                long owner = Words.getVolatile(seg, at + MutexLayout.OWNER);
                if (owner == Owner.NONE) {
                    if (Words.cas(seg, at + MutexLayout.OWNER, Owner.NONE, Owner.CURRENT)) {
                        return taken(LockResult.ACQUIRED);
                    }
                    continue;
                }
                checkOwnerWord(owner);
                long now = System.nanoTime();
                if (now - nextLivenessCheck >= 0) {
                    nextLivenessCheck = now + LIVENESS_POLL_NANOS;
                    // the only CAS away from a word other than NONE: one waiter wins the takeover
                    if (!Owner.isAlive(owner) && Words.cas(seg, at + MutexLayout.OWNER, owner, Owner.CURRENT)) {
                        Words.getAndAdd(seg, at + MutexLayout.RECOVERIES, 1L);
                        System.getLogger(ShmMutex.class.getName()).log(System.Logger.Level.WARNING, what
                                + " was held by " + Owner.describe(owner) + ", which died; taken over by this process");
                        return taken(LockResult.OWNER_DIED);
                    }
                }
                long left = timeoutNanos == FOREVER ? FOREVER : timeoutNanos - (now - start);
                if (left <= 0) {
                    return LockResult.TIMED_OUT;
                }
                interrupted |= Thread.interrupted();
                int seen = wait.prepare();
                try {
                    // the re-check after counting ourselves: an unlock after it bumps the sequence we sleep on
                    if (Words.getVolatile(seg, at + MutexLayout.OWNER) == owner) {
                        wait.await(seen, Math.min(left, Math.max(1, nextLivenessCheck - now)));
                    }
                } finally {
                    wait.finish();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private LockResult taken(LockResult r) {
        Words.put(seg, at + MutexLayout.TID, ThreadIds.current());
        return r;
    }

    private void checkOwnerWord(long owner) {
        if (Owner.pid(owner) == 0) {
            throw new CorruptSegmentException(what + " has an owner word no process writes: owner=0x"
                    + Long.toHexString(owner) + " (pid 0)");
        }
    }

    /**
     * Releases the mutex and wakes its waiters.
     *
     * <p>Stores: TID = 0, then OWNER = NONE (release), then the wait word's signal. A death after the first
     * leaves the mutex held by a dead process (taken over by the next waiter, told {@code OWNER_DIED}); after
     * the second, a free mutex whose sleepers wake at their next liveness poll.
     *
     * @throws StateException if the calling thread does not hold it (naming who does)
     */
    public void unlock() {
        long owner = Words.getVolatile(seg, at + MutexLayout.OWNER);
        long tid = Words.get(seg, at + MutexLayout.TID);
        if (owner != Owner.CURRENT || tid != ThreadIds.current()) {
            throw new StateException("unlock of " + what + " by thread " + Thread.currentThread().getName() + " of pid "
                    + ProcessHandle.current().pid() + ", which does not hold it: held by " + Owner.describe(owner)
                    + (owner == Owner.NONE ? "" : ", thread id 0x" + Long.toHexString(tid)));
        }
        Words.put(seg, at + MutexLayout.TID, 0L);
        Words.putRelease(seg, at + MutexLayout.OWNER, Owner.NONE);
        wait.signal();
    }

    /**
     * Whether the calling thread holds the mutex.
     *
     * @return {@code true} if it does
     */
    public boolean isHeldByCurrentThread() {
        return Words.getVolatile(seg, at + MutexLayout.OWNER) == Owner.CURRENT
                && Words.get(seg, at + MutexLayout.TID) == ThreadIds.current();
    }

    /**
     * Whether some thread of some process holds it (a snapshot).
     *
     * @return {@code true} if held
     */
    public boolean isLocked() {
        return Words.getVolatile(seg, at + MutexLayout.OWNER) != Owner.NONE;
    }

    /**
     * The pid of the holding process, or 0 if free (a snapshot).
     *
     * @return the pid
     */
    public long ownerPid() {
        return Owner.pid(Words.getVolatile(seg, at + MutexLayout.OWNER));
    }

    /**
     * How many times a dead holder's hold was taken over.
     *
     * @return the count
     */
    public long recoveries() {
        return Words.getVolatile(seg, at + MutexLayout.RECOVERIES);
    }

    @Override
    public String toString() {
        return what + " held by " + Owner.describe(Words.getVolatile(seg, at + MutexLayout.OWNER));
    }
}
