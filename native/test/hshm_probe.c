/*
 * hshm_probe NAME MAJOR MINOR FREE_BLOCK: attaches to a segment through the C client and prints every field
 * of every struct in hshm_layout.h, read through the generated structs (the HSHM_FIELDS_* lists), one per
 * line: "<H|D> <base> <struct>.<field>[index] <offset in struct> <bytes> <value>" (H: the mapping's header page,
 * D: the data; chars as hex). NativeLayoutTest compares each value with what the JVM reads at base + offset, and
 * checks that every field the headers list appears, so no offset here is typed by hand.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hshm.h"
#include "probe_fields.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: hshm_probe NAME MAJOR MINOR FREE_BLOCK_OFFSET\n");
        return 64;
    }
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(argv[1], 2000, &b);
    if (rc == HSHM_OK) {
        rc = hshm_heap_open(b, (uint32_t) atoi(argv[2]), (uint32_t) atoi(argv[3]), &h);
    }
    if (rc != HSHM_OK) {
        fprintf(stderr, "%s: %s\n", hshm_error_name(rc), hshm_last_error());
        return 3;
    }
    uint64_t free_block = strtoull(argv[4], NULL, 10);
    uint8_t *data = hshm_backend_data(b);
    const uint8_t *map = data - HSHM_DATA_OFFSET;
    printf("pid %ld\n", (long) getpid());
    printf("start_word %" PRIu64 "\n", hshm_start_word());

    DUMP(hshm_backend_header, 'H', 0, map);
    const hshm_backend_header *bh = (const hshm_backend_header *) (const void *) map;
    for (unsigned i = 0; i < HSHM_DIR_ENTRIES; i++) {
        if (bh->directory[i].state != HSHM_DIR_STATE_FREE) {
            DUMP(hshm_dir_entry, 'H', HSHM_BH_DIRECTORY + (uint64_t) i * HSHM_DIR_BYTES, &bh->directory[i]);
        }
    }
    const hshm_heap_header *hh = hshm_heap_header_of(h);
    DUMP(hshm_heap_header, 'D', hh->region_offset, data + hh->region_offset);
    DUMP(hshm_page_heap, 'D', hh->page_heap, data + hh->page_heap);
    DUMP(hshm_lock, 'D', hh->page_heap + HSHM_PH_LOCK, data + hh->page_heap + HSHM_PH_LOCK);
    for (unsigned s = 0; s < hh->shard_count; s++) {
        uint64_t at = hh->shard_table + (uint64_t) s * HSHM_SHARD_BYTES;
        DUMP(hshm_shard, 'D', at, data + at);
        DUMP(hshm_lock, 'D', at + HSHM_SHARD_LOCK, data + at + HSHM_SHARD_LOCK);
        for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
            uint64_t e = at + HSHM_SHARD_CLASSES + (uint64_t) c * HSHM_CE_BYTES;
            DUMP(hshm_class_entry, 'D', e, data + e);
        }
    }
    const hshm_page_heap *ph = (const hshm_page_heap *) (const void *) (data + hh->page_heap);
    for (uint64_t pg = 0; pg < ph->frontier && pg < 64; pg++) {
        uint64_t at = hh->desc_table + (pg << HSHM_PD_SHIFT);
        DUMP(hshm_page_desc, 'D', at, data + at);
    }
    DUMP(hshm_free_block, 'D', free_block, data + free_block);
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
