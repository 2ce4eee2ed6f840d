package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.FreeBlock.NO_OFFSET;
import static dev.hshm.allocators.internal.heap.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INFO;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;

/**
 * The span table: SHARD_COUNT {@link Shard}s and the routing of blocks to them. Every operation here takes the
 * lock of the one shard it works on and releases it before it returns ({@link Heap} calls in; nobody else does).
 *
 * <p><b>Which shard.</b> A thread allocates from its <em>home shard</em>: a hash of its owner word at first,
 * moved to the next shard whenever the thread had to wait for the home shard's lock, so threads (and
 * processes) that collide spread out and then stay apart. A block always goes back to the shard of its span
 * (named in the span's descriptor), whoever frees it. A thread cache works with one shard (its slot's), except
 * that a batch it gives back goes to each block's own shard.
 */
final class SpanTable {

    /** Thread ids hash into this many home-shard entries (a direct-mapped table; a collision only shares a hint). */
    private static final int HOMES = 4096;
    /** Allocation rounds: the home shard, then again after every shard gave back its empty spans. */
    private static final int ALLOCATE_ROUNDS = 2;

    private final Heap heap;
    private final Words w;
    private final Descriptors d;
    private final Shard[] shards;
    /** Home shard + 1 per thread-id hash; 0 = not chosen yet. Plain: a racing write only picks another shard. */
    private final byte[] homes = new byte[HOMES];

    SpanTable(Heap heap) {
        this.heap = heap;
        this.w = heap.w;
        this.d = heap.d;
        this.shards = heap.shards;
    }

    private int home() {
        if (shards.length == 1) {
            return 0;
        }
        int t = (int) (Thread.currentThread().threadId() & (HOMES - 1));
        int h = homes[t] - 1;
        if (h < 0) {
            h = Math.floorMod(Long.hashCode(OwnerWords.currentThread() * 0x9E3779B97F4A7C15L), shards.length);
            homes[t] = (byte) (h + 1);
        }
        return h;
    }

    private void moveHome(int from) {
        if (shards.length > 1) {
            homes[(int) (Thread.currentThread().threadId() & (HOMES - 1))] = (byte) ((from + 1) % shards.length + 1);
        }
    }

    /**
     * One small block from the calling thread's home shard, tag cleared.
     *
     * @return the block, or NO_OFFSET if the heap has no room even after every shard gave back its empty spans
     */
    long allocate(int c) {
        for (int round = 0; round < ALLOCATE_ROUNDS; round++) {
            int s = home();
            Shard shard = shards[s];
            long blk;
            if (!shard.lock.lock()) {
                moveHome(s);
            }
            try {
                blk = shard.popBlock(c);
            } finally {
                shard.lock.unlock();
            }
            if (blk != NO_OFFSET) {
                FreeBlock.clearTag(w, blk);
                return blk;
            }
            if (trimAll() == 0) {
                break;
            }
        }
        return NO_OFFSET;
    }

    /**
     * Frees a small block {@link Heap#locate} located (without a lock) to its span, under its shard's lock, after
     * checking again what can change meanwhile: that the span is the one located (its INFO word), that the block
     * was carved, and that it is not free (so a racing double free is caught too).
     */
    void free(long off, long loc) {
        int c = Heap.classOf(loc);
        long head = Heap.headOf(loc);
        long info = d.get(head, INFO);
        Shard shard = shards[checkShard(PageDescriptor.shard(info), head)];
        shard.lock.lock();
        try {
            if (d.get(head, INFO) != info
                    || SizeClasses.blockIndex(c, off - d.pageOffset(head)) >= PageDescriptor.high(d.get(head, COUNTS))) {
                throw new InvalidPointerException("not a live block of allocator " + d.id + ": offset=" + off
                        + " (its span changed while it was being freed)");
            }
            if (FreeBlock.isFree(w, heap.salt, off)) {
                throw new DoubleFreeException("double free: allocator " + d.id + ", offset=" + off + ", size="
                        + SizeClasses.size(c) + " is already free");
            }
            shard.pushBlock(off, head, c);
        } finally {
            shard.lock.unlock();
        }
    }

