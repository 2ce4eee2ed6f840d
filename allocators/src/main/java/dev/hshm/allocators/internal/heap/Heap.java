package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.PageDescriptor.AUX;
import static dev.hshm.allocators.internal.heap.PageDescriptor.COUNTS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.FREE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INFO;
import static dev.hshm.allocators.internal.heap.PageDescriptor.INTERIOR;
import static dev.hshm.allocators.internal.heap.PageDescriptor.LARGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_PAGE;
import static dev.hshm.allocators.internal.heap.PageDescriptor.SMALL;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE;
import static dev.hshm.allocators.internal.heap.SizeClasses.PAGE_SHIFT;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared core of the {@code scalable_page} and {@code thread_local} allocators, and the only door to it: a
 * page heap ({@link PageHeap}) and a span table split into shards ({@link Shard}), all inside the allocator's
 * region ({@link HeapHeader}). Allocators ask for whole operations; each takes the locks it needs and releases
 * them before it returns. No caller ever holds a heap lock.
 *
 * <h2>Notation</h2>
 * A <em>page</em> is 4 KiB of the heap; a <em>run</em> is a sequence of pages with one head descriptor
 * ({@link PageDescriptor}); a <em>span</em> is a run that holds the blocks of one size class ({@link SizeClasses})
 * for one shard; a <em>large block</em> is a run handed out whole (over 64 KiB, or aligned beyond what a class
 * offers). The <em>frontier</em> W is the first page never handed out.
 *
 * <h2>The operations</h2>
 * <ul>
 *   <li>{@link #allocateSmall}/{@link #free}: one block under its shard's lock ({@code scalable_page}). A thread
 *       allocates from its <em>home shard</em> (a hash of its id; moved to the next shard whenever it had to wait
 *       for the lock, so threads that collide spread out); a free goes to the shard of the block's span.</li>
 *   <li>{@link #takeBatch}/{@link #giveBatch}: a batch of one class between a shard and a thread cache's list
 *       ({@code thread_local}), one lock hold per batch.</li>
 *   <li>{@link CacheLists}: a thread cache's own list, no lock ({@code thread_local}'s fast
 *       path); {@link #locateForFree} vets a block before it is cached.</li>
 *   <li>{@link #allocateLarge}/{@link #freeLarge}/{@link #resizeLarge}: page runs under the page heap's lock.</li>
 *   <li>{@link #recoverLocks}: takes every lock once, which recovers (and repairs behind) any dead owner.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * One {@link RobustLock} per shard and one for the page heap. Order: a thread holds at most one shard's lock, and
 * may take the page heap's lock inside it, never the other way round; {@link #check} takes every shard's lock in
 * index order, then the page heap's. A dead owner of any lock is detected by the next waiter, which takes the
 * lock over and repairs what it guards ({@link HeapWalk}).
 *
 * <h2>Crash consistency</h2>
 * The page descriptors are the ground truth; run lists, class lists, span free counts and counters are derived.
 * Every multi-word update commits with one store after what it exposes (see {@link PageHeap}, {@link Shard}); the
 * worst a death can cost is the blocks it was moving at that moment, which stay allocated (a leak, never an
 * overlap). Which words a death can leave behind, per operation, is written next to each operation.
 */
public final class Heap {

    /** "No offset" ({@link FreeBlock#NO_OFFSET}, the api's {@code OffsetPointer.NULL_OFFSET}): an empty list. */
    public static final long NO_OFFSET = FreeBlock.NO_OFFSET;
    /** {@link #locate} result for a large block: the class field. */
    public static final int LARGE_CLASS = 0xFF;

    final Words w;
    final HeapHeader.Geometry geo;
    final AllocatorId id;
    final long salt;
    final Descriptors d;
    final PageHeap pages;
    final Shard[] shards;
    private final long heapOff;
    private final long heapEnd;
    /** The fast path's copies: the segment, the descriptor table, and a frontier seen (it never moves down). */
    private final MemorySegment seg;
    private final long descTable;
    private long frontierSeen;
    final SpanTable spans;
    /** The thread caches' lists ({@code thread_local}'s fast paths). */
    public final CacheLists caches;

    private Heap(Words w, HeapHeader.Geometry geo, AllocatorId id, long salt, ThreadModel threads) {
        this.w = w;
        this.geo = geo;
        this.id = id;
        this.salt = salt;
        this.d = new Descriptors(w, id, geo);
        this.pages = new PageHeap(d, geo.pageHeap(), threads, () -> HeapWalk.repairPages(this));
        this.shards = new Shard[geo.shardCount()];
        for (int s = 0; s < shards.length; s++) {
            Shard[] all = shards;
            int index = s;
            shards[s] = new Shard(s, geo.shard(s), d, pages, salt, threads, () -> HeapWalk.repairShard(this, all[index]));
        }
        this.caches = new CacheLists(w, geo, id, salt);
        this.spans = new SpanTable(this);
        this.heapOff = geo.heapOffset();
        this.heapEnd = geo.heapEnd();
        this.seg = w.seg;
        this.descTable = geo.descTable();
    }

    /**
     * Formats a new heap in the region of {@code geo}; {@link #publish} makes it visible.
     *
     * @param seg the backend's data
     * @param geo the region's plan
     * @param id the allocator's id
     * @param typeCode {@link HeapHeader#TYPE_SCALABLE_PAGE} or {@link HeapHeader#TYPE_THREAD_LOCAL}
     * @param threads the thread model (lock back-off)
     * @return the heap
     */
    public static Heap format(MemorySegment seg, HeapHeader.Geometry geo, AllocatorId id, int typeCode,
                              ThreadModel threads) {
        Words w = new Words(seg);
        long r = geo.regionOffset();
        // The region comes fresh from the backend's directory, so whatever it holds (old bytes of reused malloc
        // memory included) is garbage: READY is cleared first so no reader can take it for a heap meanwhile.
        w.putRelease(r + HeapHeader.READY, 0L);
        // Everything before the descriptors starts zeroed; descriptors are written as the frontier reaches their
        // pages, so a large heap costs no page faults up front.
        w.zero(r, geo.descTable() - r);
        long salt = new SecureRandom().nextLong() | 1L;
        w.put(r + HeapHeader.MAGIC, HeapHeader.MAGIC_VALUE);
        w.putInt(r + HeapHeader.VERSION, HeapHeader.LAYOUT_VERSION);
        w.putInt(r + HeapHeader.TYPE_CODE, typeCode);
        w.put(r + HeapHeader.ALLOCATOR_ID, id.toLong());
        geo.write(w);
        w.put(r + HeapHeader.TAG_SALT, salt);
        PageHeap.format(w, geo.pageHeap());
        for (int s = 0; s < geo.shardCount(); s++) {
            Shard.format(w, geo.shard(s));
        }
        return new Heap(w, geo, id, salt, threads);
    }

    /** Publishes a formatted heap: the release store of READY, last. */
    public void publish() {
        w.putRelease(geo.regionOffset() + HeapHeader.READY, HeapHeader.READY_VALUE);
    }

    /**
     * Attaches to a published heap, checking its header against the region.
     *
     * @throws CorruptSegmentException if the region does not hold a heap of this type and id
     */
    public static Heap attach(MemorySegment seg, long regionOffset, long regionSize, AllocatorId id, int typeCode,
                              String typeName, ThreadModel threads) {
        if (regionOffset < 0 || regionSize <= 0 || regionOffset > seg.byteSize() - regionSize) {
            throw new CorruptSegmentException("allocator region outside the backend: regionOffset=" + regionOffset
                    + ", regionSize=" + regionSize + ", dataSize=" + seg.byteSize());
        }
        Words w = new Words(seg);
        HeapHeader.Geometry geo = HeapHeader.Geometry.read(w, regionOffset, regionSize, id, typeCode, typeName);
        Heap h = new Heap(w, geo, id, w.get(regionOffset + HeapHeader.TAG_SALT), threads);
        long f = h.pages.frontier();
        if (f < 0 || f > geo.pageCount()) {
            throw new CorruptSegmentException("heap frontier out of range: allocator " + id + ", frontier=" + f
                    + ", pages=" + geo.pageCount());
        }
        return h;
    }

    /** Plans a region (see {@link HeapHeader.Geometry#plan}). */
    public static HeapHeader.Geometry plan(long regionOffset, long regionSize, long customSize, int shards, int slots) {
        return HeapHeader.Geometry.plan(regionOffset, regionSize, customSize, shards, slots);
    }

    public AllocatorId id() {
        return id;
    }

    public HeapHeader.Geometry geometry() {
        return geo;
    }

    public int shardCount() {
        return shards.length;
    }

    /** Bytes of the pages (the capacity). */
    public long capacity() {
        return geo.pageCount() << PAGE_SHIFT;
    }

    // ------------------------------------------------------------------ locating a block (no lock)

    /**
     * Finds what the block at {@code off} is: its span (or large run) head and class, packed as
     * {@code head << 8 | class} (class {@link #LARGE_CLASS} for a large block). Needs no lock for a live block: a
     * span or run cannot change while one of its blocks is live. For an offset that is not a live block the answer
     * is an exception, not a guess.
     *
     * @throws InvalidPointerException naming why {@code off} is not the start of a block here
     */
    public long locate(long off) {
        long rel = off - heapOff;
        if (rel < 0 || off >= heapEnd) {
            throw new InvalidPointerException("offset outside allocator " + id + "'s heap: offset=" + off
                    + ", heap=[" + heapOff + "," + heapEnd + ")");
        }
        long page = rel >>> PAGE_SHIFT;
        if (!pages.belowFrontier(page)) {
            throw new InvalidPointerException("offset was never allocated (beyond the heap frontier): allocator "
                    + id + ", offset=" + off);
        }
        long info = d.get(page, INFO);
        int kind = PageDescriptor.kind(info);
        long head = page;
        if (kind == INTERIOR) {
            head = d.get(page, AUX);
            if (head < 0 || head > page || head < page - (SizeClasses.MAX_SPAN_PAGES - 1)) {
                throw notABlock(off, "inside a run");
            }
            info = d.get(head, INFO);
            kind = PageDescriptor.kind(info);
            if (kind == FREE) {
                throw freedAlready(off);
            }
            if (kind != SMALL) {
                throw notABlock(off, "inside a " + PageDescriptor.kindName(kind) + " run");
            }
        }
        if (kind == SMALL) {
            int c = PageDescriptor.sizeClass(info);
            if (c >= SizeClasses.COUNT || page >= head + PageDescriptor.pages(info)) {
                throw notABlock(off, "in a stale span");
            }
            long inSpan = off - d.pageOffset(head);
            int idx = SizeClasses.blockIndex(c, inSpan);
            if (idx == SizeClasses.NO_BLOCK) {
                throw notABlock(off, "not the start of a " + SizeClasses.size(c) + "-byte block (it is "
                        + (inSpan % SizeClasses.size(c)) + " bytes into one)");
            }
            if (idx >= PageDescriptor.high(d.get(head, COUNTS))) {
                throw notABlock(off, "a block that was never allocated");
            }
            return (head << 8) | c;
        }
        if (kind == LARGE) {
            if ((rel & (PAGE - 1)) != 0) {
                throw notABlock(off, (rel & (PAGE - 1)) + " bytes into a large block");
            }
            return (head << 8) | LARGE_CLASS;
        }
        if (kind == FREE && (rel & (PAGE - 1)) == 0) {
            throw new DoubleFreeException("large block already free: allocator " + id + ", offset=" + off);
        }
        if (kind == FREE || kind == PageDescriptor.FREE_TAIL) {
            throw freedAlready(off);
        }
        throw notABlock(off, "in a " + PageDescriptor.kindName(kind) + " page");
    }

    /**
     * A small block whose span has gone back to the page heap since: every block of a released span was freed, so
     * this is a second free (of a block handed out by this heap; an offset that never was a block is
     * indistinguishable here, and reported the same way).
     */
    private DoubleFreeException freedAlready(long off) {
        return new DoubleFreeException("double free: allocator " + id + ", offset=" + off + " is in a free run (its"
                + " span was given back to the page heap after all its blocks were freed)");
    }

    private InvalidPointerException notABlock(long off, String why) {
        return new InvalidPointerException("not a live block of allocator " + id + ": offset=" + off + " is " + why);
    }

    public static long headOf(long located) {
        return located >>> 8;
    }

    public static int classOf(long located) {
        return (int) (located & 0xFF);
    }

    /** Usable bytes of a located block. */
    public long usable(long located) {
        int c = classOf(located);
        return c == LARGE_CLASS ? pages.largePages(headOf(located)) << PAGE_SHIFT : SizeClasses.size(c);
    }

    /**
     * {@link #locate} for a free: a small block that carries its free tag is a double free. The common case (a
     * live block in the first page of its span) is checked inline with the same checks as {@link #locate}: in the
     * heap and below the frontier, a SMALL head of a valid class, the start of a carved block, no free tag.
     * Anything else takes the full path, which names what is wrong.
     *
     * @throws DoubleFreeException if the block is free already
     */
    public long locateForFree(long off) {
        long page = (off - heapOff) >>> PAGE_SHIFT; // an offset below the heap becomes huge: not below the frontier
        if (page < frontierSeen) {
            long at = descTable + (page << PageDescriptor.SHIFT);
            long info = Words.get(seg, at + INFO);
            int c = PageDescriptor.sizeClass(info);
            if (PageDescriptor.kind(info) == SMALL && c < SizeClasses.COUNT) {
                int idx = SizeClasses.blockIndex(c, (off - heapOff) & (PAGE - 1));
                if (idx != SizeClasses.NO_BLOCK && idx < PageDescriptor.high(Words.get(seg, at + COUNTS))
                        && Words.get(seg, off + FreeBlock.TAG) != (salt ^ off)) {
                    return (page << 8) | c;
                }
            }
        }
        return locateForFreeChecked(off);
    }

    private long locateForFreeChecked(long off) {
        long loc = locate(off);
        int c = classOf(loc);
        if (c != LARGE_CLASS && FreeBlock.isFree(w, salt, off)) {
            throw new DoubleFreeException("double free: allocator " + id + ", offset=" + off + ", size="
                    + SizeClasses.size(c) + " is already free");
        }
        frontierSeen = Math.max(frontierSeen, pages.frontier());
        return loc;
    }

    /**
     * {@link #locate} for a block that must be live (reallocate, usable size).
     *
     * @throws InvalidPointerException if it is free
     */
    public long locateLive(long off) {
        long loc = locate(off);
        if (classOf(loc) != LARGE_CLASS && FreeBlock.isFree(w, salt, off)) {
            throw new InvalidPointerException("not a live block (it is free): allocator " + id + ", offset=" + off);
        }
        return loc;
    }

    // ------------------------------------------------------------------ whole operations (take their locks)

    /**
     * Allocates one small block from the calling thread's home shard, tag cleared ({@link SpanTable#allocate}).
     *
     * @throws OutOfMemoryException if the heap has no room (after giving back every shard's empty spans)
     */
    public long allocateSmall(int c, long size, long align) {
        long blk = spans.allocate(c);
        if (blk == NO_OFFSET) {
            throw outOfMemory(size, align);
        }
        return blk;
    }

    /**
     * Frees a block: a large one to the page heap; a small one to its span under its shard's lock
     * ({@link SpanTable#free}: the span is checked again under the lock, so a racing double free is caught too).
     */
    public void free(long off) {
        long loc = locate(off);
        if (classOf(loc) == LARGE_CLASS) {
            pages.freeLarge(headOf(loc));
        } else {
            spans.free(off, loc);
        }
    }

    /**
     * Takes up to {@code want} blocks of class {@code c} from shard {@code s} into the thread cache list at
     * {@code listAt}, under one hold of the shard's lock ({@link SpanTable#takeBatch}).
     *
     * @return the blocks added (0 if the heap has no room, after giving back every shard's empty spans)
     */
    public int takeBatch(int s, int c, long listAt, int want) {
        return spans.takeBatch(s, c, listAt, want);
    }

    /**
     * Gives up to {@code n} blocks of class {@code c} from the front of the thread cache list at {@code listAt}
     * back to their spans ({@link SpanTable#giveBatch}).
     *
     * @return the blocks taken off the list
     */
    public int giveBatch(int c, long listAt, long n) {
        return spans.giveBatch(c, listAt, n);
    }

    /**
     * Allocates a large block (a page run at a multiple of {@code align}).
     *
     * @throws OutOfMemoryException if the heap has no room (after giving back every shard's empty spans)
     */
    public long allocateLarge(long size, long align) {
        long n = Math.max(1, (size + PAGE - 1) >>> PAGE_SHIFT);
        if (n > geo.pageCount()) {
            throw outOfMemory(size, align);
        }
        long a = Math.max(align, PAGE);
        long h = pages.allocateLarge(n, a, size);
        if (h == NO_PAGE && spans.trimAll() > 0) {
            h = pages.allocateLarge(n, a, size);
        }
        if (h == NO_PAGE) {
            throw outOfMemory(size, align);
        }
        return d.pageOffset(h);
    }

    /** Frees a located large block. */
    public void freeLarge(long head) {
        pages.freeLarge(head);
    }

    /** Resizes a located large block in place if it can (see {@link PageHeap#resizeLarge}). */
    public boolean resizeLarge(long head, long newSize) {
        return pages.resizeLarge(head, newSize);
    }

    /**
     * Takes and releases every lock once: a lock whose owner died is taken over and what it guards repaired.
     *
     * @return how many dead owners were recovered
     */
    public int recoverLocks() {
        long before = lockRecoveries();
        for (Shard s : shards) {
            s.lock.lock();
            s.lock.unlock();
        }
        pages.lock.lock();
        pages.lock.unlock();
        return (int) (lockRecoveries() - before);
    }

    /** Takeovers of dead owners' locks so far, all locks together. */
    public long lockRecoveries() {
        long n = pages.lock.recoveries();
        for (Shard s : shards) {
            n += s.lock.recoveries();
        }
        return n;
    }

    /** Takes every lock, in the lock order (shards by index, then the page heap). */
    void lockAll() {
        for (Shard s : shards) {
            s.lock.lock();
        }
        pages.lock.lock();
    }

    void unlockAll() {
        pages.lock.unlock();
        for (int i = shards.length - 1; i >= 0; i--) {
            shards[i].lock.unlock();
        }
    }

    /** Walks the heap with every lock held and throws at the first inconsistency. */
    public void check() {
        lockAll();
        try {
            HeapWalk.check(this);
        } finally {
            unlockAll();
        }
    }

    // ------------------------------------------------------------------ statistics ({@link HeapStats})

    /** The exception for a request the heap cannot satisfy, with the figures that explain it. */
    public OutOfMemoryException outOfMemory(long size, long align) {
        return HeapStats.outOfMemory(this, size, align);
    }

    /** Bytes handed out (live blocks plus blocks in thread caches), read without locks: a recent value. */
    public long approximateBytesInUse() {
        return HeapStats.approximateBytesInUse(this);
    }

    /**
     * Statistics, each shard read under its lock; {@code cached[c]} are blocks of class c held by thread caches.
     */
    public AllocatorStats stats(String type, long[] cached, int slotsInUse) {
        return HeapStats.stats(this, type, cached, slotsInUse);
    }
}
