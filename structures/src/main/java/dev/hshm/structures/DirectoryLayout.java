package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a named-object directory: one block allocated from the allocator it indexes, found through
 * the root word in the allocator's custom header ({@link NamedObjects#ROOT}).
 *
 * <pre>
 * header ({@value #HEADER_BYTES} bytes)
 *   +0  MAGIC      u64  {@value #MAGIC_TEXT} (ASCII, little-endian)       plain, before READY
 *   +8  VERSION    u32  {@value #LAYOUT_VERSION}                           plain, before READY
 *  +12  ENTRIES    u32  {@value #ENTRY_COUNT}                              plain, before READY
 *  +16  LOCK       {@link SharedLock#BYTES} B: the directory lock (robust to its holder's death)
 *  +32  READY      u64  {@value #READY_VALUE} once formatted                release store, last; readers acquire
 *  +40  reserved   to +64
 * entries, {@value #ENTRY_COUNT} x {@value #ENTRY_BYTES} B, from +64; every field read and written under LOCK
 *   +0  STATE      u64  EMPTY 0, CREATING 1 (a create in progress, or abandoned by a dead creator), READY 2
 *   +8  CREATOR    u64  {@link Owner} word of the process that created it
 *  +16  OFFSET     u64  the object's block, or NULL_OFFSET while not yet allocated
 *  +24  SIZE       u64  the object's size in bytes
 *  +32  NAME_LEN   u32  1..{@value dev.hshm.api.spi.ShmNames#MAX_LENGTH}
 *  +36  reserved   u32
 *  +40  NAME       {@value #NAME_BYTES} B, ASCII ([A-Za-z0-9._-])
 * </pre>
 */
final class DirectoryLayout {

    static final String MAGIC_TEXT = "HSHMNDIR";
    static final long MAGIC = 0x5249_444E_4D48_5348L; // "HSHMNDIR" read as a little-endian u64
    static final int LAYOUT_VERSION = 1;
    static final long READY_VALUE = 0x5245_4144_5931L; // "1YDAER"

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final long ENTRIES_OFFSET = VERSION_OFFSET + 4;
    static final long LOCK_OFFSET = ENTRIES_OFFSET + 4;
    static final long READY_OFFSET = LOCK_OFFSET + SharedLock.BYTES;
    static final long HEADER_BYTES = 64;

    static final long E_STATE = 0;
    static final long E_CREATOR = E_STATE + 8;
    static final long E_OFFSET = E_CREATOR + 8;
    static final long E_SIZE = E_OFFSET + 8;
    static final long E_NAME_LEN = E_SIZE + 8;
    static final long E_NAME = E_NAME_LEN + 8;
    static final int NAME_BYTES = 32;
    static final long ENTRY_BYTES = E_NAME + NAME_BYTES;

    static final int ENTRY_COUNT = 64;
    static final long BYTES = HEADER_BYTES + ENTRY_COUNT * ENTRY_BYTES;

    static final long EMPTY = 0;
    static final long CREATING = 1;
    static final long READY = 2;

    static {
        if (READY_OFFSET + 8 > HEADER_BYTES || ENTRY_BYTES != 72 || (ENTRY_BYTES & 7) != 0) {
            throw new AssertionError("DirectoryLayout drifted: READY_OFFSET=" + READY_OFFSET + ", ENTRY_BYTES="
                    + ENTRY_BYTES);
        }
    }

    private DirectoryLayout() {
    }

    static long entry(int i) {
        return HEADER_BYTES + i * ENTRY_BYTES;
    }

    /** Formats a zeroed block as an empty directory; READY is the last store. */
    static void format(MemorySegment d) {
        d.fill((byte) 0);
        Words.put(d, MAGIC_OFFSET, MAGIC);
        Words.putInt(d, VERSION_OFFSET, LAYOUT_VERSION);
        Words.putInt(d, ENTRIES_OFFSET, ENTRY_COUNT);
        SharedLock.format(d, LOCK_OFFSET);
        for (int i = 0; i < ENTRY_COUNT; i++) {
            Words.put(d, entry(i) + E_OFFSET, dev.hshm.api.OffsetPointer.NULL_OFFSET);
        }
        Words.putRelease(d, READY_OFFSET, READY_VALUE);
    }

    /** Rejects a block that is not a published directory of this layout, naming the field. */
    static void check(MemorySegment d, String where) {
        long ready = Words.getAcquire(d, READY_OFFSET);
        long magic = Words.get(d, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptSegmentException("named-object directory of " + where + " has a bad magic: expected=0x"
                    + Long.toHexString(MAGIC) + " (" + MAGIC_TEXT + "), found=0x" + Long.toHexString(magic));
        }
        int version = Words.getInt(d, VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new CorruptSegmentException("named-object directory of " + where + " has layout version " + version
                    + "; this library reads version " + LAYOUT_VERSION);
        }
        int entries = Words.getInt(d, ENTRIES_OFFSET);
        if (entries != ENTRY_COUNT) {
            throw new CorruptSegmentException("named-object directory of " + where + " has a bad entry count: expected="
                    + ENTRY_COUNT + ", found=" + entries);
        }
        if (ready != READY_VALUE) {
            throw new CorruptSegmentException("named-object directory of " + where + " was never published: ready=0x"
                    + Long.toHexString(ready));
        }
    }

    static long state(MemorySegment d, int i, String where) {
        long s = Words.get(d, entry(i) + E_STATE);
        if (s != EMPTY && s != CREATING && s != READY) {
            throw new CorruptSegmentException("named-object directory of " + where + ": entry " + i
                    + " has a bad state: state=" + s + " (expected 0, 1 or 2)");
        }
        return s;
    }

    static String name(MemorySegment d, int i, String where) {
        int len = Words.getInt(d, entry(i) + E_NAME_LEN);
        if (len < 1 || len > dev.hshm.api.spi.ShmNames.MAX_LENGTH) {
            throw new CorruptSegmentException("named-object directory of " + where + ": entry " + i
                    + " has a bad name length: nameLength=" + len + ", max=" + dev.hshm.api.spi.ShmNames.MAX_LENGTH);
        }
        byte[] b = new byte[len];
        MemorySegment.copy(d, java.lang.foreign.ValueLayout.JAVA_BYTE, entry(i) + E_NAME, b, 0, len);
        return new String(b, StandardCharsets.US_ASCII);
    }

    static void putName(MemorySegment d, int i, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        d.asSlice(entry(i) + E_NAME, NAME_BYTES).fill((byte) 0);
        MemorySegment.copy(b, 0, d, java.lang.foreign.ValueLayout.JAVA_BYTE, entry(i) + E_NAME, b.length);
        Words.putInt(d, entry(i) + E_NAME_LEN, b.length);
    }
}
