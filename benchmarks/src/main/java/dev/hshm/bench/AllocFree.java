package dev.hshm.bench;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One operation = allocate {@code size} bytes, write the first 8, free. The same operation for this
 * project's allocators (on a {@code posix_shm_mmap} backend, i.e. real shared memory) and for what a Java
 * user would pick instead, measured in one JMH run so that every figure can be a ratio to libc malloc.
 *
 * <ul>
 *   <li>{@code libcMalloc}: {@code malloc}/{@code free} through the FFM {@link Linker}, plain downcalls (the
 *       baseline); {@code libcMallocCritical}: the same with {@code Linker.Option.critical(false)}, which skips
 *       the thread-state transition, to show what the downcall itself costs.</li>
 *   <li>{@code threadLocal}, {@code scalablePage}: this project, in shared memory; {@code mallocAllocator}:
 *       this project's private libc allocator (tracks live blocks so bad frees throw).</li>
 *   <li>{@code nettyPooledDirect}: Netty's {@link PooledByteBufAllocator#DEFAULT} direct buffers, as Netty ships
 *       it: thread caches only for Netty's own {@code FastThreadLocalThread}s, so a JMH thread has none;
 *       {@code nettyPooledDirectAllThreads}: the same allocator built with {@code useCacheForAllThreads = true}, as
 *       a Netty user tuning for speed would (every thread gets a cache): the fair peer.</li>
 *   <li>{@code arenaConfined}: an FFM {@code Arena.ofConfined()} per operation.</li>
 *   <li>{@code slicingLowerBound}: bumping a pointer in a preallocated segment, never freeing: the lower
 *       bound of any allocator.</li>
 *   <li>{@code sharedCasFloor}: one uncontended CAS on a shared mapped segment: the floor of any operation
 *       that must publish something to other processes.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AllocFree {

    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MALLOC_CRITICAL;
    private static final MethodHandle FREE_CRITICAL;
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        Linker l = Linker.nativeLinker();
        MemorySegment m = l.defaultLookup().find("malloc").orElseThrow();
        MemorySegment f = l.defaultLookup().find("free").orElseThrow();
        FunctionDescriptor mfd = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        FunctionDescriptor ffd = FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG);
        MALLOC = l.downcallHandle(m, mfd);
        FREE = l.downcallHandle(f, ffd);
        MALLOC_CRITICAL = l.downcallHandle(m, mfd, Linker.Option.critical(false));
        FREE_CRITICAL = l.downcallHandle(f, ffd, Linker.Option.critical(false));
    }

    @Param({"64", "1024", "65536"})
    public int size;

    private String url;
    private Allocator tla;
    private Allocator spa;
    private Allocator mallocAllocator;
    private MemorySegment tlaMem;
    private MemorySegment spaMem;
    private MemorySegment shared;
    private PooledByteBufAllocator netty;
    private PooledByteBufAllocator nettyAllThreads;
    private final AtomicInteger threadIndex = new AtomicInteger();

    private static final MemoryBackendId SHM = MemoryBackendId.get(1);
    private static final MemoryBackendId PRIVATE = MemoryBackendId.get(2);

    @Setup(Level.Trial)
    public void setUp() {
        MemoryManager mm = MemoryManager.get();
        url = "hshm-bench-" + ProcessHandle.current().pid();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, SHM, Units.megabytes(768), url);
        tla = mm.createAllocator(Allocator.THREAD_LOCAL, SHM, AllocatorId.of(1, 0), 4096, Units.megabytes(384));
        spa = mm.createAllocator(Allocator.SCALABLE_PAGE, SHM, AllocatorId.of(1, 1), 0);
        tlaMem = tla.memory();
        spaMem = spa.memory();
        shared = tla.customHeader();
        mm.createBackend(MemoryBackend.MALLOC, PRIVATE, 4096);
        mallocAllocator = mm.createAllocator(Allocator.MALLOC, PRIVATE, AllocatorId.of(2, 0), 0);
        netty = PooledByteBufAllocator.DEFAULT;
        nettyAllThreads = new PooledByteBufAllocator(true, PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(), PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(), PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(), true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        MemoryManager mm = MemoryManager.get();
        mm.destroyBackend(SHM);
        mm.destroyBackend(PRIVATE);
    }

    /** Per-thread state: a private region for the pointer-bump bound and a cache line for the CAS floor. */
    @State(Scope.Thread)
    public static class PerThread {
        Arena arena;
        MemorySegment region;
        long bump;
        long casAt;

        @Setup(Level.Trial)
        public void setUp(AllocFree b) {
            arena = Arena.ofConfined();
            region = arena.allocate(64L << 20, 4096);
            casAt = 64L * b.threadIndex.getAndIncrement();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public long libcMalloc() throws Throwable {
        long p = (long) MALLOC.invokeExact((long) size);
        ALL.set(ValueLayout.JAVA_LONG_UNALIGNED, p, p);
        FREE.invokeExact(p);
        return p;
    }

    @Benchmark
    public long libcMallocCritical() throws Throwable {
        long p = (long) MALLOC_CRITICAL.invokeExact((long) size);
        ALL.set(ValueLayout.JAVA_LONG_UNALIGNED, p, p);
        FREE_CRITICAL.invokeExact(p);
        return p;
    }

    @Benchmark
    public long threadLocal() {
        long o = tla.allocateOffset(MemContext.DEFAULT, size);
        tlaMem.set(ValueLayout.JAVA_LONG, o, o);
        tla.freeOffset(MemContext.DEFAULT, o);
        return o;
    }

    @Benchmark
    public long scalablePage() {
        long o = spa.allocateOffset(MemContext.DEFAULT, size);
        spaMem.set(ValueLayout.JAVA_LONG, o, o);
        spa.freeOffset(MemContext.DEFAULT, o);
        return o;
    }

    @Benchmark
    public long mallocAllocator() {
        long p = mallocAllocator.allocateOffset(MemContext.DEFAULT, size);
        ALL.set(ValueLayout.JAVA_LONG_UNALIGNED, p, p);
        mallocAllocator.freeOffset(MemContext.DEFAULT, p);
        return p;
    }

    @Benchmark
    public long nettyPooledDirect() {
        return nettyOperation(netty);
    }

    @Benchmark
    public long nettyPooledDirectAllThreads() {
        return nettyOperation(nettyAllThreads);
    }

    private long nettyOperation(PooledByteBufAllocator allocator) {
        ByteBuf b = allocator.directBuffer(size, size);
        b.writeLong(size);
        long r = b.writerIndex();
        b.release();
        return r;
    }

    @Benchmark
    public long arenaConfined() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(size, 16);
            s.set(ValueLayout.JAVA_LONG, 0, size);
            return s.address();
        }
    }

    @Benchmark
    public long slicingLowerBound(PerThread t) {
        long o = t.bump;
        long next = o + ((size + 15) & ~15L);
        if (next > t.region.byteSize()) {
            o = 0;
            next = (size + 15) & ~15L;
        }
        t.bump = next;
        t.region.set(ValueLayout.JAVA_LONG, o, o);
        return o;
    }

    @Benchmark
    public boolean sharedCasFloor(PerThread t) {
        long v = (long) LONG.getOpaque(shared, t.casAt);
        return LONG.compareAndSet(shared, t.casAt, v, v + 1);
    }
}
