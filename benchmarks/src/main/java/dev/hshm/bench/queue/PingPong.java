package dev.hshm.bench.queue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import dev.hshm.structures.MessageHandler;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.SpscRing;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Round trips between two JVMs: the parent sends a 64-byte message (its sequence number first) through one
 * queue, the child echoes it through another, the parent waits for the echo; the round-trip times go into an
 * HdrHistogram. Both queues live in one {@code posix_shm_mmap} segment in {@code /dev/shm}. A plain harness,
 * not JMH: JMH measures inside one JVM.
 *
 * <p>Each transport is a {@link Transport}: Agrona's {@link OneToOneRingBuffer} busy-spinning
 * ({@link BusySpinIdleStrategy}, its lowest-latency setting) and backing off ({@link BackoffIdleStrategy} with
 * its defaults: spins, yields, then parks from 1 µs to 1 ms, Agrona's way of not burning a core, since it has
 * no blocking wait); hshm's {@link SpscRing} spinning and blocking in the kernel ({@code put}/{@code take}); and
 * the many-producer rings the same ways: hshm's {@link MpscRing} against Agrona's {@link ManyToOneRingBuffer}.
 *
 * <pre>
 * segment data:  0 READY u64 (child sets 1)   64 ping queue   64 + queueBytes pong queue
 * </pre>
 */
public final class PingPong {

    /** Payload bytes per message. */
    public static final int MESSAGE_BYTES = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long READY = 0;
    private static final long QUEUES = 64;

    private PingPong() {
    }

    /** One direction of a transport, as seen by one process. */
    interface Channel {
        /** Sends a message whose first 8 bytes are {@code seq}; waits (spins or sleeps) while the queue is full. */
        void send(long seq);

        /** Waits for the next message and returns its first 8 bytes. */
        long receive();
    }

    /** A way to move messages: makes or opens the two channels in a region of shared memory. */
    interface Transport {
        /** The bytes one queue needs. */
        long queueBytes();

        /** Formats a queue in {@code region} (parent only). */
        void format(MemorySegment region);

        /** Opens a queue that {@link #format} made. */
        Channel open(MemorySegment region);
    }

    /** Agrona's one-to-one (or many-to-one) ring with an idle strategy. */
    static final class AgronaTransport implements Transport {
        private final boolean spin;
        private final boolean manyToOne;

        AgronaTransport(boolean spin) {
            this(spin, false);
        }

        AgronaTransport(boolean spin, boolean manyToOne) {
            this.spin = spin;
            this.manyToOne = manyToOne;
        }

        @Override
        public long queueBytes() {
            return 64 * 1024 + RingBufferDescriptor.TRAILER_LENGTH;
        }

        @Override
        public void format(MemorySegment region) {
            region.asSlice(0, queueBytes()).fill((byte) 0);
        }

        @Override
        public Channel open(MemorySegment region) {
            UnsafeBuffer ring = new UnsafeBuffer(region.address(), (int) queueBytes());
            RingBuffer rb = manyToOne ? new ManyToOneRingBuffer(ring) : new OneToOneRingBuffer(ring);
            IdleStrategy idle = spin ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
            UnsafeBuffer payload = new UnsafeBuffer(new byte[MESSAGE_BYTES]);
            long[] got = new long[1];
            org.agrona.concurrent.MessageHandler handler = (type, buffer, index, length) -> got[0] = buffer.getLong(index);
            return new Channel() {
                @Override
                public void send(long seq) {
                    payload.putLong(0, seq);
                    idle.reset();
                    while (!rb.write(1, payload, 0, MESSAGE_BYTES)) {
                        idle.idle();
                    }
                }

                @Override
                public long receive() {
                    idle.reset();
                    while (rb.read(handler, 1) == 0) {
                        idle.idle();
                    }
                    return got[0];
                }
            };
        }
    }

    /** One direction of an hshm ring as the round trip uses it: try, or wait, to send or to receive. */
    interface RingEnds {
        /** Tries to send {@code payload}. */
        boolean offer(MemorySegment payload);

        /** Sends {@code payload}, sleeping while the ring is full. */
        boolean put(MemorySegment payload) throws InterruptedException;

        /** Tries to receive into {@code payload}. */
        boolean poll(MemorySegment payload);

        /** Receives into {@code payload}, sleeping while the ring is empty. */
        boolean take(MemorySegment payload) throws InterruptedException;
    }

