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

/* ---- backend header and allocator directory (BackendHeader) ---- */
#define HSHM_BACKEND_MAGIC UINT64_C(0x4853484D424B4E44) /* little-endian bytes: 44 4E 4B 42 4D 48 53 48 "DNKBMHSH" */
#define HSHM_BACKEND_READY UINT64_C(0x5245414459212121) /* little-endian bytes: 21 21 21 59 44 41 45 52 "!!!YDAER" */
#define HSHM_BACKEND_LAYOUT_VERSION 1
#define HSHM_BYTE_ORDER_MARK UINT32_C(0x1020304)
#define HSHM_DATA_OFFSET 4096 /* data starts this far into the mapping */
#define HSHM_REGION_ALIGNMENT 4096
#define HSHM_DIR_ENTRIES 16
#define HSHM_DIR_STATE_FREE 0
#define HSHM_DIR_STATE_RESERVED 1 /* being formatted */
#define HSHM_DIR_STATE_READY 2 /* published (release store) */

/* One allocator directory entry: STATE is published last (release store), read first (acquire). */
#define HSHM_DIR_BYTES 56
#define HSHM_DIR_STATE 0
#define HSHM_DIR_ALLOCATOR_ID 8
#define HSHM_DIR_REGION_OFFSET 16
#define HSHM_DIR_REGION_SIZE 24
#define HSHM_DIR_TYPE 32
typedef struct hshm_dir_entry {
    uint64_t state; /* HSHM_DIR_STATE_* */
    uint64_t allocator_id; /* major << 32 | minor */
    uint64_t region_offset; /* in data, page-aligned */
    uint64_t region_size;
    char type[24]; /* ASCII, NUL-padded */
} hshm_dir_entry;
_Static_assert(offsetof(hshm_dir_entry, state) == HSHM_DIR_STATE, "hshm_dir_entry.state");
_Static_assert(offsetof(hshm_dir_entry, allocator_id) == HSHM_DIR_ALLOCATOR_ID, "hshm_dir_entry.allocator_id");
_Static_assert(offsetof(hshm_dir_entry, region_offset) == HSHM_DIR_REGION_OFFSET, "hshm_dir_entry.region_offset");
_Static_assert(offsetof(hshm_dir_entry, region_size) == HSHM_DIR_REGION_SIZE, "hshm_dir_entry.region_size");
_Static_assert(offsetof(hshm_dir_entry, type) == HSHM_DIR_TYPE, "hshm_dir_entry.type");
_Static_assert(sizeof(hshm_dir_entry) == HSHM_DIR_BYTES, "hshm_dir_entry size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_dir_entry(X) \
    X(hshm_dir_entry, state, U) \
    X(hshm_dir_entry, allocator_id, U) \
    X(hshm_dir_entry, region_offset, U) \
    X(hshm_dir_entry, region_size, U) \
    X(hshm_dir_entry, type, C)

/* The header at the start of every mapping (page 0; data starts at HSHM_DATA_OFFSET).
 * READY is published last (release store) and read first (acquire load). */
#define HSHM_BH_BYTES 1024
#define HSHM_BH_MAGIC 0
#define HSHM_BH_READY 8
#define HSHM_BH_LAYOUT_VERSION 16
#define HSHM_BH_BYTE_ORDER 20
#define HSHM_BH_HEADER_SIZE 24
#define HSHM_BH_DATA_SIZE 32
#define HSHM_BH_BACKEND_ID 40
#define HSHM_BH_FLAGS 44
#define HSHM_BH_CREATOR_PID 48
#define HSHM_BH_CREATOR_START 56
#define HSHM_BH_KIND 64
#define HSHM_BH_ATTACH_COUNT 96
#define HSHM_BH_DATA_BUMP 104
#define HSHM_BH_DIRECTORY 128
typedef struct hshm_backend_header {
    uint64_t magic; /* HSHM_BACKEND_MAGIC */
    uint64_t ready; /* 0 while formatting, then HSHM_BACKEND_READY */
    uint32_t layout_version; /* HSHM_BACKEND_LAYOUT_VERSION */
    uint32_t byte_order; /* HSHM_BYTE_ORDER_MARK */
    uint64_t header_size; /* == HSHM_DATA_OFFSET */
    uint64_t data_size; /* bytes of data after the header */
    int32_t backend_id; /* >= 0 */
    uint32_t flags; /* 0 */
    int64_t creator_pid;
    int64_t creator_start; /* epoch ms */
    char kind[32]; /* backend kind, e.g. posix_shm */
    int64_t attach_count; /* atomic add */
    int64_t data_bump; /* CAS; first data byte not in a region */
    uint8_t reserved_112[16]; /* zero */
    hshm_dir_entry directory[16];
} hshm_backend_header;
_Static_assert(offsetof(hshm_backend_header, magic) == HSHM_BH_MAGIC, "hshm_backend_header.magic");
_Static_assert(offsetof(hshm_backend_header, ready) == HSHM_BH_READY, "hshm_backend_header.ready");
_Static_assert(offsetof(hshm_backend_header, layout_version) == HSHM_BH_LAYOUT_VERSION, "hshm_backend_header.layout_version");
_Static_assert(offsetof(hshm_backend_header, byte_order) == HSHM_BH_BYTE_ORDER, "hshm_backend_header.byte_order");
_Static_assert(offsetof(hshm_backend_header, header_size) == HSHM_BH_HEADER_SIZE, "hshm_backend_header.header_size");
_Static_assert(offsetof(hshm_backend_header, data_size) == HSHM_BH_DATA_SIZE, "hshm_backend_header.data_size");
_Static_assert(offsetof(hshm_backend_header, backend_id) == HSHM_BH_BACKEND_ID, "hshm_backend_header.backend_id");
_Static_assert(offsetof(hshm_backend_header, flags) == HSHM_BH_FLAGS, "hshm_backend_header.flags");
_Static_assert(offsetof(hshm_backend_header, creator_pid) == HSHM_BH_CREATOR_PID, "hshm_backend_header.creator_pid");
_Static_assert(offsetof(hshm_backend_header, creator_start) == HSHM_BH_CREATOR_START, "hshm_backend_header.creator_start");
_Static_assert(offsetof(hshm_backend_header, kind) == HSHM_BH_KIND, "hshm_backend_header.kind");
_Static_assert(offsetof(hshm_backend_header, attach_count) == HSHM_BH_ATTACH_COUNT, "hshm_backend_header.attach_count");
_Static_assert(offsetof(hshm_backend_header, data_bump) == HSHM_BH_DATA_BUMP, "hshm_backend_header.data_bump");
_Static_assert(offsetof(hshm_backend_header, directory) == HSHM_BH_DIRECTORY, "hshm_backend_header.directory");
_Static_assert(sizeof(hshm_backend_header) == HSHM_BH_BYTES, "hshm_backend_header size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_backend_header(X) \
    X(hshm_backend_header, magic, U) \
    X(hshm_backend_header, ready, U) \
    X(hshm_backend_header, layout_version, U) \
    X(hshm_backend_header, byte_order, U) \
    X(hshm_backend_header, header_size, U) \
    X(hshm_backend_header, data_size, U) \
    X(hshm_backend_header, backend_id, U) \
    X(hshm_backend_header, flags, U) \
    X(hshm_backend_header, creator_pid, U) \
    X(hshm_backend_header, creator_start, U) \
    X(hshm_backend_header, kind, C) \
    X(hshm_backend_header, attach_count, U) \
    X(hshm_backend_header, data_bump, U) \
    X(hshm_backend_header, directory, S)

/* ---- allocator region: heap header (HeapHeader) ---- */
#define HSHM_HEAP_MAGIC UINT64_C(0x4853484D48454150) /* little-endian bytes: 50 41 45 48 4D 48 53 48 "PAEHMHSH" */
#define HSHM_HEAP_READY UINT64_C(0x5245414459212121) /* little-endian bytes: 21 21 21 59 44 41 45 52 "!!!YDAER" */
#define HSHM_HEAP_LAYOUT_VERSION 2
#define HSHM_HEAP_TYPE_SCALABLE_PAGE 1
#define HSHM_HEAP_TYPE_THREAD_LOCAL 2
#define HSHM_HEAP_MAX_SLOTS 65536
#define HSHM_CUSTOM_ALIGN 64 /* the page heap starts at the custom header's end rounded up to this */
#define HSHM_SLOT_LEASE_BYTES 16 /* thread_local slot table (internal): SLOT_COUNT leases... */
#define HSHM_SLOT_RECORD_BYTES 448 /* ...then SLOT_COUNT records (after the leases padded to 64 B); 0 bytes when SLOT_COUNT is 0 */
#define HSHM_SLOT_TRANSIT 16 /* in a record: the block a batch move holds in flight, or 0 (read by a shard's repair) */
#define HSHM_SLOT_HEADS 64 /* in a record: HSHM_CLASS_COUNT list heads of 8 B (read by a shard's repair) */

/* At the start of a scalable_page or thread_local region. Written once before READY (release store,
 * last); attachers acquire READY first. Offsets it stores are data offsets. */
#define HSHM_HH_BYTES 256
#define HSHM_HH_MAGIC 0
#define HSHM_HH_READY 8
#define HSHM_HH_LAYOUT_VERSION 16
#define HSHM_HH_TYPE_CODE 20
#define HSHM_HH_ALLOCATOR_ID 24
#define HSHM_HH_REGION_OFFSET 32
#define HSHM_HH_REGION_SIZE 40
#define HSHM_HH_CUSTOM_OFFSET 48
#define HSHM_HH_CUSTOM_SIZE 56
#define HSHM_HH_PAGE_HEAP 64
#define HSHM_HH_SHARD_TABLE 72
#define HSHM_HH_SLOT_TABLE 80
#define HSHM_HH_DESC_TABLE 88
#define HSHM_HH_HEAP_OFFSET 96
#define HSHM_HH_PAGE_COUNT 104
#define HSHM_HH_SLOT_COUNT 112
#define HSHM_HH_SHARD_COUNT 116
#define HSHM_HH_CLASS_COUNT 120
#define HSHM_HH_PAGE_SIZE 124
#define HSHM_HH_TAG_SALT 128
typedef struct hshm_heap_header {
    uint64_t magic; /* HSHM_HEAP_MAGIC */
    uint64_t ready; /* HSHM_HEAP_READY once published */
    uint32_t layout_version; /* HSHM_HEAP_LAYOUT_VERSION */
    uint32_t type_code; /* HSHM_HEAP_TYPE_* */
    uint64_t allocator_id; /* == the directory entry's */
    uint64_t region_offset;
    uint64_t region_size;
    uint64_t custom_offset; /* region_offset + HSHM_HH_BYTES */
    uint64_t custom_size; /* bytes asked for */
    uint64_t page_heap; /* hshm_page_heap */
    uint64_t shard_table; /* shard_count x hshm_shard */
    uint64_t slot_table; /* internal */
    uint64_t desc_table; /* page_count x hshm_page_desc */
    uint64_t heap_offset; /* page 0, page-aligned */
    uint64_t page_count;
    uint32_t slot_count;
    uint32_t shard_count; /* 1..HSHM_MAX_SHARDS */
    uint32_t class_count; /* HSHM_CLASS_COUNT */
    uint32_t page_size; /* HSHM_PAGE */
    uint64_t tag_salt; /* odd; a free block's TAG is tag_salt ^ its offset */
    uint8_t reserved_136[120]; /* zero */
} hshm_heap_header;
_Static_assert(offsetof(hshm_heap_header, magic) == HSHM_HH_MAGIC, "hshm_heap_header.magic");
_Static_assert(offsetof(hshm_heap_header, ready) == HSHM_HH_READY, "hshm_heap_header.ready");
_Static_assert(offsetof(hshm_heap_header, layout_version) == HSHM_HH_LAYOUT_VERSION, "hshm_heap_header.layout_version");
_Static_assert(offsetof(hshm_heap_header, type_code) == HSHM_HH_TYPE_CODE, "hshm_heap_header.type_code");
_Static_assert(offsetof(hshm_heap_header, allocator_id) == HSHM_HH_ALLOCATOR_ID, "hshm_heap_header.allocator_id");
_Static_assert(offsetof(hshm_heap_header, region_offset) == HSHM_HH_REGION_OFFSET, "hshm_heap_header.region_offset");
_Static_assert(offsetof(hshm_heap_header, region_size) == HSHM_HH_REGION_SIZE, "hshm_heap_header.region_size");
_Static_assert(offsetof(hshm_heap_header, custom_offset) == HSHM_HH_CUSTOM_OFFSET, "hshm_heap_header.custom_offset");
_Static_assert(offsetof(hshm_heap_header, custom_size) == HSHM_HH_CUSTOM_SIZE, "hshm_heap_header.custom_size");
_Static_assert(offsetof(hshm_heap_header, page_heap) == HSHM_HH_PAGE_HEAP, "hshm_heap_header.page_heap");
_Static_assert(offsetof(hshm_heap_header, shard_table) == HSHM_HH_SHARD_TABLE, "hshm_heap_header.shard_table");
_Static_assert(offsetof(hshm_heap_header, slot_table) == HSHM_HH_SLOT_TABLE, "hshm_heap_header.slot_table");
_Static_assert(offsetof(hshm_heap_header, desc_table) == HSHM_HH_DESC_TABLE, "hshm_heap_header.desc_table");
_Static_assert(offsetof(hshm_heap_header, heap_offset) == HSHM_HH_HEAP_OFFSET, "hshm_heap_header.heap_offset");
_Static_assert(offsetof(hshm_heap_header, page_count) == HSHM_HH_PAGE_COUNT, "hshm_heap_header.page_count");
_Static_assert(offsetof(hshm_heap_header, slot_count) == HSHM_HH_SLOT_COUNT, "hshm_heap_header.slot_count");
_Static_assert(offsetof(hshm_heap_header, shard_count) == HSHM_HH_SHARD_COUNT, "hshm_heap_header.shard_count");
_Static_assert(offsetof(hshm_heap_header, class_count) == HSHM_HH_CLASS_COUNT, "hshm_heap_header.class_count");
_Static_assert(offsetof(hshm_heap_header, page_size) == HSHM_HH_PAGE_SIZE, "hshm_heap_header.page_size");
_Static_assert(offsetof(hshm_heap_header, tag_salt) == HSHM_HH_TAG_SALT, "hshm_heap_header.tag_salt");
_Static_assert(sizeof(hshm_heap_header) == HSHM_HH_BYTES, "hshm_heap_header size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_heap_header(X) \
    X(hshm_heap_header, magic, U) \
    X(hshm_heap_header, ready, U) \
    X(hshm_heap_header, layout_version, U) \
    X(hshm_heap_header, type_code, U) \
    X(hshm_heap_header, allocator_id, U) \
    X(hshm_heap_header, region_offset, U) \
    X(hshm_heap_header, region_size, U) \
    X(hshm_heap_header, custom_offset, U) \
    X(hshm_heap_header, custom_size, U) \
    X(hshm_heap_header, page_heap, U) \
    X(hshm_heap_header, shard_table, U) \
    X(hshm_heap_header, slot_table, U) \
    X(hshm_heap_header, desc_table, U) \
    X(hshm_heap_header, heap_offset, U) \
    X(hshm_heap_header, page_count, U) \
    X(hshm_heap_header, slot_count, U) \
    X(hshm_heap_header, shard_count, U) \
    X(hshm_heap_header, class_count, U) \
    X(hshm_heap_header, page_size, U) \
    X(hshm_heap_header, tag_salt, U)

/* ---- robust locks (RobustLock) and owner words (OwnerWords) ---- */
#define HSHM_OWNER_FREE 0
#define HSHM_OWNER_RECLAIMER_BIT UINT64_C(0x80000000)
#define HSHM_OWNER_STRIPE UINT64_C(0x7FFF0000) /* local ids from here up are stripes */
#define HSHM_OWNER_LOCAL_MASK UINT64_C(0x7FFFFFFF) /* owner = pid << 32 | local id */
#define HSHM_START_PID_BITS 22 /* start word = start ms << 22 | (pid & 0x3FFFFF) */
#define HSHM_LOCK_SPINS 200
#define HSHM_LOCK_YIELDS 50
#define HSHM_LOCK_MAX_PAUSE_US 1000
#define HSHM_LOCK_LIVENESS_CHECK_NS 1000000
#define HSHM_LOCK_UNPROVEN_OWNER_NS 2000000000

/* A robust lock, one cache line: CAS OWNER FREE->me, then OWNER_START = my start word; unlock:
 * OWNER_START = 0, then release store OWNER = FREE. */
#define HSHM_LOCK_BYTES 64
#define HSHM_LOCK_OWNER 0
#define HSHM_LOCK_OWNER_START 8
#define HSHM_LOCK_RECOVERIES 16
typedef struct hshm_lock {
    uint64_t owner; /* owner word */
    uint64_t owner_start; /* start word, 0 while unknown */
    uint64_t recoveries; /* dead owners taken over (atomic add) */
    uint8_t reserved_24[40]; /* zero */
} hshm_lock;
_Static_assert(offsetof(hshm_lock, owner) == HSHM_LOCK_OWNER, "hshm_lock.owner");
_Static_assert(offsetof(hshm_lock, owner_start) == HSHM_LOCK_OWNER_START, "hshm_lock.owner_start");
_Static_assert(offsetof(hshm_lock, recoveries) == HSHM_LOCK_RECOVERIES, "hshm_lock.recoveries");
_Static_assert(sizeof(hshm_lock) == HSHM_LOCK_BYTES, "hshm_lock size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_lock(X) \
    X(hshm_lock, owner, U) \
    X(hshm_lock, owner_start, U) \
    X(hshm_lock, recoveries, U)

/* ---- page heap (PageHeapLayout) ---- */
#define HSHM_RUN_LISTS 129 /* list 0: runs longer than HSHM_MAX_EXACT_RUN pages; list i: runs of i pages */
#define HSHM_MAX_EXACT_RUN 128
#define HSHM_RUN_BITMAP_WORDS 3

/* The page heap's lock, counters and free-run lists; every field is plain, under its lock. */
#define HSHM_PH_BYTES 1216
#define HSHM_PH_LOCK 0
#define HSHM_PH_FRONTIER 64
#define HSHM_PH_FOOTPRINT 72
#define HSHM_PH_FREE_PAGES 80
#define HSHM_PH_LARGE_BYTES 88
#define HSHM_PH_LARGE_COUNT 96
#define HSHM_PH_RUN_BITMAP 104
#define HSHM_PH_RUN_LISTS 128
typedef struct hshm_page_heap {
    hshm_lock lock;
    uint64_t frontier; /* pages [0, frontier) were handed out at least once */
    uint64_t footprint; /* high-water mark of frontier */
    uint64_t free_pages;
    uint64_t large_bytes; /* bytes in live large runs */
    uint64_t large_count;
    uint64_t run_bitmap[3]; /* bit i: list i may be non-empty */
    uint64_t run_lists[129]; /* first page or HSHM_NO_PAGE */
    uint8_t reserved_1160[56]; /* zero */
} hshm_page_heap;
_Static_assert(offsetof(hshm_page_heap, lock) == HSHM_PH_LOCK, "hshm_page_heap.lock");
_Static_assert(offsetof(hshm_page_heap, frontier) == HSHM_PH_FRONTIER, "hshm_page_heap.frontier");
_Static_assert(offsetof(hshm_page_heap, footprint) == HSHM_PH_FOOTPRINT, "hshm_page_heap.footprint");
_Static_assert(offsetof(hshm_page_heap, free_pages) == HSHM_PH_FREE_PAGES, "hshm_page_heap.free_pages");
_Static_assert(offsetof(hshm_page_heap, large_bytes) == HSHM_PH_LARGE_BYTES, "hshm_page_heap.large_bytes");
_Static_assert(offsetof(hshm_page_heap, large_count) == HSHM_PH_LARGE_COUNT, "hshm_page_heap.large_count");
_Static_assert(offsetof(hshm_page_heap, run_bitmap) == HSHM_PH_RUN_BITMAP, "hshm_page_heap.run_bitmap");
_Static_assert(offsetof(hshm_page_heap, run_lists) == HSHM_PH_RUN_LISTS, "hshm_page_heap.run_lists");
_Static_assert(sizeof(hshm_page_heap) == HSHM_PH_BYTES, "hshm_page_heap size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_page_heap(X) \
    X(hshm_page_heap, lock, S) \
    X(hshm_page_heap, frontier, U) \
    X(hshm_page_heap, footprint, U) \
    X(hshm_page_heap, free_pages, U) \
    X(hshm_page_heap, large_bytes, U) \
    X(hshm_page_heap, large_count, U) \
    X(hshm_page_heap, run_bitmap, A) \
    X(hshm_page_heap, run_lists, A)

/* ---- span table shards (ShardLayout) ---- */
#define HSHM_MAX_SHARDS 64

/* One size class of one shard; plain, under the shard's lock. */
#define HSHM_CE_BYTES 32
#define HSHM_CE_SPAN_HEAD 0
#define HSHM_CE_LIVE 8
#define HSHM_CE_SPANS 16
#define HSHM_CE_FREE 24
typedef struct hshm_class_entry {
    uint64_t span_head; /* first span with room, or HSHM_NO_PAGE */
    uint64_t live; /* blocks handed out (in use or in thread caches) */
    uint64_t spans;
    uint64_t free; /* free blocks on the spans' lists */
} hshm_class_entry;
_Static_assert(offsetof(hshm_class_entry, span_head) == HSHM_CE_SPAN_HEAD, "hshm_class_entry.span_head");
_Static_assert(offsetof(hshm_class_entry, live) == HSHM_CE_LIVE, "hshm_class_entry.live");
_Static_assert(offsetof(hshm_class_entry, spans) == HSHM_CE_SPANS, "hshm_class_entry.spans");
_Static_assert(offsetof(hshm_class_entry, free) == HSHM_CE_FREE, "hshm_class_entry.free");
_Static_assert(sizeof(hshm_class_entry) == HSHM_CE_BYTES, "hshm_class_entry size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_class_entry(X) \
    X(hshm_class_entry, span_head, U) \
    X(hshm_class_entry, live, U) \
    X(hshm_class_entry, spans, U) \
    X(hshm_class_entry, free, U)

/* One shard: its lock and a class table. */
#define HSHM_SHARD_BYTES 1472
#define HSHM_SHARD_LOCK 0
#define HSHM_SHARD_CLASSES 64
typedef struct hshm_shard {
    hshm_lock lock;
    hshm_class_entry classes[44];
} hshm_shard;
_Static_assert(offsetof(hshm_shard, lock) == HSHM_SHARD_LOCK, "hshm_shard.lock");
_Static_assert(offsetof(hshm_shard, classes) == HSHM_SHARD_CLASSES, "hshm_shard.classes");
_Static_assert(sizeof(hshm_shard) == HSHM_SHARD_BYTES, "hshm_shard size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_shard(X) \
    X(hshm_shard, lock, S) \
    X(hshm_shard, classes, S)

/* ---- page descriptors (PageDescriptor) and free blocks (FreeBlock) ---- */
#define HSHM_KIND_NONE 0
#define HSHM_KIND_FREE 1 /* head of a free run */
#define HSHM_KIND_FREE_TAIL 2 /* last page of a free run; AUX = head */
#define HSHM_KIND_SMALL 3 /* head of a span */
#define HSHM_KIND_LARGE 4 /* head of a large block; AUX = size */
#define HSHM_KIND_INTERIOR 5 /* non-head page; AUX = head */
#define HSHM_NO_PAGE UINT64_C(0xFFFFFFFF)
#define HSHM_MAX_PAGES UINT64_C(0xFFFFFFFE)
#define HSHM_NO_OFFSET UINT64_MAX /* -1: end of a free list */
#define HSHM_LIVE_TAG 0 /* a handed-out block's TAG */
#define HSHM_PD_SHIFT 6 /* log2 of HSHM_PD_BYTES */
/* INFO = kind | class << 8 | shard << 16 | pages << 32; LINKS = prev | next << 32;
 * COUNTS = free | carved << 32 */
#define HSHM_INFO(kind, cls, shard, pages) ((uint64_t)((kind) & 0xFF) | ((uint64_t)((cls) & 0xFF) << 8) \
    | ((uint64_t)((shard) & 0xFFFF) << 16) | ((uint64_t)(pages) << 32))
#define HSHM_INFO_KIND(i) ((unsigned)((i) & 0xFF))
#define HSHM_INFO_CLASS(i) ((unsigned)(((i) >> 8) & 0xFF))
#define HSHM_INFO_SHARD(i) ((unsigned)(((i) >> 16) & 0xFFFF))
#define HSHM_INFO_PAGES(i) ((uint64_t)(i) >> 32)
#define HSHM_PACK(low, high) (((uint64_t)(low) & 0xFFFFFFFFu) | ((uint64_t)(high) << 32))
#define HSHM_LOW(w) ((uint64_t)(w) & 0xFFFFFFFFu)
#define HSHM_HIGH(w) ((uint64_t)(w) >> 32)

/* One per heap page, at desc_table + page * HSHM_PD_BYTES. Plain words: INFO (and interior AUX)
 * under the page heap's lock; LINKS, AUX, COUNTS of a span head under its shard's lock. */
#define HSHM_PD_BYTES 64
#define HSHM_PD_INFO 0
#define HSHM_PD_LINKS 8
#define HSHM_PD_AUX 16
#define HSHM_PD_COUNTS 24
typedef struct hshm_page_desc {
    uint64_t info; /* HSHM_INFO(...) */
    uint64_t links; /* HSHM_PACK(prev, next) */
    uint64_t aux; /* SMALL: first free block; INTERIOR/FREE_TAIL: head; LARGE: size */
    uint64_t counts; /* SMALL: HSHM_PACK(free, carved) */
    uint8_t reserved_32[32]; /* zero */
} hshm_page_desc;
_Static_assert(offsetof(hshm_page_desc, info) == HSHM_PD_INFO, "hshm_page_desc.info");
_Static_assert(offsetof(hshm_page_desc, links) == HSHM_PD_LINKS, "hshm_page_desc.links");
_Static_assert(offsetof(hshm_page_desc, aux) == HSHM_PD_AUX, "hshm_page_desc.aux");
_Static_assert(offsetof(hshm_page_desc, counts) == HSHM_PD_COUNTS, "hshm_page_desc.counts");
_Static_assert(sizeof(hshm_page_desc) == HSHM_PD_BYTES, "hshm_page_desc size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_page_desc(X) \
    X(hshm_page_desc, info, U) \
    X(hshm_page_desc, links, U) \
    X(hshm_page_desc, aux, U) \
    X(hshm_page_desc, counts, U)

/* The first 16 bytes of a free small block (user bytes while it is live). */
#define HSHM_FB_BYTES 16
#define HSHM_FB_NEXT 0
#define HSHM_FB_TAG 8
typedef struct hshm_free_block {
    uint64_t next; /* next free block's offset, or HSHM_NO_OFFSET */
    uint64_t tag; /* tag_salt ^ offset while free; HSHM_LIVE_TAG once handed out */
} hshm_free_block;
_Static_assert(offsetof(hshm_free_block, next) == HSHM_FB_NEXT, "hshm_free_block.next");
_Static_assert(offsetof(hshm_free_block, tag) == HSHM_FB_TAG, "hshm_free_block.tag");
_Static_assert(sizeof(hshm_free_block) == HSHM_FB_BYTES, "hshm_free_block size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_free_block(X) \
    X(hshm_free_block, next, U) \
    X(hshm_free_block, tag, U)

/* ---- size classes (SizeClasses) ---- */
#define HSHM_PAGE 4096
#define HSHM_PAGE_SHIFT 12
#define HSHM_CLASS_COUNT 44
#define HSHM_MAX_SMALL 65536 /* larger requests get page runs */
#define HSHM_MAX_SPAN_PAGES 16
/* block size, span pages and blocks per span of each class; a block's natural alignment is the
 * lowest set bit of its size, capped at HSHM_PAGE */
static const uint32_t hshm_class_size[HSHM_CLASS_COUNT] = {
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224,
    256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536,
    1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240,
    12288, 14336, 16384, 20480, 24576, 28672, 32768, 40960, 49152, 57344, 65536
};
static const uint32_t hshm_class_span_pages[HSHM_CLASS_COUNT] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3,
    4, 4, 5, 6, 7, 8, 10, 12, 14, 16, 16,
    16, 16, 16, 16, 6, 16, 16, 10, 12, 16, 16
};
static const uint32_t hshm_class_blocks[HSHM_CLASS_COUNT] = {
    256, 128, 85, 64, 51, 42, 36, 32, 25, 21, 18,
    16, 12, 10, 9, 8, 12, 10, 9, 8, 9, 8,
    9, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6,
    5, 4, 4, 3, 1, 2, 2, 1, 1, 1, 1
};
/* a thread cache's list of class c holds at most 2 * hshm_class_batch[c] + 1 blocks */
static const uint32_t hshm_class_batch[HSHM_CLASS_COUNT] = {
    32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
    32, 32, 32, 32, 32, 25, 21, 18, 16, 12, 10,
    9, 8, 6, 5, 4, 4, 3, 2, 2, 2, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

#endif /* HSHM_LAYOUT_H */
