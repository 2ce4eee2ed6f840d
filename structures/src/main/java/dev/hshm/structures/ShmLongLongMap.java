package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongBinaryOperator;

/**
 * A {@code long} to {@code long} hash map in shared memory, found by name, used by threads of any processes at
 * once: the specialisation of {@link ShmHashMap} whose keys and values live in the slots themselves (24 bytes
 * a slot: tag, key, value; {@link MapLayout}), so nothing is allocated per entry and a get makes no garbage.
 *
 * <p><b>Concurrency.</b> The keys are spread over segments by the top bits of their hash; each segment is a
 * linear-probing table with its own robust writer lock ({@link ShmMutex}) and sequence counter. Writers of
 * different segments do not contend. Reads take no lock: they read the sequence, probe, and re-read the sequence,
 * retrying if a writer moved it; after {@value MapSegments#MAX_OPTIMISTIC_TRIES} tries (a writer stuck or dead
 * with the sequence odd) a reader takes the segment lock, which repairs what a dead writer left. A segment grows
 * online, under its lock, while readers and the writers of other segments go on.
 *
 * <p><b>Deaths.</b> A writer killed at any store leaves its segment repairable by the next process that takes
 * the lock: committed entries are never lost; the change in flight is either fully applied or absent. What each
 * step leaves is written at {@link MapSegments}; docs/containers.md has the whole story.
 */
public final class ShmLongLongMap {

    static final long SLOT_BYTES = 24;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final MapSegments m;
    private final String name;

    private ShmLongLongMap(MapSegments m, String name) {
        this.m = m;
        this.name = name;
    }

    /**
     * Creates a named, empty map.
     *
     * @param dir the directory
     * @param name the name
     * @param segments a power of two in [1, 1024]: writers of different segments never contend
     * @param expectedEntries entries it will hold without growing (it grows past that)
     * @return a handle
     */
    public static ShmLongLongMap create(NamedObjects dir, String name, int segments, long expectedEntries) {
        checkSegments(name, segments);
        if (expectedEntries < 0) {
            throw new IllegalArgumentException("long-long map '" + name + "': expectedEntries must be >= 0: "
                    + expectedEntries);
        }
        long cap = MapSegments.tableCapacityFor((expectedEntries + segments - 1) / segments);
        NamedObject o = dir.create(name, MapLayout.bytes(segments), h -> MapSegments.format(h, dir.allocator(),
                ContainerHeader.LONG_LONG_MAP, segments, SLOT_BYTES, 8, 8, cap));
        return new ShmLongLongMap(new MapSegments(dir.allocator(), o.memory(), "long-long map '" + name + "'"), name);
    }

    static void checkSegments(String name, int segments) {
        if (segments < 1 || segments > MapLayout.MAX_SEGMENTS || Integer.bitCount(segments) != 1) {
            throw new IllegalArgumentException("map '" + name + "': segments must be a power of two in [1, "
                    + MapLayout.MAX_SEGMENTS + "]: segments=" + segments);
        }
    }

    /**
     * Finds a named map.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws dev.hshm.api.NotFoundException if there is none
     * @throws CorruptSegmentException if the name holds something else or a corrupt header
     */
    public static ShmLongLongMap attach(NamedObjects dir, String name) {
        NamedObject o = dir.attach(name);
        MapSegments.check(o.memory(), ContainerHeader.LONG_LONG_MAP, SLOT_BYTES, name);
        return new ShmLongLongMap(new MapSegments(dir.allocator(), o.memory(), "long-long map '" + name + "'"), name);
    }

    // ------------------------------------------------------------------ reads (no lock)

