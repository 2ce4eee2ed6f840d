package dev.hshm.bench.map;

import dev.hshm.structures.ShmHashMap;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
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
 * A map of {@value #ENTRIES} entries with 16-byte keys and 100-byte values: get, put (overwrite of an existing
 * key) and remove-then-put-back of a random key, for {@code ShmHashMap} (64 segments, on a {@code posix_shm_mmap}
 * backend with the {@code thread_local} allocator), Chronicle Map 3.27ea0 persisted to {@code /dev/shm} (the
 * cross-process peer; constant key and value sizes given, {@code getUsing} into a reused value, as its docs
 * advise for speed) and {@code ConcurrentHashMap<ByteBuffer, byte[]>} (the in-process reference). Run with 1 and
 * 2 threads ({@code -t}); the figures are ratios to {@code ConcurrentHashMap} of the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MapBench {

    static final int ENTRIES = 1 << 20;
    static final int KEY = 16;
    static final int VALUE = 100;

    /** Which map. */
    @Param({"shmHashMap", "chronicleMap", "concurrentHashMap"})
    public String impl;

    private SharedHeap heap;
    private File chronicleFile;
    byte[][] keys;
    MemorySegment[] keySegs;
    ByteBuffer[] keyBufs;
    byte[] value;
    MemorySegment valueSeg;
    ShmHashMap shm;
    ChronicleMap<byte[], byte[]> chronicle;
    ConcurrentHashMap<ByteBuffer, byte[]> chm;

    static byte[] key(int i) {
        byte[] k = new byte[KEY];
        MemorySegment s = MemorySegment.ofArray(k);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, i * 0x9E37_79B9_7F4A_7C15L);
        return k;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        keys = new byte[ENTRIES][];
        keySegs = new MemorySegment[ENTRIES];
        keyBufs = new ByteBuffer[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            keys[i] = key(i);
            keySegs[i] = MemorySegment.ofArray(keys[i]);
            keyBufs[i] = ByteBuffer.wrap(keys[i]);
        }
        value = new byte[VALUE];
        new SplittableRandom(1).nextBytes(value);
        valueSeg = Arena.global().allocate(VALUE, 8);
        MemorySegment.copy(MemorySegment.ofArray(value), 0, valueSeg, 0, VALUE);
        switch (impl) {
            case "shmHashMap" -> {
                heap = new SharedHeap(900, 1L << 30, "hshm-mapbench");
                shm = ShmHashMap.create(heap.dir, "bench", 64, ENTRIES, KEY, VALUE);
                for (int i = 0; i < ENTRIES; i++) {
                    shm.put(keySegs[i], valueSeg);
                }
            }
            case "chronicleMap" -> {
                chronicleFile = new File("/dev/shm/hshm-mapbench-chronicle-" + ProcessHandle.current().pid() + ".dat");
                chronicleFile.delete();
                chronicle = ChronicleMap.of(byte[].class, byte[].class).name("bench").entries(ENTRIES)
                        .constantKeySizeBySample(new byte[KEY]).constantValueSizeBySample(new byte[VALUE])
                        .putReturnsNull(true).removeReturnsNull(true) // as its users tune it: no old value copied out
                        .createPersistedTo(chronicleFile);
                for (int i = 0; i < ENTRIES; i++) {
                    chronicle.put(keys[i], value);
                }
            }
            case "concurrentHashMap" -> {
                chm = new ConcurrentHashMap<>(ENTRIES * 2);
                for (int i = 0; i < ENTRIES; i++) {
                    chm.put(keyBufs[i], value.clone());
                }
            }
            default -> throw new IllegalArgumentException(impl);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (chronicle != null) {
            chronicle.close();
            chronicleFile.delete();
        }
        if (heap != null) {
            heap.close();
        }
    }

    /** Per-thread: a random source and the buffers a get copies into. */
    @State(Scope.Thread)
    public static class PerThread {
        SplittableRandom rnd = new SplittableRandom(Thread.currentThread().threadId());
        MemorySegment dst = Arena.ofAuto().allocate(VALUE, 8);
        byte[] using = new byte[VALUE];

        int next() {
            return rnd.nextInt(ENTRIES);
        }
    }

    @Benchmark
    public long get(PerThread t) {
        int i = t.next();
        return switch (impl) {
            case "shmHashMap" -> shm.get(keySegs[i], t.dst);
            case "chronicleMap" -> chronicle.getUsing(keys[i], t.using).length;
            default -> chm.get(keyBufs[i]).length;
        };
    }

    @Benchmark
    public boolean put(PerThread t) {
        int i = t.next();
        return switch (impl) {
            case "shmHashMap" -> shm.put(keySegs[i], valueSeg);
            case "chronicleMap" -> chronicle.put(keys[i], value) != null;
            default -> chm.put(keyBufs[i], value) != null;
        };
    }

    /** Removes a random key and puts it back: the map stays at {@value #ENTRIES} entries. */
    @Benchmark
    public boolean removeAndPutBack(PerThread t) {
        int i = t.next();
        return switch (impl) {
            case "shmHashMap" -> shm.remove(keySegs[i]) & shm.put(keySegs[i], valueSeg);
            case "chronicleMap" -> chronicle.remove(keys[i]) != null & chronicle.put(keys[i], value) == null;
            default -> chm.remove(keyBufs[i]) != null & chm.put(keyBufs[i], value) == null;
        };
    }
}
