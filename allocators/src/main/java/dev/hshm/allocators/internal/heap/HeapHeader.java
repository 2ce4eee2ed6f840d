package dev.hshm.allocators.internal.heap;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;

/**
 * Layout of an allocator region (layout version {@value #LAYOUT_VERSION} of the published format) and of the
 * heap header at its start. Offsets inside the header are relative to the region's start; the offsets stored in
 * it are relative to the backend's data, like every offset this library stores, so a region can sit anywhere in
 * its backend.
 *
 * <pre>
 * region (page-aligned, in the backend's data)
 * +------------------+ REGION_OFFSET
 * | heap header      |  {@value #BYTES} B (below)
 * | custom header    |  CUSTOM_SIZE rounded up to 64 B, zeroed
 * | page heap        |  {@link PageHeapLayout}: its lock, its counters, the run lists
 * | shard table      |  SHARD_COUNT x {@link ShardLayout}: a lock and one class table each
 * | slot table       |  thread_local only: {@link SlotTable} (SLOT_COUNT leases, then SLOT_COUNT records)
 * | page descriptors |  PAGE_COUNT x {@value PageDescriptor#BYTES} B ({@link PageDescriptor})
 * | (pad to a page)  |
 * +------------------+ HEAP_OFFSET
 * | pages            |  PAGE_COUNT x 4096 B: spans of small blocks, large runs, free runs, never-used pages
 * +------------------+ REGION_OFFSET + REGION_SIZE (a tail that is not a whole page is unused)
 *
 * heap header (at the region's start); every field is written once, before READY, and never again
 *   0  MAGIC           u64  "HSHMHEAP" as a big-endian number (little-endian bytes: "PAEHMHSH")   plain
 *   8  READY           u64  0, then READY_VALUE                 release store LAST; attachers acquire it FIRST
 *  16  LAYOUT_VERSION  u32  {@value #LAYOUT_VERSION}
 *  20  TYPE_CODE       u32  1 scalable_page, 2 thread_local
 *  24  ALLOCATOR_ID    u64  AllocatorId.toLong()
 *  32  REGION_OFFSET   u64  \
 *  40  REGION_SIZE     u64   |
 *  48  CUSTOM_OFFSET   u64   |
 *  56  CUSTOM_SIZE     u64   |
 *  64  PAGE_HEAP       u64   |  where each part is (backend data offsets); all checked on attach
 *  72  SHARD_TABLE     u64   |  against {@link Geometry#plan} for the region the directory records
 *  80  SLOT_TABLE      u64   |
 *  88  DESC_TABLE      u64   |
 *  96  HEAP_OFFSET     u64   |
 * 104  PAGE_COUNT      u64   |
 * 112  SLOT_COUNT      u32   |
 * 116  SHARD_COUNT     u32   |
 * 120  CLASS_COUNT     u32   |  {@link SizeClasses#COUNT}
 * 124  PAGE_SIZE       u32  /   {@link SizeClasses#PAGE}
 * 128  TAG_SALT        u64  random, odd; free blocks carry SALT ^ offset ({@link FreeBlock})
 * 136  (reserved, 0) to {@value #BYTES}
 * </pre>
 */
public final class HeapHeader {

    static final long MAGIC_VALUE = 0x4853484D48454150L; // "HSHMHEAP"
    static final long READY_VALUE = 0x5245414459212121L;
    /** 2: start words name their pid ({@link OwnerWords#startWord}); slot records carry TRANSIT. */
    static final int LAYOUT_VERSION = 2;
    /** TYPE_CODE of a {@code scalable_page} heap. */
    public static final int TYPE_SCALABLE_PAGE = 1;
    /** TYPE_CODE of a {@code thread_local} heap. */
    public static final int TYPE_THREAD_LOCAL = 2;

    static final long MAGIC = 0;
    static final long READY = MAGIC + 8;
    static final long VERSION = READY + 8;
    static final long TYPE_CODE = VERSION + 4;
    static final long ALLOCATOR_ID = TYPE_CODE + 4;
    static final long REGION_OFFSET = ALLOCATOR_ID + 8;
    static final long REGION_SIZE = REGION_OFFSET + 8;
    static final long CUSTOM_OFFSET = REGION_SIZE + 8;
    static final long CUSTOM_SIZE = CUSTOM_OFFSET + 8;
    static final long PAGE_HEAP = CUSTOM_SIZE + 8;
    static final long SHARD_TABLE = PAGE_HEAP + 8;
    static final long SLOT_TABLE = SHARD_TABLE + 8;
    static final long DESC_TABLE = SLOT_TABLE + 8;
    static final long HEAP_OFFSET = DESC_TABLE + 8;
    static final long PAGE_COUNT = HEAP_OFFSET + 8;
    static final long SLOT_COUNT = PAGE_COUNT + 8;
    static final long SHARD_COUNT = SLOT_COUNT + 4;
    static final long CLASS_COUNT = SHARD_COUNT + 4;
    static final long PAGE_SIZE = CLASS_COUNT + 4;
    static final long TAG_SALT = PAGE_SIZE + 4;
    static final long RESERVED = TAG_SALT + 8;
    static final int BYTES = 256;

