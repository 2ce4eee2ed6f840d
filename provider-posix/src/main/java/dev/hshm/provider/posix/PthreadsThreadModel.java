package dev.hshm.provider.posix;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.api.spi.WordWaits;
import dev.hshm.provider.posix.internal.PosixNative;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@value ThreadModel#PTHREADS} thread model: the seed's {@code Pthread} model on the JVM.
 *
 * <p><b>What "pthreads" means here.</b> On Linux and macOS every JVM platform thread <em>is</em> a POSIX
 * thread: HotSpot creates it with {@code pthread_create} and it keeps its kernel thread for life. So this
 * model does not create threads of its own; it gives platform threads the seed's semantics:
 * <ul>
 *   <li>{@link #getTid()}: an id unique across the processes of the machine — the pid in the high 32 bits
 *       and the JVM's thread id (never reused within the JVM) in the low 32 bits ({@link ThreadIds}). It is
 *       not the kernel's {@code gettid()}, which is reused and means nothing to a virtual thread.</li>
 *   <li>TLS: a {@link ThreadLocal} per key ({@link JvmThreadLocalKey}). For a platform thread, the JVM's
 *       thread-local storage is that pthread's TLS — the JVM keeps it in the thread object reached from the
 *       native thread — so a separate {@code pthread_key_create} would only duplicate it (and could not hold
 *       Java references). Values go away with the thread, as with a key destructor.</li>
 *   <li>{@link #yield()}: {@code sched_yield()} through FFM on a platform thread, as the seed does. On a
 *       virtual thread it is {@link Thread#yield()} instead: {@code sched_yield} would give up the time slice
 *       of the <em>carrier</em> thread while keeping the virtual thread mounted on it, so other virtual
 *       threads could not run there; {@code Thread.yield()} unmounts the virtual thread and lets the
 *       scheduler run another.</li>
 *   <li>{@link #sleepForUs(long)}: {@link LockSupport#parkNanos(long)} until the time has passed (the seed
 *       uses {@code usleep}). Parking is the JVM's own sleeping primitive (a futex or condition wait on a
 *       platform thread), it unmounts a virtual thread instead of pinning its carrier, and it returns early
 *       when the thread is interrupted (the interrupt status is kept).</li>
 *   <li>{@link #waitOnWord} / {@link #wakeWord}: on Linux the {@code futex} system call on the word, shared
 *       (no {@code FUTEX_PRIVATE_FLAG}), so a waiter sleeps in the kernel and a wake from another process
 *       reaches it; on macOS 14.4 and later {@code os_sync_wait_on_address} with its {@code SHARED} flag, the same
 *       thing (bound when libSystem has it; written to Apple's header, not run here: no Mac). A virtual thread,
 *       a heap segment, or a platform with neither (macOS before 14.4) gets {@link ThreadModel}'s portable poll
 *       instead: a kernel sleep would pin a virtual thread's carrier.
 *       An interrupt does not cut a futex sleep short (the JVM does not signal the thread); a waiter
 *       that must answer interrupts passes a bounded timeout and checks between calls.</li>
 * </ul>
 * Safe for use by many threads; stateless apart from the keys it hands out.
 */
public final class PthreadsThreadModel extends JvmThreadModel {

    /** Creates the model; the provider checks support first. */
    PthreadsThreadModel() {
        super(PTHREADS);
    }

    @Override
    public void yield() {
        if (Thread.currentThread().isVirtual()) {
            Thread.yield(); // unmounts the virtual thread; sched_yield would stall its carrier
        } else {
            PosixNative.schedYield();
        }
    }

    @Override
    public boolean waitOnWord(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        WordWaits.check(segment, offset, timeoutNanos);
        if (!kernelWaitUsable(segment)) {
            return WordWaits.poll(this, segment, offset, expected, timeoutNanos);
        }
        if (WordWaits.read(segment, offset) != expected) {
            return true;
        }
        return PosixNative.wordWait(segment.address() + offset, expected, timeoutNanos);
    }

    @Override
    public void wakeWord(MemorySegment segment, long offset, int count) {
        WordWaits.check(segment, offset, 0);
        if (count < 1) {
            throw new IllegalArgumentException("wake count must be >= 1: " + count);
        }
        if (PosixNative.hasWordWait() && segment.isNative()) {
            // always, even from a virtual thread: a waiter of another process may sleep in the kernel
            PosixNative.wordWake(segment.address() + offset, count);
        }
    }

    private static boolean kernelWaitUsable(MemorySegment segment) {
        return PosixNative.hasWordWait() && segment.isNative() && !Thread.currentThread().isVirtual();
    }
}
