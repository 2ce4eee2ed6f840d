package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.OffsetPointer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BiConsumer;

/**
 * A hash map of byte-string keys and values in shared memory, found by name, used by threads of any processes
 * at once ({@link MapLayout}). Keys and values are {@link MemorySegment}s (or {@code byte[]}) of up to the
 * limits given at creation; each entry is one block from the allocator (key and value together), written
 * before it is published and freed when it is removed or replaced. {@link ShmLongLongMap} is the specialisation
 * for {@code long} keys and values.
 *
 * <p><b>Concurrency.</b> Keys are spread over segments by the top bits of their 64-bit hash; each segment is
 * a linear-probing table of (tag, entry offset) slots with its own robust writer lock ({@link ShmMutex}) and
 * sequence counter. Reads take no lock: read the sequence, probe, copy the value out, re-read the sequence,
 * retry if a writer moved it; a writer that is stuck or dead with the sequence odd makes a reader, after
 * {@value MapSegments#MAX_OPTIMISTIC_TRIES} tries, take the segment lock, which repairs the segment. Every
 * length and offset read during a lock-free read is range-checked, and an inconsistency is an error only if the
 * sequence shows the segment was stable (else the read retries). A segment grows (or rebuilds away its
 * tombstones) online under its lock.
 *
 * <p><b>Deaths.</b> A writer killed at any store leaves its segment repairable by the next process that takes
 * its lock (which is told the holder died): committed entries are never lost; the change in flight is either
 * fully there or absent; the worst a death leaks is one block. Step by step at {@link MapSegments}, and in
 * docs/containers.md.
 */
public final class ShmHashMap {

    static final long SLOT_BYTES = 16;
    /** Reads of {@link #get(byte[])} whose value changed length between sizing and copying, before it gives up. */
    static final int MAX_RESIZED_TRIES = 1_000;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private final MapSegments m;
    private final MemorySegment mem;
    private final String name;

    private ShmHashMap(MapSegments m, String name) {
        this.m = m;
        this.mem = m.mem;
        this.name = name;
    }