    /**
     * The value of {@code key}, or {@code absent}. Takes no lock unless a writer of its segment is stuck or dead.
     *
     * @param key the key
     * @param absent what to return when the key is absent
     * @return the value
     */
    public long get(long key, long absent) {
        return lookup(key, absent, false);
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the key
     * @return {@code true} if present
     */
    public boolean containsKey(long key) {
        return lookup(key, 0, true) != 0;
    }

    /** The value of {@code key} or {@code absent}; with {@code presence}, 1 if present and 0 if not. */
    private long lookup(long key, long absent, boolean presence) {
        long h = Hashing.mix(key);
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        for (int attempt = 0; attempt < MapSegments.MAX_OPTIMISTIC_TRIES; attempt++) {
            long seq = m.seqAcquire(s);
            if ((seq & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long at;
            long v = absent;
            try {
                MapSegments.Table t = m.table(s);
                at = find(t, tag, key);
                if (presence) {
                    v = at >= 0 ? 1 : 0;
                } else if (at >= 0) {
                    v = t.seg().get(LONG, at + 16);
                }
            } catch (RuntimeException e) {
                if (m.unchanged(s, seq)) {
                    throw m.corrupt(s, e);
                }
                continue;
            }
            if (m.unchanged(s, seq)) {
                return v;
            }
        }
        m.lock(s);
        try {
            MapSegments.Table t = m.table(s);
            long at = find(t, tag, key);
            if (presence) {
                return at >= 0 ? 1 : 0;
            }
            return at >= 0 ? t.seg().get(LONG, at + 16) : absent;
        } finally {
            m.unlock(s);
        }
    }

    /** The slot of {@code key} in {@code t}, or -1; bounded by the capacity. */
    private static long find(MapSegments.Table t, long tag, long key) {
        MemorySegment seg = t.seg();
        long mask = t.mask();
        long i = tag & mask; // the start comes from the tag, as in a rebuild
        for (long n = 0; n <= mask; n++) {
            long at = MapLayout.T_SLOTS + i * SLOT_BYTES;
            long tg = seg.get(LONG, at);
            if (tg == MapLayout.EMPTY) {
                return -1;
            }
            if (tg == tag && seg.get(LONG, at + 8) == key) {
                return at;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    // ------------------------------------------------------------------ writes (segment lock)

    /**
     * Maps {@code key} to {@code value}.
     *
     * @param key the key
     * @param value the value
     * @return {@code true} if the key was new
     */
    public boolean put(long key, long value) {
        int s = m.segmentOf(Hashing.mix(key));
        m.lock(s);
        try {
            return putLocked(key, value);
        } finally {
            m.unlock(s);
        }
    }

    /**
     * Atomically replaces the value of {@code key} with {@code f(old, x)} (or {@code f(absent, x)} if absent)
     * under the segment lock.
     *
     * @param key the key
     * @param absent the old value to use when absent
     * @param x the operand
     * @param f the function
     * @return the new value
     */
    public long merge(long key, long absent, long x, LongBinaryOperator f) {
        long h = Hashing.mix(key);
        int s = m.segmentOf(h);
        m.lock(s);
        try {
            MapSegments.Table t = m.table(s);
            long at = find(t, MapSegments.tagOf(h), key);
            long old = at >= 0 ? t.seg().get(LONG, at + 16) : absent;
            long nu = f.applyAsLong(old, x);
            putLocked(key, nu);
            return nu;
        } finally {
            m.unlock(s);
        }
    }

    /** The put, with the segment lock held: probes for the key or the first free slot, then commits. */
    private boolean putLocked(long key, long value) {
        long h = Hashing.mix(key);
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        MapSegments.Table t = m.ensureRoom(s, m.table(s));
        long free = -1;
        long i = tag & t.mask();
        for (long n = 0; n <= t.mask(); n++) {
            long at = MapLayout.T_SLOTS + i * SLOT_BYTES;
            long tg = t.seg().get(LONG, at);
            if (tg == MapLayout.EMPTY) {
                if (free < 0) {
                    free = i;
                }
                break;
            }
            if (tg == MapLayout.TOMBSTONE) {
                if (free < 0) {
                    free = i;
                }
            } else if (tg == tag && t.seg().get(LONG, at + 8) == key) {
                if (t.seg().get(LONG, at + 16) != value) {
                    m.commitSlot(s, t, i, tag, key, value, dev.hshm.api.OffsetPointer.NULL_OFFSET, 0, 0);
                }
                return false;
            }
            i = (i + 1) & t.mask();
        }
        if (free < 0) {
            throw new CorruptSegmentException(m.what + " segment " + s + ": no free slot in a table whose USED says "
                    + "there is room");
        }
        boolean wasEmpty = t.seg().get(LONG, MapLayout.T_SLOTS + free * SLOT_BYTES) == MapLayout.EMPTY;
        m.commitSlot(s, t, free, tag, key, value, dev.hshm.api.OffsetPointer.NULL_OFFSET, 1, wasEmpty ? 1 : 0);
        return true;
    }

    /**
     * Removes {@code key} (its slot becomes a tombstone until the segment is rebuilt).
     *
     * @param key the key
     * @return {@code true} if it was present
     */
    public boolean remove(long key) {
        long h = Hashing.mix(key);
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        m.lock(s);
        try {
            MapSegments.Table t = m.table(s);
            long at = find(t, tag, key);
            if (at < 0) {
                return false;
            }
            long i = (at - MapLayout.T_SLOTS) / SLOT_BYTES;
            m.commitSlot(s, t, i, MapLayout.TOMBSTONE, key, t.seg().get(LONG, at + 16),
                    dev.hshm.api.OffsetPointer.NULL_OFFSET, -1, 0);
            return true;
        } finally {
            m.unlock(s);
        }
    }

    /**
     * The number of entries (a sum of per-segment counts; exact when no writer runs).
     *
     * @return the size
     */
    public long size() {
        return m.size();
    }

    /**
     * How many segments were repaired after a writer died mid-change (over the map's life, all processes).
     *
     * @return the count
     */
    public long repairs() {
        return m.repairs();
    }

    /**
     * Calls {@code action} with every entry, one segment at a time under its lock.
     *
     * @param action receives key and value
     */
    public void forEach(java.util.function.BiConsumer<Long, Long> action) {
        m.walk(false, (s, t, i, at, tag) -> action.accept(t.seg().get(LONG, at + 8), t.seg().get(LONG, at + 16)));
    }

    /**
     * Walks every segment under its lock and checks it: counts match the slots, every key sits in the segment and
     * probe run its hash names.
     *
     * @return the number of entries
     * @throws CorruptSegmentException naming the first inconsistency
     */
    public long check() {
        return m.walk(true, (s, t, i, at, tg) -> {
            long key = t.seg().get(LONG, at + 8);
            long h = Hashing.mix(key);
            if (MapSegments.tagOf(h) != tg || m.segmentOf(h) != s || find(t, tg, key) != at) {
                throw new CorruptSegmentException(m.what + " segment " + s + ": slot " + i + " holds key " + key
                        + " with TAG=0x" + Long.toHexString(tg) + " that its hash does not lead to");
            }
        });
    }

    /**
     * Frees the tables and the name; no process may use the map afterwards.
     *
     * @param dir the directory it was created in
     */
    public void destroy(NamedObjects dir) {
        m.freeTables();
        dir.destroy(name);
    }

    @Override
    public String toString() {
        return m.what + " (" + m.segments + " segments, " + size() + " entries)";
    }
}
