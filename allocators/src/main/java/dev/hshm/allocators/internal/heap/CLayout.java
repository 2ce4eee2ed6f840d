package dev.hshm.allocators.internal.heap;

import dev.hshm.api.spi.BackendHeader;
import java.util.ArrayList;
import java.util.List;

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
public final class CLayout {

    private CLayout() {
    }

    /** One field of a C struct: its name, offset, C type and element count (1 for a scalar). */
    private record Field(String name, long offset, String type, int count, int elementBytes, String note) {
        long end() {
            return offset + (long) count * elementBytes;
        }

        char kind() {
            return type.equals("char") ? 'C' : type.startsWith("hshm_") ? 'S' : count > 1 ? 'A' : 'U';
        }
    }

    /** A C struct rendered with padding for the gaps and a static assertion per field. */
    private static final class Struct {
        final String name;
        final String doc;
        final long bytes;
        final List<Field> fields = new ArrayList<>();

        Struct(String name, long bytes, String doc) {
            this.name = name;
            this.bytes = bytes;
            this.doc = doc;
        }

        Struct u64(String field, long offset, String note) {
            return add(new Field(field, offset, "uint64_t", 1, 8, note));
        }

        Struct i64(String field, long offset, String note) {
            return add(new Field(field, offset, "int64_t", 1, 8, note));
        }

        Struct u32(String field, long offset, String note) {
            return add(new Field(field, offset, "uint32_t", 1, 4, note));
        }

        Struct i32(String field, long offset, String note) {
            return add(new Field(field, offset, "int32_t", 1, 4, note));
        }

        Struct chars(String field, long offset, int n, String note) {
            return add(new Field(field, offset, "char", n, 1, note));
        }

        Struct u64s(String field, long offset, int n, String note) {
            return add(new Field(field, offset, "uint64_t", n, 8, note));
        }

        Struct nested(String field, long offset, Struct type, int n, String note) {
            return add(new Field(field, offset, type.name, n, (int) type.bytes, note));
        }

        private Struct add(Field f) {
            Field last = fields.isEmpty() ? null : fields.get(fields.size() - 1);
            if (last != null && f.offset < last.end()) {
                throw new AssertionError(name + "." + f.name + " at " + f.offset + " overlaps " + last.name);
            }
            if (f.end() > bytes || f.offset % Math.min(8, f.elementBytes) != 0) {
                throw new AssertionError(name + "." + f.name + " does not fit or is misaligned: offset=" + f.offset);
            }
            fields.add(f);
            return this;
        }

        void render(StringBuilder out, String prefix, List<Struct> sink) {
            sink.add(this);
            out.append("/* ").append(doc.replace("\n", "\n * ")).append(" */\n");
            out.append("#define ").append(prefix).append("_BYTES ").append(bytes).append('\n');
            for (Field f : fields) {
                out.append("#define ").append(prefix).append('_').append(f.name.toUpperCase()).append(' ')
                        .append(f.offset).append('\n');
            }
            out.append("typedef struct ").append(name).append(" {\n");
            long at = 0;
            for (Field f : fields) {
                if (f.offset > at) {
                    out.append("    uint8_t reserved_").append(at).append('[').append(f.offset - at)
                            .append("]; /* zero */\n");
                }
                out.append("    ").append(f.type).append(' ').append(f.name);
                if (f.count > 1 || f.type.equals("char")) {
                    out.append('[').append(f.count).append(']');
                }
                out.append(";");
                if (!f.note.isEmpty()) {
                    out.append(" /* ").append(f.note).append(" */");
                }
                out.append('\n');
                at = f.end();
            }
            if (bytes > at) {
                out.append("    uint8_t reserved_").append(at).append('[').append(bytes - at).append("]; /* zero */\n");
            }
            out.append("} ").append(name).append(";\n");
            for (Field f : fields) {
                out.append("_Static_assert(offsetof(").append(name).append(", ").append(f.name).append(") == ")
                        .append(prefix).append('_').append(f.name.toUpperCase()).append(", \"").append(name)
                        .append('.').append(f.name).append("\");\n");
            }
            out.append("_Static_assert(sizeof(").append(name).append(") == ").append(prefix).append("_BYTES, \"")
                    .append(name).append(" size\");\n");
            out.append("/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */\n");
            out.append("#define HSHM_FIELDS_").append(name).append("(X)");
            for (Field f : fields) {
                out.append(" \\\n    X(").append(name).append(", ").append(f.name).append(", ").append(f.kind()).append(')');
            }
            out.append("\n\n");
        }
    }

