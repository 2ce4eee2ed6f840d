package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;

/**
 * The first {@value #BYTES} bytes of every queue in this package: what it is, how big, who consumes and who
 * produces, and a ready word published last. Each queue's own layout class ({@link SpscLayout},
 * {@link MpscLayout}, {@link MpmcLayout}, {@link BroadcastLayout}) continues at {@link #END}.
 *
 * <pre>
 *  +0  MAGIC      u64  {@value #MAGIC_TEXT} (ASCII, little-endian)                 plain, before READY
 *  +8  TYPE       u32  1 spsc, 2 mpsc, 3 mpmc, 4 broadcast                        plain, before READY
 * +12  VERSION    u32  the queue's layout version                                 plain, before READY
 * +16  CAPACITY   u64  slots (spsc, mpmc) or bytes (mpsc, broadcast), a power of 2 plain, before READY
 * +24  ELEMENT    u64  bytes per element (spsc, mpmc) or largest record (mpsc, broadcast)
 * +32  CONSUMER   u64  {@link Owner} word of the consumer that registered last, or 0  release store
 * +40  PRODUCER   u64  {@link Owner} word of the single producer (spsc, broadcast), or 0  release store
 * +48  reserved   u64
 * +56  READY      u64  {@value #READY_VALUE} once formatted                        release store, last
 * +64  padding to {@link #END} (two cache lines: adjacent-line prefetch)
 * </pre>
 */
final class QueueHeader {

    static final String MAGIC_TEXT = "HSHMQUEU";
    static final long MAGIC = 0x5545_5551_4D48_5348L;
    static final long READY_VALUE = 0x5245_4144_5931L;

    static final long MAGIC_OFFSET = 0;
    static final long TYPE_OFFSET = MAGIC_OFFSET + 8;
    static final long VERSION_OFFSET = TYPE_OFFSET + 4;
    static final long CAPACITY_OFFSET = VERSION_OFFSET + 4;
    static final long ELEMENT_OFFSET = CAPACITY_OFFSET + 8;
    static final long CONSUMER_OFFSET = ELEMENT_OFFSET + 8;
    static final long PRODUCER_OFFSET = CONSUMER_OFFSET + 8;
    static final long RESERVED_OFFSET = PRODUCER_OFFSET + 8;
    static final long READY_OFFSET = RESERVED_OFFSET + 8;
    static final long BYTES = READY_OFFSET + 8;
    /** Where a queue's own fields start: two cache lines, so the header never shares one with an index. */
    static final long END = 128;

    static final int SPSC = 1;
    static final int MPSC = 2;
    static final int MPMC = 3;
    static final int BROADCAST = 4;

    static {
        if (BYTES != 64 || END < BYTES) {
            throw new AssertionError("QueueHeader drifted: BYTES=" + BYTES);
        }
    }

    private QueueHeader() {
    }

    static String typeName(int type) {
        return switch (type) {
            case SPSC -> "spsc";
            case MPSC -> "mpsc";
            case MPMC -> "mpmc";
            case BROADCAST -> "broadcast";
            default -> "unknown";
        };
    }

    /** Writes the header fields; the caller formats its own fields, then calls {@link #publish}. */
    static void format(MemorySegment s, int type, int version, long capacity, long element) {
        Words.put(s, MAGIC_OFFSET, MAGIC);
        Words.putInt(s, TYPE_OFFSET, type);
        Words.putInt(s, VERSION_OFFSET, version);
        Words.put(s, CAPACITY_OFFSET, capacity);
        Words.put(s, ELEMENT_OFFSET, element);
        Words.put(s, CONSUMER_OFFSET, Owner.NONE);
        Words.put(s, PRODUCER_OFFSET, Owner.NONE);
        Words.put(s, RESERVED_OFFSET, 0L);
    }

    static void publish(MemorySegment s) {
        Words.putRelease(s, READY_OFFSET, READY_VALUE);
    }

