package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;

/**
 * The first {@value #END} bytes of every container in this package ({@link ShmMutex}, {@link ShmVector},
 * {@link ShmString}, {@link ShmHashMap}, {@link ShmLongLongMap}): what it is and a ready word published last.
 * Each container's own layout class continues at {@link #END}.
 *
 * <pre>
 *  +0  MAGIC    u64  {@value #MAGIC_TEXT} (ASCII, little-endian)             plain, before READY
 *  +8  TYPE     u32  1 mutex, 2 vector, 3 string, 4 hash map, 5 long-long map   plain, before READY
 * +12  VERSION  u32  the container's layout version                       plain, before READY
 * +16  READY    u64  {@value #READY_VALUE} once formatted                     release store, last; attach acquires
 * +24  reserved u64
 * </pre>
 */
final class ContainerHeader {

    static final String MAGIC_TEXT = "HSHMCONT";
    static final long MAGIC = 0x544E_4F43_4D48_5348L; // "HSHMCONT" read as a little-endian u64
    static final long READY_VALUE = 0x5245_4144_5931L;

    static final long MAGIC_OFFSET = 0;
    static final long TYPE_OFFSET = MAGIC_OFFSET + 8;
    static final long VERSION_OFFSET = TYPE_OFFSET + 4;
    static final long READY_OFFSET = VERSION_OFFSET + 4;
    static final long RESERVED_OFFSET = READY_OFFSET + 8;
    static final long END = RESERVED_OFFSET + 8;

    static final int MUTEX = 1;
    static final int VECTOR = 2;
    static final int STRING = 3;
    static final int HASH_MAP = 4;
    static final int LONG_LONG_MAP = 5;

    static {
        if (END != 32) {
            throw new AssertionError("ContainerHeader drifted: END=" + END);
        }
    }

    private ContainerHeader() {
    }

    static String typeName(int type) {
        return switch (type) {
            case MUTEX -> "mutex";
            case VECTOR -> "vector";
            case STRING -> "string";
            case HASH_MAP -> "hash map";
            case LONG_LONG_MAP -> "long-long map";
            default -> "unknown";
        };
    }

    /** Writes the header's fields except READY; the caller formats its own, then calls {@link #publish}. */
    static void format(MemorySegment s, int type, int version) {
        Words.put(s, MAGIC_OFFSET, MAGIC);
        Words.putInt(s, TYPE_OFFSET, type);
        Words.putInt(s, VERSION_OFFSET, version);
        Words.put(s, RESERVED_OFFSET, 0L);
    }

    static void publish(MemorySegment s) {
        Words.putRelease(s, READY_OFFSET, READY_VALUE);
    }

    /**
     * Checks what {@code s} holds before a container of {@code type} attaches to it.
     *
     * @param minBytes the least the container's fixed part needs
     * @throws CorruptSegmentException naming what is wrong: too small, bad magic, another type (both named),
     *     another layout version, not published
     */
    static void check(MemorySegment s, int type, int version, long minBytes, String name) {
        String what = typeName(type) + " '" + name + "'";
        if (s.byteSize() < END) {
            throw new CorruptSegmentException(what + ": block of " + s.byteSize() + " bytes is smaller than a "
                    + "container header (" + END + " bytes)");
        }
        long ready = Words.getAcquire(s, READY_OFFSET);
        long magic = Words.get(s, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptSegmentException(what + ": bad magic: expected=0x" + Long.toHexString(MAGIC) + " ("
                    + MAGIC_TEXT + "), found=0x" + Long.toHexString(magic) + " (not a container of this library)");
        }
        int t = Words.getInt(s, TYPE_OFFSET);
        if (t != type) {
            throw new CorruptSegmentException("attaching as a " + what + " to a " + typeName(t) + ": expected type="
                    + type + " (" + typeName(type) + "), found type=" + t + " (" + typeName(t) + ")");
        }
        int v = Words.getInt(s, VERSION_OFFSET);
        if (v != version) {
            throw new CorruptSegmentException(what + ": layout version mismatch: expected version=" + version
                    + ", found version=" + v);
        }
        if (s.byteSize() < minBytes) {
            throw new CorruptSegmentException(what + ": block of " + s.byteSize() + " bytes is smaller than its "
                    + "header (" + minBytes + " bytes)");
        }
        if (ready != READY_VALUE) {
            throw new CorruptSegmentException(what + " was never published (its creator may have died formatting it): "
                    + "ready=0x" + Long.toHexString(ready));
        }
    }
}