    private int checkShard(int s, long head) {
        if (s >= shards.length) {
            throw new CorruptSegmentException("span names a shard that does not exist: allocator " + d.id + ", "
                    + PageDescriptor.describe(head, d.get(head, INFO)) + ", shards=" + shards.length);
        }
        return s;
    }

    /**
     * Takes up to {@code want} blocks of class {@code c} from shard {@code s} into the thread cache list at
     * {@code listAt}, under one hold of the shard's lock.
     *
     * <p>Crash notes: each block leaves its span first (see {@link Shard#popBlock}), then joins the cache list
     * (its words, then the list head). A death in between leaves the block counted live and on no list: leaked
     * to the dead process, never handed out twice.
     *
     * @return the blocks added (0 if the heap has no room, after every shard gave back its empty spans)
     */
    int takeBatch(int s, int c, long listAt, int want) {
        Shard shard = shards[s];
        for (int round = 0; round < ALLOCATE_ROUNDS; round++) {
            int n = 0;
            shard.lock.lock();
            try {
                while (n < want) {
                    long b = shard.popBlock(c);
                    if (b == NO_OFFSET) {
                        break;
                    }
                    heap.pushCached(listAt, w.get(listAt), b);
                    n++;
                }
            } finally {
                shard.lock.unlock();
            }
            if (n > 0 || trimAll() == 0) {
                return n;
            }
        }
        return 0;
    }

    /**
     * Gives up to {@code n} blocks of class {@code c} from the front of the thread cache list at {@code listAt}
     * back to their spans, each under its span's shard lock (taken once for a run of blocks of one shard). An
     * entry that fails its checks cuts the list there: what follows is leaked, nothing is handed out twice.
     *
     * <p>Crash notes: each block is unlinked from the cache list (the list head moves past it) before it is
     * pushed on its span's list; a death in between leaks that one block.
     *
     * @return the blocks taken off the list (a cut list counts what was moved before the cut)
     */
    int giveBatch(int c, long listAt, long n) {
        int moved = 0;
        Shard held = null;
        long heapOff = heap.geo.heapOffset();
        long heapEnd = heap.geo.heapEnd();
        try {
            long head = w.get(listAt);
            while (moved < n && head != NO_OFFSET) {
                long loc = 0;
                boolean ok = head >= heapOff && head <= heapEnd - FreeBlock.BYTES && FreeBlock.isFree(w, heap.salt, head)
                        && moved <= SlotTable.maxListLength(c);
                try {
                    loc = ok ? heap.locate(head) : 0;
                    ok = ok && Heap.classOf(loc) == c;
                } catch (InvalidPointerException notABlock) {
                    ok = false;
                }
                if (!ok) {
                    System.getLogger(SpanTable.class.getName()).log(System.Logger.Level.WARNING,
                            heap.corruptCache(listAt, c, head).getMessage() + "; list cut");
                    w.put(listAt, NO_OFFSET);
                    break;
                }
                long span = Heap.headOf(loc);
                Shard shard = shards[checkShard(PageDescriptor.shard(d.get(span, INFO)), span)];
                if (shard != held) {
                    if (held != null) {
                        held.lock.unlock();
                        held = null;
                    }
                    shard.lock.lock();
                    held = shard;
                }
                long next = w.get(head + FreeBlock.NEXT);
                w.put(listAt, next); // off the cache list first: a death before the push leaks one block
                shard.pushBlock(head, span, c);
                head = next;
                moved++;
            }
        } finally {
            if (held != null) {
                held.lock.unlock();
            }
        }
        return moved;
    }

    /** Gives every shard's kept empty spans back to the page heap, one shard lock at a time; the pages given back. */
    long trimAll() {
        long released = 0;
        for (Shard s : shards) {
            s.lock.lock();
            try {
                released += s.trimEmptySpans();
            } finally {
                s.lock.unlock();
            }
        }
        return released;
    }
}
