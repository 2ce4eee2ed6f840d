package dev.hshm.api.spi;

/**
 * Thread ids that are unique across the processes of a machine: the pid in the high 32 bits and the
 * JVM's thread id (never reused within a JVM) in the low 32 bits.
 */
public final class ThreadIds {

    private static final long PID_HIGH = Processes.currentPid() << 32;

    private ThreadIds() {
    }

    /**
     * The calling thread's id (platform or virtual).
     *
     * @return {@code pid << 32 | (threadId & 0xFFFFFFFF)}
     */
    public static long current() {
        return PID_HIGH | (Thread.currentThread().threadId() & 0xFFFF_FFFFL);
    }

    /**
     * The process part of a thread id.
     *
     * @param tid a thread id from {@link #current()}
     * @return the pid
     */
    public static long pidOf(long tid) {
        return tid >>> 32;
    }
}
