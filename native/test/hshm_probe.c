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

static void print_U(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    uint64_t x = 0;
    if (n == 8) {
        memcpy(&x, v, 8);
    } else {
        uint32_t y;
        memcpy(&y, v, 4);
        x = y;
    }
    printf("%c %" PRIu64 " %s.%s %zu %zu %" PRIu64 "\n", seg, base, s, f, at, n, x);
}

static void print_C(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    printf("%c %" PRIu64 " %s.%s %zu %zu ", seg, base, s, f, at, n);
    for (size_t i = 0; i < n; i++) {
        printf("%02x", ((const unsigned char *) v)[i]);
    }
    printf("\n");
}

static void print_A(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    for (size_t i = 0; i < n / 8; i++) {
        uint64_t x;
        memcpy(&x, (const char *) v + 8 * i, 8);
        printf("%c %" PRIu64 " %s.%s[%zu] %zu 8 %" PRIu64 "\n", seg, base, s, f, i, at + 8 * i, x);
    }
}

static void print_S(char seg, uint64_t base, const char *s, const char *f, size_t at, const void *v, size_t n) {
    (void) seg, (void) base, (void) s, (void) f, (void) at, (void) v, (void) n; /* printed as an instance of its own */
}

#define PF(S, f, K) print_##K(seg, base, #S, #f, offsetof(S, f), &p->f, sizeof p->f);
#define DUMP(S, segc, basev, ptr)                 \
    do {                                          \
        const S *p = (const S *) (const void *) (ptr); \
        char seg = (segc);                        \
        uint64_t base = (basev);                  \
        HSHM_FIELDS_##S(PF)                       \
    } while (0)

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
