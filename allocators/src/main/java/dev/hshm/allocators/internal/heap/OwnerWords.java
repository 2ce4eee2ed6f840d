package dev.hshm.allocators.internal.heap;

import dev.hshm.api.spi.Processes;
import dev.hshm.api.spi.ThreadIds;

/**
 * The one encoding of "who holds this" in shared memory: the owner word of every {@link RobustLock}, of every
 * thread-cache slot lease ({@link SlotTable}), of the stripe slots virtual threads share, and the marker a
 * process writes into a dead process's lease while it reclaims it. Part of the published layout (version
 * {@value HeapHeader#LAYOUT_VERSION}).
 *
 * <pre>
 *  63                              32 31 30                                0
 * +----------------------------------+--+-----------------------------------+
 * |  pid of the owning process       |R |  local id                         |
 * +----------------------------------+--+-----------------------------------+
 *
 * 0                          free (no owner); never a valid owner, since pids are &gt; 0
 * R = 0, local id &lt; STRIPE    a thread: the low 31 bits of its JVM thread id (never reused in a JVM)
 *                            - lock owners and the per-thread slot leases of platform threads
 * R = 0, STRIPE | s          stripe s (s &lt; 65536) of that process: a slot shared by its virtual threads
 * R = 1, local id            the thread (local id as above) that is reclaiming a dead process's slot
 * </pre>
 *
 * <p>An owner word alone does not prove its process alive: a pid can be recycled. Every structure that stores
 * one stores a <em>start word</em> beside it ({@link #startWord()}): the owner process's start time (epoch ms,
 * bits 22-63) and the low 22 bits of its pid (bits 0-21). The pid bits say whose start time it is: the owner word
 * and the start word are two stores, so a reader can see a new owner beside the previous owner's start word (a
 * lock re-taken between the reader's two loads, a dead process's lease that a reclaimer has just taken over).
 * Compared with the start time alone, such a pair would declare a live owner dead; with the pid bits it is
 * recognised as "start unknown" and only the pid is checked ({@link #isAlive}).
 * Known limit: a JVM that has created more than 2^31 - 2^16 threads reuses local ids modulo 2^31; two live
 * threads of one process then collide only if their JVM ids differ by a multiple of 2^31.
 */
public final class OwnerWords {

    /** The owner word of nothing. */
    public static final long FREE = 0L;
    /** Bit 31: the word marks a reclaimer, not an owner. */
    static final long RECLAIMER_BIT = 0x8000_0000L;
    /** Local ids from here up name the process's virtual-thread stripes. */
    static final long STRIPE = 0x7FFF_0000L;
    private static final long LOCAL_MASK = 0x7FFF_FFFFL;
    private static final long PID_HIGH = Processes.currentPid() << 32;

    /** Bits of the pid kept in a start word (Linux pids are below 2^22). */
    static final int START_PID_BITS = 22;
    private static final long START_PID_MASK = (1L << START_PID_BITS) - 1;
    private static final long START_WORD = startWord(Processes.currentPid(), Processes.currentStartMillis());

    private OwnerWords() {
    }

    /**
     * This process's start word: {@code startMillis << 22 | (pid & 0x3FFFFF)}, or 0 if the OS does not tell the
     * start time.
     *
     * @return the word to store beside an owner word of this process
     */
    public static long startWord() {
        return START_WORD;
    }

    static long startWord(long pid, long startMillis) {
        return startMillis <= 0 ? 0 : (startMillis << START_PID_BITS) | (pid & START_PID_MASK);
    }

    /**
     * The start time a start word records for the process of {@code owner}, or 0 if it records none for it (0,
     * or another process's start: the pair was read between two stores).
     *
     * @param owner a non-free owner word
     * @param startWord the start word stored beside it
     * @return epoch milliseconds, or 0 for "unknown"
     */
    static long startMillisOf(long owner, long startWord) {
        return startWord == 0 || (startWord & START_PID_MASK) != (pidOf(owner) & START_PID_MASK)
                ? 0 : startWord >>> START_PID_BITS;
    }

    /**
     * Tells whether the process of an owner word may still run: its pid runs and, if the start word records the
     * start of that pid's process, the running process started then (so a recycled pid is not taken for it).
     *
     * @param owner a non-free owner word
     * @param startWord the start word stored beside it
     * @return {@code false} if the owner is certainly gone
     */
    public static boolean isAlive(long owner, long startWord) {
        return Processes.isAlive(pidOf(owner), startMillisOf(owner, startWord));
    }

    /**
     * The calling thread's owner word.
     *
     * @return {@code pid << 32 | local id}
     */
    public static long currentThread() {
        long local = Thread.currentThread().threadId() & LOCAL_MASK;
        return PID_HIGH | (local >= STRIPE ? local - STRIPE : local);
    }

    /**
     * The owner word of this process's virtual-thread stripe {@code s}.
     *
     * @param s the stripe, {@code 0 <= s < 65536}
     * @return {@code pid << 32 | STRIPE | s}
     */
    public static long stripe(int s) {
        return PID_HIGH | STRIPE | (s & 0xFFFF);
    }

    /**
     * The marker the calling thread writes into a dead process's lease while it reclaims the slot: no live
     * owner compares equal to it, so nobody else uses the slot meanwhile.
     *
     * @return the calling thread's word with {@link #RECLAIMER_BIT} set
     */
    public static long reclaimer() {
        return currentThread() | RECLAIMER_BIT;
    }

    /**
     * The process of an owner word.
     *
     * @param owner a non-free owner word
     * @return the pid
     */
    public static long pidOf(long owner) {
        return ThreadIds.pidOf(owner);
    }

    /**
     * Tells whether the word belongs to this process.
     *
     * @param owner an owner word
     * @return {@code true} if its pid is ours
     */
    public static boolean isOurs(long owner) {
        return owner != FREE && pidOf(owner) == Processes.currentPid();
    }

    /**
     * A human-readable form, for messages.
     *
     * @param owner an owner word
     * @return e.g. {@code "pid 4711 thread 23"}, {@code "pid 4711 stripe 3"}, {@code "free"}
     */
    public static String describe(long owner) {
        if (owner == FREE) {
            return "free";
        }
        long local = owner & LOCAL_MASK;
        String who = (owner & RECLAIMER_BIT) != 0 ? "reclaimer thread " + local
                : local >= STRIPE ? "stripe " + (local - STRIPE) : "thread " + local;
        return "pid " + pidOf(owner) + " " + who;
    }
}