    /**
     * Checks what {@code s} holds before a queue of {@code type} attaches to it.
     *
     * @throws CorruptSegmentException naming what is wrong: too small, bad magic, not published, another
     *     type (both named), another layout version (both named)
     */
    static void check(MemorySegment s, int type, int version) {
        String what = typeName(type) + " queue";
        if (s.byteSize() < END) {
            throw new CorruptSegmentException(what + ": segment of " + s.byteSize() + " bytes is smaller than a queue "
                    + "header (" + END + " bytes)");
        }
        long ready = Words.getAcquire(s, READY_OFFSET);
        long magic = Words.get(s, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptSegmentException(what + ": bad magic: expected=0x" + Long.toHexString(MAGIC) + " ("
                    + MAGIC_TEXT + "), found=0x" + Long.toHexString(magic));
        }
        int t = Words.getInt(s, TYPE_OFFSET);
        if (t != type) {
            throw new CorruptSegmentException("attaching as a " + what + " to a " + typeName(t) + " queue: expected type="
                    + type + " (" + typeName(type) + "), found type=" + t + " (" + typeName(t) + ")");
        }
        int v = Words.getInt(s, VERSION_OFFSET);
        if (v != version) {
            throw new CorruptSegmentException(what + ": layout version mismatch: expected version=" + version
                    + ", found version=" + v);
        }
        if (ready != READY_VALUE) {
            throw new CorruptSegmentException(what + " was never published (its creator may have died formatting it): "
                    + "ready=0x" + Long.toHexString(ready));
        }
    }

    /** The capacity, checked to be a power of two in {@code [min, max]}. */
    static long capacity(MemorySegment s, String what, long min, long max) {
        long c = Words.get(s, CAPACITY_OFFSET);
        if (c < min || c > max || Long.bitCount(c) != 1) {
            throw new CorruptSegmentException(what + ": bad capacity in header: capacity=" + c
                    + " (a power of two in [" + min + ", " + max + "])");
        }
        return c;
    }

    static long element(MemorySegment s, String what, long min, long max) {
        long e = Words.get(s, ELEMENT_OFFSET);
        if (e < min || e > max) {
            throw new CorruptSegmentException(what + ": bad element size in header: element=" + e + " (in [" + min
                    + ", " + max + "])");
        }
        return e;
    }

    /** Rejects a capacity a caller asked for that is not a power of two in range. */
    static void checkCapacity(String what, long capacity, long min, long max) {
        if (capacity < min || capacity > max || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(what + " capacity must be a power of two in [" + min + ", " + max
                    + "]: capacity=" + capacity);
        }
    }

    /** Rejects an element size a caller asked for that is not a multiple of 8 in range. */
    static void checkElementSize(String what, long elementSize, long min, long max) {
        if (elementSize < min || elementSize > max || (elementSize & 7) != 0) {
            throw new IllegalArgumentException(what + " element size must be a multiple of 8 in [" + min + ", " + max
                    + "]: elementSize=" + elementSize);
        }
    }

    /** Rejects a segment too small to be formatted as a queue of {@code need} bytes. */
    static void checkRoom(MemorySegment s, long need, String what) {
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(what + " needs " + need + " bytes; the segment has " + s.byteSize());
        }
    }

    /** Rejects a segment smaller than its header says the queue is. */
    static void checkFits(MemorySegment s, long need, String what, String shape) {
        if (s.byteSize() < need) {
            throw new CorruptSegmentException(what + ": header says " + shape + " (" + need + " bytes) but the segment "
                    + "has " + s.byteSize() + " bytes");
        }
    }

    static void registerConsumer(MemorySegment s) {
        if (Words.getAcquire(s, CONSUMER_OFFSET) != Owner.CURRENT) {
            Words.putRelease(s, CONSUMER_OFFSET, Owner.CURRENT);
        }
    }

    static void registerProducer(MemorySegment s) {
        if (Words.getAcquire(s, PRODUCER_OFFSET) != Owner.CURRENT) {
            Words.putRelease(s, PRODUCER_OFFSET, Owner.CURRENT);
        }
    }

    static long consumer(MemorySegment s) {
        return Words.getAcquire(s, CONSUMER_OFFSET);
    }

    static long producer(MemorySegment s) {
        return Words.getAcquire(s, PRODUCER_OFFSET);
    }
}