    /** The most cache slots a region can have (a sanity bound on SLOT_COUNT read from shared memory). */
    static final int MAX_SLOTS = 65536;

    static {
        if (RESERVED > BYTES || PAGE_HEAP % 8 != 0 || TAG_SALT % 8 != 0) {
            throw new AssertionError("HeapHeader drifted: RESERVED=" + RESERVED);
        }
    }

    private HeapHeader() {
    }

    /**
     * Where the parts of a region are, computed at creation and re-read (and checked) on attach.
     *
     * @param regionOffset region start in data
     * @param regionSize region bytes
     * @param customOffset custom header start
     * @param customSize custom header bytes asked for
     * @param pageHeap the page heap's lock, counters and run lists ({@link PageHeapLayout})
     * @param shardTable the first shard ({@link ShardLayout})
     * @param shardCount shards
     * @param slotTable the slot table ({@link SlotTable}; its size is 0 without slots)
     * @param slotCount slots
     * @param descTable page descriptor table start
     * @param heapOffset first page
     * @param pageCount pages
     */
    public record Geometry(long regionOffset, long regionSize, long customOffset, long customSize, long pageHeap,
                    long shardTable, int shardCount, long slotTable, int slotCount, long descTable, long heapOffset,
                    long pageCount) {

        long heapEnd() {
            return heapOffset + (pageCount << SizeClasses.PAGE_SHIFT);
        }

        long shard(int s) {
            return shardTable + (long) s * ShardLayout.BYTES;
        }

        /**
         * Lays out a new region.
         *
         * @throws IllegalArgumentException if the region cannot hold the tables and a span of the largest class
         */
        static Geometry plan(long regionOffset, long regionSize, long customSize, int shardCount, int slotCount) {
            if (customSize < 0) {
                throw new IllegalArgumentException("custom header size must be >= 0: " + customSize);
            }
            if (shardCount < 1 || shardCount > ShardLayout.MAX_SHARDS || slotCount < 0 || slotCount > MAX_SLOTS) {
                throw new IllegalArgumentException("shards must be 1.." + ShardLayout.MAX_SHARDS + " and slots 0.."
                        + MAX_SLOTS + ": shards=" + shardCount + ", slots=" + slotCount);
            }
            long customOffset = regionOffset + BYTES;
            long pageHeap = align(customOffset + customSize, 64);
            long shardTable = pageHeap + PageHeapLayout.BYTES;
            long slotTable = shardTable + (long) shardCount * ShardLayout.BYTES;
            long descTable = slotTable + SlotTable.bytes(slotCount);
            long end = regionOffset + regionSize;
            // pages p need: descTable + p*64 (PageDescriptor.BYTES) rounded up to a page, then p*4096, all before end
            long room = end - descTable - SizeClasses.PAGE;
            long pages = room <= 0 ? 0 : room / (SizeClasses.PAGE + PageDescriptor.BYTES);
            long heapOffset = align(descTable + pages * PageDescriptor.BYTES, SizeClasses.PAGE);
            while (pages > 0 && heapOffset + (pages << SizeClasses.PAGE_SHIFT) > end) {
                pages--;
                heapOffset = align(descTable + pages * PageDescriptor.BYTES, SizeClasses.PAGE);
            }
            if (pages < SizeClasses.MAX_SPAN_PAGES) {
                throw new IllegalArgumentException("allocator region too small: regionSize=" + regionSize
                        + ", customHeaderSize=" + customSize + ", shards=" + shardCount + ", slots=" + slotCount
                        + " leave " + pages + " pages; need at least " + SizeClasses.MAX_SPAN_PAGES);
            }
            pages = Math.min(pages, PageDescriptor.MAX_PAGES);
            return new Geometry(regionOffset, regionSize, customOffset, customSize, pageHeap, shardTable, shardCount,
                    slotTable, slotCount, descTable, heapOffset, pages);
        }

        /** Writes the geometry fields of the header (plain; READY comes later). */
        void write(Words w) {
            long r = regionOffset;
            w.put(r + REGION_OFFSET, regionOffset);
            w.put(r + REGION_SIZE, regionSize);
            w.put(r + CUSTOM_OFFSET, customOffset);
            w.put(r + CUSTOM_SIZE, customSize);
            w.put(r + PAGE_HEAP, pageHeap);
            w.put(r + SHARD_TABLE, shardTable);
            w.put(r + SLOT_TABLE, slotTable);
            w.put(r + DESC_TABLE, descTable);
            w.put(r + HEAP_OFFSET, heapOffset);
            w.put(r + PAGE_COUNT, pageCount);
            w.putInt(r + SLOT_COUNT, slotCount);
            w.putInt(r + SHARD_COUNT, shardCount);
            w.putInt(r + CLASS_COUNT, SizeClasses.COUNT);
            w.putInt(r + PAGE_SIZE, SizeClasses.PAGE);
        }

        /**
         * Reads a published header and checks that it is exactly what {@link #plan} makes for the region the
         * backend's directory records.
         *
         * @throws CorruptSegmentException naming the first field that is wrong, with {@code expected=}/{@code found=}
         */
        static Geometry read(Words w, long regionOffset, long regionSize, AllocatorId id, int typeCode,
                             String typeName) {
            long r = regionOffset;
            String where = "allocator " + id + " at data offset " + regionOffset;
            long magic = w.get(r + MAGIC);
            if (magic != MAGIC_VALUE) {
                throw new CorruptSegmentException("not an hshm heap (bad magic): " + where + ", expected=0x"
                        + Long.toHexString(MAGIC_VALUE) + ", found=0x" + Long.toHexString(magic));
            }
            long ready = w.getAcquire(r + READY);
            if (ready != READY_VALUE) {
                throw new CorruptSegmentException("heap header not ready (never published): " + where
                        + ", ready=0x" + Long.toHexString(ready));
            }
            int version = w.getInt(r + VERSION);
            if (version != LAYOUT_VERSION) {
                throw new CorruptSegmentException("unsupported heap layout version: " + where + ", expected="
                        + LAYOUT_VERSION + ", found=" + version);
            }
            int type = w.getInt(r + TYPE_CODE);
            if (type != typeCode) {
                throw new CorruptSegmentException("heap type mismatch: " + where + ", expected=" + typeName
                        + " (code " + typeCode + "), found code=" + type);
            }
            long storedId = w.get(r + ALLOCATOR_ID);
            if (storedId != id.toLong()) {
                throw new CorruptSegmentException("heap allocator id mismatch: " + where + ", directory says " + id
                        + ", heap header says " + AllocatorId.fromLong(storedId));
            }
            int classCount = w.getInt(r + CLASS_COUNT);
            int pageSize = w.getInt(r + PAGE_SIZE);
            if (classCount != SizeClasses.COUNT || pageSize != SizeClasses.PAGE) {
                throw new CorruptSegmentException("heap size classes differ from this build's: " + where
                        + ", classCount=" + classCount + " (expected=" + SizeClasses.COUNT + "), pageSize=" + pageSize
                        + " (expected=" + SizeClasses.PAGE + ")");
            }
            long customSize = w.get(r + CUSTOM_SIZE);
            int slots = w.getInt(r + SLOT_COUNT);
            int shards = w.getInt(r + SHARD_COUNT);
            if (customSize < 0 || customSize > regionSize || slots < 0 || slots > MAX_SLOTS || shards < 1
                    || shards > ShardLayout.MAX_SHARDS) {
                throw new CorruptSegmentException("heap header out of range: " + where + ", customHeaderSize="
                        + customSize + ", slots=" + slots + ", shards=" + shards);
            }
            if (typeCode == TYPE_THREAD_LOCAL && slots < 1) {
                throw new CorruptSegmentException("heap header out of range: " + where + ", field=SLOT_COUNT, value="
                        + slots + " (a thread_local heap has at least one cache slot)");
            }
            Geometry expected;
            try {
                expected = plan(regionOffset, regionSize, customSize, shards, slots);
            } catch (IllegalArgumentException e) {
                throw new CorruptSegmentException("heap header describes a region that cannot hold it: " + where
                        + ": " + e.getMessage());
            }
            Geometry found = new Geometry(w.get(r + REGION_OFFSET), w.get(r + REGION_SIZE), w.get(r + CUSTOM_OFFSET),
                    customSize, w.get(r + PAGE_HEAP), w.get(r + SHARD_TABLE), shards, w.get(r + SLOT_TABLE), slots,
                    w.get(r + DESC_TABLE), w.get(r + HEAP_OFFSET), w.get(r + PAGE_COUNT));
            if (!found.equals(expected)) {
                throw new CorruptSegmentException("heap geometry does not match its region: " + where
                        + ", expected=" + expected + ", found=" + found);
            }
            return found;
        }
    }

    static long align(long v, long a) {
        return (v + a - 1) & -a;
    }
}
