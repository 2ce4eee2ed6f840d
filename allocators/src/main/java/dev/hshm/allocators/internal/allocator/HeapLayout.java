package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Layout of an allocator region: the heap header, then the tables, then the pages. Offsets inside the
 * header are relative to the region's start; the offsets stored in it are relative to the backend's data
 * (like every offset this library stores), so a region can sit anywhere in its backend.
 *
 * <pre>
 * region (page-aligned, in the backend's data)
 * +-------------------+ REGION_OFFSET
 * | heap header 256 B |  (below)
 * | custom header     |  customHeaderSize rounded up to 64 B, zeroed
 * | class table       |  {@link SizeClasses#COUNT} x {@value #CLASS_BYTES} B       (below)
 * | run lists         |  {@value #RUN_LISTS} x 8 B: heads of free-run lists by length (index 0: longer than 128 pages)
 * | slot table        |  thread_local only: SLOT_COUNT x {@value #LEASE_BYTES} B leases, then SLOT_COUNT x SLOT_BYTES records
 * | page descriptors  |  PAGE_COUNT x {@value PageDescriptor#BYTES} B ({@link PageDescriptor})
 * | (pad to a page)   |
 * +-------------------+ HEAP_OFFSET
 * | pages             |  PAGE_COUNT x 4096 B: spans of small blocks, large runs, free runs, never-used pages
 * +-------------------+ REGION_OFFSET + REGION_SIZE (the tail that is not a whole page is unused)
 *
 * heap header (at the region's start)
 *   0  MAGIC             u64  "HSHMHEAP"                      plain, before READY
 *   8  READY             u64  0, then READY_VALUE              release store LAST; attachers acquire it FIRST
 *  16  LAYOUT_VERSION    u32                                  plain
 *  20  TYPE_CODE         u32  1 scalable_page, 2 thread_local  plain
 *  24  ALLOCATOR_ID      u64  AllocatorId.toLong()             plain
 *  32  REGION_OFFSET     u64  \
 *  40  REGION_SIZE       u64   |
 *  48  CUSTOM_OFFSET     u64   |
 *  56  CUSTOM_SIZE       u64   |
 *  64  CLASS_TABLE       u64   |  where each table is (backend data offsets); written once before
 *  72  RUN_LISTS_AT      u64   |  READY, never changed, all checked on attach against the region
 *  80  SLOT_TABLE        u64   |
 *  88  SLOT_COUNT        u32   |
 *  92  CLASS_COUNT       u32   |
 *  96  DESC_TABLE        u64   |
 * 104  HEAP_OFFSET       u64   |
 * 112  PAGE_COUNT        u64  /
 * 120  TAG_SALT          u64  random; free blocks carry SALT ^ offset in their second word
 * 128  LOCK              32 B {@link RobustLock}               (its own cache line)
 * 192  WILDERNESS        u64  pages [0, W) have been handed out at least once; pages above W are never
 *                             read or written                   plain under the lock; opaque reads outside
 * 200  FOOTPRINT_PAGES   u64  high-water mark of W              plain under the lock
 * 208  FREE_PAGES        u64  pages in free runs below W        plain under the lock
 * 216  LARGE_BYTES       u64  bytes in live large runs          plain under the lock
 * 224  LARGE_COUNT       u64  live large runs                   plain under the lock
 * 232  RUN_BITMAP        3 x u64: bit i set if run list i may be non-empty   plain under the lock
 *
 * class table entry (per size class, {@value #CLASS_BYTES} B), all plain under the lock
 *   +0  SPAN_HEAD  u64  first span (page index) of the class that has a free or never-carved block, or NONE
 *   +8  LIVE       u64  blocks the shared table has handed out (in use, or cached by a thread)
 *  +16  SPANS      u64  spans of the class
 *  +24  FREE       u64  free blocks on the spans' free lists
 *
 * slot lease ({@value #LEASE_BYTES} B) and slot record (thread_local only)
 *   lease  +0 OWNER u64  0 free, else the owner thread's id (pid &lt;&lt; 32 | thread number)   CAS to take;
 *                         release store 0 to give back
 *          +8 START i64  the owner process's start time (epoch ms)   plain store after the CAS
 *   record +0 OWNER_TID u64 (diagnostic)   +8 INIT u64 (SALT ^ ~index once initialized)
 *          +64 + 8*c: HEAD u64 (first cached block of class c, or NULL)   plain, owner thread only
 *          A list's length is kept by the owner in process memory (it bounds the list at 2 batches + 1);
 *          statistics and reclamation walk the lists instead, bounded by that same limit.
 * </pre>
 */
final class HeapLayout {

    static final long MAGIC = 0x4853484D48454150L; // "HSHMHEAP"
    static final long READY_VALUE = 0x5245414459212121L;
    static final int LAYOUT_VERSION = 1;
    static final int TYPE_SCALABLE_PAGE = 1;
    static final int TYPE_THREAD_LOCAL = 2;

    static final long H_MAGIC = 0;
    static final long H_READY = 8;
    static final long H_LAYOUT_VERSION = 16;
    static final long H_TYPE_CODE = 20;
    static final long H_ALLOCATOR_ID = 24;
    static final long H_REGION_OFFSET = 32;
    static final long H_REGION_SIZE = 40;
    static final long H_CUSTOM_OFFSET = 48;
    static final long H_CUSTOM_SIZE = 56;
    static final long H_CLASS_TABLE = 64;
    static final long H_RUN_LISTS = 72;
    static final long H_SLOT_TABLE = 80;
    static final long H_SLOT_COUNT = 88;
    static final long H_CLASS_COUNT = 92;
    static final long H_DESC_TABLE = 96;
    static final long H_HEAP_OFFSET = 104;
    static final long H_PAGE_COUNT = 112;
    static final long H_TAG_SALT = 120;
    static final long H_LOCK = 128;
    static final long H_WILDERNESS = 192;
    static final long H_FOOTPRINT_PAGES = 200;
    static final long H_FREE_PAGES = 208;
    static final long H_LARGE_BYTES = 216;
    static final long H_LARGE_COUNT = 224;
    static final long H_RUN_BITMAP = 232;
    static final int HEADER_BYTES = 256;

    static final int CLASS_BYTES = 32;
    static final long C_SPAN_HEAD = 0;
    static final long C_LIVE = 8;
    static final long C_SPANS = 16;
    static final long C_FREE = 24;

    /** Run lists: index 0 holds runs longer than 128 pages, index i (1..128) runs of exactly i pages. */
    static final int RUN_LISTS = 129;
    static final int MAX_EXACT_RUN = 128;

    static final int LEASE_BYTES = 16;
    static final long L_OWNER = 0;
    static final long L_START = 8;
    static final long S_OWNER_TID = 0;
    static final long S_INIT = 8;
    static final long S_CLASSES = 64;
    static final int SLOT_CLASS_BYTES = 8;
    static final int SLOT_BYTES = (int) align(S_CLASSES + SizeClasses.COUNT * SLOT_CLASS_BYTES, 64);

    /** The null offset in free lists and heads. */
    static final long NULL = -1L;
    /** No page, in 64-bit fields. */
    static final long NONE = -1L;

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        if (H_RUN_BITMAP + 24 != HEADER_BYTES || SLOT_BYTES % 64 != 0) {
            throw new AssertionError("HeapLayout drifted");
        }
    }

    private HeapLayout() {
    }

    /**
     * The offsets of the tables of a region, computed at creation and re-read (and checked) on attach.
     *
     * @param regionOffset region start in data
     * @param regionSize region bytes
     * @param customOffset custom header start
     * @param customSize custom header bytes asked for
     * @param classTable class table start
     * @param runLists run list heads start
     * @param slotTable slot table start (0 if no slots)
     * @param slotCount slots
     * @param descTable page descriptor table start
     * @param heapOffset first page
     * @param pageCount pages
     */
    record Geometry(long regionOffset, long regionSize, long customOffset, long customSize, long classTable,
                    long runLists, long slotTable, int slotCount, long descTable, long heapOffset, long pageCount) {

        long slotRecords() {
            return slotTable + (long) slotCount * LEASE_BYTES;
        }

        long heapEnd() {
            return heapOffset + (pageCount << SizeClasses.PAGE_SHIFT);
        }

        /**
         * Lays out a new region.
         *
         * @throws IllegalArgumentException if the region cannot hold the tables and a few pages
         */
        static Geometry plan(long regionOffset, long regionSize, long customSize, int slotCount) {
            if (customSize < 0) {
                throw new IllegalArgumentException("custom header size must be >= 0: " + customSize);
            }
            long customOffset = regionOffset + HEADER_BYTES;
            long classTable = align(customOffset + customSize, 64);
            long runLists = classTable + (long) SizeClasses.COUNT * CLASS_BYTES;
            long slotTable = align(runLists + RUN_LISTS * 8L, 64);
            long descTable = align(slotTable + (long) slotCount * (LEASE_BYTES + SLOT_BYTES), 64);
            long end = regionOffset + regionSize;
            // pages p need: descTable + p*32 rounded to a page, + p*4096 <= end
            long room = end - descTable - SizeClasses.PAGE;
            long pages = room <= 0 ? 0 : room / (SizeClasses.PAGE + PageDescriptor.BYTES);
            long heapOffset = align(descTable + pages * PageDescriptor.BYTES, SizeClasses.PAGE);
            while (pages > 0 && heapOffset + (pages << SizeClasses.PAGE_SHIFT) > end) {
                pages--;
                heapOffset = align(descTable + pages * PageDescriptor.BYTES, SizeClasses.PAGE);
            }
            if (pages < SizeClasses.MAX_SPAN_PAGES) {
                throw new IllegalArgumentException("allocator region too small: regionSize=" + regionSize
                        + ", customHeaderSize=" + customSize + ", slots=" + slotCount + " leave " + pages
                        + " pages; need at least " + SizeClasses.MAX_SPAN_PAGES);
            }
            if (pages > 0xFFFF_FFFEL) {
                pages = 0xFFFF_FFFEL;
            }
            return new Geometry(regionOffset, regionSize, customOffset, customSize, classTable, runLists, slotTable,
                    slotCount, descTable, heapOffset, pages);
        }

        void write(MemorySegment seg) {
            long r = regionOffset;
            seg.set(ValueLayout.JAVA_LONG, r + H_REGION_OFFSET, regionOffset);
            seg.set(ValueLayout.JAVA_LONG, r + H_REGION_SIZE, regionSize);
            seg.set(ValueLayout.JAVA_LONG, r + H_CUSTOM_OFFSET, customOffset);
            seg.set(ValueLayout.JAVA_LONG, r + H_CUSTOM_SIZE, customSize);
            seg.set(ValueLayout.JAVA_LONG, r + H_CLASS_TABLE, classTable);
            seg.set(ValueLayout.JAVA_LONG, r + H_RUN_LISTS, runLists);
            seg.set(ValueLayout.JAVA_LONG, r + H_SLOT_TABLE, slotTable);
            seg.set(ValueLayout.JAVA_INT, r + H_SLOT_COUNT, slotCount);
            seg.set(ValueLayout.JAVA_INT, r + H_CLASS_COUNT, SizeClasses.COUNT);
            seg.set(ValueLayout.JAVA_LONG, r + H_DESC_TABLE, descTable);
            seg.set(ValueLayout.JAVA_LONG, r + H_HEAP_OFFSET, heapOffset);
            seg.set(ValueLayout.JAVA_LONG, r + H_PAGE_COUNT, pageCount);
        }

        /**
         * Reads a region's geometry and checks that it is exactly what {@link #plan} makes for the region
         * recorded in the backend's directory.
         */
        static Geometry read(MemorySegment seg, long regionOffset, long regionSize, AllocatorId id, int typeCode,
                             String typeName) {
            long r = regionOffset;
            String where = "allocator " + id + " at data offset " + regionOffset;
            long magic = seg.get(ValueLayout.JAVA_LONG, r + H_MAGIC);
            if (magic != MAGIC) {
                throw new CorruptSegmentException("not an hshm heap (bad magic): " + where + ", expected=0x"
                        + Long.toHexString(MAGIC) + ", found=0x" + Long.toHexString(magic));
            }
            long ready = (long) LONG.getAcquire(seg, r + H_READY);
            if (ready != READY_VALUE) {
                throw new CorruptSegmentException("heap header not ready (never published): " + where
                        + ", ready=0x" + Long.toHexString(ready));
            }
            int version = seg.get(ValueLayout.JAVA_INT, r + H_LAYOUT_VERSION);
            if (version != LAYOUT_VERSION) {
                throw new CorruptSegmentException("unsupported heap layout version: " + where + ", expected="
                        + LAYOUT_VERSION + ", found=" + version);
            }
            int type = seg.get(ValueLayout.JAVA_INT, r + H_TYPE_CODE);
            if (type != typeCode) {
                throw new CorruptSegmentException("heap type mismatch: " + where + ", expected=" + typeName
                        + " (code " + typeCode + "), found code=" + type);
            }
            long storedId = seg.get(ValueLayout.JAVA_LONG, r + H_ALLOCATOR_ID);
            if (storedId != id.toLong()) {
                throw new CorruptSegmentException("heap allocator id mismatch: " + where + ", directory says " + id
                        + ", heap header says " + AllocatorId.fromLong(storedId));
            }
            long customSize = seg.get(ValueLayout.JAVA_LONG, r + H_CUSTOM_SIZE);
            int slots = seg.get(ValueLayout.JAVA_INT, r + H_SLOT_COUNT);
            if (customSize < 0 || customSize > regionSize || slots < 0 || slots > 65536) {
                throw new CorruptSegmentException("heap header out of range: " + where + ", customHeaderSize="
                        + customSize + ", slots=" + slots);
            }
            Geometry expected = plan(regionOffset, regionSize, customSize, slots);
            Geometry found = new Geometry(seg.get(ValueLayout.JAVA_LONG, r + H_REGION_OFFSET),
                    seg.get(ValueLayout.JAVA_LONG, r + H_REGION_SIZE), seg.get(ValueLayout.JAVA_LONG, r + H_CUSTOM_OFFSET),
                    customSize, seg.get(ValueLayout.JAVA_LONG, r + H_CLASS_TABLE),
                    seg.get(ValueLayout.JAVA_LONG, r + H_RUN_LISTS), seg.get(ValueLayout.JAVA_LONG, r + H_SLOT_TABLE),
                    slots, seg.get(ValueLayout.JAVA_LONG, r + H_DESC_TABLE),
                    seg.get(ValueLayout.JAVA_LONG, r + H_HEAP_OFFSET), seg.get(ValueLayout.JAVA_LONG, r + H_PAGE_COUNT));
            int classCount = seg.get(ValueLayout.JAVA_INT, r + H_CLASS_COUNT);
            if (!found.equals(expected) || classCount != SizeClasses.COUNT) {
                throw new CorruptSegmentException("heap geometry does not match its region: " + where
                        + ", expected=" + expected + ", found=" + found + ", classCount=" + classCount);
            }
            return found;
        }
    }

    static long align(long v, long a) {
        return (v + a - 1) & -a;
    }
}
