package dev.hshm.structures;

/**
 * The layout of {@link ShmHashMap} and {@link ShmLongLongMap}: a header with one descriptor per segment (the
 * named object), one slot table per segment, and for {@code ShmHashMap} one entry block per entry.
 *
 * <pre>
 * header (the named object, {@link #bytes} bytes)
 *   +0    ContainerHeader (type 4 hash map or 5 long-long map, version {@value #LAYOUT_VERSION})
 *   +32   SEGMENTS    u32  a power of two in [1, {@value #MAX_SEGMENTS}]            plain, before READY
 *   +36   SLOT_BYTES  u32  16 (hash map) or 24 (long-long map)                      plain, before READY
 *   +40   MAX_KEY     u32  largest key in bytes                                     plain, before READY
 *   +44   MAX_VALUE   u32  largest value in bytes                                   plain, before READY
 *   +48   REPAIRS     u64  segments repaired after a writer's death                 getAndAdd
 *   +56   reserved
 *   +64   SEGMENTS x {@value #SEGMENT_BYTES} B segment descriptors
 * segment descriptor (offsets relative to it)
 *   +0    SEQ         u64  even: stable; odd: a writer is changing the segment.
 *                          writer: volatile store odd, changes, release store even; readers acquire it before
 *                          and re-read it after (acquire fence) and retry if it moved
 *   +8    TABLE       u64  offset of the slot table, stored inside an odd SEQ                       release
 *   +16   COUNT       u64  live entries                                            plain, inside an odd SEQ
 *   +24   USED        u64  slots not EMPTY (live + tombstones)                     plain, inside an odd SEQ
 *   +32   LOCK        {@link MutexLayout} body: the writers' robust lock of this segment
 *   +64   J_STATE     u64  the journal: IDLE 0, BUILDING 1, SLOT 2, TABLE 3          release store; repair acquires
 *   +72   J_SLOT      u64  SLOT: the slot index to write                          plain, before J_STATE
 *   +80   J_W0        u64  SLOT: the tag to store; TABLE: the new table's offset  plain, before J_STATE
 *   +88   J_W1        u64  SLOT: slot word 1 (entry offset, or key)               plain, before J_STATE
 *   +96   J_W2        u64  SLOT: slot word 2 (value of the long-long map)         plain, before J_STATE
 *   +104  J_FREE      u64  block to free once the change is applied (old entry or old table), or NULL
 *   +112  J_ABORT     u64  BUILDING: the block being built, freed if its builder died
 *   +120  reserved
 * slot table (allocated with {@value #TABLE_ALIGNMENT}-byte alignment)
 *   +0    CAPACITY    u64  slots, a power of two in [{@value #MIN_TABLE}, {@value #MAX_TABLE}]    before TABLE publishes it
 *   +8    SLOT_BYTES  u64  the header's, checked on every load
 *   +64   slots: CAPACITY x SLOT_BYTES; linear probing from hash &amp; (CAPACITY - 1)
 * slot, word 0: TAG  u64  EMPTY 0, TOMBSTONE 1, else the key's 64-bit hash (0 and 1 moved to 2 and 3)
 *   hash map:      +8 ENTRY u64 (entry block offset)
 *   long-long map: +8 KEY u64, +16 VALUE u64
 * entry block (hash map; written before it is published, never changed after)
 *   +0 KEY_LEN u32, +4 VALUE_LEN u32, +8 key bytes, then value bytes
 * </pre>
 */
final class MapLayout {

    static final int LAYOUT_VERSION = 1;

    static final long SEGMENTS = ContainerHeader.END;
    static final long SLOT_BYTES = SEGMENTS + 4;
    static final long MAX_KEY = SLOT_BYTES + 4;
    static final long MAX_VALUE = MAX_KEY + 4;
    static final long REPAIRS = MAX_VALUE + 4;
    static final long SEGMENT0 = 64;
    static final long SEGMENT_BYTES = 128;

    static final long S_SEQ = 0;
    static final long S_TABLE = S_SEQ + 8;
    static final long S_COUNT = S_TABLE + 8;
    static final long S_USED = S_COUNT + 8;
    static final long S_LOCK = S_USED + 8;
    static final long S_J_STATE = S_LOCK + MutexLayout.BODY_BYTES;
    static final long S_J_SLOT = S_J_STATE + 8;
    static final long S_J_W0 = S_J_SLOT + 8;
    static final long S_J_W1 = S_J_W0 + 8;
    static final long S_J_W2 = S_J_W1 + 8;
    static final long S_J_FREE = S_J_W2 + 8;
    static final long S_J_ABORT = S_J_FREE + 8;

    static final long J_IDLE = 0;
    static final long J_BUILDING = 1;
    static final long J_SLOT = 2;
    static final long J_TABLE = 3;

    static final long T_CAPACITY = 0;
    static final long T_SLOT_BYTES = T_CAPACITY + 8;
    static final long T_SLOTS = 64;
    static final long TABLE_ALIGNMENT = 64;

    static final long EMPTY = 0;
    static final long TOMBSTONE = 1;

    static final long E_KEY_LEN = 0;
    static final long E_VALUE_LEN = E_KEY_LEN + 4;
    static final long E_KEY = E_VALUE_LEN + 4;

    static final int MAX_SEGMENTS = 1024;
    static final long MIN_TABLE = 8;
    static final long MAX_TABLE = 1L << 30;
    /** The largest key a hash map accepts: 1 MiB. */
    static final int MAX_KEY_LIMIT = 1 << 20;
    /** The largest value a hash map accepts: 16 MiB. */
    static final int MAX_VALUE_LIMIT = 1 << 24;

    static {
        if (REPAIRS + 8 > SEGMENT0 || S_J_ABORT + 8 > SEGMENT_BYTES || S_J_STATE != 64) {
            throw new AssertionError("MapLayout drifted: S_J_ABORT=" + S_J_ABORT);
        }
    }

    private MapLayout() {
    }

    static long bytes(int segments) {
        return SEGMENT0 + segments * SEGMENT_BYTES;
    }

    static long tableBytes(long capacity, long slotBytes) {
        return T_SLOTS + capacity * slotBytes;
    }
}
