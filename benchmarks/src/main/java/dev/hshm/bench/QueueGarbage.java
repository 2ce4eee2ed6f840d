package dev.hshm.bench;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import dev.hshm.structures.ElementHandler;
import dev.hshm.structures.MessageHandler;
import dev.hshm.structures.MpmcQueue;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Java heap garbage per message (run with {@code -prof gc}: {@code gc.alloc.rate.norm} is bytes per message): one
 * thread sends one message and receives it, through every queue's non-blocking and blocking calls (the blocking ones
 * never have to wait here, which is their common case under load). The target is 0 B per message.
 * {@code benchmarks/run-queues.sh --garbage} runs it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class QueueGarbage {

    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(1);
    private static final MessageHandler CHECK = (type, buf, off, len) -> {
        if (buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off) != 42L) {
            throw new AssertionError("bad message");
        }
    };

    private static final ElementHandler ELEMENT = (buf, off) -> {
        if (buf.get(ValueLayout.JAVA_LONG, off) != 42L) {
            throw new AssertionError("bad element");
        }
    };

    MemoryBackendId backendId;
    SpscRing spsc;
    MpscRing mpsc;
    MpmcQueue mpmc;
    MemorySegment message;
    MemorySegment into;

    @Setup
    public void setUp() {
        backendId = MemoryBackendId.get(7);
        MemoryManager mm = MemoryManager.get();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, Units.megabytes(16),
                "hshm-qgarbage-" + ProcessHandle.current().pid());
        Allocator alloc = mm.createAllocator(Allocator.THREAD_LOCAL, backendId, AllocatorId.of(7, 0),
                NamedObjects.CUSTOM_HEADER_BYTES);
        NamedObjects dir = NamedObjects.of(alloc);
        spsc = SpscRing.create(dir, "spsc", 1024, 8);
        mpsc = MpscRing.create(dir, "mpsc", 64 * 1024);
        mpmc = MpmcQueue.create(dir, "mpmc", 1024, 8);
        message = Arena.ofAuto().allocate(8, 8);
        message.set(ValueLayout.JAVA_LONG, 0, 42L);
        into = Arena.ofAuto().allocate(8, 8);
    }

    @TearDown
    public void tearDown() {
        MemoryManager.get().destroyBackend(backendId);
    }

    @Benchmark
    public long spscOfferPoll() {
        spsc.offer(42L);
        return spsc.pollLong().orElseThrow();
    }

    @Benchmark
    public int spscPutTake() throws InterruptedException {
        spsc.put(42L, TIMEOUT);
        return spsc.take(ELEMENT, 1, TIMEOUT);
    }

    /** {@code takeLong} returns an {@code OptionalLong}: 24 B when the JIT does not scalar-replace it (its javadoc). */
    @Benchmark
    public long spscPutTakeLong() throws InterruptedException {
        spsc.put(42L, TIMEOUT);
        return spsc.takeLong(TIMEOUT).orElseThrow();
    }

    @Benchmark
    public int mpscClaimCommitRead() {
        long at = mpsc.tryClaim(1, 8);
        mpsc.buffer().set(ValueLayout.JAVA_LONG, at, 42L);
        mpsc.commit(at);
        return mpsc.read(CHECK, 1);
    }

    @Benchmark
    public int mpscPutTake() throws InterruptedException {
        mpsc.put(1, message, TIMEOUT);
        return mpsc.take(CHECK, 1, TIMEOUT);
    }

    @Benchmark
    public boolean mpmcPutTake() throws InterruptedException {
        mpmc.put(message, TIMEOUT);
        return mpmc.take(into, TIMEOUT);
    }
}
