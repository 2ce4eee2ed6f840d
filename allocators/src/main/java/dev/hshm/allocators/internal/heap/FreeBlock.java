package dev.hshm.allocators.internal.heap;

/**
 * Layout of a free small block: its first {@value #BYTES} bytes while it sits on a free list (a span's, or a
 * thread cache's). Small blocks have no header while live; these words are the user's bytes then.
 *
 * <pre>
 *  +0  NEXT  u64  offset of the next free block on the same list, or {@link #NO_OFFSET}
 *  +8  TAG   u64  SALT ^ offset while the block is free; 0 from the moment it is handed out
 * </pre>
 *
 * <p>SALT is the heap's random {@link HeapHeader#TAG_SALT}. The tag is how a second free of the same block is
 * caught ({@code DoubleFreeException}: the block carries its tag already) and how a block overwritten after it
 * was freed is caught when it is handed out again ({@code CorruptSegmentException}: a block on a free list
 * without its tag). A live block's second word holds user data; it equals the tag by accident with probability
 * 2^-64.
 *
 * <p><b>Memory ordering.</b> Plain, both words, written by the thread that owns the list the block is on (the
 * holder of the span's shard lock, or the thread that owns the cache slot). A block changes lists only under a
 * shard lock or inside its owner thread, so no reader races with the writer; lists in other processes' caches
 * are only read by statistics (opaque, bounded, stopping at the first bad entry) and by the reclaimer of a dead
 * process's slot.
 *
 * <p>All tag logic lives here and in {@link Heap}'s block methods, and nowhere else: one owner.
 */
final class FreeBlock {

    static final long NEXT = 0;
    static final long TAG = NEXT + 8;
    static final int BYTES = (int) (TAG + 8);
    /** "No offset": the end of a free list, and an empty list's head. */
    static final long NO_OFFSET = -1L;
    /** What TAG holds from the moment a block is handed out. */
    static final long LIVE_TAG = 0L;

    private FreeBlock() {
    }

    /** The tag of a free block at {@code off}. */
    static long tag(long salt, long off) {
        return salt ^ off;
    }

    /** Tells whether the block at {@code off} carries its free tag. */
    static boolean isFree(Words w, long salt, long off) {
        return w.get(off + TAG) == (salt ^ off);
    }

    /** Writes a free block: its next link, then its tag. The caller publishes it by writing the list head. */
    static void write(Words w, long salt, long off, long next) {
        w.put(off + NEXT, next);
        w.put(off + TAG, salt ^ off);
    }

    /** Clears the tag of a block that is being handed out. */
    static void clearTag(Words w, long off) {
        w.put(off + TAG, LIVE_TAG);
    }
}
