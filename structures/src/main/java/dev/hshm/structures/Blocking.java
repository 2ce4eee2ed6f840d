package dev.hshm.structures;

import dev.hshm.api.StateException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The blocking loop every queue's {@code put}/{@code take} shares: try, count in as a waiter, try again,
 * sleep on the wait word in slices, and between slices ask whether the process that would end the wait is
 * still alive, so a dead peer is a {@link StateException} rather than a hang.
 */
final class Blocking {

    /** The longest sleep between two liveness checks of the peer. */
    static final long SLICE_NANOS = 50_000_000L;

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
                long p = peer.getAsLong();
                if (p != Owner.NONE && !Owner.isAlive(p)) {
                    if (attempt.getAsBoolean()) {
                        return true;
                    }
                    throw new StateException(what + ": its " + peerRole + ", " + Owner.describe(p)
                            + ", is no longer running; nobody will end this wait");
                }
                w.await(seen, Math.min(left, SLICE_NANOS));
            } finally {
                w.finish();
            }
        }
    }
}