    /**
     * Creates a named, empty map.
     *
     * @param dir the directory
     * @param name the name
     * @param segments a power of two in [1, 1024]: writers of different segments never contend
     * @param expectedEntries entries it will hold without growing (it grows past that)
     * @param maxKeyBytes the largest key, in [1, 2^20]
     * @param maxValueBytes the largest value, in [0, 2^24]
     * @return a handle
     */
    public static ShmHashMap create(NamedObjects dir, String name, int segments, long expectedEntries, int maxKeyBytes,
            int maxValueBytes) {
        ShmLongLongMap.checkSegments(name, segments);
        if (expectedEntries < 0 || maxKeyBytes < 1 || maxKeyBytes > MapLayout.MAX_KEY_LIMIT || maxValueBytes < 0
                || maxValueBytes > MapLayout.MAX_VALUE_LIMIT) {
            throw new IllegalArgumentException("hash map '" + name + "': expectedEntries >= 0, maxKeyBytes in [1, "
                    + MapLayout.MAX_KEY_LIMIT + "], maxValueBytes in [0, " + MapLayout.MAX_VALUE_LIMIT + "]: got "
                    + expectedEntries + ", " + maxKeyBytes + ", " + maxValueBytes);
        }
        long cap = MapSegments.tableCapacityFor((expectedEntries + segments - 1) / segments);
        NamedObject o = dir.create(name, MapLayout.bytes(segments), h -> MapSegments.format(h, dir.allocator(),
                ContainerHeader.HASH_MAP, segments, SLOT_BYTES, maxKeyBytes, maxValueBytes, cap));
        return new ShmHashMap(new MapSegments(dir.allocator(), o.memory(), "hash map '" + name + "'"), name);
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
    public static ShmHashMap attach(NamedObjects dir, String name) {
        NamedObject o = dir.attach(name);
        MapSegments.check(o.memory(), ContainerHeader.HASH_MAP, SLOT_BYTES, name);
        return new ShmHashMap(new MapSegments(dir.allocator(), o.memory(), "hash map '" + name + "'"), name);
    }

    /**
     * The largest key.
     *
     * @return bytes
     */
    public int maxKeyBytes() {
        return m.maxKey;
    }

    /**
     * The largest value.
     *
     * @return bytes
     */
    public int maxValueBytes() {
        return m.maxValue;
    }

    private void checkKey(MemorySegment key) {
        if (key.byteSize() < 1 || key.byteSize() > m.maxKey) {
            throw new IllegalArgumentException(m.what + ": key of " + key.byteSize() + " bytes; keys are 1 to "
                    + m.maxKey + " bytes");
        }
    }

    // ------------------------------------------------------------------ entries

    /**
     * Checks the entry block at {@code e} (untrusted: from a slot) and returns its key length; the value length
     * is at {@code e + E_VALUE_LEN}, checked too.
     */
    private int entryKeyLength(int s, long e) {
        if (e < 0 || e > mem.byteSize() - MapLayout.E_KEY) {
            throw new CorruptSegmentException(m.what + " segment " + s + ": a slot's ENTRY points outside the "
                    + "allocator's memory: ENTRY=" + e);
        }
        int kl = mem.get(INT, e + MapLayout.E_KEY_LEN);
        int vl = mem.get(INT, e + MapLayout.E_VALUE_LEN);
        if (kl < 1 || kl > m.maxKey || vl < 0 || vl > m.maxValue
                || e + MapLayout.E_KEY + kl + vl > mem.byteSize()) {
            throw new CorruptSegmentException(m.what + " segment " + s + ": bad entry at ENTRY=" + e + ": KEY_LEN=" + kl
                    + ", VALUE_LEN=" + vl + " (limits " + m.maxKey + ", " + m.maxValue + ")");
        }
        return kl;
    }

    /** The slot offset (in {@code t}) of {@code key}, or -1; bounded by the capacity. */
    private long find(int s, MapSegments.Table t, long tag, MemorySegment key) {
        MemorySegment seg = t.seg();
        long mask = t.mask();
        long kl = key.byteSize();
        long i = tag & mask; // the start comes from the tag, as in a rebuild
        for (long n = 0; n <= mask; n++) {
            long at = MapLayout.T_SLOTS + i * SLOT_BYTES;
            long tg = seg.get(LONG, at);
            if (tg == MapLayout.EMPTY) {
                return -1;
            }
            if (tg == tag) {
                long e = seg.get(LONG, at + 8);
                if (entryKeyLength(s, e) == kl
                        && MemorySegment.mismatch(mem, e + MapLayout.E_KEY, e + MapLayout.E_KEY + kl, key, 0, kl) == -1) {
                    return at;
                }
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    // ------------------------------------------------------------------ reads (no lock)

    /**
     * Copies the value of {@code key} into {@code dst}. Takes no lock unless a writer of its segment is stuck or
     * dead. Makes no garbage.
     *
     * @param key the key
     * @param dst receives the value; must hold it
     * @return the value's length, or -1 if the key is absent
     * @throws IllegalArgumentException if the value does not fit {@code dst} (nothing is then promised about
     *     {@code dst}'s contents)
     */
    public long get(MemorySegment key, MemorySegment dst) {
        return checkedLength(lookup(key, dst), dst);
    }

    /** The value's length (copied into {@code dst} if it fits), or -1 if absent. */
    private long lookup(MemorySegment key, MemorySegment dst) {
        checkKey(key);
        long h = Hashing.hash(key, 0, key.byteSize());
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        for (int attempt = 0; attempt < MapSegments.MAX_OPTIMISTIC_TRIES; attempt++) {
            long seq = m.seqAcquire(s);
            if ((seq & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long len;
            try {
                len = copyValue(s, m.table(s), tag, key, dst);
            } catch (RuntimeException e) {
                if (m.unchanged(s, seq)) {
                    throw m.corrupt(s, e);
                }
                continue;
            }
            if (m.unchanged(s, seq)) {
                return len;
            }
        }
        m.lock(s);
        try {
            return copyValue(s, m.table(s), tag, key, dst);
        } finally {
            m.unlock(s);
        }
    }

    /** The value's length (copied into dst if it fits), or -1. */
    private long copyValue(int s, MapSegments.Table t, long tag, MemorySegment key, MemorySegment dst) {
        long at = find(s, t, tag, key);
        if (at < 0) {
            return -1;
        }
        long e = t.seg().get(LONG, at + 8);
        int vl = mem.get(INT, e + MapLayout.E_VALUE_LEN);
        if (vl <= dst.byteSize()) {
            MemorySegment.copy(mem, e + MapLayout.E_KEY + key.byteSize(), dst, 0, vl);
        }
        return vl;
    }

    private long checkedLength(long len, MemorySegment dst) {
        if (len > dst.byteSize()) {
            throw new IllegalArgumentException(m.what + ": the value of " + len + " bytes does not fit a segment of "
                    + dst.byteSize() + " bytes");
        }
        return len;
    }

    /**
     * The value of {@code key}, copied into a new array.
     *
     * @param key the key
     * @return the value, or {@code null} if absent
     */
    public byte[] get(byte[] key) {
        MemorySegment k = MemorySegment.ofArray(key);
        for (int attempt = 0; attempt < MAX_RESIZED_TRIES; attempt++) {
            long len = lookup(k, MemorySegment.NULL);
            if (len < 0) {
                return null;
            }
            byte[] v = new byte[(int) len]; // len <= MAX_VALUE: checked by find
            long again = lookup(k, MemorySegment.ofArray(v));
            if (again == len) {
                return v; // one consistent read of a value of this length
            }
            if (again < 0) {
                return null;
            }
        }
        throw new dev.hshm.api.StateException(m.what + ": the value kept changing its length under " + MAX_RESIZED_TRIES
                + " reads in a row");
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the key
     * @return {@code true} if present
     */
    public boolean containsKey(MemorySegment key) {
        return lookup(key, MemorySegment.NULL) >= 0;
    }

    // ------------------------------------------------------------------ writes (segment lock)

    /**
     * Maps {@code key} to a copy of {@code value}; a replaced value's entry is freed.
     *
     * @param key 1 to {@link #maxKeyBytes()} bytes
     * @param value 0 to {@link #maxValueBytes()} bytes
     * @return {@code true} if the key was new
     * @throws IllegalArgumentException if the key or value is too large
     * @throws dev.hshm.api.OutOfMemoryException if the allocator has no room (the map is unchanged)
     */
    public boolean put(MemorySegment key, MemorySegment value) {
        checkKey(key);
        if (value.byteSize() > m.maxValue) {
            throw new IllegalArgumentException(m.what + ": value of " + value.byteSize() + " bytes; values are at most "
                    + m.maxValue + " bytes");
        }
        long kl = key.byteSize();
        long h = Hashing.hash(key, 0, kl);
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        m.lock(s);
        try {
            MapSegments.Table t = m.ensureRoom(s, m.table(s));
            long found = -1;
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
                } else if (tg == tag) {
                    long e = t.seg().get(LONG, at + 8);
                    if (entryKeyLength(s, e) == kl
                            && MemorySegment.mismatch(mem, e + MapLayout.E_KEY, e + MapLayout.E_KEY + kl, key, 0, kl) == -1) {
                        found = i;
                        break;
                    }
                }
                i = (i + 1) & t.mask();
            }
            if (found < 0 && free < 0) {
                throw new CorruptSegmentException(m.what + " segment " + s + ": no free slot in a table whose USED says "
                        + "there is room");
            }
            long vl = value.byteSize();
            long e = m.allocator.allocateOffset(MemContext.DEFAULT, MapLayout.E_KEY + kl + vl);
            m.building(s, e);
            mem.set(INT, e + MapLayout.E_KEY_LEN, (int) kl);
            mem.set(INT, e + MapLayout.E_VALUE_LEN, (int) vl);
            MemorySegment.copy(key, 0, mem, e + MapLayout.E_KEY, kl);
            MemorySegment.copy(value, 0, mem, e + MapLayout.E_KEY + kl, vl);
            if (found >= 0) {
                long old = t.seg().get(LONG, MapLayout.T_SLOTS + found * SLOT_BYTES + 8);
                m.commitSlot(s, t, found, tag, e, 0, old, 0, 0);
                return false;
            }
            boolean wasEmpty = t.seg().get(LONG, MapLayout.T_SLOTS + free * SLOT_BYTES) == MapLayout.EMPTY;
            m.commitSlot(s, t, free, tag, e, 0, OffsetPointer.NULL_OFFSET, 1, wasEmpty ? 1 : 0);
            return true;
        } finally {
            m.unlock(s);
        }
    }

    /**
     * {@link #put(MemorySegment, MemorySegment)} of arrays.
     *
     * @param key the key
     * @param value the value
     * @return {@code true} if the key was new
     */
    public boolean put(byte[] key, byte[] value) {
        return put(MemorySegment.ofArray(key), MemorySegment.ofArray(value));
    }

    /**
     * Removes {@code key} and frees its entry.
     *
     * @param key the key
     * @return {@code true} if it was present
     */
    public boolean remove(MemorySegment key) {
        checkKey(key);
        long h = Hashing.hash(key, 0, key.byteSize());
        int s = m.segmentOf(h);
        long tag = MapSegments.tagOf(h);
        m.lock(s);
        try {
            MapSegments.Table t = m.table(s);
            long at = find(s, t, tag, key);
            if (at < 0) {
                return false;
            }
            long e = t.seg().get(LONG, at + 8);
            m.commitSlot(s, t, (at - MapLayout.T_SLOTS) / SLOT_BYTES, MapLayout.TOMBSTONE, OffsetPointer.NULL_OFFSET, 0,
                    e, -1, 0);
            return true;
        } finally {
            m.unlock(s);
        }
    }

    /**
     * {@link #remove(MemorySegment)} of an array.
     *
     * @param key the key
     * @return {@code true} if it was present
     */
    public boolean remove(byte[] key) {
        return remove(MemorySegment.ofArray(key));
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
     * Calls {@code action} with read-only views of every key and value, one segment at a time under its lock
     * (the views are valid only during the call).
     *
     * @param action receives key and value
     */
    public void forEach(BiConsumer<MemorySegment, MemorySegment> action) {
        m.walk(false, (s, t, i, at, tag) -> {
            long e = t.seg().get(LONG, at + 8);
            int kl = entryKeyLength(s, e);
            int vl = mem.get(INT, e + MapLayout.E_VALUE_LEN);
            action.accept(mem.asSlice(e + MapLayout.E_KEY, kl).asReadOnly(),
                    mem.asSlice(e + MapLayout.E_KEY + kl, vl).asReadOnly());
        });
    }

    /**
     * Walks every segment under its lock and checks it: entries well-formed, every key in the segment and probe
     * run its hash names, counts matching the slots.
     *
     * @return the number of entries
     * @throws CorruptSegmentException naming the first inconsistency
     */
    public long check() {
        return m.walk(true, (s, t, i, at, tg) -> {
            long e = t.seg().get(LONG, at + 8);
            int kl = entryKeyLength(s, e);
            MemorySegment key = mem.asSlice(e + MapLayout.E_KEY, kl);
            long h = Hashing.hash(key, 0, kl);
            if (MapSegments.tagOf(h) != tg || m.segmentOf(h) != s || find(s, t, tg, key) != at) {
                throw new CorruptSegmentException(m.what + " segment " + s + ": slot " + i + " has TAG=0x"
                        + Long.toHexString(tg) + " for a key its hash does not lead to (ENTRY=" + e + ")");
            }
        });
    }

    /**
     * Frees every entry, the tables and the name; no process may use the map afterwards.
     *
     * @param dir the directory it was created in
     */
    public void destroy(NamedObjects dir) {
        m.walk(false, (s, t, i, at, tag) -> m.allocator.freeOffset(MemContext.DEFAULT, t.seg().get(LONG, at + 8)));
        m.freeTables();
        dir.destroy(name);
    }

    @Override
    public String toString() {
        return m.what + " (" + m.segments + " segments, " + size() + " entries)";
    }
}
