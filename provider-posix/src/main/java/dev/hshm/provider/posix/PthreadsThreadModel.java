package dev.hshm.provider.posix;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.ThreadIds;
import dev.hshm.provider.posix.internal.PosixNative;
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
}
