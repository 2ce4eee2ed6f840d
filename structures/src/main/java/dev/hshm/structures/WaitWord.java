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
 * <p><b>Protocol.</b> A waiter calls {@link #prepare()} once (counts itself; a volatile read-modify-write),
 * then loops: read {@link #sequence()}, re-check its condition, {@link #await} that sequence with a timeout,
 * and at the end {@link #finish()}es. A waker first makes the condition true (its release store), then calls
 * {@link #signal()}: one read of WAITERS, and only if it is not zero a bump of the sequence (a volatile
 * read-modify-write, which also orders the waker's earlier store before it) and a wake call. So a waker with
 * nobody waiting makes no system call, writes no shared word and executes no fence: the fast path of a queue
 * costs one read of a line that only changes when a waiter comes or goes.
 *
 * <p><b>The one window, and its bound.</b> Without a fence, the waker's read of WAITERS may be ordered before
 * its condition store becomes visible; a waiter that counts itself and re-checks in exactly that window (tens
 * of nanoseconds) misses both the condition and the wake. A waiter that stays counted is never missed after that
 * window: a waker that sees it bumps the sequence with a read-modify-write, after its condition store. So the
 * waiter's first sleep is short ({@link #FIRST_SLICE_NANOS}) and then doubles: a wake lost to the window costs
 * at most that first slice, never a hang. (Making every signal a full fence instead would close the window at
 * the price of a cross-core round trip per message.)
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
    /** A waiter's first sleep after {@link #prepare()}: the most a wake lost to the unfenced signal costs. */
    public static final long FIRST_SLICE_NANOS = 50_000L;

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
     * Counts the calling thread as a waiter (once per blocking call) and returns the sequence to wait on.
     * Re-check the condition after this call, before {@link #await}; sleep {@link #FIRST_SLICE_NANOS} at most
     * the first time.
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
        if (Words.getIntOpaque(seg, at + WAITERS) == 0) {
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
