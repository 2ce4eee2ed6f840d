package dev.hshm.provider.argobots;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadIds;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@value ThreadModel#ARGOBOTS} thread model: Argobots' user-level threads (ULTs) mapped onto JVM
 * virtual threads.
 *
 * <p><b>What this is, plainly.</b> Argobots (libabt, the Mochi framework's threading library) is a C library;
 * there is no JVM binding and libabt is not loaded. This model does not call it. It gives hshm-java the
 * Argobots <em>semantics</em> the seed's {@code Argobots} thread model provides, using the JVM's own
 * user-level threads, which are built the same way: many lightweight threads multiplexed by a user-space
 * scheduler onto a few kernel threads.
 * <table>
 *   <caption>Argobots concepts and what they are here</caption>
 *   <tr><th>Argobots</th><th>here</th></tr>
 *   <tr><td>ULT ({@code ABT_thread})</td><td>a virtual thread ({@link #spawn})</td></tr>
 *   <tr><td>execution stream ({@code ABT_xstream})</td><td>a carrier thread of the JDK's virtual-thread
 *       scheduler; {@link #executionStreams()} of them ({@code -Djdk.virtualThreadScheduler.parallelism})</td></tr>
 *   <tr><td>pool + scheduler</td><td>the scheduler's {@code ForkJoinPool} work queues (FIFO, work
 *       stealing); not selectable in JDK 25</td></tr>
 *   <tr><td>{@code ABT_key}</td><td>{@link #createTls}: a {@link ThreadLocal} ({@link JvmThreadLocalKey}),
 *       one value per ULT</td></tr>
 *   <tr><td>{@code ABT_thread_yield}</td><td>{@link #yield()} = {@link Thread#yield()}</td></tr>
 *   <tr><td>{@code ABT_thread_get_id}</td><td>{@link #getTid()}</td></tr>
 * </table>
 * Tasklets, custom schedulers, pool selection and migration control are not mapped; {@code docs/argobots.md}
 * says why.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>{@link #getTid()}: one id per ULT (and per platform thread), unique across the processes of the
 *       machine while the thread lives: the pid in the high 32 bits, the JVM thread id in the low 32 bits
 *       ({@link ThreadIds}). It follows the ULT, not its carrier: it does not change when the scheduler moves
 *       the ULT to another execution stream.</li>
 *   <li>TLS: one {@link ThreadLocal} per key. The JVM keeps a virtual thread's thread locals in the virtual
 *       thread itself, so a value belongs to the ULT and survives a yield or a park that resumes it on another
 *       carrier; carriers' values are never visible to the ULTs they run. {@link ScopedValue} was considered
 *       and not used: it binds an immutable value for a dynamic scope (and is inherited by structured child
 *       threads), while the seed's {@code SetTls} replaces the calling thread's value at any time and keeps it
 *       until changed &mdash; exactly a {@code ThreadLocal}.</li>
 *   <li>{@link #yield()}: {@link Thread#yield()}. On a virtual thread this unmounts the ULT and puts it back at
 *       the end of its carrier's queue, so other ready ULTs run on that execution stream &mdash; Argobots'
 *       {@code ABT_thread_yield}. On a platform thread it is the OS's yield. One JDK 25 difference from an
 *       Argobots FIFO pool: a yielding ULT whose carrier has no local work is resubmitted to that carrier's
 *       submission queue, and a carrier keeps taking from the queue it is draining while that queue is not
 *       empty, so ULTs waiting in <em>another</em> queue (started from a platform thread, or woken by a timer)
 *       may not run while a ULT keeps yielding. Wait by parking &mdash;
 *       {@link #sleepForUs}, locks, queues &mdash; not by spinning on {@code yield()}; hshm's own lock yields
 *       16 times and then sleeps.</li>
 *   <li>{@link #sleepForUs(long)}: {@link LockSupport#parkNanos(long)} until the time has passed. A parked
 *       virtual thread is unmounted, so its execution stream runs other ULTs meanwhile (the seed's Argobots
 *       model calls {@code usleep}, which blocks the whole execution stream; this does not). Returns early,
 *       keeping the interrupt status, if the thread is interrupted.</li>
 * </ul>
 * A ULT that blocks where the JDK cannot unmount it (inside a native call or a class initialiser) holds its
 * carrier, as a ULT that blocks in a system call holds its execution stream in Argobots.
 *
 * <p>How the {@code thread_local} allocator treats ULTs: it does not give each virtual thread a cache slot of
 * its own (thousands of short-lived ULTs would exhaust the slots); they share a bounded set of striped slots,
 * one per carrier-sized share, so its caches stay bounded however many ULTs allocate. A ULT that calls the
 * allocator's {@code createTls} gets a slot of its own, found through this model's TLS, until
 * {@code freeTls} or its end.
 *
 * <p>Safe for use by many threads.
 */
public final class ArgobotsThreadModel extends JvmThreadModel {

    /** The JDK property that sets the number of carrier threads (execution streams). */
    static final String PARALLELISM = "jdk.virtualThreadScheduler.parallelism";
    /** The JDK property that caps the carrier pool (and, if smaller, the parallelism). */
    static final String MAX_POOL_SIZE = "jdk.virtualThreadScheduler.maxPoolSize";

    /** Names ULTs {@code ult-0}, {@code ult-1}, ...; a builder's factory is safe for concurrent use. */
    private final ThreadFactory ults = Thread.ofVirtual().name("ult-", 0).factory();

    /** Creates the model; the provider checks support first. */
    ArgobotsThreadModel() {
        super(ARGOBOTS);
    }

    /** Gives the calling ULT's execution stream to another ready ULT ({@code ABT_thread_yield}). */
    @Override
    public void yield() {
        Thread.yield();
    }

    /**
     * Creates and starts a ULT ({@code ABT_thread_create}): a virtual thread named {@code ult-N}, scheduled on
     * any execution stream. Join it with {@link Thread#join()} ({@code ABT_thread_join}).
     *
     * @param task what the ULT runs
     * @return the started ULT
     */
    public Thread spawn(Runnable task) {
        Thread t = ults.newThread(Objects.requireNonNull(task, "task"));
        t.start();
        return t;
    }

    /**
     * The number of execution streams: the carrier threads the JDK's virtual-thread scheduler runs ULTs on,
     * as it configured itself ({@code -Djdk.virtualThreadScheduler.parallelism}, default the number of
     * available processors, capped by {@code -Djdk.virtualThreadScheduler.maxPoolSize}). The scheduler may
     * add carriers beyond this, up to the pool's maximum, to make up for ones held by a ULT that cannot
     * unmount.
     *
     * @return the scheduler's parallelism, {@code >= 1}
     * @throws IllegalStateException if virtual threads cannot be created in this JVM (the reason is given)
     */
    public static int executionStreams() {
        if (!Scheduler.SUPPORT.supported()) {
            throw new IllegalStateException("no virtual-thread scheduler: " + Scheduler.SUPPORT.reason());
        }
        return Scheduler.EXECUTION_STREAMS;
    }

    /**
     * The scheduler's parallelism computed the way the JDK 25 default scheduler computes it.
     *
     * @param parallelism the value of {@value #PARALLELISM}, or {@code null}
     * @param maxPoolSize the value of {@value #MAX_POOL_SIZE}, or {@code null}
     * @param processors available processors
     * @return the parallelism
     * @throws NumberFormatException if a value is not an integer (the JDK fails the same way)
     */
    static int parallelism(String parallelism, String maxPoolSize, int processors) {
        int p = parallelism != null ? Integer.parseInt(parallelism) : processors;
        if (maxPoolSize != null) {
            p = Math.min(p, Integer.parseInt(maxPoolSize));
        }
        return p;
    }

    @Override
    public String toString() {
        return "ThreadModel[argobots: ULTs = virtual threads]";
    }

    /** The virtual-thread scheduler as this JVM set it up; evaluated once. */
    static final class Scheduler {
        /** Whether virtual threads work here, and with how many execution streams. */
        static final Support SUPPORT;
        /** The scheduler's parallelism, or -1 when unsupported. */
        static final int EXECUTION_STREAMS;

        static {
            int[] streams = {-1};
            SUPPORT = Support.evaluate(() -> {
                // creating (not starting) a virtual thread initialises the JDK's scheduler from the same
                // properties read below; a bad value fails here, as it would on the first real ULT
                try {
                    Thread.ofVirtual().unstarted(() -> { });
                } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
                    return Support.no("the JDK's virtual-thread scheduler failed to start (check the"
                            + " -Djdk.virtualThreadScheduler.* properties): "
                            + (e.getCause() != null ? e.getCause() : e));
                }
                int p = parallelism(System.getProperty(PARALLELISM), System.getProperty(MAX_POOL_SIZE),
                        Runtime.getRuntime().availableProcessors());
                if (p < 1) {
                    return Support.no("virtual-thread scheduler parallelism must be >= 1: " + p);
                }
                streams[0] = p;
                return Support.yes("JVM virtual threads as user-level threads (parallelism=" + p + ")");
            });
            EXECUTION_STREAMS = streams[0];
        }

        private Scheduler() {
        }
    }
}
