package dev.hshm.bench.map;

import dev.hshm.structures.ShmLongLongMap;
import java.io.File;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;
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
 * A {@code long} to {@code long} map of {@value #ENTRIES} entries: get and put of a random key, for
 * {@code ShmLongLongMap} (64 segments, {@code posix_shm_mmap}, {@code thread_local}), Chronicle Map
 * {@code <LongValue, LongValue>} persisted to {@code /dev/shm} (its off-heap value interfaces and
 * {@code getUsing}, its users' way to get without garbage) and {@code ConcurrentHashMap<Long, Long>}. Run with
 * {@code -prof gc} to see the heap garbage per get ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class LongMapBench {

    static final int ENTRIES = 1 << 20;

    /** Which map. */
    @Param({"shmLongLongMap", "chronicleMap", "concurrentHashMap"})
    public String impl;

    private SharedHeap heap;
    private File chronicleFile;
    ShmLongLongMap shm;
    ChronicleMap<LongValue, LongValue> chronicle;
    ConcurrentHashMap<Long, Long> chm;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        switch (impl) {
            case "shmLongLongMap" -> {
                heap = new SharedHeap(800, 256L << 20, "hshm-longmapbench");
                shm = ShmLongLongMap.create(heap.dir, "bench", 64, ENTRIES);
                for (long i = 0; i < ENTRIES; i++) {
                    shm.put(i, i);
                }
            }
            case "chronicleMap" -> {
                chronicleFile = new File("/dev/shm/hshm-longmapbench-chronicle-" + ProcessHandle.current().pid()
                        + ".dat");
                chronicleFile.delete();
                chronicle = ChronicleMap.of(LongValue.class, LongValue.class).name("bench").entries(ENTRIES)
                        .putReturnsNull(true) // as its users tune it: put does not read the old value back
                        .createPersistedTo(chronicleFile);
                LongValue k = Values.newHeapInstance(LongValue.class);
                LongValue v = Values.newHeapInstance(LongValue.class);
                for (long i = 0; i < ENTRIES; i++) {
                    k.setValue(i);
                    v.setValue(i);
                    chronicle.put(k, v);
                }
            }
            case "concurrentHashMap" -> {
                chm = new ConcurrentHashMap<>(ENTRIES * 2);
                for (long i = 0; i < ENTRIES; i++) {
                    chm.put(i, i);
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

    /** Per-thread: a random source and Chronicle's reused key and value. */
    @State(Scope.Thread)
    public static class PerThread {
        SplittableRandom rnd = new SplittableRandom(Thread.currentThread().threadId());
        LongValue key = Values.newHeapInstance(LongValue.class);
        LongValue using = Values.newHeapInstance(LongValue.class);

        long next() {
            return rnd.nextInt(ENTRIES);
        }
    }

    @Benchmark
    public long get(PerThread t) {
        long k = t.next();
        return switch (impl) {
            case "shmLongLongMap" -> shm.get(k, -1);
            case "chronicleMap" -> {
                t.key.setValue(k);
                yield chronicle.getUsing(t.key, t.using).getValue();
            }
            default -> chm.get(k);
        };
    }

    @Benchmark
    public boolean put(PerThread t) {
        long k = t.next();
        return switch (impl) {
            case "shmLongLongMap" -> shm.put(k, k + 1);
            case "chronicleMap" -> {
                t.key.setValue(k);
                t.using.setValue(k + 1);
                yield chronicle.put(t.key, t.using) != null;
            }
            default -> chm.put(k, k + 1) != null;
        };
    }
}
