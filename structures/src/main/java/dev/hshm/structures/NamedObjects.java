package dev.hshm.structures;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.OffsetPointer;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.ShmNames;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A directory of names in shared memory, one per allocator: processes find each other's structures by name
 * (Boost.Interprocess's {@code find_or_construct}, for this heap).
 *
 * <p><b>Where it lives.</b> The directory is a block ({@link DirectoryLayout}) allocated from the allocator
 * it indexes. The allocator's custom header, which every allocator has and every process that attaches sees,
 * holds its root: bytes {@code [0, }{@value #CUSTOM_HEADER_BYTES}{@code )} are the directory's, so create the
 * allocator with {@code customHeaderSize >= }{@link #CUSTOM_HEADER_BYTES} and put your own fields after them.
 * The root word ({@link #ROOT}) holds the directory's offset plus one, so the zeroed header of a new allocator
 * reads as "no directory yet"; the first {@link #of} makes one and publishes it with one CAS.
 *
 * <p><b>Names</b> follow the rules of shared-memory urls ({@link ShmNames#validate}): 1 to 30 characters from
 * {@code [A-Za-z0-9._-]}. The directory holds {@value DirectoryLayout#ENTRY_COUNT} names.
 *
 * <p><b>Consistency.</b> Every operation runs under the directory's lock, which survives the death of its
 * holder ({@link SharedLock}): a create reserves its entry (CREATING), allocates, records the block, runs the
 * initializer and only then marks the entry READY, all under the lock; so no other process ever sees a
 * half-made object. If the creator dies on the way, the next process to take the lock finds the entry still
 * CREATING (no live create can be in progress while it holds the lock), frees the block and empties the entry.
 * What a death at each store leaves is written at each method; docs/structures.md has the whole story.
 *
 * <p>Instances are cheap handles, safe for use by many threads.
 */
public final class NamedObjects {

    /** Bytes of the allocator's custom header this directory uses (the root word and reserved room). */
    public static final long CUSTOM_HEADER_BYTES = 64;
    /** Offset of the root word in the custom header: the directory's offset plus one, or 0 for none. */
    public static final long ROOT = 0;
    /** How many names one directory holds. */
    public static final int CAPACITY = DirectoryLayout.ENTRY_COUNT;
    /** Alignment of every object's block, relative to the backend's data: one cache line. */
    public static final long OBJECT_ALIGNMENT = 64;

    private final Allocator allocator;
    private final MemorySegment dir;
    private final SharedLock lock;
    private final String where;

    private NamedObjects(Allocator allocator, MemorySegment dir) {
        this.allocator = allocator;
        this.dir = dir;
        this.lock = new SharedLock(dir, DirectoryLayout.LOCK_OFFSET);
        this.where = "allocator " + allocator.id();
    }

    /**
     * The directory of {@code allocator}, made on first use by any process.
     *
     * <p>Making it: allocate and format a block, then CAS the root from 0 to its offset plus one; the loser of
     * a race frees its block and uses the winner's. A death between the allocation and the CAS leaks that one
     * block ({@value DirectoryLayout#BYTES} bytes), and nothing else: the root still reads 0.
     *
     * @param allocator a shared allocator whose custom header has at least {@value #CUSTOM_HEADER_BYTES} bytes
     * @return the directory
     * @throws StateException if the custom header is too small
     * @throws CorruptSegmentException if the root points at something that is not a directory
     */
    public static NamedObjects of(Allocator allocator) {
        MemorySegment hdr = allocator.customHeader();
        if (hdr.byteSize() < CUSTOM_HEADER_BYTES) {
            throw new StateException("allocator " + allocator.id() + " has a custom header of " + hdr.byteSize()
                    + " bytes; the named-object directory needs " + CUSTOM_HEADER_BYTES
                    + " (create the allocator with customHeaderSize >= NamedObjects.CUSTOM_HEADER_BYTES)");
        }
        long root = Words.getAcquire(hdr, ROOT);
        if (root == 0) {
            long off = allocator.alignedAllocateOffset(MemContext.DEFAULT, DirectoryLayout.BYTES, OBJECT_ALIGNMENT);
            DirectoryLayout.format(allocator.resolve(off, DirectoryLayout.BYTES));
            if (Words.cas(hdr, ROOT, 0L, off + 1)) {
                root = off + 1;
            } else {
                allocator.freeOffset(MemContext.DEFAULT, off);
                root = Words.getAcquire(hdr, ROOT);
            }
        }
        MemorySegment d;
        try {
            d = allocator.resolve(root - 1, DirectoryLayout.BYTES);
        } catch (InvalidPointerException e) {
            throw new CorruptSegmentException("the named-object directory root of allocator " + allocator.id()
                    + " points outside its memory: root=" + root + " (offset plus one)", e);
        }
        DirectoryLayout.check(d, "allocator " + allocator.id());
        return new NamedObjects(allocator, d);
    }

    /**
     * The allocator this directory indexes.
     *
     * @return the allocator
     */
    public Allocator allocator() {
        return allocator;
    }

    /**
     * Creates an object: allocates {@code size} bytes (aligned to {@value #OBJECT_ALIGNMENT}), zeroes them, runs
     * {@code init} on them and publishes the name, all while holding the directory lock.
     *
     * @param name the name
     * @param size bytes, {@code >= 1}
     * @param init formats the zeroed block; if it throws, the block is freed and the name not made
     * @return the object ({@link NamedObject#created()} is true)
     * @throws AlreadyExistsException if the name exists
     * @throws dev.hshm.api.InvalidNameException if the name breaks the naming rules
     * @throws StateException if the directory is full
     */
    public NamedObject create(String name, long size, Consumer<MemorySegment> init) {
        String n = checkArgs(name, size);
        locked();
        try {
            int i = find(n);
            if (i >= 0) {
                throw new AlreadyExistsException("a named object '" + n + "' already exists in " + where + " ("
                        + Words.get(dir, DirectoryLayout.entry(i) + DirectoryLayout.E_SIZE) + " bytes)");
            }
            return createLocked(n, size, init);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Finds an object by name.
     *
     * @param name the name
     * @return the object ({@link NamedObject#created()} is false)
     * @throws NotFoundException listing the names that exist
     */
    public NamedObject attach(String name) {
        String n = ShmNames.validate(name);
        locked();
        try {
            int i = find(n);
            if (i < 0) {
                throw new NotFoundException("no named object '" + n + "' in " + where + "; it has: " + namesLocked());
            }
            return objectAt(i, n, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Finds an object by name, or creates it if it does not exist; when several processes race on one name,
     * exactly one creates it and the others find it (the directory lock orders them).
     *
     * @param name the name
     * @param size bytes of a new object
     * @param init formats a new object
     * @return the object; {@link NamedObject#created()} says which happened
     */
    public NamedObject openOrCreate(String name, long size, Consumer<MemorySegment> init) {
        String n = checkArgs(name, size);
        locked();
        try {
            int i = find(n);
            return i >= 0 ? objectAt(i, n, false) : createLocked(n, size, init);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a name and frees its object's memory. Processes that still use the object must have stopped.
     *
     * <p>Order: the entry is emptied first (the name is gone), then the block is freed. A death between the two
     * leaks the block; a name is never left pointing at freed memory.
     *
     * @param name the name
     * @throws NotFoundException listing the names that exist
     */
    public void destroy(String name) {
        String n = ShmNames.validate(name);
        locked();
        try {
            int i = find(n);
            if (i < 0) {
                throw new NotFoundException("no named object '" + n + "' in " + where + " to destroy; it has: "
                        + namesLocked());
            }
            long e = DirectoryLayout.entry(i);
            long off = Words.get(dir, e + DirectoryLayout.E_OFFSET);
            Words.put(dir, e + DirectoryLayout.E_OFFSET, OffsetPointer.NULL_OFFSET);
            Words.putRelease(dir, e + DirectoryLayout.E_STATE, DirectoryLayout.EMPTY);
            freeBlock(off, n);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The names of the published objects, in directory order.
     *
     * @return a snapshot
     */
    public List<String> names() {
        locked();
        try {
            return namesLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the (empty) directory itself: the root word goes back to 0, then the block is freed (a death between
     * leaks the block; the root never points at freed memory). For a process that tears the heap down and wants
     * {@link Allocator#bytesInUse()} back to 0; no other process may use the directory any more, and this handle
     * must not be used after it.
     *
     * @throws StateException if names still exist
     */
    public void destroyDirectory() {
        locked();
        long off;
        try {
            List<String> names = namesLocked();
            if (!names.isEmpty()) {
                throw new StateException("the named-object directory of " + where + " still has names: " + names);
            }
            MemorySegment hdr = allocator.customHeader();
            off = Words.getAcquire(hdr, ROOT) - 1;
            if (off < 0 || allocator.resolve(off, DirectoryLayout.BYTES).address() != dir.address()) {
                throw new StateException("the named-object directory of " + where + " was replaced or removed already");
            }
            Words.putRelease(hdr, ROOT, 0L);
            // the lock word lives in the block about to be freed: mark it free before the block goes
        } finally {
            lock.unlock();
        }
        allocator.freeOffset(MemContext.DEFAULT, off);
    }

    /**
     * How many times a dead process's hold on the directory lock was taken over.
     *
     * @return the count
     */
    public long lockRecoveries() {
        return lock.recoveries();
    }

    // ------------------------------------------------------------------ under the lock

    private String checkArgs(String name, long size) {
        String n = ShmNames.validate(name);
        if (size < 1) {
            throw new IllegalArgumentException("named object size must be >= 1: name='" + n + "', size=" + size);
        }
        return n;
    }

    /**
     * Takes the lock and repairs what a dead creator left: while this process holds the lock no create can be
     * running, so every entry still CREATING was abandoned. Its block is forgotten (OFFSET = NULL) before it is
     * freed, so a death in the repair leaks the block rather than letting a second repair free it twice.
     */
    private void locked() {
        lock.lock();
        boolean success = false;
        try {
            for (int i = 0; i < CAPACITY; i++) {
                if (DirectoryLayout.state(dir, i, where) == DirectoryLayout.CREATING) {
                    long e = DirectoryLayout.entry(i);
                    long off = Words.get(dir, e + DirectoryLayout.E_OFFSET);
                    Words.put(dir, e + DirectoryLayout.E_OFFSET, OffsetPointer.NULL_OFFSET);
                    Words.putRelease(dir, e + DirectoryLayout.E_STATE, DirectoryLayout.EMPTY);
                    System.getLogger(NamedObjects.class.getName()).log(System.Logger.Level.WARNING,
                            "named object entry " + i + " of " + where + " was abandoned half-made by "
                                    + Owner.describe(Words.get(dir, e + DirectoryLayout.E_CREATOR))
                                    + "; freed its block and emptied it");
                    freeBlock(off, "(abandoned entry " + i + ")");
                }
            }
            success = true;
        } finally {
            if (!success) {
                lock.unlock();
            }
        }
    }

    private void freeBlock(long off, String name) {
        if (off == OffsetPointer.NULL_OFFSET) {
            return;
        }
        try {
            allocator.freeOffset(MemContext.DEFAULT, off);
        } catch (HshmException e) {
            throw new CorruptSegmentException("named object '" + name + "' of " + where + " recorded a block the "
                    + "allocator refuses to free: offset=" + off + " (" + e.getMessage() + ")", e);
        }
    }

    private int find(String n) {
        for (int i = 0; i < CAPACITY; i++) {
            if (DirectoryLayout.state(dir, i, where) == DirectoryLayout.READY
                    && DirectoryLayout.name(dir, i, where).equals(n)) {
                return i;
            }
        }
        return -1;
    }

    private List<String> namesLocked() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < CAPACITY; i++) {
            if (DirectoryLayout.state(dir, i, where) == DirectoryLayout.READY) {
                out.add(DirectoryLayout.name(dir, i, where));
            }
        }
        return out;
    }

    /**
     * The create steps, in store order, with what a death after each leaves (repaired by the next
     * {@link #locked()} of any process, since the lock is then taken over):
     * <ol>
     *   <li>entry fields, then STATE = CREATING: an abandoned entry with no block; emptied;</li>
     *   <li>the allocation: a block the entry does not know yet; leaked (one block);</li>
     *   <li>OFFSET = the block: an abandoned entry with a block; freed and emptied;</li>
     *   <li>zeroing and {@code init}: the same;</li>
     *   <li>STATE = READY (release): the object exists.</li>
     * </ol>
     */
    private NamedObject createLocked(String n, long size, Consumer<MemorySegment> init) {
        int free = -1;
        for (int i = 0; i < CAPACITY && free < 0; i++) {
            if (DirectoryLayout.state(dir, i, where) == DirectoryLayout.EMPTY) {
                free = i;
            }
        }
        if (free < 0) {
            throw new StateException("the named-object directory of " + where + " is full (" + CAPACITY
                    + " names): " + namesLocked());
        }
        long e = DirectoryLayout.entry(free);
        DirectoryLayout.putName(dir, free, n);
        Words.put(dir, e + DirectoryLayout.E_SIZE, size);
        Words.put(dir, e + DirectoryLayout.E_CREATOR, Owner.CURRENT);
        Words.put(dir, e + DirectoryLayout.E_OFFSET, OffsetPointer.NULL_OFFSET);
        Words.putRelease(dir, e + DirectoryLayout.E_STATE, DirectoryLayout.CREATING);
        boolean success = false;
        try {
            long off = allocator.alignedAllocateOffset(MemContext.DEFAULT, size, OBJECT_ALIGNMENT);
            Words.putRelease(dir, e + DirectoryLayout.E_OFFSET, off);
            MemorySegment mem = allocator.resolve(off, size);
            mem.fill((byte) 0);
            init.accept(mem);
            Words.putRelease(dir, e + DirectoryLayout.E_STATE, DirectoryLayout.READY);
            success = true;
            return new NamedObject(n, off, size, mem, true);
        } finally {
            if (!success) {
                long off = Words.get(dir, e + DirectoryLayout.E_OFFSET);
                Words.put(dir, e + DirectoryLayout.E_OFFSET, OffsetPointer.NULL_OFFSET);
                Words.putRelease(dir, e + DirectoryLayout.E_STATE, DirectoryLayout.EMPTY);
                if (off != OffsetPointer.NULL_OFFSET) {
                    allocator.freeOffset(MemContext.DEFAULT, off);
                }
            }
        }
    }

    private NamedObject objectAt(int i, String n, boolean created) {
        long e = DirectoryLayout.entry(i);
        long off = Words.get(dir, e + DirectoryLayout.E_OFFSET);
        long size = Words.get(dir, e + DirectoryLayout.E_SIZE);
        try {
            return new NamedObject(n, off, size, allocator.resolve(off, size), created);
        } catch (InvalidPointerException ex) {
            throw new CorruptSegmentException("named object '" + n + "' of " + where + " records a block outside the "
                    + "allocator's memory: offset=" + off + ", size=" + size, ex);
        }
    }
}
