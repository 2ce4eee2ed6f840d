package dev.hshm.allocators.internal.heap;

/**
 * Layout of one shard of the span table: a lock and a class table. The span table is split into SHARD_COUNT
 * shards so that threads allocating the same size class in parallel do not queue on one lock; every span belongs
 * to one shard (its descriptor's INFO names it) and every block goes back to its span's shard.
 *
 * <pre>
 *    0  LOCK   {@value RobustLock#BYTES} B  {@link RobustLock} of this shard (its own cache line)
 *   64  CLASSES  {@link SizeClasses#COUNT} x {@value #CLASS_BYTES} B class entries, for class c at 64 + c * 32:
 *        +0  SPAN_HEAD  u64  first span (page index) of the class in this shard that has a free or a never-carved
 *                            block, or NO_PAGE ({@link PageList} through the spans' LINKS)
 *        +8  LIVE       u64  blocks this shard has handed out and not taken back (in use, or in a thread cache)
 *       +16  SPANS      u64  spans of the class in this shard
 *       +24  FREE       u64  free blocks on those spans' free lists
 * </pre>
 *
 * <p><b>Memory ordering.</b> Every field is plain and written under the shard's lock. {@code LIVE} is read
 * opaque without the lock by the approximate statistics (a recent value).
 */
final class ShardLayout {

    static final long LOCK = 0;
    static final long CLASSES = LOCK + RobustLock.BYTES;
    static final long SPAN_HEAD = 0;
    static final long LIVE = SPAN_HEAD + 8;
    static final long SPANS = LIVE + 8;
    static final long FREE = SPANS + 8;
    static final int CLASS_BYTES = (int) (FREE + 8);
    static final int BYTES = (int) (CLASSES + (long) SizeClasses.COUNT * CLASS_BYTES);
    /** The most shards a region can have: the walk that repairs a shard visits every run, so keep them few. */
    static final int MAX_SHARDS = 64;

    static {
        if (BYTES % 64 != 0 || MAX_SHARDS > PageDescriptor.MAX_SHARDS) {
            throw new AssertionError("ShardLayout drifted: BYTES=" + BYTES);
        }
    }

    private ShardLayout() {
    }

    /** The class entry of class {@code c} in the shard at {@code shard}. */
    static long entry(long shard, int c) {
        return shard + CLASSES + (long) c * CLASS_BYTES;
    }
}
