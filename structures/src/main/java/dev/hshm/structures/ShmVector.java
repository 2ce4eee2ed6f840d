package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemContext;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.StateException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.function.LongConsumer;

/**
 * A growable array of fixed-size elements in shared memory, found by name ({@link VectorLayout}): {@code long}
 * values, or records of a fixed byte size described by a {@link MemoryLayout}. It grows by reallocation through
 * the allocator (the capacity doubles; the old block is freed).
 *
 * <p><b>Concurrency contract.</b>
 * <ul>
 *   <li><b>One writer at a time</b>, in any process: {@link #append}, {@link #set} and growth must not run
 *       concurrently with each other. Use a single writer, or guard every write with a {@link ShmMutex}
 *       (and on {@link ShmMutex.LockResult#OWNER_DIED}, see "what a death leaves").</li>
 *   <li><b>Readers</b> in any process and thread need no lock and see only fully written elements: an
 *       append writes the element, then publishes {@code SIZE} with a release store; readers acquire it first.
 *       A read that races a growth (whose old block is freed) notices it through the {@code GROWS} word and
 *       retries, so it never returns bytes of a freed block.</li>
 *   <li>A {@link #set} of an element a reader is reading is not atomic for records larger than 8 bytes: the
 *       reader may see a mix of old and new fields. {@code long} elements are read and written whole.</li>
 * </ul>
 *
 * <p><b>What a death leaves.</b> A writer killed while writing an appended element leaves SIZE unchanged:
 * the element was never visible and the next append overwrites it. Killed during growth: after the new block's
 * allocation, before the DATA store: that block leaks; after DATA, before GROWS: the old block leaks (never
 * freed, so readers that still read it stay correct); after GROWS, before the free: the old block leaks. In
 * no case is a published element lost. A writer killed during a {@link #set} of a record leaves that one
 * element torn: a caller guarding writes with a {@code ShmMutex} learns it from {@code OWNER_DIED}.
 *
 * <p>Every word read from shared memory (DATA, SIZE, the block's CAPACITY and ELEMENT) is range-checked before
 * it becomes an offset; a bad one is a {@link CorruptSegmentException} naming the field and value.
 *
 * <p>A handle caches the data block; it is safe for use by many reader threads.
 */
public final class ShmVector implements Iterable<MemorySegment> {

    /** How many times a read retries when growths keep freeing the block under it, before it gives up. */
    static final int MAX_READ_RETRIES = 1_000;

    private final Allocator allocator;
    private final MemorySegment hdr;
    private final long element;
    private final String name;
    private final String what;
    /** The data block this handle last resolved; immutable, so racy publication between threads is safe. */
    private Data data;

    private record Data(long offset, MemorySegment seg, long capacity) {
    }

    private ShmVector(Allocator allocator, MemorySegment hdr, long element, String name) {
        this.allocator = allocator;
        this.hdr = hdr;
        this.element = element;
        this.name = name;
        this.what = "vector '" + name + "'";
    }

    /**
     * Creates an empty named vector of {@code long}s.
     *
     * @param dir the directory
     * @param name the name
     * @param initialCapacity elements the first data block holds, {@code >= 1}
     * @return a handle
     */
    public static ShmVector createLongs(NamedObjects dir, String name, long initialCapacity) {
        return create(dir, name, ValueLayout.JAVA_LONG, initialCapacity);
    }

