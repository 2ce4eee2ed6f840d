package dev.hshm.api.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * Process identity and liveness, for owner records in shared memory (lock owners, cache-slot leases,
 * backend creators). A process is named by its pid plus its start time in epoch milliseconds, so that a
 * recycled pid is not mistaken for the process that died.
 *
 * <p>Liveness is only meaningful between processes in the same pid namespace: containers that share
 * {@code /dev/shm} but not their pid namespace cannot tell each other's deaths apart.
 */
public final class Processes {

    private static final long PID = ProcessHandle.current().pid();
    private static final long START_MILLIS = startMillis(ProcessHandle.current());

    private Processes() {
    }

    /**
     * This process's pid.
     *
     * @return the pid
     */
    public static long currentPid() {
        return PID;
    }

    /**
     * This process's start time.
     *
     * @return epoch milliseconds, or 0 if the OS does not tell
     */
    public static long currentStartMillis() {
        return START_MILLIS;
    }

    /**
     * Tells whether the process {@code pid} that started at {@code startMillis} still runs.
     *
     * @param pid a pid
     * @param startMillis its start time from {@link #currentStartMillis()} in that process, or 0 if
     *     unknown (then only the pid is checked)
     * @return {@code false} if no such process runs (or the pid now belongs to a younger process)
     */
    public static boolean isAlive(long pid, long startMillis) {
        if (pid == PID) {
            return startMillis == 0 || startMillis == START_MILLIS;
        }
        if (pid <= 0) {
            return false;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        if (startMillis == 0) {
            return true;
        }
        long actual = startMillis(h.get());
        // Start times are rounded differently by different readers; one second of slack is safe because a
        // pid cannot be recycled within a second on any OS we run on.
        return actual == 0 || Math.abs(actual - startMillis) < 1000;
    }

    private static long startMillis(ProcessHandle h) {
        try {
            return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        } catch (RuntimeException e) {
            return 0L;
        }
    }
}
