package dev.hshm.allocators.internal.heap;

/**
 * Layout of the thread-cache slot table ({@code thread_local} only): SLOT_COUNT leases, then SLOT_COUNT records.
 * A slot is one thread's cache of free blocks, kept in shared memory so that the blocks of a process that dies
 * can be found and given back.
 *
 * <pre>
 * leases (SLOT_COUNT x {@value #LEASE_BYTES} B, the table padded to a cache line)
 *   +0  OWNER  u64  {@link OwnerWords}: FREE, a thread, a virtual-thread stripe, or a reclaimer marker
 *                   CAS FREE-&gt;owner to take (volatile); CAS owner-&gt;FREE to give back, after the record is flushed
 *   +8  START  i64  the owner process's start time (epoch ms)   plain store right after the CAS
 *
 * records (SLOT_COUNT x {@value #RECORD_BYTES} B, each on its own cache lines)
 *   +0   OWNER_TID  u64  the owner word again (diagnostics only)          plain, by the owner
 *   +8   INIT       u64  SALT ^ ~slot once the heads below were set       plain, by the owner, after the heads
 *   +16  TRANSIT    u64  the intent record of a batch move: the block that is moving between this slot's list
 *                        and a span of the shard whose lock the writer holds, or 0 (none). Written before the
 *                        block leaves one structure, cleared before that lock is released; resolved by the
 *                        repair of the next owner of the lock if the writer dies ({@code HeapWalk}).
 *   +24  (reserved, 0) to +64
 *   +64 + 8c  HEAD  u64  first cached free block ({@link FreeBlock}) of class c, or NO_OFFSET
 *                        plain, read and written by the owner thread only; read opaque by statistics
 * </pre>
 *
 * <p>A list's length is kept by the owner in process memory (it bounds a list at two batches and one); the
 * statistics and the reclaimer of a dead process's slot walk the lists instead, bounded by that same limit
 * ({@link #maxListLength}).
 */
public final class SlotTable {

    public static final long OWNER = 0;
    public static final long START = OWNER + 8;
    static final int LEASE_BYTES = (int) (START + 8);

    static final long OWNER_TID = 0;
    static final long INIT = OWNER_TID + 8;
    static final long TRANSIT = INIT + 8;
    /** TRANSIT when no block is moving (0 is never a block: the heap header is at the region's start). */
    static final long NO_TRANSIT = 0;
    static final long RESERVED = TRANSIT + 8;
    static final long HEADS = 64;
    static final int HEAD_BYTES = 8;
    static final int RECORD_BYTES = (int) HeapHeader.align(HEADS + (long) SizeClasses.COUNT * HEAD_BYTES, 64);

    static {
        if (RESERVED > HEADS || RECORD_BYTES % 64 != 0) {
            throw new AssertionError("SlotTable drifted: RECORD_BYTES=" + RECORD_BYTES);
        }
    }

    private SlotTable() {
    }

    /** The lease of slot {@code slot}. */
    public static long lease(HeapHeader.Geometry geo, int slot) {
        return geo.slotTable() + (long) slot * LEASE_BYTES;
    }

    /** The first record (records follow the leases). */
    static long records(HeapHeader.Geometry geo) {
        return geo.slotTable() + HeapHeader.align((long) geo.slotCount() * LEASE_BYTES, 64);
    }

    /** The record of slot {@code slot}. */
    public static long record(HeapHeader.Geometry geo, int slot) {
        return records(geo) + (long) slot * RECORD_BYTES;
    }

    /** The record whose class-{@code c} list head word is at {@code headAt}. */
    static long recordOfHead(long headAt, int c) {
        return headAt - HEADS - (long) c * HEAD_BYTES;
    }

    /** The head word of class {@code c}'s list in the record at {@code record}. */
    public static long head(long record, int c) {
        return record + HEADS + (long) c * HEAD_BYTES;
    }

    /** Bytes the table takes for {@code slots} slots. */
    static long bytes(int slots) {
        return HeapHeader.align((long) slots * LEASE_BYTES, 64) + (long) slots * RECORD_BYTES;
    }

    /** The longest a slot's list of class {@code c} can legitimately be: two batches and the block that overflowed. */
    public static int maxListLength(int c) {
        return 2 * SizeClasses.batch(c) + 1;
    }
}