    /**
     * Creates an empty named vector of elements of {@code layout}'s size and alignment.
     *
     * @param dir the directory
     * @param name the name
     * @param layout the element layout: {@code 1 <= byteSize <= 2^20}, alignment {@code <= 64}
     * @param initialCapacity elements the first data block holds, {@code >= 1}
     * @return a handle
     * @throws IllegalArgumentException if the layout or capacity is out of range
     * @throws OutOfMemoryException if the allocator has no room
     */
    public static ShmVector create(NamedObjects dir, String name, MemoryLayout layout, long initialCapacity) {
        long e = layout.byteSize();
        long align = layout.byteAlignment();
        if (e < 1 || e > VectorLayout.MAX_ELEMENT || align > VectorLayout.DATA_ALIGNMENT || e % align != 0) {
            throw new IllegalArgumentException("vector '" + name + "': element layout must have a size in [1, "
                    + VectorLayout.MAX_ELEMENT + "] that is a multiple of its alignment (<= 64): " + layout);
        }
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("vector '" + name + "': initialCapacity must be >= 1: " + initialCapacity);
        }
        Allocator a = dir.allocator();
        long cap = Math.max(VectorLayout.MIN_CAPACITY, initialCapacity);
        checkBytes(a, name, cap, e);
        long block = a.alignedAllocateOffset(MemContext.DEFAULT, VectorLayout.dataBytes(cap, e),
                VectorLayout.DATA_ALIGNMENT);
        boolean success = false;
        try {
            formatData(a, block, cap, e);
            NamedObject o = dir.create(name, VectorLayout.BYTES, m -> {
                ContainerHeader.format(m, ContainerHeader.VECTOR, VectorLayout.LAYOUT_VERSION);
                Words.put(m, VectorLayout.ELEMENT, e);
                Words.put(m, VectorLayout.ALIGN, align);
                Words.put(m, VectorLayout.DATA, block);
                Words.put(m, VectorLayout.SIZE, 0L);
                Words.put(m, VectorLayout.GROWS, 0L);
                ContainerHeader.publish(m);
            });
            success = true;
            return new ShmVector(a, o.memory(), e, name);
        } finally {
            if (!success) {
                a.freeOffset(MemContext.DEFAULT, block); // the name was not made: nobody else knows the block
            }
        }
    }

    /**
     * Finds a named vector.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws dev.hshm.api.NotFoundException if there is none
     * @throws CorruptSegmentException if the name holds something else or its header is corrupt
     */
    public static ShmVector attach(NamedObjects dir, String name) {
        NamedObject o = dir.attach(name);
        MemorySegment m = o.memory();
        ContainerHeader.check(m, ContainerHeader.VECTOR, VectorLayout.LAYOUT_VERSION, VectorLayout.BYTES, name);
        long e = Words.get(m, VectorLayout.ELEMENT);
        if (e < 1 || e > VectorLayout.MAX_ELEMENT) {
            throw new CorruptSegmentException("vector '" + name + "': bad element size in header: element=" + e
                    + " (in [1, " + VectorLayout.MAX_ELEMENT + "])");
        }
        ShmVector v = new ShmVector(dir.allocator(), m, e, name);
        v.load(Words.getAcquire(m, VectorLayout.DATA)); // checks the data block now, not on first use
        return v;
    }

    private static void checkBytes(Allocator a, String name, long cap, long e) {
        if (cap > (a.memory().byteSize() - VectorLayout.D_ELEMENTS) / e) {
            throw new OutOfMemoryException("vector '" + name + "': " + cap + " elements of " + e
                    + " bytes cannot fit the allocator's " + a.memory().byteSize() + " bytes");
        }
    }

    private static void formatData(Allocator a, long block, long cap, long e) {
        MemorySegment d = a.resolve(block, VectorLayout.D_ELEMENTS);
        Words.put(d, VectorLayout.D_CAPACITY, cap);
        Words.put(d, VectorLayout.D_ELEMENT, e);
    }

    // ------------------------------------------------------------------ reading the shared words

    /** The data block at {@code off}, resolved and checked (cached while DATA stays the same). */
    private Data load(long off) {
        Data d = data;
        if (d != null && d.offset == off) {
            return d;
        }
        MemorySegment head;
        try {
            head = allocator.resolve(off, VectorLayout.D_ELEMENTS);
        } catch (HshmException | IndexOutOfBoundsException ex) {
            throw new CorruptSegmentException(what + ": DATA points outside the allocator's memory: DATA=" + off, ex);
        }
        long cap = Words.get(head, VectorLayout.D_CAPACITY);
        long e = Words.get(head, VectorLayout.D_ELEMENT);
        if (e != element) {
            throw new CorruptSegmentException(what + ": data block's element size differs from the header's: "
                    + "ELEMENT=" + e + ", expected=" + element + " (DATA=" + off + ")");
        }
        if (cap < 1 || cap > (allocator.memory().byteSize() - off - VectorLayout.D_ELEMENTS) / element) {
            throw new CorruptSegmentException(what + ": bad data block capacity: CAPACITY=" + cap + " (DATA=" + off
                    + ", element=" + element + " bytes, allocator memory=" + allocator.memory().byteSize() + " bytes)");
        }
        d = new Data(off, allocator.resolve(off, VectorLayout.dataBytes(cap, element)), cap);
        data = d;
        return d;
    }

    private long sizeChecked(Data d) {
        long size = Words.getAcquire(hdr, VectorLayout.SIZE);
        if (size < 0 || size > d.capacity) {
            throw new CorruptSegmentException(what + ": bad size: SIZE=" + size + " (capacity " + d.capacity + ")");
        }
        return size;
    }

    /**
     * The number of published elements.
     *
     * @return the size
     */
    public long size() {
        return Words.getAcquire(hdr, VectorLayout.SIZE);
    }

    /**
     * Elements the current data block holds.
     *
     * @return the capacity
     */
    public long capacity() {
        return load(Words.getAcquire(hdr, VectorLayout.DATA)).capacity;
    }

    /**
     * Bytes per element.
     *
     * @return the element size
     */
    public long elementSize() {
        return element;
    }

    /**
     * How many times the vector was reallocated.
     *
     * @return the count
     */
    public long grows() {
        return Words.getAcquire(hdr, VectorLayout.GROWS);
    }

    private void checkIndex(long i, long size) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(what + ": index " + i + " out of bounds for size " + size);
        }
    }

    private void checkLongs() {
        if (element != Long.BYTES) {
            throw new StateException(what + " holds elements of " + element + " bytes, not longs");
        }
    }

    /**
     * The {@code long} at {@code i}.
     *
     * @param i an index below {@link #size()}
     * @return the value
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     * @throws StateException if the elements are not 8 bytes
     */
    public long getLong(long i) {
        checkLongs();
        for (int attempt = 0; attempt < MAX_READ_RETRIES; attempt++) {
            long g = Words.getAcquire(hdr, VectorLayout.GROWS);
            long off = Words.getAcquire(hdr, VectorLayout.DATA);
            long size;
            long v = 0;
            try {
                Data d = load(off);
                size = sizeChecked(d);
                if (i >= 0 && i < size) {
                    v = d.seg.get(ValueLayout.JAVA_LONG, VectorLayout.D_ELEMENTS + i * 8);
                }
            } catch (CorruptSegmentException e) {
                if (moved(g, off)) {
                    continue; // a block freed under us, or a SIZE of a newer block: read again
                }
                throw e;
            }
            if (!moved(g, off)) {
                checkIndex(i, size);
                return v;
            }
        }
        throw tooManyRetries();
    }

    /**
     * Copies element {@code i} into {@code dst}.
     *
     * @param i an index below {@link #size()}
     * @param dst at least {@link #elementSize()} bytes
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public void get(long i, MemorySegment dst) {
        checkDst(dst);
        for (int attempt = 0; attempt < MAX_READ_RETRIES; attempt++) {
            long g = Words.getAcquire(hdr, VectorLayout.GROWS);
            long off = Words.getAcquire(hdr, VectorLayout.DATA);
            long size;
            try {
                Data d = load(off);
                size = sizeChecked(d);
                if (i >= 0 && i < size) {
                    MemorySegment.copy(d.seg, VectorLayout.D_ELEMENTS + i * element, dst, 0, element);
                }
            } catch (CorruptSegmentException e) {
                if (moved(g, off)) {
                    continue;
                }
                throw e;
            }
            if (!moved(g, off)) {
                checkIndex(i, size);
                return;
            }
        }
        throw tooManyRetries();
    }

    /**
     * Whether a growth ran since a read loaded GROWS = {@code g} and DATA = {@code off}: then what it read may
     * come from a freed block and is thrown away. Orders the read's loads before the re-loads.
     */
    private boolean moved(long g, long off) {
        VarHandle.acquireFence();
        return Words.getAcquire(hdr, VectorLayout.GROWS) != g || Words.getAcquire(hdr, VectorLayout.DATA) != off;
    }

    private void checkDst(MemorySegment src) {
        if (src.byteSize() < element) {
            throw new IllegalArgumentException(what + ": element of " + element + " bytes does not fit a segment of "
                    + src.byteSize() + " bytes");
        }
    }

    private StateException tooManyRetries() {
        return new StateException(what + ": a read was overtaken by " + MAX_READ_RETRIES
                + " reallocations in a row; is a writer growing it without end?");
    }

    // ------------------------------------------------------------------ writing (one writer at a time)

    /**
     * Appends a {@code long}: the value is stored, then SIZE is published (release).
     *
     * @param v the value
     * @return its index
     */
    public long appendLong(long v) {
        checkLongs();
        Data d = load(Words.getAcquire(hdr, VectorLayout.DATA));
        long size = sizeChecked(d);
        if (size == d.capacity) {
            d = grow(d, size);
        }
        d.seg.set(ValueLayout.JAVA_LONG, VectorLayout.D_ELEMENTS + size * 8, v);
        Words.putRelease(hdr, VectorLayout.SIZE, size + 1);
        return size;
    }

    /**
     * Appends a copy of {@code src}'s first {@link #elementSize()} bytes.
     *
     * @param src the element
     * @return its index
     */
    public long append(MemorySegment src) {
        checkDst(src);
        Data d = load(Words.getAcquire(hdr, VectorLayout.DATA));
        long size = sizeChecked(d);
        if (size == d.capacity) {
            d = grow(d, size);
        }
        MemorySegment.copy(src, 0, d.seg, VectorLayout.D_ELEMENTS + size * element, element);
        Words.putRelease(hdr, VectorLayout.SIZE, size + 1);
        return size;
    }

    /**
     * Replaces the {@code long} at {@code i} (one 8-byte store: readers see the old or the new value).
     *
     * @param i an index below {@link #size()}
     * @param v the value
     */
    public void setLong(long i, long v) {
        checkLongs();
        Data d = load(Words.getAcquire(hdr, VectorLayout.DATA));
        checkIndex(i, sizeChecked(d));
        d.seg.set(ValueLayout.JAVA_LONG, VectorLayout.D_ELEMENTS + i * 8, v);
        VarHandle.releaseFence();
    }

    /**
     * Replaces element {@code i} with a copy of {@code src} (not atomic for concurrent readers, see the class).
     *
     * @param i an index below {@link #size()}
     * @param src the element
     */
    public void set(long i, MemorySegment src) {
        checkDst(src);
        Data d = load(Words.getAcquire(hdr, VectorLayout.DATA));
        checkIndex(i, sizeChecked(d));
        MemorySegment.copy(src, 0, d.seg, VectorLayout.D_ELEMENTS + i * element, element);
        VarHandle.releaseFence();
    }

    /**
     * Removes every element (SIZE = 0); keeps the data block.
     */
    public void clear() {
        Words.putRelease(hdr, VectorLayout.SIZE, 0L);
    }

    /**
     * Makes room for at least {@code minCapacity} elements now (one reallocation at most).
     *
     * @param minCapacity elements
     */
    public void reserve(long minCapacity) {
        Data d = load(Words.getAcquire(hdr, VectorLayout.DATA));
        if (minCapacity > d.capacity) {
            growTo(d, sizeChecked(d), minCapacity);
        }
    }

    private Data grow(Data d, long size) {
        long cap = d.capacity > Long.MAX_VALUE / 4 ? d.capacity + 1 : Math.max(VectorLayout.MIN_CAPACITY, d.capacity * 2);
        return growTo(d, size, cap);
    }

    /**
     * Reallocation, in store order, with what a death after each step leaves (see the class):
     * <ol>
     *   <li>allocate and format the new block, copy SIZE elements: a block nobody knows; leaked;</li>
     *   <li>DATA = new block (release): readers switch to it; the old block leaks if we die now;</li>
     *   <li>GROWS + 1 (release): readers of the old block retry from now on;</li>
     *   <li>free the old block: done.</li>
     * </ol>
     */
    private Data growTo(Data d, long size, long cap) {
        checkBytes(allocator, name, cap, element);
        long block = allocator.alignedAllocateOffset(MemContext.DEFAULT, VectorLayout.dataBytes(cap, element),
                VectorLayout.DATA_ALIGNMENT);
        formatData(allocator, block, cap, element);
        MemorySegment nu = allocator.resolve(block, VectorLayout.dataBytes(cap, element));
        MemorySegment.copy(d.seg, VectorLayout.D_ELEMENTS, nu, VectorLayout.D_ELEMENTS, size * element);
        Words.putRelease(hdr, VectorLayout.DATA, block);
        Words.putRelease(hdr, VectorLayout.GROWS, Words.get(hdr, VectorLayout.GROWS) + 1);
        allocator.freeOffset(MemContext.DEFAULT, d.offset);
        Data n = new Data(block, nu, cap);
        data = n;
        return n;
    }

    /**
     * Frees the data block and the name; no process may use the vector afterwards.
     *
     * @param dir the directory it was created in
     */
    public void destroy(NamedObjects dir) {
        long off = Words.getAcquire(hdr, VectorLayout.DATA);
        load(off);
        dir.destroy(name);
        allocator.freeOffset(MemContext.DEFAULT, off);
    }

    // ------------------------------------------------------------------ iteration

    /**
     * Calls {@code action} with each {@code long} from index 0 to the size seen at the start.
     *
     * @param action the action
     */
    public void forEachLong(LongConsumer action) {
        long n = size();
        for (long i = 0; i < n; i++) {
            action.accept(getLong(i));
        }
    }

    /**
     * An iterator over the {@code long}s, up to the size seen when it was made.
     *
     * @return the iterator
     */
    public PrimitiveIterator.OfLong longIterator() {
        checkLongs();
        long n = size();
        return new PrimitiveIterator.OfLong() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public long nextLong() {
                if (i >= n) {
                    throw new NoSuchElementException(what + ": iterated past " + n + " elements");
                }
                return getLong(i++);
            }
        };
    }

    /**
     * An iterator over copies of the elements (heap segments of {@link #elementSize()} bytes), up to the size
     * seen when it was made.
     *
     * @return the iterator
     */
    @Override
    public Iterator<MemorySegment> iterator() {
        long n = size();
        return new Iterator<>() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public MemorySegment next() {
                if (i >= n) {
                    throw new NoSuchElementException(what + ": iterated past " + n + " elements");
                }
                MemorySegment e = MemorySegment.ofArray(new long[(int) ((element + 7) / 8)]).asSlice(0, element);
                get(i++, e);
                return e;
            }
        };
    }

    @Override
    public String toString() {
        return what + " of " + size() + " elements of " + element + " bytes";
    }
}
