package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.heap.CacheLists;
import dev.hshm.allocators.internal.heap.Heap;
import dev.hshm.allocators.internal.heap.HeapHeader;
import dev.hshm.allocators.internal.heap.OwnerWords;
import dev.hshm.allocators.internal.heap.SizeClasses;
import dev.hshm.allocators.internal.heap.SlotTable;
import dev.hshm.allocators.internal.heap.Slots;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.StateException;
import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed's {@code ThreadLocalAllocator}, the recommended allocator for shared memory: per-thread caches of
 * free blocks, kept <em>in the shared region</em> ({@link SlotTable}: per slot and size class, a list threaded
 * through the free blocks themselves), in front of the {@link Heap}'s shared table. A <em>slot</em> is one
 * thread's cache. Its lease names the owning thread by an {@linkplain OwnerWords owner word}
 * unique across processes, so "this storage is unique even across processes" as the seed asks, and so a live
 * process can tell that a slot's owner died.
 *
 * <h2>How caches map to threads</h2>
 * <ul>
 *   <li><b>Platform threads</b> lease a slot of their own on their first allocation, found through the
 *       {@linkplain ThreadModel#current() thread model}'s TLS. The slot goes back (its blocks returned to the
 *       shared table) when the thread calls {@link #freeTls}, when the thread ends (a {@link Cleaner} watching
 *       the thread's TLS entry: a backstop, never a finalizer), or when the allocator is detached.</li>
 *   <li><b>Virtual threads</b> (and the Argobots thread model's user-level threads, which are virtual threads)
 *       do not get a slot each: thousands of short-lived virtual threads would exhaust the slots and leave them
 *       to the garbage collector. They share a fixed set of <em>stripe</em> slots, one per carrier-sized share
 *       ({@code min(16, processors)}), each taken with a try-lock for the length of one call. A virtual thread
 *       that calls {@link #createTls} explicitly gets a slot of its own, until {@link #freeTls} or its end.</li>
 *   <li>A thread that finds no free slot (all leased, none reclaimable) uses the shared table directly, one
 *       lock hold per call, like {@code scalable_page}: slower, never wrong. So the number of caches is bounded
 *       by the slot count, whatever the number of threads.</li>
 * </ul>
 *
 * <h2>Allocate (class c)</h2>
 * <ol>
 *   <li>find the slot (a direct-mapped index in front of the TLS, or the {@link MemContext} tid);</li>
 *   <li><b>fast path</b>: pop the slot's list for c ({@link CacheLists#pop}: checks the block is in the heap and
 *       carries its free tag, else the list was corrupted by a use after free; clears the tag). Plain loads and
 *       stores only: no lock, no atomic instruction;</li>
 *   <li>on a miss, move a batch ({@link SizeClasses#batch}, up to 32 blocks) from the slot's shard into the list
 *       with one lock hold ({@link Heap#takeBatch}); if the heap is full, first give back this cache's blocks of
 *       other classes (they may free whole spans), then reclaim dead processes' caches, then fail.</li>
 * </ol>
 * <h2>Free</h2>
 * <ol>
 *   <li>{@link Heap#locateForFree}: class and span from the page descriptor (rejects foreign and interior offsets
 *       and never-allocated blocks) and the free tag (rejects double frees); no lock, a live block's span cannot
 *       change;</li>
 *   <li><b>fast path</b>: claim the block's free tag with one CAS (so of two threads freeing it at once exactly
 *       one wins; the other gets a {@code DoubleFreeException}) and push it on the calling thread's list for its
 *       class ({@link CacheLists#pushFreed}): the only atomic instruction of the fast paths. A block
 *       freed by another thread or process than the one that allocated it simply joins the freeing thread's
 *       cache: the block is free, the freeing thread owns its cache, so no other thread's list is touched and
 *       nothing needs an atomic;</li>
 *   <li>if the list now holds more than two batches, give one batch back with one lock hold per shard
 *       ({@link Heap#giveBatch}; spans whose blocks are all free go back to the page heap).</li>
 * </ol>
 * Large blocks (over 64 KiB) bypass the caches and go to the page heap.
 *
 * <h2>Dead processes</h2>
 * A process that dies leaves its slots leased. {@link #reclaimDeadProcesses()} (public, and run automatically
 * when no slot is free) recovers dead lock owners, then reclaims every slot whose process is gone
 * ({@link Slots#reclaimDead}).
 *
 * <h2>Accounting</h2>
 * Nothing is counted on the fast path. The shards count the blocks they hand out; blocks sitting in caches are
 * the sum of the slots' list lengths; bytes in use is the difference. While threads run it is a recent value,
 * when they stop it is exact.
 */
public final class ThreadLocalAllocator extends HeapAllocator {

    private static final Cleaner CLEANER = Cleaner.create();
    /** Retry leasing a slot this long after none was free (a lease scan reads every lease word). */
    private static final long NO_SLOT_RETRY_NANOS = 100_000_000L;
    /** Refill attempts: the batch; after giving back this cache's other classes; after reclaiming the dead. */
    private static final int REFILL_ATTEMPTS = 3;
    /** The fast index in front of the TLS has this many entries (a power of two). */
    private static final int FAST_ENTRIES = 4096;

    private final ThreadModel threads;
    private final CacheLists lists;
    private final ThreadLocalKey<Lease> key;
    private final Slots slots;
    /**
     * A direct-mapped index in front of the TLS: entry {@code threadId & (FAST_ENTRIES - 1)} holds the cache of
     * the last thread that looked up through it. A hit is one array load and a compare of the never-reused JVM
     * thread id; a miss (first call, or two threads on one entry) goes to the TLS. Entries are written with plain
     * stores: a racing reader sees an old or a new cache and the id compare tells which, so the race is benign.
     */
    private final ThreadCache[] fast = new ThreadCache[FAST_ENTRIES];
    private final Stripes stripes;
    /** This process's caches by slot, for contexts that name a slot; written when a slot is leased. */
    private final ThreadCache[] bySlot;
    /** Slots leased by this process's threads: slot -> owner word (no ThreadCache: the Cleaner watches those). */
    private final Map<Integer, Long> leased = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * The TLS value of a thread: its cache (or none, and when to try again). The {@link Cleaner} watches it: only
     * the thread's TLS references it, so it becomes unreachable when the thread ends (the fast index does not).
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
        this.lists = heap.caches;
        this.key = threads.createTls(null);
        this.slots = new Slots(heap);
        int slotCount = slots.count();
        this.stripes = new Stripes(slotCount);
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
        HeapHeader.Geometry geo;
        try {
            geo = Heap.plan(regionOffset, regionSize, customHeaderSize, defaultShards(), defaultSlots(regionSize));
        } catch (IllegalArgumentException tooSmall) {
            geo = Heap.plan(regionOffset, regionSize, customHeaderSize, 1, 2);
        }
        ThreadModel tm = ThreadModel.current();
        Heap heap = Heap.format(backend.data(), geo, id, HeapHeader.TYPE_THREAD_LOCAL, tm);
        heap.publish();
        return new ThreadLocalAllocator(backend, heap, tm);
    }

    /** Attaches to an allocator another process created. */
    static ThreadLocalAllocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
        ThreadModel tm = ThreadModel.current();
        Heap heap = Heap.attach(backend.data(), regionOffset, regionSize, id, HeapHeader.TYPE_THREAD_LOCAL,
                Allocator.THREAD_LOCAL, tm);
        return new ThreadLocalAllocator(backend, heap, tm);
    }

    // ------------------------------------------------------------------ allocate / free

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        int c = SizeClasses.classOf(size);
        if (c == SizeClasses.NO_CLASS) {
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
        long blk = tc.heads[c];
        if (blk != Heap.NO_OFFSET) {
            tc.heads[c] = lists.pop(tc.head(c), blk, c);
            tc.counts[c]--;
            return blk;
        }
        return refill(tc, c, size, align);
    }

    /** The slow path of allocation: a batch from the shard into the slot, then the fast path again. */
    private long refill(ThreadCache tc, int c, long size, long align) {
        for (int attempt = 0; attempt < REFILL_ATTEMPTS; attempt++) {
            int added = heap.takeBatch(tc.shard, c, tc.head(c), SizeClasses.batch(c));
            if (added > 0) {
                tc.counts[c] += added - 1;
                long blk = lists.head(tc.head(c));
                tc.heads[c] = lists.pop(tc.head(c), blk, c);
                return blk;
            }
            if (attempt == 0) {
                flushAll(tc); // our own cached blocks of other classes may free whole spans
            } else if (reclaimDeadProcesses() == 0) {
                break;
            }
        }
        throw heap.outOfMemory(size, align);
    }

    @Override
    public void freeOffset(MemContext ctx, long offset) {
        long loc = heap.locateForFree(offset);
        int c = Heap.classOf(loc);
        if (c == Heap.LARGE_CLASS) {
            heap.freeLarge(Heap.headOf(loc));
            return;
        }
        ThreadCache tc = cache(ctx);
        if (tc != null) {
            cachedFree(tc, c, offset);
        } else {
            stripedFree(c, offset);
        }
    }

    private void cachedFree(ThreadCache tc, int c, long off) {
        lists.pushFreed(tc.head(c), tc.heads[c], off); // claims the free tag: a racing second free throws
        tc.heads[c] = off;
        if (++tc.counts[c] > 2 * SizeClasses.batch(c)) {
            tc.counts[c] -= heap.giveBatch(c, tc.head(c), SizeClasses.batch(c));
            tc.heads[c] = lists.head(tc.head(c));
        }
    }

    private void flushAll(ThreadCache tc) {
        slots.flush(tc.slot);
        java.util.Arrays.fill(tc.counts, 0);
        tc.reloadHeads(lists);
    }

    // ------------------------------------------------------------------ slots

    /** The calling thread's cache, or null if it has none (virtual thread, no free slot). */
    private ThreadCache cache(MemContext ctx) {
        if (ctx.tid() == MemContext.NULL_TID) {
            long t = Thread.currentThread().threadId();
            ThreadCache tc = fast[(int) t & (FAST_ENTRIES - 1)];
            if (tc != null && tc.threadId == t) {
                return tc;
            }
            return cacheSlow(t);
        }
        long slot = ctx.tid();
        ThreadCache tc = slot >= 0 && slot < bySlot.length ? bySlot[(int) slot] : null;
        if (tc == null || tc.owner != OwnerWords.currentThread() || !slots.isLeasedBy((int) slot, tc.owner)) {
            throw new IllegalArgumentException("MemContext tid=" + ctx.tid() + " is not a cache slot leased by this"
                    + " thread in allocator " + id() + " (use the context createTls returned, on its own thread)");
        }
        return tc;
    }

    private ThreadCache cacheSlow(long t) {
        Lease l = threads.getTls(key);
        if (l != null && l.cache != null) {
            fast[(int) t & (FAST_ENTRIES - 1)] = l.cache;
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
        long me = OwnerWords.currentThread();
        int slot = slots.tryLease(me);
        if (slot == Slots.NO_SLOT && reclaimDeadProcesses() > 0) {
            slot = slots.tryLease(me);
        }
        if (slot == Slots.NO_SLOT) {
            threads.setTls(key, new Lease(null, System.nanoTime() + NO_SLOT_RETRY_NANOS));
            return null;
        }
        long t = Thread.currentThread().threadId();
        ThreadCache tc = newCache(slot, me, t);
        Lease l = new Lease(tc, 0);
        l.cleanable = CLEANER.register(l, new SlotRelease(this, tc));
        leased.put(slot, me);
        bySlot[slot] = tc;
        fast[(int) t & (FAST_ENTRIES - 1)] = tc;
        threads.setTls(key, l);
        return tc;
    }

    private ThreadCache newCache(int slot, long owner, long threadId) {
        return new ThreadCache(slot, slots.record(slot), owner, threadId, slot % heap.shardCount(), lists);
    }

    /** Drops this process's references to a cache whose slot is being given back. */
    private void forget(ThreadCache tc) {
        leased.remove(tc.slot, tc.owner);
        if (bySlot[tc.slot] == tc) {
            bySlot[tc.slot] = null;
        }
        int i = (int) tc.threadId & (FAST_ENTRIES - 1);
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
                alloc.slots.release(tc.slot, tc.owner);
            } catch (IllegalStateException detached) {
                // the backend was unmapped first; its slots were released on detach
            }
        }
    }

    // ------------------------------------------------------------------ virtual threads: stripes

    private long stripedAllocate(int c, long size, long align) {
        int s = stripes.take();
        if (s != Stripes.NO_STRIPE) {
            try {
                ThreadCache tc = closed ? null : stripes.cache(s, this::leaseStripe);
                if (tc != null) {
                    return cachedAllocate(tc, c, size, align);
                }
            } finally {
                stripes.release(s);
            }
        }
        return heap.allocateSmall(c, size, align);
    }

    private void stripedFree(int c, long off) {
        int s = stripes.take();
        if (s != Stripes.NO_STRIPE) {
            try {
                ThreadCache tc = closed ? null : stripes.cache(s, this::leaseStripe);
                if (tc != null) {
                    cachedFree(tc, c, off);
                    return;
                }
            } finally {
                stripes.release(s);
            }
        }
        heap.free(off);
    }

    /** Leases a slot for stripe {@code s}; null if none is free or the allocator is closed. */
    private ThreadCache leaseStripe(int s) {
        if (closed) {
            return null;
        }
        long owner = OwnerWords.stripe(s);
        int slot = slots.tryLease(owner);
        return slot == Slots.NO_SLOT ? null : newCache(slot, owner, -1);
    }

    // ------------------------------------------------------------------ TLS API

    @Override
    public MemContext createTls(MemContext ctx) {
        Lease l = threads.getTls(key);
        ThreadCache tc = l == null ? null : l.cache;
        if (tc == null) {
            tc = leaseForCurrentThread(null, true);
            if (tc == null) {
                throw new StateException("no free thread cache slot in allocator " + id() + ": slots="
                        + slots.count() + " (raise -Dhshm.thread_local.slots when creating it, or call freeTls on"
                        + " threads that are done)");
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
     * Releases every slot this process leased (threads' and stripes') and stops leasing new ones; called when the
     * allocator is unregistered or its backend detached. Threads must have stopped using it.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        List<long[]> mine = new ArrayList<>();
        leased.forEach((slot, owner) -> mine.add(new long[] {slot, owner}));
        for (ThreadCache tc : stripes.leased()) {
            mine.add(new long[] {tc.slot, tc.owner});
        }
        for (long[] so : mine) {
            try {
                slots.release((int) so[0], so[1]);
            } catch (IllegalStateException detached) {
                break; // the backend was unmapped first: nothing more can be released from here
            } catch (RuntimeException e) {
                // a corrupt heap: the other slots are still given back; the first failure is reported
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        leased.clear();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public int reclaimDeadProcesses() {
        return heap.recoverLocks() + slots.reclaimDead();
    }

    // ------------------------------------------------------------------ statistics

    @Override
    public long bytesInUse() {
        return stats().bytesInUse();
    }

    @Override
    public AllocatorStats stats() {
        return heap.stats(type(), slots.cachedPerClass(), slots.inUse());
    }

    /**
     * The number of cache slots.
     *
     * @return slots in the region
     */
    public int slotCount() {
        return slots.count();
    }
}
