package dev.hshm.api.spi;

import dev.hshm.api.ThreadModel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The argument checks and the portable polling wait behind {@link ThreadModel#waitOnWord}: the pieces a
 * platform's model reuses when it overrides the wait with a kernel primitive (it checks the arguments the
 * same way, and falls back to the poll where its primitive cannot be used, e.g. on a virtual thread).
 */
public final class WordWaits {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** Spins before the first yield: a wake within about a microsecond is caught without a yield. */
    public static final int SPINS = 64;
    /** Yields before the first sleep: a wake within a few scheduler slices is caught without a sleep. */
    public static final int YIELDS = 16;
    /** The first sleep; each later one doubles, up to {@link #MAX_SLEEP_US}. */
    public static final long FIRST_SLEEP_US = 16;
    /** The longest sleep between two reads of the word, so a polling waiter is at most this late. */
    public static final long MAX_SLEEP_US = 1000;

    private WordWaits() {
    }

    /**
     * Checks {@link ThreadModel#waitOnWord}'s arguments.
     *
     * @param segment the segment
     * @param offset the word's offset
     * @param timeoutNanos the timeout
     * @throws IllegalArgumentException naming the value that is wrong
     */
    public static void check(MemorySegment segment, long offset, long timeoutNanos) {
        if (segment == null) {
            throw new IllegalArgumentException("wait word segment is null");
        }
        if ((offset & 3) != 0 || offset < 0 || offset > segment.byteSize() - Integer.BYTES) {
            throw new IllegalArgumentException("wait word offset " + offset
                    + " is not a multiple of 4 inside a segment of " + segment.byteSize() + " bytes");
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("wait timeout must be >= 0 ns: " + timeoutNanos);
        }
    }

    /**
     * Reads the word with volatile semantics.
     *
     * @param segment the segment
     * @param offset the word's offset, checked
     * @return the word
     */
    public static int read(MemorySegment segment, long offset) {
        return (int) INT.getVolatile(segment, offset);
    }

    /**
     * The portable wait: spins {@link #SPINS} times, yields {@link #YIELDS} times with the model's yield,
     * then sleeps with the model's sleep from {@link #FIRST_SLEEP_US}, doubling up to {@link #MAX_SLEEP_US},
     * re-reading the word in between.
     *
     * @param model whose yield and sleep to use
     * @param segment the segment, checked
     * @param offset the word's offset, checked
     * @param expected the value to wait away from
     * @param timeoutNanos the timeout, checked
     * @return {@code false} if the timeout passed
     */
    public static boolean poll(ThreadModel model, MemorySegment segment, long offset, int expected, long timeoutNanos) {
        long start = System.nanoTime();
        long sleepUs = FIRST_SLEEP_US;
        for (int round = 0; ; round++) {
            if (read(segment, offset) != expected || Thread.currentThread().isInterrupted()) {
                return true;
            }
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return false;
            }
            if (round < SPINS) {
                Thread.onSpinWait();
            } else if (round < SPINS + YIELDS) {
                model.yield();
            } else {
                model.sleepForUs(Math.max(1, Math.min(sleepUs, left / 1000)));
                sleepUs = Math.min(MAX_SLEEP_US, sleepUs * 2);
            }
        }
    }
}
