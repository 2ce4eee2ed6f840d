package dev.hshm.allocators.internal.heap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The heap's only way to read and write its shared memory: 8-byte words at byte offsets of the backend's data,
 * with the memory-ordering names of the JDK ({@code plain}, {@code opaque}, {@code acquire}, {@code release},
 * {@code volatile}). Every store passes the {@link CrashPoints} hook first.
 *
 * <p><b>Pairing rule</b> (for the whole package): a word that publishes something is written last with a
 * release store (or a CAS) and read first with an acquire load (or a volatile one); everything else is plain
 * and written either by the owner of a lock that guards it or by the one thread that owns it (a cache slot's
 * lists). Where a plain read races with a writer on purpose, the site says why the race is benign.
 *
 * <p>Plain words are read and written through {@code JAVA_LONG_UNALIGNED}: every word the heap keeps is 8-byte
 * aligned, but the unaligned layout spares the access an alignment check. Atomic access goes through the
 * aligned layout's {@link VarHandle} (atomic across processes on a shared mapping).
 */
final class Words {

    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final MemorySegment seg;

    Words(MemorySegment seg) {
        this.seg = seg;
    }

    long get(long at) {
        try {
            return seg.get(J, at);
        } catch (IndexOutOfBoundsException e) {
            throw outside(seg, at, e);
        }
    }

    void put(long at, long v) {
        CrashPoints.beforeStore();
        try {
            seg.set(J, at, v);
        } catch (IndexOutOfBoundsException e) {
            throw outside(seg, at, e);
        }
        CrashPoints.afterStore(seg, at, 8);
    }

    /** A plain load from {@code seg}, for the fast paths that keep the segment in a field of their own. */
    static long get(MemorySegment seg, long at) {
        try {
            return seg.get(J, at);
        } catch (IndexOutOfBoundsException e) {
            throw outside(seg, at, e);
        }
    }

    /** A plain store to {@code seg}, for the fast paths (the {@link CrashPoints} hook included). */
    static void put(MemorySegment seg, long at, long v) {
        CrashPoints.beforeStore();
        try {
            seg.set(J, at, v);
        } catch (IndexOutOfBoundsException e) {
            throw outside(seg, at, e);
        }
        CrashPoints.afterStore(seg, at, 8);
    }

    int getInt(long at) {
        return seg.get(ValueLayout.JAVA_INT_UNALIGNED, at);
    }

    void putInt(long at, int v) {
        CrashPoints.beforeStore();
        seg.set(ValueLayout.JAVA_INT_UNALIGNED, at, v);
        CrashPoints.afterStore(seg, at, 4);
    }

    long getOpaque(long at) {
        try {
            return (long) LONG.getOpaque(seg, at);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw outside(seg, at, e);
        }
    }

    long getAcquire(long at) {
        try {
            return (long) LONG.getAcquire(seg, at);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw outside(seg, at, e);
        }
    }

    long getVolatile(long at) {
        try {
            return (long) LONG.getVolatile(seg, at);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw outside(seg, at, e);
        }
    }

    void putRelease(long at, long v) {
        CrashPoints.beforeStore();
        LONG.setRelease(seg, at, v);
        CrashPoints.afterStore(seg, at, 8);
    }

    void putOpaque(long at, long v) {
        CrashPoints.beforeStore();
        LONG.setOpaque(seg, at, v);
        CrashPoints.afterStore(seg, at, 8);
    }

    boolean cas(long at, long expect, long v) {
        CrashPoints.beforeStore();
        boolean done;
        try {
            done = LONG.compareAndSet(seg, at, expect, v);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw outside(seg, at, e);
        }
        CrashPoints.afterStore(seg, at, 8);
        return done;
    }

    long getAndAdd(long at, long delta) {
        CrashPoints.beforeStore();
        long old = (long) LONG.getAndAdd(seg, at, delta);
        CrashPoints.afterStore(seg, at, 8);
        return old;
    }

    /**
     * The exception for an access outside the backend's data: only a corrupt word of the heap's metadata (an
     * offset or index read from shared memory) leads there, so it is reported as corruption, never as the JDK's
     * bounds or alignment exception.
     */
    static dev.hshm.api.CorruptSegmentException outside(MemorySegment seg, long at, RuntimeException cause) {
        dev.hshm.api.CorruptSegmentException e = new dev.hshm.api.CorruptSegmentException("heap metadata points"
                + " outside the backend's data (a corrupt offset or index): data offset=" + at + ", data size="
                + seg.byteSize());
        e.initCause(cause);
        return e;
    }

    /** Plain read-modify-write, for counters written under a lock. */
    void add(long at, long delta) {
        put(at, get(at) + delta);
    }

    /** Zeroes {@code bytes} bytes (formatting only: counted as one store). */
    void zero(long at, long bytes) {
        CrashPoints.beforeStore();
        seg.asSlice(at, bytes).fill((byte) 0);
        CrashPoints.afterStore(seg, at, bytes);
    }
}
