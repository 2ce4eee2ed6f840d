package dev.hshm.structures;

import dev.hshm.api.StateException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The blocking loop every queue's {@code put}/{@code take} shares: try; spin briefly ({@link #SPIN_NANOS}),
 * since a message that is on its way is then caught without a system call on either side; count in as a
 * waiter, try again, sleep on the wait word in slices, and after each slice that passed without progress ask
 * whether the process that would end the wait is still alive, so a dead peer is a {@link StateException}
 * rather than a hang. The liveness check (a look at {@code /proc}) is never on the path of a wait that a wake
 * ends.
 */
final class Blocking {

    /** The longest sleep between two liveness checks of the peer. */
    static final long SLICE_NANOS = 50_000_000L;

    /**
     * How long a blocking call spins before it sleeps: {@code -Dhshm.structures.spinNanos}, default 20 µs
     * (about the cost of a futex wake and the sleeper's return, so spinning longer would not pay); 0 sleeps at
     * once. A waiter that sleeps spins at most this long per wait, so an idle consumer's CPU use stays near 0.
     */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("hshm.structures.spinNanos", 20_000L));
    /** Spins between two reads of the clock. */
    private static final int SPINS_PER_CLOCK_READ = 32;

    private Blocking() {
    }

    /**
     * Runs {@code attempt} until it succeeds or {@code timeoutNanos} pass.
     *
     * @param w the word the peer signals after making {@code attempt} possible
     * @param attempt one non-blocking try
     * @param peer the {@link Owner} word of the process that would end the wait (0: unknown, never fails)
     * @param what for the message: "producer waiting for room in spsc queue"
     * @param peerRole "consumer" or "producer"
     * @return whether it succeeded
     * @throws StateException if the recorded peer is dead
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    static boolean await(WaitWord w, BooleanSupplier attempt, LongSupplier peer, long timeoutNanos, String what,
                         String peerRole) throws InterruptedException {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout must be >= 0 ns: " + timeoutNanos);
        }
        if (attempt.getAsBoolean()) {
            return true;
        }
        long start = System.nanoTime();
        long spinFor = Math.min(SPIN_NANOS, timeoutNanos);
        while (System.nanoTime() - start < spinFor) {
            for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
                Thread.onSpinWait();
                if (attempt.getAsBoolean()) {
                    return true;
                }
            }
        }
        long checked = System.nanoTime();
        while (true) {
            int seen = w.prepare();
            try {
                if (attempt.getAsBoolean()) {
                    return true;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException(what + ": interrupted");
                }
                long left = timeoutNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return false;
                }
                long now = System.nanoTime();
                if (now - checked >= SLICE_NANOS) { // a slice passed without progress: is the peer still there?
                    checked = now;
                    long p = peer.getAsLong();
                    if (p != Owner.NONE && !Owner.isAlive(p)) {
                        if (attempt.getAsBoolean()) {
                            return true;
                        }
                        throw new StateException(what + ": its " + peerRole + ", " + Owner.describe(p)
                                + ", is no longer running; nobody will end this wait");
                    }
                }
                w.await(seen, Math.min(left, SLICE_NANOS));
            } finally {
                w.finish();
            }
        }
    }
}
