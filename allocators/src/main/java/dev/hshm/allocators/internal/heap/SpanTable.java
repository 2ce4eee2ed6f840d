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
     * {@code listAt} (a {@link SlotTable} record's head word), under one hold of the shard's lock.
     *
     * <p>Crash notes, per block b: (1) the record's TRANSIT = b (the intent); (2) b leaves its span (the AUX or
     * COUNTS store of {@link Shard#popBlock}: the commit there), then the span's derived words; (3) b's NEXT and
     * TAG, (4) the list head = b (b is on the cache list). After the last block, TRANSIT = 0, before the unlock.
     * A death before (2) leaves b on its span; between (2) and (4), b on no list; after (4), b on the cache list.
     * The next owner of the shard's lock finds the dead owner, and its repair resolves TRANSIT
     * ({@link HeapWalk#repairShard}): b found on the cache list or on its span stays there, b on neither goes back
     * to its span. So a death costs no block; the dead process's slot gives the cached ones back when it is
     * reclaimed.
     *
     * @return the blocks added (0 if the heap has no room, after every shard gave back its empty spans)
     */
    int takeBatch(int s, int c, long listAt, int want) {
        Shard shard = shards[s];
        long transitAt = SlotTable.recordOfHead(listAt, c) + SlotTable.TRANSIT;
        for (int round = 0; round < ALLOCATE_ROUNDS; round++) {
            int n = 0;
            shard.lock.lock();
            try {
                while (n < want) {
                    long b = shard.popBlock(c, transitAt);
                    if (b == NO_OFFSET) {
                        break;
                    }
                    heap.caches.push(listAt, w.get(listAt), b);
                    n++;
                }
            } finally {
                clearTransit(transitAt);
                shard.lock.unlock();
            }
            if (n > 0 || trimAll() == 0) {
                return n;
            }
        }
        return 0;
    }

    /** Clears an intent record before its lock is released (a stale one could name a block handed out later). */
    private void clearTransit(long transitAt) {
        if (w.get(transitAt) != SlotTable.NO_TRANSIT) {
            w.put(transitAt, SlotTable.NO_TRANSIT);
        }
    }

    /**
     * Gives up to {@code n} blocks of class {@code c} from the front of the thread cache list at {@code listAt}
     * back to their spans, each under its span's shard lock (taken once for a run of blocks of one shard). An
     * entry that fails its checks cuts the list there: what follows is leaked, nothing is handed out twice.
     *
     * <p>Crash notes, per block b (the shard lock of b's span held): (1) the record's TRANSIT = b; (2) the list
     * head moves past b (b is off the cache list); (3) b's NEXT and TAG, then its span's AUX = b (the commit of
     * {@link Shard#pushBlock}), then the span's derived words. TRANSIT = 0 before each unlock. A death is resolved
     * like one in {@link #takeBatch}: b stays where the repair finds it, or goes to its span if it is on neither.
     *
     * @return the blocks taken off the list (a cut list counts what was moved before the cut)
     */
    int giveBatch(int c, long listAt, long n) {
        int moved = 0;
        Shard held = null;
        long heapOff = heap.geo.heapOffset();
        long heapEnd = heap.geo.heapEnd();
        long transitAt = SlotTable.recordOfHead(listAt, c) + SlotTable.TRANSIT;
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
                            heap.caches.corruptCache(listAt, c, head).getMessage() + "; list cut");
                    w.put(listAt, NO_OFFSET);
                    break;
                }
                long span = Heap.headOf(loc);
                Shard shard = shards[checkShard(PageDescriptor.shard(d.get(span, INFO)), span)];
                if (shard != held) {
                    if (held != null) {
                        clearTransit(transitAt);
                        held.lock.unlock();
                        held = null;
                    }
                    shard.lock.lock();
                    held = shard;
                }
                long next = w.get(head + FreeBlock.NEXT);
                w.put(transitAt, head); // intent: head is moving to its span
                w.put(listAt, next); // off the cache list
                shard.pushBlock(head, span, c, transitAt);
                head = next;
                moved++;
            }
        } finally {
            if (held != null) {
                clearTransit(transitAt);
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