    /**
     * An hshm ring: spinning on its try calls (with {@link Thread#onSpinWait()}, as Agrona's busy spin), or
     * blocking in its waiting calls, which sleep in the kernel on the ring's wait word (a shared futex with the
     * pthreads model).
     */
    abstract static class HshmRingTransport implements Transport {
        private final boolean spin;

        HshmRingTransport(boolean spin) {
            this.spin = spin;
        }

        /** The ring in {@code region}. */
        abstract RingEnds ends(MemorySegment region);

        @Override
        public Channel open(MemorySegment region) {
            RingEnds ring = ends(region);
            MemorySegment payload = java.lang.foreign.Arena.ofAuto().allocate(MESSAGE_BYTES, 8);
            return new Channel() {
                @Override
                public void send(long seq) {
                    payload.set(ValueLayout.JAVA_LONG, 0, seq);
                    try {
                        if (spin) {
                            while (!ring.offer(payload)) {
                                Thread.onSpinWait();
                            }
                        } else if (!ring.put(payload)) {
                            throw new IllegalStateException("put timed out");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public long receive() {
                    try {
                        if (spin) {
                            while (!ring.poll(payload)) {
                                Thread.onSpinWait();
                            }
                        } else if (!ring.take(payload)) {
                            throw new IllegalStateException("take timed out");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return payload.get(ValueLayout.JAVA_LONG, 0);
                }
            };
        }
    }

    /** hshm's SPSC ring of 64-byte elements. */
    static final class HshmTransport extends HshmRingTransport {
        HshmTransport(boolean spin) {
            super(spin);
        }

        @Override
        public long queueBytes() {
            return SpscRing.bytesFor(1024, MESSAGE_BYTES);
        }

        @Override
        public void format(MemorySegment region) {
            SpscRing.format(region, 1024, MESSAGE_BYTES);
        }

        @Override
        RingEnds ends(MemorySegment region) {
            SpscRing ring = SpscRing.attach(region);
            return new RingEnds() {
                @Override
                public boolean offer(MemorySegment payload) {
                    return ring.offer(payload);
                }

                @Override
                public boolean put(MemorySegment payload) throws InterruptedException {
                    return ring.put(payload, Long.MAX_VALUE);
                }

                @Override
                public boolean poll(MemorySegment payload) {
                    return ring.poll(payload);
                }

                @Override
                public boolean take(MemorySegment payload) throws InterruptedException {
                    return ring.take(payload, Long.MAX_VALUE);
                }
            };
        }
    }

    /** hshm's MPSC ring (64 KiB of variable-length records), one 64-byte record per message. */
    static final class HshmMpscTransport extends HshmRingTransport {
        private static final long RING = 64 * 1024;

        HshmMpscTransport(boolean spin) {
            super(spin);
        }

        @Override
        public long queueBytes() {
            return MpscRing.bytesFor(RING);
        }

        @Override
        public void format(MemorySegment region) {
            MpscRing.format(region, RING);
        }

        @Override
        RingEnds ends(MemorySegment region) {
            MpscRing ring = MpscRing.attach(region);
            MemorySegment[] into = new MemorySegment[1];
            MessageHandler copy = (type, buf, off, len) -> MemorySegment.copy(buf, off, into[0], 0, len);
            return new RingEnds() {
                @Override
                public boolean offer(MemorySegment payload) {
                    return ring.offer(1, payload);
                }

                @Override
                public boolean put(MemorySegment payload) throws InterruptedException {
                    return ring.put(1, payload, Long.MAX_VALUE);
                }

                @Override
                public boolean poll(MemorySegment payload) {
                    into[0] = payload;
                    return ring.read(copy, 1) == 1;
                }

                @Override
                public boolean take(MemorySegment payload) throws InterruptedException {
                    into[0] = payload;
                    return ring.take(copy, 1, Long.MAX_VALUE) == 1;
                }
            };
        }
    }

    /** The transports by name. */
    static Transport transport(String name) {
        return switch (name) {
            case "hshmSpin" -> new HshmTransport(true);
            case "hshmBlocking" -> new HshmTransport(false);
            case "agronaSpin" -> new AgronaTransport(true);
            case "agronaBackoff" -> new AgronaTransport(false);
            case "hshmMpscSpin" -> new HshmMpscTransport(true);
            case "hshmMpscBlocking" -> new HshmMpscTransport(false);
            case "agronaManyToOneSpin" -> new AgronaTransport(true, true);
            case "agronaManyToOneBackoff" -> new AgronaTransport(false, true);
            default -> throw new IllegalArgumentException("unknown transport '" + name
                    + "'; known: " + TRANSPORTS);
        };
    }

    /** The transports {@link #run} measures by default, in order. */
    static final List<String> TRANSPORTS = List.of("hshmSpin", "agronaSpin", "hshmBlocking", "agronaBackoff",
            "hshmMpscSpin", "agronaManyToOneSpin", "hshmMpscBlocking", "agronaManyToOneBackoff");

    /**
     * A result.
     *
     * @param transport its name
     * @param roundTrips how many were timed
     * @param p50Us median round trip, microseconds
     * @param p99Us 99th percentile
     * @param p999Us 99.9th percentile
     */
    public record Result(String transport, long roundTrips, double p50Us, double p99Us, double p999Us) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d round trips, p50 %.2f us, p99 %.2f us, p99.9 %.2f us",
                    transport, roundTrips, p50Us, p99Us, p999Us);
        }
    }

    /**
     * Measures one transport: {@code warmup} untimed round trips, then {@code count} timed ones.
     *
     * @param name the transport
     * @param warmup untimed round trips
     * @param count timed round trips
     * @return the percentiles
     */
    public static Result run(String name, int warmup, int count) throws IOException, InterruptedException {
        Transport t = transport(name);
        MemoryManager mm = MemoryManager.get();
        String url = "hshm-pingpong-" + ProcessHandle.current().pid();
        MemoryBackendId bid = MemoryBackendId.get(95);
        long bytes = QUEUES + 2 * align(t.queueBytes());
        MemorySegment data = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, bid, Math.max(bytes, 1 << 20), url).data();
        Process child = null;
        try {
            MemorySegment ping = data.asSlice(QUEUES, t.queueBytes());
            MemorySegment pong = data.asSlice(QUEUES + align(t.queueBytes()), t.queueBytes());
            t.format(ping);
            t.format(pong);
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC",
                    "-Dhshm.structures.spinNanos=" + System.getProperty("hshm.structures.spinNanos", "20000"),
                    "-cp", System.getProperty("java.class.path"), PingPong.class.getName(), url, name,
                    Long.toString((long) warmup + count)));
            child = new ProcessBuilder(cmd).inheritIO().start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((long) LONG.getVolatile(data, READY) == 0) {
                if (System.nanoTime() > deadline || !child.isAlive()) {
                    throw new IllegalStateException("the echo process did not start");
                }
                Thread.sleep(5);
            }
            Channel out = t.open(ping);
            Channel in = t.open(pong);
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            for (long i = 0; i < (long) warmup + count; i++) {
                long start = System.nanoTime();
                out.send(i);
                long echo = in.receive();
                long rtt = System.nanoTime() - start;
                if (echo != i) {
                    throw new IllegalStateException(name + ": sent " + i + ", echo " + echo);
                }
                if (i >= warmup) {
                    h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
                }
            }
            if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 0) {
                throw new IllegalStateException("the echo process failed");
            }
            return new Result(name, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3);
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            mm.destroyBackend(bid);
        }
    }

    private static long align(long n) {
        return (n + 4095) & ~4095L;
    }

    /**
     * The echo process: {@code url transport messages}; or, with {@code --run [transport...]}, the parent's
     * measurement printed (100 000 warm-up and 200 000 timed round trips each).
     *
     * @param args see above
     */
    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--run")) {
            List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : TRANSPORTS;
            for (String n : names) {
                System.out.println(run(n, 100_000, 200_000));
            }
            return;
        }
        String url = args[0];
        Transport t = transport(args[1]);
        long messages = Long.parseLong(args[2]);
        MemoryManager mm = MemoryManager.get();
        MemorySegment data = mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url).data();
        Channel in = t.open(data.asSlice(QUEUES, t.queueBytes()));
        Channel out = t.open(data.asSlice(QUEUES + align(t.queueBytes()), t.queueBytes()));
        LONG.setVolatile(data, READY, 1L);
        for (long i = 0; i < messages; i++) {
            out.send(in.receive());
        }
        System.exit(0);
    }
}
