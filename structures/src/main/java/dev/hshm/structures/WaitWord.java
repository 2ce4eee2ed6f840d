package dev.hshm.structures;

import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;

/**
 * A place in shared memory where threads of any process sleep until another changes something: a 32-bit
 * sequence word and a waiter count beside it ({@value #BYTES} bytes, 4-byte aligned). Sleeping is the thread
 * model's business ({@link ThreadModel#waitOnWord}: a shared futex on Linux, polling elsewhere); this class
 * adds the protocol that makes it safe and cheap.
 *
 * <pre>
 *  +0  SEQUENCE  i32  bumped by every {@link #signal()} that finds a waiter     getAndAdd (volatile)
 *  +4  WAITERS   i32  threads between {@link #prepare()} and {@link #finish()}  getAndAdd (volatile)
 * </pre>
 *
 * <p><b>Protocol.</b> A waiter calls {@link #prepare()} (counts itself, returns the sequence), re-checks its
 * condition, and only then {@link #await}s that sequence, then {@link #finish()}es. A waker first makes the
 * condition true (its release store), then calls {@link #signal()}: a full fence, then a read of WAITERS;
 * only if it is not zero does it bump the sequence and ask the thread model to wake, so a waker with nobody
 * waiting makes no system call and writes nothing shared. No wake is lost: the waiter's increment and the
 * waker's fence are both sequentially consistent, so either the waker sees the waiter counted (and bumps the
 * sequence, which the waiter's futex compares) or the waiter's re-check sees the condition.
 *
 * <p><b>What a death leaves.</b> A waiter killed between prepare and finish leaves WAITERS one too high: from
 * then on wakers make a needless wake call per signal, never a missed one. {@link #reset()} (for a process
 * that knows nobody waits, such as a queue's re-creator) sets it back.
 */
public final class WaitWord {

    /** Offset of the sequence word. */
    public static final long SEQUENCE = 0;
    /** Offset of the waiter count. */
    public static final long WAITERS = SEQUENCE + 4;
    /** Bytes a wait word takes. */
    public static final long BYTES = WAITERS + 4;

    private final MemorySegment seg;
    private final long at;

    /**
     * A wait word at {@code at} of {@code seg}.
     *
     * @param seg shared memory
     * @param at the offset, a multiple of 4, with {@value #BYTES} bytes inside {@code seg}
     * @throws IllegalArgumentException if it is not
     */
    public WaitWord(MemorySegment seg, long at) {
        if ((at & 3) != 0 || at < 0 || at > seg.byteSize() - BYTES) {
            throw new IllegalArgumentException("wait word offset " + at + " is not a multiple of 4 with " + BYTES
                    + " bytes inside a segment of " + seg.byteSize() + " bytes");
        }
        this.seg = seg;
        this.at = at;
    }

    /**
     * Counts the calling thread as a waiter and returns the sequence to wait on. Re-check the condition after
     * this call, before {@link #await}.
     *
     * @return the current sequence
     */
    public int prepare() {
        Words.getAndAddInt(seg, at + WAITERS, 1);
        return Words.getIntVolatile(seg, at + SEQUENCE);
    }

    /**
     * Sleeps while the sequence is {@code seen}, for at most {@code timeoutNanos} (see
     * {@link ThreadModel#waitOnWord}: may return early; re-check the condition).
     *
     * @param seen the value {@link #prepare()} returned
     * @param timeoutNanos the longest sleep
     * @return {@code false} if the timeout passed
     */
    public boolean await(int seen, long timeoutNanos) {
        return ThreadModel.current().waitOnWord(seg, at + SEQUENCE, seen, timeoutNanos);
    }

    /** Uncounts the calling thread; pairs with every {@link #prepare()}. */
    public void finish() {
        Words.getAndAddInt(seg, at + WAITERS, -1);
    }

    /**
     * Wakes every waiter if there is one: call after the change waiters wait for has been stored.
     *
     * @return {@code true} if there were waiters (and a wake was asked for)
     */
    public boolean signal() {
        java.lang.invoke.VarHandle.fullFence();
        if (Words.getIntVolatile(seg, at + WAITERS) == 0) {
            return false;
        }
        Words.getAndAddInt(seg, at + SEQUENCE, 1);
        ThreadModel.current().wakeWord(seg, at + SEQUENCE, ThreadModel.WAKE_ALL);
        return true;
    }

    /**
     * The number of threads counted as waiting (a dead waiter stays counted).
     *
     * @return the waiter count
     */
    public int waiters() {
        return Words.getIntVolatile(seg, at + WAITERS);
    }

    /**
     * The sequence word.
     *
     * @return its current value
     */
    public int sequence() {
        return Words.getIntVolatile(seg, at + SEQUENCE);
    }

    /** Sets the waiter count to 0; only for a process that knows no thread waits. */
    public void reset() {
        Words.putInt(seg, at + WAITERS, 0);
        java.lang.invoke.VarHandle.fullFence();
    }
}
