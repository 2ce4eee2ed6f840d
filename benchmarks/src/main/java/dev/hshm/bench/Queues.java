package dev.hshm.bench;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import dev.hshm.structures.MessageHandler;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Queue throughput in one process, in one JMH run: this project's {@code SpscRing} and {@code MpscRing} against
 * Agrona's {@code OneToOneRingBuffer} and {@code ManyToOneRingBuffer} over the same kind of memory (blocks of one
 * {@code thread_local} allocator in a {@code posix_shm_mmap} backend), and JCTools' {@code SpscArrayQueue} /
 * {@code MpscArrayQueue} (on-heap object queues, the in-process reference).
 *
 * <p>Each group is one consumer and one (SPSC) or two (MPSC) producers. A benchmark call is one attempt; the
 * {@link Counts} report the successful ones ({@code received} per second is the throughput to compare). Every
 * consumer reads in batches of up to {@value #BATCH} and, when it found nothing, idles with Agrona's
 * recommended general-purpose {@link BackoffIdleStrategy} (the same for all three); producers retry at once.
 * Messages are 8 bytes (a {@code long}; JCTools: one preallocated {@code Long}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Queues {

    static final int SLOTS = 1024;
    static final int RING_BYTES = 64 * 1024;
    static final int BATCH = 64;
    private static final Long VALUE = 42L;

    /** Successful operations per thread, summed by JMH. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counts {
        /** Messages a producer wrote. */
        public long sent;
        /** Messages a consumer read. */
        public long received;

        @Setup(Level.Iteration)
        public void clean() {
            sent = 0;
            received = 0;
        }
    }

    /** One heap per group: the shared memory the rings live in. */
    @State(Scope.Group)
    public static class Heap {
        private static int next = 900;
        MemoryBackendId backendId;
        Allocator alloc;
        NamedObjects dir;
        SpscRing spsc;
        MpscRing mpsc;
        RingBuffer agronaOneToOne;
        RingBuffer agronaManyToOne;
        SpscArrayQueue<Long> jctoolsSpsc;
        MpscArrayQueue<Long> jctoolsMpsc;
        final IdleStrategy idle = new BackoffIdleStrategy();
        MemorySegment message;
        UnsafeBuffer agronaMessage;

        @Setup(Level.Trial)
        public synchronized void setUp() {
            int n = next++;
            backendId = MemoryBackendId.get(n);
            MemoryManager mm = MemoryManager.get();
            mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, Units.megabytes(16),
                    "hshm-qbench-" + ProcessHandle.current().pid() + "-" + n);
            alloc = mm.createAllocator(Allocator.THREAD_LOCAL, backendId, AllocatorId.of(n, 0),
                    NamedObjects.CUSTOM_HEADER_BYTES);
            dir = NamedObjects.of(alloc);
            spsc = SpscRing.create(dir, "spsc", SLOTS, 8);
            mpsc = MpscRing.create(dir, "mpsc", RING_BYTES);
            int agronaBytes = RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH;
            agronaOneToOne = new OneToOneRingBuffer(new UnsafeBuffer(alloc.alignedAllocate(MemContext.DEFAULT,
                    agronaBytes, 64).segment().address(), agronaBytes));
            agronaManyToOne = new ManyToOneRingBuffer(new UnsafeBuffer(alloc.alignedAllocate(MemContext.DEFAULT,
                    agronaBytes, 64).segment().address(), agronaBytes));
            jctoolsSpsc = new SpscArrayQueue<>(SLOTS);
            jctoolsMpsc = new MpscArrayQueue<>(SLOTS);
            message = Arena.ofAuto().allocate(8, 8);
            message.set(ValueLayout.JAVA_LONG, 0, 42L);
            agronaMessage = new UnsafeBuffer(new byte[8]);
            agronaMessage.putLong(0, 42L);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            MemoryManager.get().destroyBackend(backendId);
        }

        /** Counts what a batch read and idles when it read nothing. */
        int idled(int n) {
            idle.idle(n);
            return n;
        }
    }

    /** The consumers' handlers: they read the payload, so the message is really consumed. */
    private static final MessageHandler OURS = (type, buf, off, len) -> {
        if (buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off) != 42L) {
            throw new AssertionError("bad message");
        }
    };
    private static final org.agrona.concurrent.MessageHandler AGRONA = (type, buf, off, len) -> {
        if (buf.getLong(off) != 42L) {
            throw new AssertionError("bad message");
        }
    };

    // ------------------------------------------------------------------ SPSC

    @Benchmark
    @Group("spscOurs")
    @GroupThreads(1)
    public void spscOursOffer(Heap h, Counts c) {
        if (h.spsc.offer(42L)) {
            c.sent++;
        }
    }

    @Benchmark
    @Group("spscOurs")
    @GroupThreads(1)
    public void spscOursPoll(Heap h, Counts c) {
        c.received += h.idled(h.spsc.drain((buf, off) -> {
            if (buf.get(ValueLayout.JAVA_LONG, off) != 42L) {
                throw new AssertionError("bad message");
            }
        }, BATCH));
    }

    @Benchmark
    @Group("spscAgrona")
    @GroupThreads(1)
    public void spscAgronaOffer(Heap h, Counts c) {
        if (h.agronaOneToOne.write(1, h.agronaMessage, 0, 8)) {
            c.sent++;
        }
    }

    @Benchmark
    @Group("spscAgrona")
    @GroupThreads(1)
    public void spscAgronaPoll(Heap h, Counts c) {
        c.received += h.idled(h.agronaOneToOne.read(AGRONA, BATCH));
    }

    @Benchmark
    @Group("spscJctools")
    @GroupThreads(1)
    public void spscJctoolsOffer(Heap h, Counts c) {
        if (h.jctoolsSpsc.offer(VALUE)) {
            c.sent++;
        }
    }

    @Benchmark
    @Group("spscJctools")
    @GroupThreads(1)
    public void spscJctoolsPoll(Heap h, Counts c) {
        c.received += h.idled(h.jctoolsSpsc.drain(v -> { }, BATCH));
    }

    // ------------------------------------------------------------------ MPSC, 2 producers

    @Benchmark
    @Group("mpscOurs")
    @GroupThreads(2)
    public void mpscOursOffer(Heap h, Counts c) {
        long at = h.mpsc.tryClaim(1, 8);
        if (at >= 0) {
            h.mpsc.buffer().set(ValueLayout.JAVA_LONG, at, 42L);
            h.mpsc.commit(at);
            c.sent++;
        }
    }

    @Benchmark
    @Group("mpscOurs")
    @GroupThreads(1)
    public void mpscOursPoll(Heap h, Counts c) {
        c.received += h.idled(h.mpsc.read(OURS, BATCH));
    }

    @Benchmark
    @Group("mpscAgrona")
    @GroupThreads(2)
    public void mpscAgronaOffer(Heap h, Counts c) {
        if (h.agronaManyToOne.write(1, h.agronaMessage, 0, 8)) {
            c.sent++;
        }
    }

    @Benchmark
    @Group("mpscAgrona")
    @GroupThreads(1)
    public void mpscAgronaPoll(Heap h, Counts c) {
        c.received += h.idled(h.agronaManyToOne.read(AGRONA, BATCH));
    }

    @Benchmark
    @Group("mpscJctools")
    @GroupThreads(2)
    public void mpscJctoolsOffer(Heap h, Counts c) {
        if (h.jctoolsMpsc.offer(VALUE)) {
            c.sent++;
        }
    }

    @Benchmark
    @Group("mpscJctools")
    @GroupThreads(1)
    public void mpscJctoolsPoll(Heap h, Counts c) {
        c.received += h.idled(h.jctoolsMpsc.drain(v -> { }, BATCH));
    }
}
