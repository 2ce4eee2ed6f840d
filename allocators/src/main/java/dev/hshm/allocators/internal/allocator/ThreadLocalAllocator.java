package dev.hshm.allocators.internal.allocator;

import static dev.hshm.allocators.internal.allocator.HeapLayout.LEASE_BYTES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.LONG;
import static dev.hshm.allocators.internal.allocator.HeapLayout.L_OWNER;
import static dev.hshm.allocators.internal.allocator.HeapLayout.L_START;
import static dev.hshm.allocators.internal.allocator.HeapLayout.NULL;
import static dev.hshm.allocators.internal.allocator.HeapLayout.SLOT_BYTES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.SLOT_CLASS_BYTES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.S_CLASSES;
import static dev.hshm.allocators.internal.allocator.HeapLayout.S_INIT;
import static dev.hshm.allocators.internal.allocator.HeapLayout.S_OWNER_TID;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.StateException;
import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.Processes;
import dev.hshm.api.spi.ThreadIds;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The seed's {@code ThreadLocalAllocator}, the recommended allocator for shared memory: per-thread caches
 * of free blocks, kept <em>in the shared region</em>, in front of the {@link Heap}'s shared table.
 *
 * <h2>Structure</h2>
 * <pre>
 * region: [heap header | custom header | class table | run lists | SLOT TABLE | page descriptors | pages]
 *
 * slot table: SLOT_COUNT leases (owner thread id, owner start time), then SLOT_COUNT records;
 *             a record holds, per size class c, the head and length of a singly linked list of free blocks
 *             of class c threaded through the blocks themselves (word 0 next offset, word 1 SALT ^ offset).
 * </pre>
 * A <em>slot</em> is one thread's cache. Its lease word names the owning thread by an id unique across
 * processes ({@code pid << 32 | thread number}), so "this storage is unique even across processes" as the
 * seed asks, and so a live process can tell that a slot's owner died.
 *
 * <h2>How caches map to threads</h2>
 * <ul>
 *   <li><b>Platform threads</b> lease a slot of their own on their first allocation, found through the
 *       {@linkplain ThreadModel#current() thread model}'s TLS. The slot goes back (its blocks returned to the
 *       shared table) when the thread calls {@link #freeTls}, when the thread ends (a {@link Cleaner}
 *       watching the thread's TLS entry: a backstop, never a finalizer), or when the allocator is detached.</li>
 *   <li><b>Virtual threads</b> (and the Argobots thread model's user-level threads, which are virtual threads)
 *       do not get a slot each: thousands of short-lived virtual threads would exhaust the slots and leave
 *       them to the garbage collector. They share a fixed set of <em>stripe</em> slots, one per carrier-sized
 *       share ({@code min(16, processors)}), each taken with a try-lock for the length of one call. A
 *       virtual thread that calls {@link #createTls} explicitly gets a slot of its own, until {@link #freeTls}
 *       or its end.</li>
 *   <li>A thread that finds no free slot (all leased, none reclaimable) uses the shared table directly, under
 *       the lock, like {@code scalable_page}: slower, never wrong. So the number of caches is bounded by the
 *       slot count, whatever the number of threads.</li>
 * </ul>
 *
 * <h2>Allocate (class c)</h2>
 * <ol>
 *   <li>find the slot (TLS lookup, or the {@link MemContext} tid);</li>
 *   <li><b>fast path</b>: pop the slot's list for c; check the block is in the heap and carries its free
 *       tag (else the list was corrupted: use after free); clear the tag; return. Plain loads and stores
 *       only: no lock, no atomic instruction;</li>
 *   <li>on a miss, take the heap lock once and move a batch ({@link SizeClasses#batch}, up to 32 blocks)
 *       from the shared table into the slot.</li>
 * </ol>
 * <h2>Free</h2>
 * <ol>
 *   <li>{@link Heap#locate} the block (class, span; rejects foreign and interior offsets) and check its
 *       free tag (rejects double frees) - no lock, a live block's span cannot change;</li>
 *   <li><b>fast path</b>: push it on the calling thread's list for its class. A block freed by another
 *       thread or another process than the one that allocated it simply joins the freeing thread's cache:
 *       the block is free, the freeing thread owns its cache, so no other thread's list is touched and
 *       nothing needs an atomic;</li>
 *   <li>if the list now holds more than two batches, take the lock once and return one batch to the shared
 *       table (whose spans go back to the page heap when all their blocks are free).</li>
 * </ol>
 * Large blocks (over 64 KiB) bypass the caches and go to the page heap under the lock.
 *
 * <h2>Dead processes</h2>
 * A process that dies leaves its slots leased. {@link #reclaimDeadProcesses()} (public, and run
 * automatically when no slot is free) finds leases whose process is gone (pid plus start time), takes each
 * with a CAS, walks its lists checking every block, returns them to the shared table and frees the slot. A
 * list cut by the death mid-push is cut at the first bad block; the rest leak, nothing overlaps.
 *
 * <h2>Accounting</h2>
 * Nothing is counted on the fast path. The shared table counts the blocks it hands out; blocks sitting in
 * caches are the sum of the slots' list lengths; bytes in use is the difference. While threads run it is a
 * recent value, when they stop it is exact.
 */
public final class ThreadLocalAllocator extends HeapAllocator {

    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final Cleaner CLEANER = Cleaner.create();
    /** Retry leasing a slot this long after none was free. */
    private static final long NO_SLOT_RETRY_NANOS = 100_000_000L;

    private final ThreadModel threads;
    private final ThreadLocalKey<Lease> key;
    /**
     * A direct-mapped index in front of the TLS: entry {@code threadId & FAST_MASK} holds the cache of the last
     * thread that looked up through it. A hit is one array load and a compare of the never-reused JVM thread
     * id; a miss (first call, or two threads on one entry) goes to the TLS. Entries are written with plain
     * stores: a racing reader sees an old or a new cache and the id compare tells which, so the race is benign.
     */
    private final ThreadCache[] fast = new ThreadCache[FAST_MASK + 1];
    private static final int FAST_MASK = 4095;
    private final long leases;
    private final long records;
    private final int slotCount;
    private final long heapOff;
    private final long heapLen;
    private final long salt;
    private final int stripes;
    private final AtomicIntegerArray stripeBusy;
    private final ThreadCache[] stripeCache;
    /** This process's caches by slot, for contexts that name a slot; written when a slot is leased. */
    private final ThreadCache[] bySlot;
    /** Slots leased by this process's threads: slot -> lease word. Never holds a ThreadCache (the Cleaner watches those). */
    private final Map<Integer, Long> leased = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * A thread's (or a stripe's) view of its slot; the TLS value. {@code counts} are the lengths of the
     * slot's lists, kept here rather than in shared memory so the fast path writes nothing but the lists.
     */
    static final class ThreadCache {
        final int slot;
        final long base;
        final long lease;
        /** The JVM thread id of the owner ({@link Thread#threadId()}, never reused), or -1 for a stripe. */
        final long threadId;
        final int[] counts = new int[SizeClasses.COUNT];

        ThreadCache(int slot, long base, long lease, long threadId) {
            this.slot = slot;
            this.base = base;
            this.lease = lease;
            this.threadId = threadId;
        }
    }

    /**
     * The value the thread model's TLS holds for a thread: its cache (or none, with when to try again). The
     * {@link Cleaner} watches this object, which only the thread's TLS references, so it becomes unreachable
     * when the thread ends even though the fast table below still references the cache.
     */
    static final class Lease {
        final ThreadCache cache;
        final long retryAfter;
        Cleaner.Cleanable cleanable;

        Lease(ThreadCache cache, long retryAfter) {
            this.cache = cache;
            this.retryAfter = retryAfter;
        }
    }

    private ThreadLocalAllocator(MemoryBackend backend, Heap heap, ThreadModel threads) {
        super(backend, heap, Allocator.THREAD_LOCAL);
        this.threads = threads;
        this.key = threads.createTls(null);
        this.leases = heap.geo.slotTable();
        this.records = heap.geo.slotRecords();
        this.slotCount = heap.geo.slotCount();
        this.heapOff = heap.heapOff;
        this.heapLen = heap.heapEnd - heap.heapOff;
        this.salt = heap.salt;
        this.stripes = Math.max(1, Math.min(Math.min(16, Runtime.getRuntime().availableProcessors()), slotCount / 2));
        this.stripeBusy = new AtomicIntegerArray(stripes);
        this.stripeCache = new ThreadCache[stripes];
        this.bySlot = new ThreadCache[slotCount];
    }

    /** Slots for a new region: {@code -Dhshm.thread_local.slots}, else 16 .. 256 by region size. */
    static int defaultSlots(long regionSize) {
        String p = System.getProperty("hshm.thread_local.slots");
        if (p != null) {
            int n = Integer.parseInt(p.trim());
            if (n < 1 || n > 4096) {
                throw new IllegalArgumentException("hshm.thread_local.slots must be 1..4096: " + n);
            }
            return n;
        }
        return (int) Math.max(16, Math.min(256, regionSize >>> 22));
    }

    /** Formats a new allocator in the region and publishes it. */
    static ThreadLocalAllocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                       long customHeaderSize) {
        int slots = defaultSlots(regionSize);
        HeapLayout.Geometry geo;
        try {
            geo = HeapLayout.Geometry.plan(regionOffset, regionSize, customHeaderSize, slots);
        } catch (IllegalArgumentException tooSmall) {
            slots = 2;
            geo = HeapLayout.Geometry.plan(regionOffset, regionSize, customHeaderSize, slots);
        }
        ThreadModel tm = ThreadModel.current();
        Heap heap = Heap.format(backend.data(), geo, id, HeapLayout.TYPE_THREAD_LOCAL, tm);
        heap.publish();
        return new ThreadLocalAllocator(backend, heap, tm);
    }

    /** Attaches to an allocator another process created. */
    static ThreadLocalAllocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
        ThreadModel tm = ThreadModel.current();
        Heap heap = Heap.attach(backend.data(), regionOffset, regionSize, id, HeapLayout.TYPE_THREAD_LOCAL,
                Allocator.THREAD_LOCAL, tm);
        return new ThreadLocalAllocator(backend, heap, tm);
    }

    // ------------------------------------------------------------------ allocate / free

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        int c = SizeClasses.classOf(size);
        if (c < 0) {
            checkSize(size);
            return heap.allocateLarge(size, SizeClasses.PAGE);
        }
        return allocateSmall(ctx, c, size, 16);
    }

    @Override
    long allocateSmall(MemContext ctx, int c, long size, long align) {
        if (size < 0) {
            checkSize(size);
        }
        ThreadCache tc = cache(ctx);
        if (tc != null) {
            return cachedAllocate(tc, c, size, align);
        }
        return stripedAllocate(c, size, align);
    }

    private long cachedAllocate(ThreadCache tc, int c, long size, long align) {
        long h = tc.base + S_CLASSES + (long) c * SLOT_CLASS_BYTES;
        long blk = seg.get(J, h);
        if (blk != NULL) {
            if (blk - heapOff >= heapLen || blk < heapOff || seg.get(J, blk + 8) != (salt ^ blk)) {
                throw corruptCache(tc.base, c, blk);
            }
            seg.set(J, h, seg.get(J, blk));
            seg.set(J, blk + 8, 0L);
            tc.counts[c]--;
            return blk;
        }
        return refill(tc, c, size, align);
    }

    private CorruptSegmentException corruptCache(long base, int c, long blk) {
        return new CorruptSegmentException("thread cache free list corrupt: allocator " + id() + ", slot="
                + ((base - records) / SLOT_BYTES) + ", class size=" + SizeClasses.size(c) + ", entry=" + blk
                + " (outside the heap, or a freed block was written to: use after free)");
    }

    /** The slow path of allocation: move a batch from the shared table into the slot, return one. */
    private long refill(ThreadCache tc, int c, long size, long align) {
        for (int attempt = 0; attempt < 3; attempt++) {
            long first;
            int added = 0;
            heap.lock.lock();
            try {
                first = heap.popBlock(c);
                if (first != NULL) {
                    long h = tc.base + S_CLASSES + (long) c * SLOT_CLASS_BYTES;
                    long head = seg.get(J, h);
                    for (int i = 1; i < SizeClasses.batch(c); i++) {
                        long b = heap.popBlock(c);
                        if (b == NULL) {
                            break;
                        }
                        seg.set(J, b, head);
                        seg.set(J, b + 8, salt ^ b);
                        head = b;
                        added++;
                    }
                    seg.set(J, h, head);
                }
            } finally {
                heap.lock.unlock();
            }
            tc.counts[c] += added;
            if (first != NULL) {
                seg.set(J, first + 8, 0L);
                return first;
            }
            if (attempt == 0) {
                flushAll(tc); // our own cached blocks of other classes may free whole spans
            } else if (attempt == 1 && reclaimDeadProcesses() == 0) {
                break;
            }
        }
        throw heap.outOfMemory(size, align);
    }

    @Override
    public void freeOffset(MemContext ctx, long offset) {
        long loc = heap.locate(offset);
        int c = Heap.classOf(loc);
        if (c == Heap.LARGE_CLASS) {
            heap.lock.lock();
            try {
                heap.freeLargeHeld(Heap.headOf(loc));
            } finally {
                heap.lock.unlock();
            }
            return;
        }
        if (seg.get(J, offset + 8) == (salt ^ offset)) {
            throw heap.doubleFree(offset, c);
        }
        ThreadCache tc = cache(ctx);
        if (tc != null) {
            cachedFree(tc, c, offset);
        } else {
            stripedFree(c, offset, loc);
        }
    }

    private void cachedFree(ThreadCache tc, int c, long off) {
        long h = tc.base + S_CLASSES + (long) c * SLOT_CLASS_BYTES;
        seg.set(J, off, seg.get(J, h));
        seg.set(J, off + 8, salt ^ off);
        seg.set(J, h, off);
        if (++tc.counts[c] > 2 * SizeClasses.batch(c)) {
            tc.counts[c] -= flush(tc.base, c, SizeClasses.batch(c));
        }
    }

    /** The longest a slot's list of class {@code c} can legitimately be. */
    private static int maxListLength(int c) {
        return 2 * SizeClasses.batch(c) + 1;
    }

    /**
     * Returns up to {@code n} blocks of class {@code c} from the slot's list to the shared table.
     *
     * @return the number of blocks moved (a list cut at a bad entry counts what was moved before it)
     */
    private int flush(long base, int c, long n) {
        long h = base + S_CLASSES + (long) c * SLOT_CLASS_BYTES;
        int moved = 0;
        heap.lock.lock();
        try {
            long head = seg.get(J, h);
            while (moved < n && head != NULL) {
                if (head - heapOff >= heapLen || head < heapOff || seg.get(J, head + 8) != (salt ^ head)
                        || moved > maxListLength(c)) {
                    // cut the list here: what follows is unreachable (leaked), nothing is handed out twice
                    System.getLogger(ThreadLocalAllocator.class.getName()).log(System.Logger.Level.WARNING,
                            corruptCache(base, c, head).getMessage() + "; list cut");
                    head = NULL;
                    break;
                }
                long next = seg.get(J, head);
                long loc = heap.locate(head);
                if (Heap.classOf(loc) != c) {
                    throw corruptCache(base, c, head);
                }
                // Unlink from the cache first, then hand to the shared table: a process killed in between leaks
                // this one block; the other order could leave it on both lists, to be handed out twice.
                seg.set(J, h, next);
                heap.pushBlock(head, Heap.headOf(loc), c);
                head = next;
                moved++;
            }
            seg.set(J, h, head);
        } finally {
            heap.lock.unlock();
        }
        return moved;
    }

    /** Returns every cached block of a slot to the shared table. */
    private void flushAll(long base) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            if (seg.get(J, base + S_CLASSES + (long) c * SLOT_CLASS_BYTES) != NULL) {
                flush(base, c, Long.MAX_VALUE);
            }
        }
    }

    private void flushAll(ThreadCache tc) {
        flushAll(tc.base);
        java.util.Arrays.fill(tc.counts, 0);
    }

    // ------------------------------------------------------------------ slots

    /** The calling thread's cache, or null if it has none (virtual thread, no free slot). */
    private ThreadCache cache(MemContext ctx) {
        if (ctx.tid() == MemContext.NULL_TID) {
            long t = Thread.currentThread().threadId();
            ThreadCache tc = fast[(int) t & FAST_MASK];
            if (tc != null && tc.threadId == t) {
                return tc;
            }
            return cacheSlow(t);
        }
        long slot = ctx.tid();
        ThreadCache tc = slot >= 0 && slot < slotCount ? bySlot[(int) slot] : null;
        if (tc == null || tc.lease != ThreadIds.current()
                || (long) LONG.getOpaque(seg, leases + slot * LEASE_BYTES + L_OWNER) != tc.lease) {
            throw new IllegalArgumentException("MemContext tid=" + ctx.tid() + " is not a cache slot leased by this"
                    + " thread in allocator " + id() + " (use the context createTls returned, on its own thread)");
        }
        return tc;
    }

    private ThreadCache cacheSlow(long t) {
        Lease l = threads.getTls(key);
        if (l != null && l.cache != null) {
            fast[(int) t & FAST_MASK] = l.cache;
            return l.cache;
        }
        return leaseForCurrentThread(l, false);
    }

    /** Leases a slot for the calling platform thread (or for any thread when {@code explicit}); null if none. */
    private ThreadCache leaseForCurrentThread(Lease previous, boolean explicit) {
        if (closed) {
            throw new StateException("allocator " + id() + " was unregistered");
        }
        if (!explicit && Thread.currentThread().isVirtual()) {
            return null;
        }
        if (previous != null && System.nanoTime() < previous.retryAfter) {
            return null;
        }
        long me = ThreadIds.current();
        int slot = tryLease(me);
        if (slot < 0 && reclaimDeadProcesses() > 0) {
            slot = tryLease(me);
        }
        if (slot < 0) {
            threads.setTls(key, new Lease(null, System.nanoTime() + NO_SLOT_RETRY_NANOS));
            return null;
        }
        long t = Thread.currentThread().threadId();
        ThreadCache tc = new ThreadCache(slot, records + (long) slot * SLOT_BYTES, me, t);
        Lease l = new Lease(tc, 0);
        l.cleanable = CLEANER.register(l, new SlotRelease(this, tc));
        leased.put(slot, me);
        bySlot[slot] = tc;
        fast[(int) t & FAST_MASK] = tc;
        threads.setTls(key, l);
        return tc;
    }

    /** CASes a free lease to {@code owner}, initialises the record if needed; the slot index or -1. */
    private int tryLease(long owner) {
        int start = Math.floorMod(owner * 0x9E3779B97F4A7C15L >>> 40, slotCount);
        for (int i = 0; i < slotCount; i++) {
            int slot = (start + i) % slotCount;
            long at = leases + (long) slot * LEASE_BYTES;
            if ((long) LONG.getOpaque(seg, at + L_OWNER) == 0 && LONG.compareAndSet(seg, at + L_OWNER, 0L, owner)) {
                seg.set(J, at + L_START, Processes.currentStartMillis());
                long rec = records + (long) slot * SLOT_BYTES;
                if (seg.get(J, rec + S_INIT) != (salt ^ ~(long) slot)) {
                    for (int c = 0; c < SizeClasses.COUNT; c++) {
                        seg.set(J, rec + S_CLASSES + (long) c * SLOT_CLASS_BYTES, NULL);
                    }
                    seg.set(J, rec + S_INIT, salt ^ ~(long) slot);
                }
                seg.set(J, rec + S_OWNER_TID, owner);
                return slot;
            }
        }
        return -1;
    }

    /** Flushes a slot and gives its lease back, if {@code owner} still holds it. */
    private void releaseSlot(int slot, long owner) {
        long at = leases + (long) slot * LEASE_BYTES;
        if ((long) LONG.getVolatile(seg, at + L_OWNER) != owner) {
            return;
        }
        long rec = records + (long) slot * SLOT_BYTES;
        flushAll(rec);
        seg.set(J, rec + S_OWNER_TID, 0L);
        seg.set(J, at + L_START, 0L);
        LONG.compareAndSet(seg, at + L_OWNER, owner, 0L);
    }

    /** Drops this process's references to a cache whose slot is being given back. */
    private void forget(ThreadCache tc) {
        leased.remove(tc.slot, tc.lease);
        if (bySlot[tc.slot] == tc) {
            bySlot[tc.slot] = null;
        }
        int i = (int) tc.threadId & FAST_MASK;
        if (tc.threadId >= 0 && fast[i] == tc) {
            fast[i] = null;
        }
    }

    /** The Cleaner backstop for a thread that ended without {@link #freeTls}. Holds no reference to the Lease. */
    private record SlotRelease(ThreadLocalAllocator alloc, ThreadCache tc) implements Runnable {
        @Override
        public void run() {
            alloc.forget(tc);
            if (alloc.closed) {
                return;
            }
            VarHandle.fullFence(); // the owner thread is gone; make its last plain stores visible here
            try {
                alloc.releaseSlot(tc.slot, tc.lease);
            } catch (IllegalStateException detached) {
                // the backend was unmapped first; its slots were released on detach
            }
        }
    }

    // ------------------------------------------------------------------ virtual threads: stripes

    private long stripedAllocate(int c, long size, long align) {
        int start = Math.floorMod(Thread.currentThread().threadId(), stripes);
        for (int i = 0; i < stripes; i++) {
            int s = (start + i) % stripes;
            if (stripeBusy.get(s) == 0 && stripeBusy.compareAndSet(s, 0, 1)) {
                try {
                    ThreadCache tc = stripeCache(s);
                    if (tc != null) {
                        return cachedAllocate(tc, c, size, align);
                    }
                } finally {
                    stripeBusy.setRelease(s, 0);
                }
                break;
            }
        }
        return heap.allocateSmall(c, size, align);
    }

    private void stripedFree(int c, long off, long loc) {
        int start = Math.floorMod(Thread.currentThread().threadId(), stripes);
        for (int i = 0; i < stripes; i++) {
            int s = (start + i) % stripes;
            if (stripeBusy.get(s) == 0 && stripeBusy.compareAndSet(s, 0, 1)) {
                try {
                    ThreadCache tc = stripeCache(s);
                    if (tc != null) {
                        cachedFree(tc, c, off);
                        return;
                    }
                } finally {
                    stripeBusy.setRelease(s, 0);
                }
                break;
            }
        }
        heap.lock.lock();
        try {
            heap.pushBlock(off, Heap.headOf(loc), c);
        } finally {
            heap.lock.unlock();
        }
    }

    /** The cache of stripe {@code s}, its slot leased on first use; null if none is free. Caller holds the stripe. */
    private ThreadCache stripeCache(int s) {
        ThreadCache tc = stripeCache[s];
        if (tc != null || closed) {
            return closed ? null : tc;
        }
        long owner = (Processes.currentPid() << 32) | (0xFFFF_0000L | s);
        int slot = tryLease(owner);
        if (slot < 0) {
            return null;
        }
        tc = new ThreadCache(slot, records + (long) slot * SLOT_BYTES, owner, -1);
        stripeCache[s] = tc;
        return tc;
    }

    // ------------------------------------------------------------------ TLS API

    @Override
    public MemContext createTls(MemContext ctx) {
        Lease l = threads.getTls(key);
        ThreadCache tc = l == null ? null : l.cache;
        if (tc == null) {
            tc = leaseForCurrentThread(null, true);
            if (tc == null) {
                throw new StateException("no free thread cache slot in allocator " + id() + ": slots=" + slotCount
                        + " (raise -Dhshm.thread_local.slots when creating it, or call freeTls on threads that are done)");
            }
        }
        return new MemContext(tc.slot);
    }

    @Override
    public void freeTls(MemContext ctx) {
        Lease l = threads.getTls(key);
        threads.setTls(key, null);
        if (l != null && l.cache != null) {
            l.cleanable.clean(); // runs SlotRelease once and unregisters it
        }
    }

    /**
     * Releases every slot this process leased (threads' and stripes') and stops leasing new ones; called
     * when the allocator is unregistered or its backend detached. Threads must have stopped using it.
     */
    void close() {
        if (closed) {
            return;
        }
        for (Map.Entry<Integer, Long> e : leased.entrySet()) {
            try {
                releaseSlot(e.getKey(), e.getValue());
            } catch (IllegalStateException detached) {
                break;
            }
        }
        for (int s = 0; s < stripes; s++) {
            if (stripeCache[s] != null) {
                try {
                    releaseSlot(stripeCache[s].slot, stripeCache[s].lease);
                } catch (IllegalStateException detached) {
                    break;
                }
            }
        }
        closed = true;
        leased.clear();
    }

    @Override
    public int reclaimDeadProcesses() {
        long before = heap.lockRecoveries();
        heap.lock.lock(); // recovers the lock if its owner died
        heap.lock.unlock();
        int reclaimed = (int) (heap.lockRecoveries() - before);
        long me = ThreadIds.current() | 0x8000_0000L;
        for (int slot = 0; slot < slotCount; slot++) {
            long at = leases + (long) slot * LEASE_BYTES;
            long owner = (long) LONG.getVolatile(seg, at + L_OWNER);
            if (owner == 0 || ThreadIds.pidOf(owner) == Processes.currentPid()) {
                continue;
            }
            long start = seg.get(J, at + L_START);
            if (Processes.isAlive(ThreadIds.pidOf(owner), start)) {
                continue;
            }
            if (LONG.compareAndSet(seg, at + L_OWNER, owner, me)) {
                System.getLogger(ThreadLocalAllocator.class.getName()).log(System.Logger.Level.INFO,
                        "allocator " + id() + ": reclaiming cache slot " + slot + " of dead pid " + ThreadIds.pidOf(owner));
                releaseSlot(slot, me);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    // ------------------------------------------------------------------ statistics

    /**
     * Blocks per class in every leased slot's lists, found by walking them (bounded by the longest a list
     * can be, stopping at the first entry that is not a tagged free block of the heap). Exact when their
     * owners are not allocating; a recent value while they are.
     */
    private long[] cachedPerClass() {
        long[] cached = new long[SizeClasses.COUNT];
        for (int slot = 0; slot < slotCount; slot++) {
            if ((long) LONG.getOpaque(seg, leases + (long) slot * LEASE_BYTES + L_OWNER) == 0) {
                continue;
            }
            long rec = records + (long) slot * SLOT_BYTES;
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                long b = (long) LONG.getOpaque(seg, rec + S_CLASSES + (long) c * SLOT_CLASS_BYTES);
                for (int n = 0; n < maxListLength(c) && b != NULL; n++) {
                    if (b - heapOff >= heapLen || b < heapOff || (long) LONG.getOpaque(seg, b + 8) != (salt ^ b)) {
                        break;
                    }
                    cached[c]++;
                    b = (long) LONG.getOpaque(seg, b);
                }
            }
        }
        return cached;
    }

    private int slotsInUse() {
        int n = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            if ((long) LONG.getOpaque(seg, leases + (long) slot * LEASE_BYTES + L_OWNER) != 0) {
                n++;
            }
        }
        return n;
    }

    @Override
    public long bytesInUse() {
        return stats().bytesInUse();
    }

    @Override
    public AllocatorStats stats() {
        return heap.stats(type(), cachedPerClass(), slotsInUse());
    }

    /**
     * The number of cache slots.
     *
     * @return slots in the region
     */
    public int slotCount() {
        return slotCount;
    }
}
