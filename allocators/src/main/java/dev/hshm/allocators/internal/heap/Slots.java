package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.FreeBlock.NO_OFFSET;

/**
 * The thread-cache slot table of a {@code thread_local} heap ({@link SlotTable}): leasing a slot, giving it back
 * with its cached blocks, and reclaiming the slots of dead processes. Which thread uses which slot is the
 * allocator's business; the words in shared memory are this class's.
 *
 * <p><b>Crash notes.</b> Lease: (1) CAS OWNER FREE-&gt;owner: the commit; (2) START; (3) the record's heads and
 * INIT, if the record was never initialised; (4) OWNER_TID. A death after (1) leaves a leased slot whose owner is
 * dead (START may still be 0: then only the pid is checked), reclaimed like any dead process's slot. Release:
 * (1) every list given back, block by block ({@link Heap#giveBatch}); (2) OWNER_TID, START; (3) CAS owner-&gt;FREE:
 * the commit. A death before (3) leaves the slot leased by a dead owner: reclaimed later, its remaining blocks
 * given back then.
 */
public final class Slots {

    /** What {@link #tryLease} answers when every slot is leased. */
    public static final int NO_SLOT = -1;

    private static final System.Logger LOG = System.getLogger(Slots.class.getName());

    private final Heap heap;
    private final Words w;
    private final HeapHeader.Geometry geo;
    private final int count;

    public Slots(Heap heap) {
        this.heap = heap;
        this.w = heap.w;
        this.geo = heap.geo;
        this.count = geo.slotCount();
    }

    public int count() {
        return count;
    }

    /** The record of a slot: its lists' head words are {@link SlotTable#head}{@code (record, c)}. */
    public long record(int slot) {
        return SlotTable.record(geo, slot);
    }

    private long owner(int slot) {
        return w.getVolatile(SlotTable.lease(geo, slot) + SlotTable.OWNER);
    }

    /** Tells whether {@code owner} holds the lease of {@code slot} (opaque read: the caller's own lease). */
    public boolean isLeasedBy(int slot, long owner) {
        return slot >= 0 && slot < count && w.getOpaque(SlotTable.lease(geo, slot) + SlotTable.OWNER) == owner;
    }

    /**
     * Leases a free slot to {@code owner} (probing from a hash of it), initialising its record on first use.
     *
     * @return the slot, or {@link #NO_SLOT}
     */
    public int tryLease(long owner) {
        if (count == 0) {
            return NO_SLOT;
        }
        int start = Math.floorMod(owner * 0x9E3779B97F4A7C15L >>> 40, count);
        for (int i = 0; i < count; i++) {
            int slot = (start + i) % count;
            long at = SlotTable.lease(geo, slot);
            if (w.getOpaque(at + SlotTable.OWNER) == OwnerWords.FREE
                    && w.cas(at + SlotTable.OWNER, OwnerWords.FREE, owner)) {
                w.put(at + SlotTable.START, OwnerWords.startWord());
                long rec = record(slot);
                long init = heap.salt ^ ~(long) slot;
                if (w.get(rec + SlotTable.INIT) != init) {
                    for (int c = 0; c < SizeClasses.COUNT; c++) {
                        w.put(SlotTable.head(rec, c), NO_OFFSET);
                    }
                    w.put(rec + SlotTable.INIT, init);
                }
                w.put(rec + SlotTable.OWNER_TID, owner);
                return slot;
            }
        }
        return NO_SLOT;
    }

    /** Gives every cached block of a slot back to the shards. */
    public void flush(int slot) {
        long rec = record(slot);
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            heap.giveBatch(c, SlotTable.head(rec, c), Long.MAX_VALUE);
        }
    }

    /** Flushes a slot and gives its lease back, if {@code owner} still holds it. */
    public void release(int slot, long owner) {
        long at = SlotTable.lease(geo, slot);
        if (owner(slot) != owner) {
            return;
        }
        flush(slot);
        w.put(record(slot) + SlotTable.OWNER_TID, OwnerWords.FREE);
        w.put(at + SlotTable.START, 0L);
        w.cas(at + SlotTable.OWNER, owner, OwnerWords.FREE); // commit: the slot is free
    }

    /**
     * Finds leases whose process is gone (pid plus start time), takes each with a CAS to this thread's reclaimer
     * marker, gives its blocks back and frees it.
     *
     * @return the slots reclaimed
     */
    public int reclaimDead() {
        int reclaimed = 0;
        long me = OwnerWords.reclaimer();
        for (int slot = 0; slot < count; slot++) {
            long at = SlotTable.lease(geo, slot);
            long owner = owner(slot);
            if (owner == OwnerWords.FREE || OwnerWords.isOurs(owner)) {
                continue;
            }
            if (OwnerWords.isAlive(owner, w.get(at + SlotTable.START))) {
                continue;
            }
            if (w.cas(at + SlotTable.OWNER, owner, me)) {
                // START still holds the dead owner's start word, whose pid bits are not ours: until the store
                // below, a second reclaimer sees "start unknown" and checks our pid only (alive: it leaves the
                // slot to us). A reclaimer that dies is found dead by its pid, and the next one takes over.
                w.put(at + SlotTable.START, OwnerWords.startWord());
                LOG.log(System.Logger.Level.INFO, "allocator " + heap.id + ": reclaiming cache slot " + slot + " of "
                        + OwnerWords.describe(owner) + " (dead)");
                release(slot, me);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** Slots whose lease is held (opaque reads: a recent value). */
    public int inUse() {
        int n = 0;
        for (int slot = 0; slot < count; slot++) {
            if (w.getOpaque(SlotTable.lease(geo, slot) + SlotTable.OWNER) != OwnerWords.FREE) {
                n++;
            }
        }
        return n;
    }

    /**
     * Blocks per class in every leased slot's lists, found by walking them (bounded by the longest a list can be,
     * stopping at the first entry that is not a tagged free block of the heap). Exact when their owners are not
     * allocating; a recent value while they are (the lists are read opaque: a benign race with their owners).
     */
    public long[] cachedPerClass() {
        long[] cached = new long[SizeClasses.COUNT];
        long heapOff = geo.heapOffset();
        long heapEnd = geo.heapEnd();
        for (int slot = 0; slot < count; slot++) {
            if (w.getOpaque(SlotTable.lease(geo, slot) + SlotTable.OWNER) == OwnerWords.FREE) {
                continue;
            }
            long rec = record(slot);
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                long b = w.getOpaque(SlotTable.head(rec, c));
                for (int n = 0; n < SlotTable.maxListLength(c) && b != NO_OFFSET; n++) {
                    if (b < heapOff || b > heapEnd - FreeBlock.BYTES
                            || w.getOpaque(b + FreeBlock.TAG) != FreeBlock.tag(heap.salt, b)) {
                        break;
                    }
                    cached[c]++;
                    b = w.getOpaque(b + FreeBlock.NEXT);
                }
            }
        }
        return cached;
    }
}
