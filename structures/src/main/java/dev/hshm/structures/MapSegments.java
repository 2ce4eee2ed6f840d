package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemContext;
import dev.hshm.api.OffsetPointer;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The machinery {@link ShmHashMap} and {@link ShmLongLongMap} share ({@link MapLayout}): segments, their robust
 * writer locks, sequence counters for lock-free readers, the per-segment journal that makes every change
 * repairable, online growth and the repair itself. The maps own probing and their slot and entry formats.
 *
 * <p><b>A change to a slot</b> ({@link #commitSlot}), in store order, with what a death after each step leaves
 * and who repairs it (always the next process that takes the segment lock: it is told {@code OWNER_DIED}, or
 * finds J_STATE not IDLE, or SEQ odd):
 * <ol>
 *   <li>(hash map) allocate the entry block; J_ABORT = it, J_STATE = BUILDING: a death before J_STATE leaks the
 *       block; after it, the repair frees the block and the entry is absent;</li>
 *   <li>(hash map) write the entry: the same;</li>
 *   <li>J_SLOT, J_W0..2, J_FREE, then J_STATE = SLOT (release): the change is decided. From here the repair
 *       rolls it forward: the entry is then fully there;</li>
 *   <li>SEQ odd (volatile): readers retry from now on (and after a bounded number of tries take the lock,
 *       which repairs);</li>
 *   <li>slot words 1..n, then TAG: a half-written slot; rolled forward;</li>
 *   <li>COUNT and USED: recounted by the repair;</li>
 *   <li>SEQ even (release): the slot is whole; the repair re-applies the same values (idempotent);</li>
 *   <li>J_STATE = IDLE (release): done; a death before the next step leaks J_FREE (one block), since a
 *       free cannot be told apart from a free that did not happen;</li>
 *   <li>free J_FREE (the replaced or removed entry).</li>
 * </ol>
 * <b>Growth</b> ({@link #grow}) is the same with a table: allocate and build the new table from the live slots
 * (J_ABORT, BUILDING: freed if abandoned), J_W0 = new, J_FREE = old, J_STATE = TABLE, SEQ odd, TABLE = new,
 * COUNT, USED, SEQ even, IDLE, free the old table. Entries are shared by both tables, so none is freed.
 * Readers of the old table retry when SEQ moves; a reader never reads a table after it was freed without
 * seeing SEQ move.
 */
final class MapSegments {

    /** Tries of the lock-free read before a reader takes the segment lock (a writer slow, stuck, or dead). */
    static final int MAX_OPTIMISTIC_TRIES = 1 << 14;

    /** A test's hook, called at named steps of a change (null outside tests). */
    interface StepHook {
        void at(String step);
    }

    static StepHook stepHook;

    record Table(long offset, MemorySegment seg, long capacity, long mask) {
    }

    final Allocator allocator;
    final MemorySegment mem;
    final MemorySegment hdr;
    final int segments;
    final int segmentShift;
    final long slotBytes;
    final int maxKey;
    final int maxValue;
    final String what;
    private final ShmMutex[] locks;
    private final Table[] tables;

    MapSegments(Allocator allocator, MemorySegment hdr, String what) {
        this.allocator = allocator;
        this.mem = allocator.memory();
        this.hdr = hdr;
        this.what = what;
        this.segments = Words.getInt(hdr, MapLayout.SEGMENTS);
        this.slotBytes = Words.getInt(hdr, MapLayout.SLOT_BYTES);
        this.maxKey = Words.getInt(hdr, MapLayout.MAX_KEY);
        this.maxValue = Words.getInt(hdr, MapLayout.MAX_VALUE);
        this.segmentShift = 64 - Integer.numberOfTrailingZeros(Math.max(1, segments));
        this.locks = new ShmMutex[Math.max(0, segments)];
        this.tables = new Table[Math.max(0, segments)];
        for (int s = 0; s < segments; s++) {
            locks[s] = ShmMutex.embedded(hdr, desc(s) + MapLayout.S_LOCK, what + " segment " + s + " lock");
        }
    }

    // ------------------------------------------------------------------ creation and attach

    /** Formats a zeroed header block: allocates one table per segment, then publishes. */
    static void format(MemorySegment m, Allocator a, int type, int segments, long slotBytes, int maxKey, int maxValue,
            long tableCapacity) {
        ContainerHeader.format(m, type, MapLayout.LAYOUT_VERSION);
        Words.putInt(m, MapLayout.SEGMENTS, segments);
        Words.putInt(m, MapLayout.SLOT_BYTES, (int) slotBytes);
        Words.putInt(m, MapLayout.MAX_KEY, maxKey);
        Words.putInt(m, MapLayout.MAX_VALUE, maxValue);
        int made = 0;
        boolean success = false;
        try {
            for (; made < segments; made++) {
                long d = desc(made);
                long t = newTable(a, tableCapacity, slotBytes);
                Words.put(m, d + MapLayout.S_TABLE, t);
                ShmMutex.formatBody(m, d + MapLayout.S_LOCK);
                Words.put(m, d + MapLayout.S_J_FREE, OffsetPointer.NULL_OFFSET);
                Words.put(m, d + MapLayout.S_J_ABORT, OffsetPointer.NULL_OFFSET);
            }
            ContainerHeader.publish(m);
            success = true;
        } finally {
            if (!success) {
                for (int s = 0; s < made; s++) {
                    a.freeOffset(MemContext.DEFAULT, Words.get(m, desc(s) + MapLayout.S_TABLE));
                }
            }
        }
    }

    /** Checks an attached header's fixed fields. */
    static void check(MemorySegment m, int type, long slotBytes, String name) {
        ContainerHeader.check(m, type, MapLayout.LAYOUT_VERSION, MapLayout.SEGMENT0, name);
        String what = ContainerHeader.typeName(type) + " '" + name + "'";
        int segs = Words.getInt(m, MapLayout.SEGMENTS);
        if (segs < 1 || segs > MapLayout.MAX_SEGMENTS || Integer.bitCount(segs) != 1) {
            throw new CorruptSegmentException(what + ": bad segment count: SEGMENTS=" + segs + " (a power of two in [1, "
                    + MapLayout.MAX_SEGMENTS + "])");
        }
        if (m.byteSize() < MapLayout.bytes(segs)) {
            throw new CorruptSegmentException(what + ": header block of " + m.byteSize() + " bytes is too small for "
                    + "SEGMENTS=" + segs + " (" + MapLayout.bytes(segs) + " bytes)");
        }
        int sb = Words.getInt(m, MapLayout.SLOT_BYTES);
        if (sb != slotBytes) {
            throw new CorruptSegmentException(what + ": bad slot size: SLOT_BYTES=" + sb + ", expected=" + slotBytes);
        }
        int mk = Words.getInt(m, MapLayout.MAX_KEY);
        int mv = Words.getInt(m, MapLayout.MAX_VALUE);
        if (mk < 1 || mk > MapLayout.MAX_KEY_LIMIT || mv < 0 || mv > MapLayout.MAX_VALUE_LIMIT) {
            throw new CorruptSegmentException(what + ": bad limits: MAX_KEY=" + mk + ", MAX_VALUE=" + mv);
        }
    }

    static long tableCapacityFor(long entriesPerSegment) {
        long want = Math.max(MapLayout.MIN_TABLE, entriesPerSegment * 2);
        long cap = Long.highestOneBit(Math.min(MapLayout.MAX_TABLE, want));
        return cap < want && cap < MapLayout.MAX_TABLE ? cap << 1 : cap;
    }

    private static long newTable(Allocator a, long capacity, long slotBytes) {
        long bytes = MapLayout.tableBytes(capacity, slotBytes);
        long t = a.alignedAllocateOffset(MemContext.DEFAULT, bytes, MapLayout.TABLE_ALIGNMENT);
        MemorySegment s = a.resolve(t, bytes);
        s.fill((byte) 0);
        Words.put(s, MapLayout.T_CAPACITY, capacity);
        Words.put(s, MapLayout.T_SLOT_BYTES, slotBytes);
        return t;
    }

    static long desc(int s) {
        return MapLayout.SEGMENT0 + s * MapLayout.SEGMENT_BYTES;
    }

    // ------------------------------------------------------------------ hashing

    int segmentOf(long h) {
        return segments == 1 ? 0 : (int) (h >>> segmentShift);
    }

    static long tagOf(long h) {
        return h == MapLayout.EMPTY || h == MapLayout.TOMBSTONE ? h + 2 : h;
    }

    // ------------------------------------------------------------------ tables

    /** The table of segment {@code s}, checked; cached by offset and capacity. */
    Table table(int s) {
        return tableAt(s, Words.getAcquire(hdr, desc(s) + MapLayout.S_TABLE));
    }

    private Table tableAt(int s, long off) {
        Table t = tables[s];
        if (t != null && t.offset == off && Words.get(t.seg, MapLayout.T_CAPACITY) == t.capacity) {
            return t;
        }
        t = readTable(s, off);
        tables[s] = t;
        return t;
    }

    private Table readTable(int s, long off) {
        if (off < 0 || off > mem.byteSize() - MapLayout.T_SLOTS) {
            throw new CorruptSegmentException(what + " segment " + s + ": TABLE points outside the allocator's memory: "
                    + "TABLE=" + off);
        }
        long cap = mem.get(ValueLayout.JAVA_LONG, off + MapLayout.T_CAPACITY);
        long sb = mem.get(ValueLayout.JAVA_LONG, off + MapLayout.T_SLOT_BYTES);
        if (cap < MapLayout.MIN_TABLE || cap > MapLayout.MAX_TABLE || Long.bitCount(cap) != 1
                || sb != slotBytes || MapLayout.tableBytes(cap, slotBytes) > mem.byteSize() - off) {
            throw new CorruptSegmentException(what + " segment " + s + ": bad slot table at TABLE=" + off + ": CAPACITY="
                    + cap + ", SLOT_BYTES=" + sb + " (capacity a power of two in [" + MapLayout.MIN_TABLE + ", "
                    + MapLayout.MAX_TABLE + "], slot size " + slotBytes + ", inside " + mem.byteSize() + " bytes)");
        }
        return new Table(off, mem.asSlice(off, MapLayout.tableBytes(cap, slotBytes)), cap, cap - 1);
    }

    static long slotAt(Table t, long i, long slotBytes) {
        return MapLayout.T_SLOTS + i * slotBytes;
    }

    long count(int s) {
        return Words.getOpaque(hdr, desc(s) + MapLayout.S_COUNT);
    }

    long used(int s, Table t) {
        long u = Words.get(hdr, desc(s) + MapLayout.S_USED);
        long c = Words.get(hdr, desc(s) + MapLayout.S_COUNT);
        if (u < 0 || u > t.capacity || c < 0 || c > u) {
            throw new CorruptSegmentException(what + " segment " + s + ": bad counts: COUNT=" + c + ", USED=" + u
                    + " (capacity " + t.capacity + ")");
        }
        return u;
    }

    // ------------------------------------------------------------------ the sequence counter (readers)

    long seqAcquire(int s) {
        return Words.getAcquire(hdr, desc(s) + MapLayout.S_SEQ);
    }

    /** Whether nothing changed segment {@code s} since a reader loaded {@code seq} (its loads ordered before). */
    boolean unchanged(int s, long seq) {
        VarHandle.acquireFence();
        return Words.getAcquire(hdr, desc(s) + MapLayout.S_SEQ) == seq;
    }

    CorruptSegmentException corrupt(int s, RuntimeException e) {
        return e instanceof CorruptSegmentException c ? c
                : new CorruptSegmentException(what + " segment " + s + ": a read of its slots failed on a stable "
                        + "segment: " + e, e);
    }

    private void seqBegin(int s) {
        long d = desc(s) + MapLayout.S_SEQ;
        Words.putVolatile(hdr, d, Words.get(hdr, d) + 1);
    }

    private void seqEnd(int s) {
        long d = desc(s) + MapLayout.S_SEQ;
        Words.putRelease(hdr, d, Words.get(hdr, d) + 1);
    }

    // ------------------------------------------------------------------ the writers' lock

    /** Takes segment {@code s}'s lock and repairs what a dead (or failed) writer left. */
    void lock(int s) {
        ShmMutex.LockResult r = locks[s].lock();
        long d = desc(s);
        if (r == ShmMutex.LockResult.OWNER_DIED || Words.getAcquire(hdr, d + MapLayout.S_J_STATE) != MapLayout.J_IDLE
                || (Words.get(hdr, d + MapLayout.S_SEQ) & 1) != 0) {
            boolean success = false;
            try {
                repair(s, r == ShmMutex.LockResult.OWNER_DIED);
                success = true;
            } finally {
                if (!success) {
                    locks[s].unlock();
                }
            }
        }
    }

    void unlock(int s) {
        locks[s].unlock();
    }

    long lockRecoveries() {
        long n = 0;
        for (ShmMutex m : locks) {
            n += m.recoveries();
        }
        return n;
    }

    long repairs() {
        return Words.getVolatile(hdr, MapLayout.REPAIRS);
    }

    private static void step(String name) {
        StepHook h = stepHook;
        if (h != null) {
            h.at(name);
        }
    }

    // ------------------------------------------------------------------ changes (under the lock)

    /** Step 1 of a change that builds a block: records it so that a death while building frees it. */
    void building(int s, long block) {
        long d = desc(s);
        Words.put(hdr, d + MapLayout.S_J_ABORT, block);
        Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_BUILDING);
        step("building");
    }

    /** Steps 3 to 9 (see the class): sets slot {@code i} of {@code t} to {@code w0..w2}, counts, frees. */
    void commitSlot(int s, Table t, long i, long w0, long w1, long w2, long free, long dCount, long dUsed) {
        long d = desc(s);
        Words.put(hdr, d + MapLayout.S_J_SLOT, i);
        Words.put(hdr, d + MapLayout.S_J_W0, w0);
        Words.put(hdr, d + MapLayout.S_J_W1, w1);
        Words.put(hdr, d + MapLayout.S_J_W2, w2);
        Words.put(hdr, d + MapLayout.S_J_FREE, free);
        Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_SLOT);
        step("journaled");
        seqBegin(s);
        writeSlot(t, i, w0, w1, w2);
        Words.put(hdr, d + MapLayout.S_COUNT, Words.get(hdr, d + MapLayout.S_COUNT) + dCount);
        Words.put(hdr, d + MapLayout.S_USED, Words.get(hdr, d + MapLayout.S_USED) + dUsed);
        step("counted");
        seqEnd(s);
        step("published");
        Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_IDLE);
        freeBlock(s, free);
    }

    private void writeSlot(Table t, long i, long w0, long w1, long w2) {
        long at = slotAt(t, i, slotBytes);
        t.seg.set(ValueLayout.JAVA_LONG, at + 8, w1);
        if (slotBytes > 16) {
            t.seg.set(ValueLayout.JAVA_LONG, at + 16, w2);
        }
        step("half-written");
        t.seg.set(ValueLayout.JAVA_LONG, at, w0);
    }

    private void freeBlock(int s, long block) {
        if (block == OffsetPointer.NULL_OFFSET) {
            return;
        }
        try {
            allocator.freeOffset(MemContext.DEFAULT, block);
        } catch (HshmException e) {
            throw new CorruptSegmentException(what + " segment " + s + ": the allocator refuses to free block " + block
                    + " the map recorded (" + e.getMessage() + ")", e);
        }
    }

    /** Makes room for one more slot: grows (or rebuilds without tombstones) when 3/4 of the slots are used. */
    Table ensureRoom(int s, Table t) {
        long used = used(s, t);
        if ((used + 1) * 4 <= t.capacity * 3) {
            return t;
        }
        return grow(s, t);
    }

    /** Rebuilds segment {@code s} into a table of twice its live entries' slots (see the class). */
    Table grow(int s, Table t) {
        long d = desc(s);
        long live = Math.min(Words.get(hdr, d + MapLayout.S_COUNT), t.capacity);
        long cap = tableCapacityFor(live + 1);
        if (cap <= t.capacity && (live + 1) * 4 > t.capacity * 3) {
            cap = t.capacity * 2;
        }
        if (cap > MapLayout.MAX_TABLE) {
            throw new OutOfMemoryException(what + " segment " + s + " is full: " + live + " entries in the largest table ("
                    + MapLayout.MAX_TABLE + " slots); create the map with more segments");
        }
        long nt = newTable(allocator, cap, slotBytes);
        building(s, nt);
        Table n = readTable(s, nt);
        long moved = 0;
        for (long i = 0; i < t.capacity; i++) {
            long at = slotAt(t, i, slotBytes);
            long tag = t.seg.get(ValueLayout.JAVA_LONG, at);
            if (tag == MapLayout.EMPTY || tag == MapLayout.TOMBSTONE) {
                continue;
            }
            long j = tag & n.mask;
            for (long probe = 0; n.seg.get(ValueLayout.JAVA_LONG, slotAt(n, j, slotBytes)) != MapLayout.EMPTY; probe++) {
                if (probe >= n.capacity) {
                    throw new CorruptSegmentException(what + " segment " + s + ": more live slots than COUNT says");
                }
                j = (j + 1) & n.mask;
            }
            MemorySegment.copy(t.seg, at, n.seg, slotAt(n, j, slotBytes), slotBytes);
            moved++;
        }
        Words.put(hdr, d + MapLayout.S_J_W0, nt);
        Words.put(hdr, d + MapLayout.S_J_FREE, t.offset);
        Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_TABLE);
        step("table-journaled");
        seqBegin(s);
        Words.putRelease(hdr, d + MapLayout.S_TABLE, nt);
        Words.put(hdr, d + MapLayout.S_COUNT, moved);
        Words.put(hdr, d + MapLayout.S_USED, moved);
        step("table-swapped");
        seqEnd(s);
        Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_IDLE);
        freeBlock(s, t.offset);
        tables[s] = n;
        return n;
    }

    /**
     * Repairs segment {@code s} under its lock from its journal (see the class for what each state means): frees
     * an abandoned BUILDING block; rolls a SLOT or TABLE change forward; recounts; makes SEQ even; frees J_FREE.
     * Every store is idempotent, so a repairer that dies is repaired by the next one.
     */
    private void repair(int s, boolean ownerDied) {
        long d = desc(s);
        long state = Words.getAcquire(hdr, d + MapLayout.S_J_STATE);
        boolean odd = (Words.get(hdr, d + MapLayout.S_SEQ) & 1) != 0;
        String did;
        if (state == MapLayout.J_BUILDING) {
            long abort = Words.get(hdr, d + MapLayout.S_J_ABORT);
            if (odd) {
                seqEnd(s);
            }
            Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_IDLE);
            freeBlock(s, abort);
            did = "freed the block a dead writer was building (offset " + abort + "); the change is absent";
        } else if (state == MapLayout.J_SLOT || state == MapLayout.J_TABLE) {
            if (!odd) {
                seqBegin(s);
            }
            if (state == MapLayout.J_SLOT) {
                Table t = table(s);
                long i = Words.get(hdr, d + MapLayout.S_J_SLOT);
                if (i < 0 || i >= t.capacity) {
                    throw new CorruptSegmentException(what + " segment " + s + ": bad journal slot: J_SLOT=" + i
                            + " (capacity " + t.capacity + ")");
                }
                writeSlot(t, i, Words.get(hdr, d + MapLayout.S_J_W0), Words.get(hdr, d + MapLayout.S_J_W1),
                        Words.get(hdr, d + MapLayout.S_J_W2));
                did = "rolled the change of slot " + i + " forward";
            } else {
                long nt = Words.get(hdr, d + MapLayout.S_J_W0);
                readTable(s, nt); // checks it before it is published
                Words.putRelease(hdr, d + MapLayout.S_TABLE, nt);
                did = "rolled the growth to the table at " + nt + " forward";
            }
            recount(s, table(s));
            seqEnd(s);
            long free = Words.get(hdr, d + MapLayout.S_J_FREE);
            Words.putRelease(hdr, d + MapLayout.S_J_STATE, MapLayout.J_IDLE);
            freeBlock(s, free);
        } else if (state == MapLayout.J_IDLE) {
            recount(s, table(s));
            if (odd) {
                seqEnd(s);
            }
            did = ownerDied ? "found nothing half-done" : "made an odd SEQ even";
        } else {
            throw new CorruptSegmentException(what + " segment " + s + ": bad journal state: J_STATE=" + state
                    + " (expected 0..3)");
        }
        Words.getAndAdd(hdr, MapLayout.REPAIRS, 1L);
        System.getLogger(MapSegments.class.getName()).log(System.Logger.Level.WARNING, what + " segment " + s
                + " was left by a writer that died or failed mid-change; " + did);
    }

    private void recount(int s, Table t) {
        long live = 0;
        long used = 0;
        for (long i = 0; i < t.capacity; i++) {
            long tag = t.seg.get(ValueLayout.JAVA_LONG, slotAt(t, i, slotBytes));
            if (tag != MapLayout.EMPTY) {
                used++;
                if (tag != MapLayout.TOMBSTONE) {
                    live++;
                }
            }
        }
        long d = desc(s);
        Words.put(hdr, d + MapLayout.S_COUNT, live);
        Words.put(hdr, d + MapLayout.S_USED, used);
    }

    /** What {@link #walk} calls for each live slot, with its segment's lock held. */
    interface SlotVisitor {
        void visit(int s, Table t, long i, long at, long tag);
    }

    /**
     * Calls {@code v} for every live slot, one segment at a time under its lock (bounded by each capacity).
     *
     * @param checkCounts also check that COUNT and USED match the slots
     * @return the number of live slots
     * @throws CorruptSegmentException if a count does not match
     */
    long walk(boolean checkCounts, SlotVisitor v) {
        long total = 0;
        for (int s = 0; s < segments; s++) {
            lock(s);
            try {
                Table t = table(s);
                long live = 0;
                long used = 0;
                for (long i = 0; i < t.capacity; i++) {
                    long at = slotAt(t, i, slotBytes);
                    long tag = t.seg.get(ValueLayout.JAVA_LONG, at);
                    if (tag == MapLayout.EMPTY) {
                        continue;
                    }
                    used++;
                    if (tag != MapLayout.TOMBSTONE) {
                        live++;
                        v.visit(s, t, i, at, tag);
                    }
                }
                if (checkCounts && (live != count(s) || used != used(s, t))) {
                    throw new CorruptSegmentException(what + " segment " + s + ": COUNT=" + count(s) + ", USED="
                            + used(s, t) + " but the slots hold " + live + " entries and " + used + " used slots");
                }
                total += live;
            } finally {
                unlock(s);
            }
        }
        return total;
    }

    /** Frees every segment's table (after the map's own blocks); for destroy. */
    void freeTables() {
        for (int s = 0; s < segments; s++) {
            freeBlock(s, table(s).offset);
        }
    }

    long size() {
        long n = 0;
        for (int s = 0; s < segments; s++) {
            n += count(s);
        }
        return n;
    }
}
