/*
 * hshm_churn NAME MAJOR MINOR SECONDS SEED [HANDOVER_IN]: a C peer of the JVM on one heap.
 *   1. Reads HANDOVER_IN (lines "offset size tag" of blocks a JVM allocated and filled), checks each block's
 *      pattern and frees it.
 *   2. For SECONDS, allocates blocks of mixed sizes (16 B .. 200 KiB, some aligned to 64..8192), fills each with
 *      its pattern, keeps up to 200 live, and frees random ones after checking their pattern.
 *   3. Prints the blocks it still holds ("offset size tag", one per line) on stdout for the JVM to check and free,
 *      and "ops N" on stderr.
 * The pattern of byte i of a block with tag t is (uint8_t) (t * 131 + i * 7 + (i >> 8)). Exit 0 on success,
 * 2 on a pattern mismatch, 3 on a library error (the message on stderr).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hshm.h"

typedef struct {
    uint64_t off, size, tag;
} block;

static uint64_t rng;

static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(hshm_heap *h, const block *b) {
    uint8_t *p = hshm_ptr(h, b->off);
    for (uint64_t i = 0; i < b->size; i++) {
        p[i] = (uint8_t) (b->tag * 131 + i * 7 + (i >> 8));
    }
}

static int check(hshm_heap *h, const block *b) {
    const uint8_t *p = hshm_ptr(h, b->off);
    for (uint64_t i = 0; i < b->size; i++) {
        if (p[i] != (uint8_t) (b->tag * 131 + i * 7 + (i >> 8))) {
            fprintf(stderr, "pattern mismatch: block offset=%" PRIu64 " size=%" PRIu64 " tag=%" PRIu64
                    " at byte %" PRIu64 "\n", b->off, b->size, b->tag, i);
            return 0;
        }
    }
    return 1;
}

static int die(int rc, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", what, hshm_error_name(rc), hshm_last_error());
    return 3;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: hshm_churn NAME MAJOR MINOR SECONDS SEED [HANDOVER_IN]\n");
        return 64;
    }
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(argv[1], 2000, &b);
    if (rc != HSHM_OK) {
        return die(rc, "attach");
    }
    rc = hshm_heap_open(b, (uint32_t) atoi(argv[2]), (uint32_t) atoi(argv[3]), &h);
    if (rc != HSHM_OK) {
        return die(rc, "open");
    }
    double seconds = atof(argv[4]);
    rng = strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    if (argc == 7) {
        FILE *in = fopen(argv[6], "r");
        if (in == NULL) {
            perror(argv[6]);
            return 3;
        }
        block blk;
        while (fscanf(in, "%" SCNu64 " %" SCNu64 " %" SCNu64, &blk.off, &blk.size, &blk.tag) == 3) {
            if (!check(h, &blk)) {
                return 2;
            }
            if ((rc = hshm_free(h, blk.off)) != HSHM_OK) {
                return die(rc, "free of a JVM's block");
            }
        }
        fclose(in);
    }
    enum { MAX_LIVE = 200 };
    block live[MAX_LIVE];
    int n = 0;
    uint64_t ops = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        for (int k = 0; k < 64; k++, ops++) {
            if (n > 0 && (n == MAX_LIVE || next() % 2 == 0)) {
                int i = (int) (next() % (uint64_t) n);
                if (!check(h, &live[i])) {
                    return 2;
                }
                if ((rc = hshm_free(h, live[i].off)) != HSHM_OK) {
                    return die(rc, "free");
                }
                live[i] = live[--n];
                continue;
            }
            uint64_t r = next();
            uint64_t size = r % 16 == 0 ? 65537 + next() % 140000 : 1 + next() % (r % 4 == 0 ? 8192 : 512);
            uint64_t align = r % 8 == 1 ? (uint64_t) 64 << (next() % 8) : 0;
            block blk = {0, size, next() & 0xFFFF};
            rc = align ? hshm_alloc_aligned(h, size, align, &blk.off) : hshm_alloc(h, size, &blk.off);
            if (rc == HSHM_ERR_OUT_OF_MEMORY) {
                continue;
            }
            if (rc != HSHM_OK) {
                return die(rc, "alloc");
            }
            if (align && blk.off % align != 0) {
                fprintf(stderr, "misaligned: offset=%" PRIu64 " alignment=%" PRIu64 "\n", blk.off, align);
                return 2;
            }
            fill(h, &blk);
            live[n++] = blk;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!check(h, &live[i])) {
            return 2;
        }
        printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", live[i].off, live[i].size, live[i].tag);
    }
    fprintf(stderr, "ops %" PRIu64 "\n", ops);
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
