package dev.hshm.structures;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The memory accesses of this package, named after their ordering (CONVENTIONS.md 2): plain, opaque,
 * acquire, release, volatile, compare-and-set. Every access goes through a {@link MemorySegment}, so an
 * offset outside the segment is an {@link IndexOutOfBoundsException} from the JDK, never a crash; callers
 * range-check every offset they compute from a shared word first and report a bad one as a
 * {@link dev.hshm.api.CorruptSegmentException}.
 *
 * <p>Pairing rule (the whole package): a writer fills a record with plain stores, then publishes it with
 * one release store (or a CAS) of its state word; a reader loads that word with acquire before reading what
 * it covers. Counters that pair with a reader on another core's check (the wait words' waiter counts) use
 * volatile read-modify-writes, which order both ways.
 */
final class Words {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Words() {
    }

    static long get(MemorySegment s, long at) {
        return (long) LONG.get(s, at);
    }

    static void put(MemorySegment s, long at, long v) {
        LONG.set(s, at, v);
    }

    static long getOpaque(MemorySegment s, long at) {
        return (long) LONG.getOpaque(s, at);
    }

    static long getAcquire(MemorySegment s, long at) {
        return (long) LONG.getAcquire(s, at);
    }

    static void putRelease(MemorySegment s, long at, long v) {
        LONG.setRelease(s, at, v);
    }

    static long getVolatile(MemorySegment s, long at) {
        return (long) LONG.getVolatile(s, at);
    }

    static void putVolatile(MemorySegment s, long at, long v) {
        LONG.setVolatile(s, at, v);
    }

    static boolean cas(MemorySegment s, long at, long expected, long v) {
        return LONG.compareAndSet(s, at, expected, v);
    }

    static long getAndAdd(MemorySegment s, long at, long delta) {
        return (long) LONG.getAndAdd(s, at, delta);
    }

    static int getInt(MemorySegment s, long at) {
        return (int) INT.get(s, at);
    }

    static void putInt(MemorySegment s, long at, int v) {
        INT.set(s, at, v);
    }

    static int getIntVolatile(MemorySegment s, long at) {
        return (int) INT.getVolatile(s, at);
    }

    static int getAndAddInt(MemorySegment s, long at, int delta) {
        return (int) INT.getAndAdd(s, at, delta);
    }

    /** The smallest multiple of {@code alignment} (a power of two) that is {@code >= v}. */
    static long align(long v, long alignment) {
        return (v + alignment - 1) & -alignment;
    }
}
