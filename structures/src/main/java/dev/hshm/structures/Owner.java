package dev.hshm.structures;

import dev.hshm.api.spi.Processes;

/**
 * The one encoding of "which process did this" in this package's shared memory: a claimer, a consumer, a
 * lock owner. One word, so it is written with one store (or taken with one CAS) and is never torn:
 *
 * <pre>
 *  63                              32 31                               0
 * +----------------------------------+----------------------------------+
 * |  pid                             |  start time, epoch seconds (u32) |
 * +----------------------------------+----------------------------------+
 * 0 = nobody (pids are &gt; 0)
 * </pre>
 *
 * <p>The start time tells a recycled pid from the process that died ({@link Processes#isAlive}); seconds
 * in 32 unsigned bits last until 2106. A pid above 2^32 (none on Linux, macOS or Windows) would not fit
 * and is refused at class initialisation rather than stored wrong.
 */
final class Owner {

    /** Nobody. */
    static final long NONE = 0L;

    private static final long PID = Processes.currentPid();
    private static final long START_SECONDS = Processes.currentStartMillis() / 1000;
    /** This process's word. */
    static final long CURRENT = of(PID, START_SECONDS);

    private Owner() {
    }

    static long of(long pid, long startSeconds) {
        if (pid <= 0 || pid > 0xFFFF_FFFFL) {
            throw new IllegalStateException("pid does not fit the 32-bit owner word: pid=" + pid);
        }
        return pid << 32 | (startSeconds & 0xFFFF_FFFFL);
    }

    static long pid(long owner) {
        return owner >>> 32;
    }

    static long startSeconds(long owner) {
        return owner & 0xFFFF_FFFFL;
    }

    /**
     * Whether the process named by {@code owner} still runs. {@link #NONE} is not alive. A start time of 0
     * (the OS did not tell) checks the pid only.
     */
    static boolean isAlive(long owner) {
        if (owner == NONE) {
            return false;
        }
        if (owner == CURRENT) {
            return true;
        }
        long s = startSeconds(owner);
        // the middle of the second the start fell in: within Processes.isAlive's one second of slack
        return Processes.isAlive(pid(owner), s == 0 ? 0 : s * 1000 + 500);
    }

    static String describe(long owner) {
        return owner == NONE ? "nobody" : "pid " + pid(owner) + " (started at epoch second " + startSeconds(owner) + ")";
    }
}
