package dev.hshm.provider.windows;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.api.spi.WordWaits;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinResult;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@value ThreadModel#WINDOWS} thread model: the seed's {@code Windows} model on the JVM.
 *
 * <p>Every JVM platform thread on Windows <em>is</em> a Win32 thread (HotSpot creates it with
 * {@code _beginthreadex} and keeps it for life), so this model creates no threads; it gives the JVM's threads
 * the seed's semantics:
 * <ul>
 *   <li>{@link #getTid()}: {@code GetCurrentProcessId() << 32 | GetCurrentThreadId()} on a platform thread,
 *       as the seed does. The pid in the high 32 bits is what {@link ThreadIds#pidOf} reads back, so lock
 *       owners and cache leases recorded with these ids can be checked for liveness. Win32 thread ids are
 *       unique among the live threads of the machine; they come from the kernel's client-id table, whose
 *       values stay far below {@code 2^31} (multiples of 4). <br>
 *       A <b>virtual thread</b> has no Win32 thread of its own: it runs on whichever carrier thread the JVM's
 *       scheduler gives it, and moves between them, so {@code GetCurrentThreadId()} would give two virtual
 *       threads on one carrier the same id. Virtual threads (and, defensively, a platform thread whose Win32
 *       id had bit 31 set) therefore get {@link ThreadIds#current()} — the pid and the JVM's thread id, which
 *       is never reused within the JVM — with bit 31 of the low word set ({@link #JVM_TID_BIT}). The two kinds
 *       of ids can never be equal: Win32 ids have bit 31 clear, the others have it set.</li>
 *   <li>{@link #yield()}: {@code SwitchToThread()} on a platform thread. On a virtual thread it is
 *       {@link Thread#yield()}: {@code SwitchToThread} would give up the time slice of the carrier while the
 *       virtual thread stays mounted on it; {@code Thread.yield()} unmounts it and lets another run.</li>
 *   <li>{@link #sleepForUs(long)}: {@code Sleep} has millisecond granularity (and in practice the system
 *       timer's, 15.6 ms unless some process raised the resolution), so on a platform thread the whole
 *       milliseconds are slept with {@code Sleep} and the rest, sub-millisecond part with
 *       {@link LockSupport#parkNanos(long)}, until the deadline has passed. A platform thread inside
 *       {@code Sleep} does not notice {@link Thread#interrupt()} until it wakes (as in the seed); the parking
 *       part returns early when interrupted, keeping the interrupt status. A virtual thread only parks, which
 *       unmounts it instead of blocking its carrier in {@code Sleep}.</li>
 *   <li>{@link #waitOnWord} / {@link #wakeWord} on a word of a {@link WindowsShmMmap} view: a named semaphore
 *       per word ({@link SharedWaits}), the cross-process way to sleep in the kernel ({@code WaitOnAddress} wakes
 *       only threads of its own process). {@code WaitForSingleObject} is not interruptible, so a wait sleeps in
 *       slices of at most {@value #WAIT_SLICE_MILLIS} ms and returns between them once the thread is interrupted;
 *       a timeout under 1 ms, a virtual thread (it would pin its carrier) and a word of other memory poll
 *       ({@link WordWaits#poll}).</li>
 *   <li>TLS: a {@link ThreadLocal} per key ({@link JvmThreadLocalKey}). The JVM's thread-local storage is the
 *       thread's TLS; {@code TlsAlloc}/{@code TlsSetValue} would only add a second, smaller table (64 to 1088
 *       slots per process) that cannot hold Java references and does not exist for virtual threads.</li>
 * </ul>
 * Safe for use by many threads; stateless apart from the keys it hands out.
 */
public final class WindowsThreadModel extends JvmThreadModel {

    /** Set in the low word of ids that are not Win32 thread ids (virtual threads). */
    public static final long JVM_TID_BIT = 0x8000_0000L;
    /** The longest single {@code WaitForSingleObject}: how late a wait notices an interrupt. */
    static final int WAIT_SLICE_MILLIS = 100;
    private static final long MILLI = 1_000_000L;

    private final WinApi api;
    private final long pidHigh;

    /**
     * Creates the model over the given calls; the provider checks support first.
     *
     * @param api the Win32 calls
     */
    WindowsThreadModel(WinApi api) {
        super(WINDOWS);
        this.api = Objects.requireNonNull(api, "api");
        this.pidHigh = Integer.toUnsignedLong(api.getCurrentProcessId()) << 32;
    }

    @Override
    public void sleepForUs(long us) {
        long deadline = deadlineAfter(us);
        if (!Thread.currentThread().isVirtual()) {
            long millis = us / 1000;
            while (millis > 0 && !Thread.currentThread().isInterrupted()) {
                int chunk = (int) Math.min(millis, Integer.MAX_VALUE); // far below INFINITE (0xFFFFFFFF)
                api.sleep(chunk);
                millis -= chunk;
            }
        }
        parkUntil(deadline); // what Sleep's millisecond granularity left, and virtual threads
    }

    @Override
    public void yield() {
        if (Thread.currentThread().isVirtual()) {
            Thread.yield(); // unmounts the virtual thread; SwitchToThread would stall its carrier
        } else {
            api.switchToThread();
        }
    }

    @Override
    public boolean waitOnWord(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        WordWaits.check(segment, offset, timeoutNanos);
        long sem = segment.isNative() && !Thread.currentThread().isVirtual() && timeoutNanos >= MILLI
                ? SharedWaits.semaphore(api, segment.address() + offset) : 0;
        if (sem == 0) {
            return WordWaits.poll(this, segment, offset, expected, timeoutNanos);
        }
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        while (WordWaits.read(segment, offset) == expected && !Thread.currentThread().isInterrupted()) {
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (left < MILLI) {
                return left > 0 && WordWaits.poll(this, segment, offset, expected, left);
            }
            int ms = (int) Math.min(left / MILLI, WAIT_SLICE_MILLIS); // never past the deadline
            WinResult r = api.waitForSingleObject(sem, ms);
            if (r.value() != WinApi.WAIT_TIMEOUT) {
                return true; // a permit (a wake, or one nobody took: spurious), or WAIT_FAILED (a closed view)
            }
        }
        return true;
    }

    @Override
    public void wakeWord(MemorySegment segment, long offset, int count) {
        WordWaits.check(segment, offset, 0);
        if (count < 1) {
            throw new IllegalArgumentException("wake count must be >= 1: " + count);
        }
        long sem = segment.isNative() ? SharedWaits.semaphore(api, segment.address() + offset) : 0;
        if (sem != 0) {
            // always, even from a virtual thread: a waiter of another process may sleep on the semaphore. A
            // failure (ERROR_TOO_MANY_POSTS: the count is at its maximum) leaves every sleeper a permit anyway
            api.releaseSemaphore(sem, count == WAKE_ALL ? SharedWaits.WAKE_ALL_PERMITS
                    : Math.min(count, SharedWaits.MAX_PERMITS));
        }
    }

    @Override
    public long getTid() {
        if (!Thread.currentThread().isVirtual()) {
            long tid = Integer.toUnsignedLong(api.getCurrentThreadId());
            if ((tid & JVM_TID_BIT) == 0) {
                return pidHigh | tid;
            }
        }
        return ThreadIds.current() | JVM_TID_BIT;
    }
}
