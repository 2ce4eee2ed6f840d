package dev.hshm.bench.map;

import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.ShmVector;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code ShmVector} of {@code long}s ({@code posix_shm_mmap}, {@code thread_local}) against a plain growable
 * {@code long[]} list: append (cleared every {@value #CLEAR_EVERY} appends, so both grow to the same size and
 * then reuse their memory) and get of a random index among {@value #ELEMENTS}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class VectorBench {

    static final int ELEMENTS = 1 << 20;
    static final int CLEAR_EVERY = 1 << 20;

    /** The baseline: what a Java user writes for a list of longs. */
    static final class LongList {
        long[] a = new long[16];
        int size;

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        long get(int i) {
            if (i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            return a[i];
        }
    }

    private SharedHeap heap;
    ShmVector readVec;
    ShmVector appendVec;
    LongList readList;
    LongList appendList;
    SplittableRandom rnd = new SplittableRandom(5);

    @Setup(Level.Trial)
    public void setUp() {
        heap = new SharedHeap(700, 256L << 20, "hshm-vecbench");
        NamedObjects dir = heap.dir;
        readVec = ShmVector.createLongs(dir, "read", 16);
        appendVec = ShmVector.createLongs(dir, "append", 16);
        readList = new LongList();
        appendList = new LongList();
        for (int i = 0; i < ELEMENTS; i++) {
            readVec.appendLong(i);
            readList.add(i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        heap.close();
    }

    @Benchmark
    public long appendShmVector() {
        if (appendVec.size() == CLEAR_EVERY) {
            appendVec.clear();
        }
        return appendVec.appendLong(42);
    }

    @Benchmark
    public int appendLongList() {
        if (appendList.size == CLEAR_EVERY) {
            appendList.size = 0;
        }
        appendList.add(42);
        return appendList.size;
    }

    @Benchmark
    public long getShmVector() {
        return readVec.getLong(rnd.nextInt(ELEMENTS));
    }

    @Benchmark
    public long getLongList() {
        return readList.get(rnd.nextInt(ELEMENTS));
    }
}
