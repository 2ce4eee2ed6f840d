package dev.hshm.allocators.internal.heap;

import dev.hshm.api.spi.BackendHeader;
import dev.hshm.testkit.CHeader;
import dev.hshm.testkit.CHeader.Struct;

/**
 * Renders {@code native/include/hshm_layout.h}, the C view of the published format (docs/layout.md), from the
 * layout classes themselves: every offset, size and value below is read from the Java constant that the heap
 * uses, never typed twice. The header declares one C struct per layout with a {@code _Static_assert} on every
 * field's offset and on every struct's size, so a C compiler refuses a header that disagrees with itself, and
 * {@code CLayoutTest} refuses a checked-in header that differs from what this class renders (so Java and C cannot
 * drift). Regenerate with {@code ./mvnw -pl allocators test -Dtest=CLayoutTest -Dhshm.layout.write=true}.
 *
 * <p>Internal parts of a region (the {@code thread_local} slot table, the statistics' exact meaning) are not
 * rendered: a C client needs only where the slot table is (the heap header says) and never touches it, as long as
 * it repairs no shard (that repair reads the slot records' TRANSIT and HEAD words; docs/layout.md).
 */
final class CLayout {

    private CLayout() {
    }

    /**
     * The text of {@code hshm_layout.h}.
     *
     * @return the header, with a trailing newline
     */
    static String render() {
        StringBuilder o = new StringBuilder();
        o.append("""
                /*
                 * hshm_layout.h: the published shared-memory format of hshm-java, in C11 (libc headers only).
                 * GENERATED from the Java layout classes by dev.hshm.allocators.internal.heap.CLayout; do not edit.
                 * Regenerate: ./mvnw -pl allocators test -Dtest=CLayoutTest -Dhshm.layout.write=true
                 * CLayoutTest fails the build when this file differs from the layout classes. The prose, the memory
                 * ordering of every word and the versioning policy are in docs/layout.md.
                 *
                 * Every word is stored in the creating machine's byte order (the byte-order mark says which); the
                 * u64 constants below are values, so on a little-endian machine "HSHMBKND" lies in memory as the
                 * bytes 44 4E 4B 42 4D 48 53 48 ("DNKBMHSH"). Offsets stored in shared memory are relative to the
                 * start of the backend's data (DATA_OFFSET bytes into the mapping).
                 */
                #ifndef HSHM_LAYOUT_H
                #define HSHM_LAYOUT_H

                #include <stddef.h>
                #include <stdint.h>

                """);

        // ------------------------------------------------------------------------------- backend header
        o.append("/* ---- backend header and allocator directory (BackendHeader) ---- */\n");
        CHeader.define(o, "HSHM_BACKEND_MAGIC", CHeader.hex(BackendHeader.MAGIC), CHeader.bytesNote(BackendHeader.MAGIC));
        CHeader.define(o, "HSHM_BACKEND_READY", CHeader.hex(BackendHeader.READY_VALUE), CHeader.bytesNote(BackendHeader.READY_VALUE));
        CHeader.define(o, "HSHM_BACKEND_LAYOUT_VERSION", Integer.toString(BackendHeader.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_BYTE_ORDER_MARK", "UINT32_C(0x" + Integer.toHexString(BackendHeader.BYTE_ORDER_MARK) + ")",
                "");
        CHeader.define(o, "HSHM_DATA_OFFSET", Integer.toString(BackendHeader.DATA_OFFSET),
                "data starts this far into the mapping");
        CHeader.define(o, "HSHM_REGION_ALIGNMENT", Long.toString(BackendHeader.REGION_ALIGNMENT), "");
        CHeader.define(o, "HSHM_DIR_ENTRIES", Integer.toString(BackendHeader.DIR_ENTRIES), "");
        CHeader.define(o, "HSHM_DIR_STATE_FREE", Long.toString(BackendHeader.STATE_FREE), "");
        CHeader.define(o, "HSHM_DIR_STATE_RESERVED", Long.toString(BackendHeader.STATE_RESERVED), "being formatted");
        CHeader.define(o, "HSHM_DIR_STATE_READY", Long.toString(BackendHeader.STATE_READY), "published (release store)");
        o.append('\n');
        Struct dir = new Struct("hshm_dir_entry", BackendHeader.DIR_ENTRY_BYTES,
                "One allocator directory entry: STATE is published last (release store), read first (acquire).")
                .u64("state", BackendHeader.ENTRY_STATE, "HSHM_DIR_STATE_*")
                .u64("allocator_id", BackendHeader.ENTRY_ALLOCATOR_ID, "major << 32 | minor")
                .u64("region_offset", BackendHeader.ENTRY_REGION_OFFSET, "in data, page-aligned")
                .u64("region_size", BackendHeader.ENTRY_REGION_SIZE, "")
                .chars("type", BackendHeader.ENTRY_TYPE, BackendHeader.TYPE_BYTES, "ASCII, NUL-padded");
        dir.render(o, "HSHM_DIR");
        Struct bh = new Struct("hshm_backend_header", BackendHeader.HEADER_BYTES,
                "The header at the start of every mapping (page 0; data starts at HSHM_DATA_OFFSET).\n"
                        + "READY is published last (release store) and read first (acquire load).")
                .u64("magic", BackendHeader.MAGIC_OFFSET, "HSHM_BACKEND_MAGIC")
                .u64("ready", BackendHeader.READY_OFFSET, "0 while formatting, then HSHM_BACKEND_READY")
                .u32("layout_version", BackendHeader.LAYOUT_VERSION_OFFSET, "HSHM_BACKEND_LAYOUT_VERSION")
                .u32("byte_order", BackendHeader.BYTE_ORDER_OFFSET, "HSHM_BYTE_ORDER_MARK")
                .u64("header_size", BackendHeader.HEADER_SIZE_OFFSET, "== HSHM_DATA_OFFSET")
                .u64("data_size", BackendHeader.DATA_SIZE_OFFSET, "bytes of data after the header")
                .i32("backend_id", BackendHeader.BACKEND_ID_OFFSET, ">= 0")
                .u32("flags", BackendHeader.FLAGS_OFFSET, "0")
                .i64("creator_pid", BackendHeader.CREATOR_PID_OFFSET, "")
                .i64("creator_start", BackendHeader.CREATOR_START_OFFSET, "epoch ms")
                .chars("kind", BackendHeader.KIND_OFFSET, BackendHeader.KIND_BYTES, "backend kind, e.g. posix_shm")
                .i64("attach_count", BackendHeader.ATTACH_COUNT_OFFSET, "atomic add")
                .i64("data_bump", BackendHeader.DATA_BUMP_OFFSET, "CAS; first data byte not in a region")
                .nested("directory", BackendHeader.DIRECTORY_OFFSET, dir, BackendHeader.DIR_ENTRIES, "");
        bh.render(o, "HSHM_BH");

        // ------------------------------------------------------------------------------- heap header
        o.append("/* ---- allocator region: heap header (HeapHeader) ---- */\n");
        CHeader.define(o, "HSHM_HEAP_MAGIC", CHeader.hex(HeapHeader.MAGIC_VALUE), CHeader.bytesNote(HeapHeader.MAGIC_VALUE));
        CHeader.define(o, "HSHM_HEAP_READY", CHeader.hex(HeapHeader.READY_VALUE), CHeader.bytesNote(HeapHeader.READY_VALUE));
        CHeader.define(o, "HSHM_HEAP_LAYOUT_VERSION", Integer.toString(HeapHeader.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_HEAP_TYPE_SCALABLE_PAGE", Integer.toString(HeapHeader.TYPE_SCALABLE_PAGE), "");
        CHeader.define(o, "HSHM_HEAP_TYPE_THREAD_LOCAL", Integer.toString(HeapHeader.TYPE_THREAD_LOCAL), "");
        CHeader.define(o, "HSHM_HEAP_MAX_SLOTS", Integer.toString(HeapHeader.MAX_SLOTS), "");
        CHeader.define(o, "HSHM_CUSTOM_ALIGN", "64", "the page heap starts at the custom header's end rounded up to this");
        CHeader.define(o, "HSHM_SLOT_LEASE_BYTES", Integer.toString(SlotTable.LEASE_BYTES),
                "thread_local slot table (internal): SLOT_COUNT leases...");
        CHeader.define(o, "HSHM_SLOT_RECORD_BYTES", Integer.toString(SlotTable.RECORD_BYTES),
                "...then SLOT_COUNT records (after the leases padded to 64 B); 0 bytes when SLOT_COUNT is 0");
        CHeader.define(o, "HSHM_SLOT_TRANSIT", Long.toString(SlotTable.TRANSIT),
                "in a record: the block a batch move holds in flight, or 0 (read by a shard's repair)");
        CHeader.define(o, "HSHM_SLOT_HEADS", Long.toString(SlotTable.HEADS),
                "in a record: HSHM_CLASS_COUNT list heads of 8 B (read by a shard's repair)");
        o.append('\n');
        Struct hh = new Struct("hshm_heap_header", HeapHeader.BYTES,
                "At the start of a scalable_page or thread_local region. Written once before READY (release store,\n"
                        + "last); attachers acquire READY first. Offsets it stores are data offsets.")
                .u64("magic", HeapHeader.MAGIC, "HSHM_HEAP_MAGIC")
                .u64("ready", HeapHeader.READY, "HSHM_HEAP_READY once published")
                .u32("layout_version", HeapHeader.VERSION, "HSHM_HEAP_LAYOUT_VERSION")
                .u32("type_code", HeapHeader.TYPE_CODE, "HSHM_HEAP_TYPE_*")
                .u64("allocator_id", HeapHeader.ALLOCATOR_ID, "== the directory entry's")
                .u64("region_offset", HeapHeader.REGION_OFFSET, "")
                .u64("region_size", HeapHeader.REGION_SIZE, "")
                .u64("custom_offset", HeapHeader.CUSTOM_OFFSET, "region_offset + HSHM_HH_BYTES")
                .u64("custom_size", HeapHeader.CUSTOM_SIZE, "bytes asked for")
                .u64("page_heap", HeapHeader.PAGE_HEAP, "hshm_page_heap")
                .u64("shard_table", HeapHeader.SHARD_TABLE, "shard_count x hshm_shard")
                .u64("slot_table", HeapHeader.SLOT_TABLE, "internal")
                .u64("desc_table", HeapHeader.DESC_TABLE, "page_count x hshm_page_desc")
                .u64("heap_offset", HeapHeader.HEAP_OFFSET, "page 0, page-aligned")
                .u64("page_count", HeapHeader.PAGE_COUNT, "")
                .u32("slot_count", HeapHeader.SLOT_COUNT, "")
                .u32("shard_count", HeapHeader.SHARD_COUNT, "1..HSHM_MAX_SHARDS")
                .u32("class_count", HeapHeader.CLASS_COUNT, "HSHM_CLASS_COUNT")
                .u32("page_size", HeapHeader.PAGE_SIZE, "HSHM_PAGE")
                .u64("tag_salt", HeapHeader.TAG_SALT, "odd; a free block's TAG is tag_salt ^ its offset");
        hh.render(o, "HSHM_HH");

        // ------------------------------------------------------------------------------- locks and owners
        o.append("/* ---- robust locks (RobustLock) and owner words (OwnerWords) ---- */\n");
        CHeader.define(o, "HSHM_OWNER_FREE", Long.toString(OwnerWords.FREE), "");
        CHeader.define(o, "HSHM_OWNER_RECLAIMER_BIT", CHeader.hex(OwnerWords.RECLAIMER_BIT), "");
        CHeader.define(o, "HSHM_OWNER_STRIPE", CHeader.hex(OwnerWords.STRIPE), "local ids from here up are stripes");
        CHeader.define(o, "HSHM_OWNER_LOCAL_MASK", CHeader.hex(0x7FFF_FFFFL), "owner = pid << 32 | local id");
        CHeader.define(o, "HSHM_START_PID_BITS", Integer.toString(OwnerWords.START_PID_BITS),
                "start word = start ms << 22 | (pid & 0x3FFFFF)");
        CHeader.define(o, "HSHM_LOCK_SPINS", Integer.toString(RobustLock.SPINS), "");
        CHeader.define(o, "HSHM_LOCK_YIELDS", Integer.toString(RobustLock.YIELDS), "");
        CHeader.define(o, "HSHM_LOCK_MAX_PAUSE_US", Long.toString(RobustLock.MAX_PAUSE_US), "");
        CHeader.define(o, "HSHM_LOCK_LIVENESS_CHECK_NS", Long.toString(RobustLock.LIVENESS_CHECK_NANOS), "");
        CHeader.define(o, "HSHM_LOCK_UNPROVEN_OWNER_NS", Long.toString(RobustLock.UNPROVEN_OWNER_NANOS), "");
        o.append('\n');
        Struct lock = new Struct("hshm_lock", RobustLock.BYTES,
                "A robust lock, one cache line: CAS OWNER FREE->me, then OWNER_START = my start word; unlock:\n"
                        + "OWNER_START = 0, then release store OWNER = FREE.")
                .u64("owner", RobustLock.OWNER, "owner word")
                .u64("owner_start", RobustLock.OWNER_START, "start word, 0 while unknown")
                .u64("recoveries", RobustLock.RECOVERIES, "dead owners taken over (atomic add)");
        lock.render(o, "HSHM_LOCK");

        // ------------------------------------------------------------------------------- page heap
        o.append("/* ---- page heap (PageHeapLayout) ---- */\n");
        CHeader.define(o, "HSHM_RUN_LISTS", Integer.toString(PageHeapLayout.LISTS),
                "list 0: runs longer than HSHM_MAX_EXACT_RUN pages; list i: runs of i pages");
        CHeader.define(o, "HSHM_MAX_EXACT_RUN", Integer.toString(PageHeapLayout.MAX_EXACT_RUN), "");
        CHeader.define(o, "HSHM_RUN_BITMAP_WORDS", Integer.toString(PageHeapLayout.BITMAP_WORDS), "");
        o.append('\n');
        Struct ph = new Struct("hshm_page_heap", PageHeapLayout.BYTES,
                "The page heap's lock, counters and free-run lists; every field is plain, under its lock.")
                .nested("lock", PageHeapLayout.LOCK, lock, 1, "")
                .u64("frontier", PageHeapLayout.FRONTIER, "pages [0, frontier) were handed out at least once")
                .u64("footprint", PageHeapLayout.FOOTPRINT, "high-water mark of frontier")
                .u64("free_pages", PageHeapLayout.FREE_PAGES, "")
                .u64("large_bytes", PageHeapLayout.LARGE_BYTES, "bytes in live large runs")
                .u64("large_count", PageHeapLayout.LARGE_COUNT, "")
                .u64s("run_bitmap", PageHeapLayout.RUN_BITMAP, PageHeapLayout.BITMAP_WORDS, "bit i: list i may be non-empty")
                .u64s("run_lists", PageHeapLayout.RUN_LISTS, PageHeapLayout.LISTS, "first page or HSHM_NO_PAGE");
        ph.render(o, "HSHM_PH");

        // ------------------------------------------------------------------------------- shards
        o.append("/* ---- span table shards (ShardLayout) ---- */\n");
        CHeader.define(o, "HSHM_MAX_SHARDS", Integer.toString(ShardLayout.MAX_SHARDS), "");
        o.append('\n');
        Struct ce = new Struct("hshm_class_entry", ShardLayout.CLASS_BYTES,
                "One size class of one shard; plain, under the shard's lock.")
                .u64("span_head", ShardLayout.SPAN_HEAD, "first span with room, or HSHM_NO_PAGE")
                .u64("live", ShardLayout.LIVE, "blocks handed out (in use or in thread caches)")
                .u64("spans", ShardLayout.SPANS, "")
                .u64("free", ShardLayout.FREE, "free blocks on the spans' lists");
        ce.render(o, "HSHM_CE");
        Struct shard = new Struct("hshm_shard", ShardLayout.BYTES, "One shard: its lock and a class table.")
                .nested("lock", ShardLayout.LOCK, lock, 1, "")
                .nested("classes", ShardLayout.CLASSES, ce, SizeClasses.COUNT, "");
        shard.render(o, "HSHM_SHARD");

        // ------------------------------------------------------------------------------- descriptors, blocks
        o.append("/* ---- page descriptors (PageDescriptor) and free blocks (FreeBlock) ---- */\n");
        CHeader.define(o, "HSHM_KIND_NONE", Integer.toString(PageDescriptor.NO_KIND), "");
        CHeader.define(o, "HSHM_KIND_FREE", Integer.toString(PageDescriptor.FREE), "head of a free run");
        CHeader.define(o, "HSHM_KIND_FREE_TAIL", Integer.toString(PageDescriptor.FREE_TAIL), "last page of a free run; AUX = head");
        CHeader.define(o, "HSHM_KIND_SMALL", Integer.toString(PageDescriptor.SMALL), "head of a span");
        CHeader.define(o, "HSHM_KIND_LARGE", Integer.toString(PageDescriptor.LARGE), "head of a large block; AUX = size");
        CHeader.define(o, "HSHM_KIND_INTERIOR", Integer.toString(PageDescriptor.INTERIOR), "non-head page; AUX = head");
        CHeader.define(o, "HSHM_NO_PAGE", CHeader.hex(PageDescriptor.NO_PAGE), "");
        CHeader.define(o, "HSHM_MAX_PAGES", CHeader.hex(PageDescriptor.MAX_PAGES), "");
        CHeader.define(o, "HSHM_NO_OFFSET", "UINT64_MAX", "-1: end of a free list");
        CHeader.define(o, "HSHM_LIVE_TAG", Long.toString(FreeBlock.LIVE_TAG), "a handed-out block's TAG");
        CHeader.define(o, "HSHM_PD_SHIFT", Integer.toString(PageDescriptor.SHIFT), "log2 of HSHM_PD_BYTES");
        o.append("""
                /* INFO = kind | class << 8 | shard << 16 | pages << 32; LINKS = prev | next << 32;
                 * COUNTS = free | carved << 32 */
                #define HSHM_INFO(kind, cls, shard, pages) ((uint64_t)((kind) & 0xFF) | ((uint64_t)((cls) & 0xFF) << 8) \\
                    | ((uint64_t)((shard) & 0xFFFF) << 16) | ((uint64_t)(pages) << 32))
                #define HSHM_INFO_KIND(i) ((unsigned)((i) & 0xFF))
                #define HSHM_INFO_CLASS(i) ((unsigned)(((i) >> 8) & 0xFF))
                #define HSHM_INFO_SHARD(i) ((unsigned)(((i) >> 16) & 0xFFFF))
                #define HSHM_INFO_PAGES(i) ((uint64_t)(i) >> 32)
                #define HSHM_PACK(low, high) (((uint64_t)(low) & 0xFFFFFFFFu) | ((uint64_t)(high) << 32))
                #define HSHM_LOW(w) ((uint64_t)(w) & 0xFFFFFFFFu)
                #define HSHM_HIGH(w) ((uint64_t)(w) >> 32)

                """);
        Struct pd = new Struct("hshm_page_desc", PageDescriptor.BYTES,
                "One per heap page, at desc_table + page * HSHM_PD_BYTES. Plain words: INFO (and interior AUX)\n"
                        + "under the page heap's lock; LINKS, AUX, COUNTS of a span head under its shard's lock.")
                .u64("info", PageDescriptor.INFO, "HSHM_INFO(...)")
                .u64("links", PageDescriptor.LINKS, "HSHM_PACK(prev, next)")
                .u64("aux", PageDescriptor.AUX, "SMALL: first free block; INTERIOR/FREE_TAIL: head; LARGE: size")
                .u64("counts", PageDescriptor.COUNTS, "SMALL: HSHM_PACK(free, carved)");
        pd.render(o, "HSHM_PD");
        Struct fb = new Struct("hshm_free_block", FreeBlock.BYTES,
                "The first 16 bytes of a free small block (user bytes while it is live).")
                .u64("next", FreeBlock.NEXT, "next free block's offset, or HSHM_NO_OFFSET")
                .u64("tag", FreeBlock.TAG, "tag_salt ^ offset while free; HSHM_LIVE_TAG once handed out");
        fb.render(o, "HSHM_FB");

        // ------------------------------------------------------------------------------- size classes
        o.append("/* ---- size classes (SizeClasses) ---- */\n");
        CHeader.define(o, "HSHM_PAGE", Integer.toString(SizeClasses.PAGE), "");
        CHeader.define(o, "HSHM_PAGE_SHIFT", Integer.toString(SizeClasses.PAGE_SHIFT), "");
        CHeader.define(o, "HSHM_CLASS_COUNT", Integer.toString(SizeClasses.COUNT), "");
        CHeader.define(o, "HSHM_MAX_SMALL", Long.toString(SizeClasses.MAX_SMALL), "larger requests get page runs");
        CHeader.define(o, "HSHM_MAX_SPAN_PAGES", Integer.toString(SizeClasses.MAX_SPAN_PAGES), "");
        o.append("/* block size, span pages and blocks per span of each class; a block's natural alignment is the\n"
                + " * lowest set bit of its size, capped at HSHM_PAGE */\n");
        CHeader.table(o, "hshm_class_size", "HSHM_CLASS_COUNT", SizeClasses.COUNT, SizeClasses::size);
        CHeader.table(o, "hshm_class_span_pages", "HSHM_CLASS_COUNT", SizeClasses.COUNT, SizeClasses::spanPages);
        CHeader.table(o, "hshm_class_blocks", "HSHM_CLASS_COUNT", SizeClasses.COUNT, SizeClasses::blocksPerSpan);
        o.append("/* a thread cache's list of class c holds at most 2 * hshm_class_batch[c] + 1 blocks */\n");
        CHeader.table(o, "hshm_class_batch", "HSHM_CLASS_COUNT", SizeClasses.COUNT, SizeClasses::batch);
        o.append("\n#endif /* HSHM_LAYOUT_H */\n");
        return o.toString();
    }

}