    /**
     * The text of {@code hshm_layout.h}.
     *
     * @return the header, with a trailing newline
     */
    public static String render() {
        return render(new ArrayList<>());
    }

    /**
     * One field of a rendered struct, as the C probe names it.
     *
     * @param struct the C struct, e.g. {@code hshm_heap_header}
     * @param field the field
     * @param offset its offset in the struct
     * @param elementBytes bytes of one element (1 for a char array)
     * @param count elements (1 for a scalar)
     * @param kind {@code 'U'} an unsigned or signed integer, {@code 'C'} a NUL-padded ASCII field, {@code 'A'} an
     *     array of u64, {@code 'S'} a nested struct (read through its own fields)
     */
    public record FieldInfo(String struct, String field, long offset, int elementBytes, int count, char kind) {
    }

    /**
     * Every field of every struct in the header, in order.
     *
     * @return the fields
     */
    public static List<FieldInfo> fields() {
        List<Struct> structs = new ArrayList<>();
        render(structs);
        List<FieldInfo> out = new ArrayList<>();
        for (Struct st : structs) {
            for (Field f : st.fields) {
                out.add(new FieldInfo(st.name, f.name, f.offset, f.elementBytes, f.count, f.kind()));
            }
        }
        return out;
    }

    private static String render(List<Struct> sink) {
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
        define(o, "HSHM_BACKEND_MAGIC", hex(BackendHeader.MAGIC), bytesNote(BackendHeader.MAGIC));
        define(o, "HSHM_BACKEND_READY", hex(BackendHeader.READY_VALUE), bytesNote(BackendHeader.READY_VALUE));
        define(o, "HSHM_BACKEND_LAYOUT_VERSION", Integer.toString(BackendHeader.LAYOUT_VERSION), "");
        define(o, "HSHM_BYTE_ORDER_MARK", "UINT32_C(0x" + Integer.toHexString(BackendHeader.BYTE_ORDER_MARK) + ")",
                "");
        define(o, "HSHM_DATA_OFFSET", Integer.toString(BackendHeader.DATA_OFFSET),
                "data starts this far into the mapping");
        define(o, "HSHM_REGION_ALIGNMENT", Long.toString(BackendHeader.REGION_ALIGNMENT), "");
        define(o, "HSHM_DIR_ENTRIES", Integer.toString(BackendHeader.DIR_ENTRIES), "");
        define(o, "HSHM_DIR_STATE_FREE", Long.toString(BackendHeader.STATE_FREE), "");
        define(o, "HSHM_DIR_STATE_RESERVED", Long.toString(BackendHeader.STATE_RESERVED), "being formatted");
        define(o, "HSHM_DIR_STATE_READY", Long.toString(BackendHeader.STATE_READY), "published (release store)");
        o.append('\n');
        Struct dir = new Struct("hshm_dir_entry", BackendHeader.DIR_ENTRY_BYTES,
                "One allocator directory entry: STATE is published last (release store), read first (acquire).")
                .u64("state", BackendHeader.ENTRY_STATE, "HSHM_DIR_STATE_*")
                .u64("allocator_id", BackendHeader.ENTRY_ALLOCATOR_ID, "major << 32 | minor")
                .u64("region_offset", BackendHeader.ENTRY_REGION_OFFSET, "in data, page-aligned")
                .u64("region_size", BackendHeader.ENTRY_REGION_SIZE, "")
                .chars("type", BackendHeader.ENTRY_TYPE, BackendHeader.TYPE_BYTES, "ASCII, NUL-padded");
        dir.render(o, "HSHM_DIR", sink);
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
        bh.render(o, "HSHM_BH", sink);

        // ------------------------------------------------------------------------------- heap header
        o.append("/* ---- allocator region: heap header (HeapHeader) ---- */\n");
        define(o, "HSHM_HEAP_MAGIC", hex(HeapHeader.MAGIC_VALUE), bytesNote(HeapHeader.MAGIC_VALUE));
        define(o, "HSHM_HEAP_READY", hex(HeapHeader.READY_VALUE), bytesNote(HeapHeader.READY_VALUE));
        define(o, "HSHM_HEAP_LAYOUT_VERSION", Integer.toString(HeapHeader.LAYOUT_VERSION), "");
        define(o, "HSHM_HEAP_TYPE_SCALABLE_PAGE", Integer.toString(HeapHeader.TYPE_SCALABLE_PAGE), "");
        define(o, "HSHM_HEAP_TYPE_THREAD_LOCAL", Integer.toString(HeapHeader.TYPE_THREAD_LOCAL), "");
        define(o, "HSHM_HEAP_MAX_SLOTS", Integer.toString(HeapHeader.MAX_SLOTS), "");
        define(o, "HSHM_CUSTOM_ALIGN", "64", "the page heap starts at the custom header's end rounded up to this");
        define(o, "HSHM_SLOT_LEASE_BYTES", Integer.toString(SlotTable.LEASE_BYTES),
                "thread_local slot table (internal): SLOT_COUNT leases...");
        define(o, "HSHM_SLOT_RECORD_BYTES", Integer.toString(SlotTable.RECORD_BYTES),
                "...then SLOT_COUNT records; 0 bytes when SLOT_COUNT is 0");
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
        hh.render(o, "HSHM_HH", sink);

        // ------------------------------------------------------------------------------- locks and owners
        o.append("/* ---- robust locks (RobustLock) and owner words (OwnerWords) ---- */\n");
        define(o, "HSHM_OWNER_FREE", Long.toString(OwnerWords.FREE), "");
        define(o, "HSHM_OWNER_RECLAIMER_BIT", hex(OwnerWords.RECLAIMER_BIT), "");
        define(o, "HSHM_OWNER_STRIPE", hex(OwnerWords.STRIPE), "local ids from here up are stripes");
        define(o, "HSHM_OWNER_LOCAL_MASK", hex(0x7FFF_FFFFL), "owner = pid << 32 | local id");
        define(o, "HSHM_START_PID_BITS", Integer.toString(OwnerWords.START_PID_BITS),
                "start word = start ms << 22 | (pid & 0x3FFFFF)");
        define(o, "HSHM_LOCK_SPINS", Integer.toString(RobustLock.SPINS), "");
        define(o, "HSHM_LOCK_YIELDS", Integer.toString(RobustLock.YIELDS), "");
        define(o, "HSHM_LOCK_MAX_PAUSE_US", Long.toString(RobustLock.MAX_PAUSE_US), "");
        define(o, "HSHM_LOCK_LIVENESS_CHECK_NS", Long.toString(RobustLock.LIVENESS_CHECK_NANOS), "");
        define(o, "HSHM_LOCK_UNPROVEN_OWNER_NS", Long.toString(RobustLock.UNPROVEN_OWNER_NANOS), "");
        o.append('\n');
        Struct lock = new Struct("hshm_lock", RobustLock.BYTES,
                "A robust lock, one cache line: CAS OWNER FREE->me, then OWNER_START = my start word; unlock:\n"
                        + "OWNER_START = 0, then release store OWNER = FREE.")
                .u64("owner", RobustLock.OWNER, "owner word")
                .u64("owner_start", RobustLock.OWNER_START, "start word, 0 while unknown")
                .u64("recoveries", RobustLock.RECOVERIES, "dead owners taken over (atomic add)");
        lock.render(o, "HSHM_LOCK", sink);

        // ------------------------------------------------------------------------------- page heap
        o.append("/* ---- page heap (PageHeapLayout) ---- */\n");
        define(o, "HSHM_RUN_LISTS", Integer.toString(PageHeapLayout.LISTS),
                "list 0: runs longer than HSHM_MAX_EXACT_RUN pages; list i: runs of i pages");
        define(o, "HSHM_MAX_EXACT_RUN", Integer.toString(PageHeapLayout.MAX_EXACT_RUN), "");
        define(o, "HSHM_RUN_BITMAP_WORDS", Integer.toString(PageHeapLayout.BITMAP_WORDS), "");
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
        ph.render(o, "HSHM_PH", sink);

        // ------------------------------------------------------------------------------- shards
        o.append("/* ---- span table shards (ShardLayout) ---- */\n");
        define(o, "HSHM_MAX_SHARDS", Integer.toString(ShardLayout.MAX_SHARDS), "");
        o.append('\n');
        Struct ce = new Struct("hshm_class_entry", ShardLayout.CLASS_BYTES,
                "One size class of one shard; plain, under the shard's lock.")
                .u64("span_head", ShardLayout.SPAN_HEAD, "first span with room, or HSHM_NO_PAGE")
                .u64("live", ShardLayout.LIVE, "blocks handed out (in use or in thread caches)")
                .u64("spans", ShardLayout.SPANS, "")
                .u64("free", ShardLayout.FREE, "free blocks on the spans' lists");
        ce.render(o, "HSHM_CE", sink);
        Struct shard = new Struct("hshm_shard", ShardLayout.BYTES, "One shard: its lock and a class table.")
                .nested("lock", ShardLayout.LOCK, lock, 1, "")
                .nested("classes", ShardLayout.CLASSES, ce, SizeClasses.COUNT, "");
        shard.render(o, "HSHM_SHARD", sink);

        // ------------------------------------------------------------------------------- descriptors, blocks
        o.append("/* ---- page descriptors (PageDescriptor) and free blocks (FreeBlock) ---- */\n");
        define(o, "HSHM_KIND_NONE", Integer.toString(PageDescriptor.NO_KIND), "");
        define(o, "HSHM_KIND_FREE", Integer.toString(PageDescriptor.FREE), "head of a free run");
        define(o, "HSHM_KIND_FREE_TAIL", Integer.toString(PageDescriptor.FREE_TAIL), "last page of a free run; AUX = head");
        define(o, "HSHM_KIND_SMALL", Integer.toString(PageDescriptor.SMALL), "head of a span");
        define(o, "HSHM_KIND_LARGE", Integer.toString(PageDescriptor.LARGE), "head of a large block; AUX = size");
        define(o, "HSHM_KIND_INTERIOR", Integer.toString(PageDescriptor.INTERIOR), "non-head page; AUX = head");
        define(o, "HSHM_NO_PAGE", hex(PageDescriptor.NO_PAGE), "");
        define(o, "HSHM_MAX_PAGES", hex(PageDescriptor.MAX_PAGES), "");
        define(o, "HSHM_NO_OFFSET", "UINT64_MAX", "-1: end of a free list");
        define(o, "HSHM_LIVE_TAG", Long.toString(FreeBlock.LIVE_TAG), "a handed-out block's TAG");
        define(o, "HSHM_PD_SHIFT", Integer.toString(PageDescriptor.SHIFT), "log2 of HSHM_PD_BYTES");
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
        pd.render(o, "HSHM_PD", sink);
        Struct fb = new Struct("hshm_free_block", FreeBlock.BYTES,
                "The first 16 bytes of a free small block (user bytes while it is live).")
                .u64("next", FreeBlock.NEXT, "next free block's offset, or HSHM_NO_OFFSET")
                .u64("tag", FreeBlock.TAG, "tag_salt ^ offset while free; HSHM_LIVE_TAG once handed out");
        fb.render(o, "HSHM_FB", sink);

        // ------------------------------------------------------------------------------- size classes
        o.append("/* ---- size classes (SizeClasses) ---- */\n");
        define(o, "HSHM_PAGE", Integer.toString(SizeClasses.PAGE), "");
        define(o, "HSHM_PAGE_SHIFT", Integer.toString(SizeClasses.PAGE_SHIFT), "");
        define(o, "HSHM_CLASS_COUNT", Integer.toString(SizeClasses.COUNT), "");
        define(o, "HSHM_MAX_SMALL", Long.toString(SizeClasses.MAX_SMALL), "larger requests get page runs");
        define(o, "HSHM_MAX_SPAN_PAGES", Integer.toString(SizeClasses.MAX_SPAN_PAGES), "");
        o.append("/* block size, span pages and blocks per span of each class; a block's natural alignment is the\n"
                + " * lowest set bit of its size, capped at HSHM_PAGE */\n");
        table(o, "hshm_class_size", SizeClasses::size);
        table(o, "hshm_class_span_pages", SizeClasses::spanPages);
        table(o, "hshm_class_blocks", SizeClasses::blocksPerSpan);
        o.append("\n#endif /* HSHM_LAYOUT_H */\n");
        return o.toString();
    }

    private static void table(StringBuilder o, String name, java.util.function.IntUnaryOperator f) {
        o.append("static const uint32_t ").append(name).append("[HSHM_CLASS_COUNT] = {");
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            o.append(c % 11 == 0 ? "\n    " : " ").append(f.applyAsInt(c)).append(c + 1 < SizeClasses.COUNT ? "," : "");
        }
        o.append("\n};\n");
    }

    private static void define(StringBuilder o, String name, String value, String note) {
        o.append("#define ").append(name).append(' ').append(value);
        if (!note.isEmpty()) {
            o.append(" /* ").append(note).append(" */");
        }
        o.append('\n');
    }

    private static String hex(long v) {
        return "UINT64_C(0x" + Long.toHexString(v).toUpperCase() + ")";
    }

    /** The bytes of {@code v} as a little-endian machine stores them, and as ASCII where printable. */
    private static String bytesNote(long v) {
        StringBuilder hex = new StringBuilder("little-endian bytes:");
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            int b = (int) (v >>> (8 * i)) & 0xFF;
            hex.append(' ').append(String.format("%02X", b));
            ascii.append(b >= 32 && b < 127 ? (char) b : '.');
        }
        return hex + " \"" + ascii + "\"";
    }
}
