package dev.hshm.bench.queue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
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
import org.openjdk.jmh.annotations.Fork;
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
 * Queue throughput in one process: a producer thread (two for MPSC) and a consumer thread move 8-byte values
 * as fast as they can. Each group's figure is its consumer's {@code received} counter (messages per second);
 * offers that found the queue full and polls that found it empty are counted apart and spin once
 * ({@link Thread#onSpinWait()}) before retrying, the same for every implementation.
 *
 * <p>The peers as their users run them: Agrona's {@link OneToOneRingBuffer} / {@link ManyToOneRingBuffer}
 * over the same kind of memory as ours (a {@code posix_shm_mmap} segment of {@code /dev/shm}), with
 * {@code tryClaim}/{@code commit} (zero copy) and a batched {@code read}; JCTools' {@link SpscArrayQueue} /
 * {@link MpscArrayQueue} on the Java heap as the in-process reference (one preallocated element object, so
 * no boxing). Capacities: 4096 messages for every queue (Agrona: 64 KiB of 16-byte records). Agrona 2 reaches
 * {@code jdk.internal.misc.Unsafe}, so its forks get {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED},
 * as Agrona's documentation asks. With 2 cores, the MPSC groups (3 threads) are oversubscribed for every
 * implementation alike.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"}) // Agrona 2's Unsafe
public class QueueThroughput {

    /** Messages per queue. */
    static final int CAPACITY = 4096;
    /** The most messages one batched poll takes. */
    static final int BATCH = 256;
    private static final Long ELEMENT = 42L;

    /** Per-thread counters that JMH reports beside the primary result. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        /** Messages a consumer took. */
        public long received;
        /** Messages a producer put. */
        public long sent;

        /** Zeroes the counters for the next iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            received = 0;
            sent = 0;
        }
    }

    /** A {@code posix_shm_mmap} segment for the queues that live in shared memory. */
    abstract static class Shared {
        private final MemoryManager mm = MemoryManager.get();
        private MemoryBackendId id;

        MemorySegment segment(int idNumber, long bytes) {
            id = MemoryBackendId.get(idNumber);
            String url = "hshm-qbench-" + ProcessHandle.current().pid() + "-" + idNumber;
            return mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, id, Math.max(bytes, 1 << 20), url).data();
        }

        void destroy() {
            mm.destroyBackend(id);
        }
    }

    /** Agrona's rings over shared memory. */
    @State(Scope.Group)
    public static class Agrona extends Shared implements MessageHandler {
        RingBuffer spsc;
        RingBuffer mpsc;
        long sum;

        /** Makes both rings. */
        @Setup(Level.Trial)
        public void setUp() {
            int bytes = CAPACITY * 16 + RingBufferDescriptor.TRAILER_LENGTH;
            MemorySegment s = segment(90, 2L * bytes);
            spsc = new OneToOneRingBuffer(new UnsafeBuffer(s.address(), bytes));
            mpsc = new ManyToOneRingBuffer(new UnsafeBuffer(s.address() + bytes, bytes));
        }

        /** Unmaps and unlinks the segment. */
        @TearDown(Level.Trial)
        public void tearDown() {
            destroy();
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            sum += buffer.getLong(index);
        }
    }

    /** JCTools' array queues on the Java heap. */
    @State(Scope.Group)
    public static class JcTools {
        final SpscArrayQueue<Long> spsc = new SpscArrayQueue<>(CAPACITY);
        final MpscArrayQueue<Long> mpsc = new MpscArrayQueue<>(CAPACITY);
        long sum;
    }

    private static boolean agronaOffer(RingBuffer rb, Counters c) {
        int i = rb.tryClaim(1, Long.BYTES);
        if (i < 0) {
            Thread.onSpinWait();
            return false;
        }
        rb.buffer().putLong(i, 42L);
        rb.commit(i);
        c.sent++;
        return true;
    }

    private static int agronaPoll(RingBuffer rb, Agrona s, Counters c) {
        int n = rb.read(s, BATCH);
        if (n == 0) {
            Thread.onSpinWait();
        }
        c.received += n;
        return n;
    }

    /** @return whether the offer went in */
    @Benchmark
    @Group("spscAgrona")
    @GroupThreads(1)
    public boolean spscAgronaOffer(Agrona s, Counters c) {
        return agronaOffer(s.spsc, c);
    }

    /** @return messages taken */
    @Benchmark
    @Group("spscAgrona")
    @GroupThreads(1)
    public int spscAgronaPoll(Agrona s, Counters c) {
        return agronaPoll(s.spsc, s, c);
    }

    /** @return whether the offer went in */
    @Benchmark
    @Group("mpscAgrona")
    @GroupThreads(2)
    public boolean mpscAgronaOffer(Agrona s, Counters c) {
        return agronaOffer(s.mpsc, c);
    }

    /** @return messages taken */
    @Benchmark
    @Group("mpscAgrona")
    @GroupThreads(1)
    public int mpscAgronaPoll(Agrona s, Counters c) {
        return agronaPoll(s.mpsc, s, c);
    }

    /** @return whether the offer went in */
    @Benchmark
    @Group("spscJcTools")
    @GroupThreads(1)
    public boolean spscJcToolsOffer(JcTools s, Counters c) {
        if (!s.spsc.offer(ELEMENT)) {
            Thread.onSpinWait();
            return false;
        }
        c.sent++;
        return true;
    }

    /** @return messages taken */
    @Benchmark
    @Group("spscJcTools")
    @GroupThreads(1)
    public int spscJcToolsPoll(JcTools s, Counters c) {
        int n = s.spsc.drain(e -> s.sum += e, BATCH);
        if (n == 0) {
            Thread.onSpinWait();
        }
        c.received += n;
        return n;
    }

    /** @return whether the offer went in */
    @Benchmark
    @Group("mpscJcTools")
    @GroupThreads(2)
    public boolean mpscJcToolsOffer(JcTools s, Counters c) {
        if (!s.mpsc.offer(ELEMENT)) {
            Thread.onSpinWait();
            return false;
        }
        c.sent++;
        return true;
    }

    /** @return messages taken */
    @Benchmark
    @Group("mpscJcTools")
    @GroupThreads(1)
    public int mpscJcToolsPoll(JcTools s, Counters c) {
        int n = s.mpsc.drain(e -> s.sum += e, BATCH);
        if (n == 0) {
            Thread.onSpinWait();
        }
        c.received += n;
        return n;
    }
}
