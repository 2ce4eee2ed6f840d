/*
 * hshm_churn NAME MAJOR MINOR SECONDS SEED TABLE [HANDOVER_IN]: a C peer of JVMs on one heap (MixedProcessTest).
 *   1. Reads HANDOVER_IN (lines "offset size tag" of blocks a JVM allocated and filled), checks each block's
 *      pattern and frees it.
 *   2. For SECONDS, picks one of SLOTS slots at random: frees the block in it (after checking its pattern) or
 *      allocates one of mixed size (16 B .. 200 KiB, some aligned to 64 .. 8192) and fills it.
 *   Every slot is mirrored in a table at data offset TABLE (SLOTS x {offset, size, tag}, u64 each), which the
 *   JVM reads once this process has exited or was killed, to check and free what it held. A block enters the
 *   table right after it is allocated (offset stored last, tag marked PENDING until it is filled) and leaves it
 *   right before it is freed, so a SIGKILL loses a block only inside hshm_alloc or hshm_free themselves.
 * With HSHM_CHURN_QUEUE=NAME in the environment, a quarter of the blocks it would free go to the JVM instead, as
 * {offset, size, tag} records on the named MPSC queue NAME (out of the table first, then offered; a full queue:
 * freed here): the JVM checks and frees them.
 * With HSHM_CHURN_NOFILL=1 in the environment, blocks are neither filled nor checked (their tags stay PENDING):
 * nearly all the time goes to hshm_alloc and hshm_free, so a SIGKILL lands inside a lock hold most of the time.
 * At the end it takes every lock once (hshm_bytes_in_use) and prints "ops N recoveries R bytes B" (R: locks of
 * dead owners this process took over and repaired behind). The pattern of byte i of a block with tag t is
 * (uint8_t) (t * 131 + i * 7 + (i >> 8)). Exit 0 on success, 2 on a pattern mismatch, 3 on a library error (message on stderr).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hshm.h"
#include "hshm_queue.h"

#define SLOTS 200
/* tag bit: in the table but not filled yet (a JVM frees it without checking its pattern) */
#define PENDING (UINT64_C(1) << 63)

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

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
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

/* A store the compiler keeps in program order (the JVM reads the table after this process died). */
static void put(volatile uint64_t *w, uint64_t v) {
    __atomic_store_n(w, v, __ATOMIC_RELEASE);
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: hshm_churn NAME MAJOR MINOR SECONDS SEED TABLE [HANDOVER_IN]\n");
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
    volatile uint64_t *table = (volatile uint64_t *) hshm_ptr(h, strtoull(argv[6], NULL, 10));
    if (argc == 8) {
        FILE *in = fopen(argv[7], "r");
        if (in == NULL) {
            perror(argv[7]);
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
    hshm_mpsc *handover = NULL;
    const char *queue = getenv("HSHM_CHURN_QUEUE");
    if (queue != NULL && (rc = hshm_mpsc_attach(h, queue, &handover)) != HSHM_OK) {
        fprintf(stderr, "attach %s: %s: %s\n", queue, hshm_queue_error_name(rc), hshm_queue_last_error());
        return 3;
    }
    uint64_t sent = 0;
    const char *nofill_env = getenv("HSHM_CHURN_NOFILL");
    int nofill = nofill_env != NULL && strcmp(nofill_env, "1") == 0;
    block live[SLOTS];
    memset(live, 0, sizeof live);
    uint64_t ops = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        for (int k = 0; k < 64; k++, ops++) {
            int i = (int) (next() % SLOTS);
            if (live[i].off != 0) {
                if (!nofill && !check(h, &live[i])) {
                    return 2;
                }
                put(&table[3 * i], 0); /* out of the table first: a death after this leaks the block */
                if (handover != NULL && next() % 4 == 0) {
                    uint64_t rec[3] = {live[i].off, live[i].size, nofill ? live[i].tag | PENDING : live[i].tag};
                    rc = hshm_mpsc_offer(handover, 1, rec, sizeof rec);
                    if (rc == HSHM_OK) {
                        sent++;
                        live[i].off = 0;
                        continue; /* the JVM checks and frees it */
                    }
                    if (rc != HSHM_QUEUE_AGAIN) {
                        fprintf(stderr, "offer: %s: %s\n", hshm_queue_error_name(rc), hshm_queue_last_error());
                        return 3;
                    }
                }
                if ((rc = hshm_free(h, live[i].off)) != HSHM_OK) {
                    return die(rc, "free");
                }
                live[i].off = 0;
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
            put(&table[3 * i + 1], blk.size);
            put(&table[3 * i + 2], blk.tag | PENDING);
            put(&table[3 * i], blk.off); /* in the table before it is filled: a death now leaks nothing */
            if (!nofill) {
                fill(h, &blk);
                put(&table[3 * i + 2], blk.tag); /* filled: the JVM checks its pattern */
            }
            live[i] = blk;
        }
    }
    uint64_t bytes = 0;
    if ((rc = hshm_bytes_in_use(h, &bytes)) != HSHM_OK) { /* takes every lock once: recovers any dead owner */
        return die(rc, "bytes in use");
    }
    printf("ops %" PRIu64 " recoveries %" PRIu64 " bytes %" PRIu64 " sent %" PRIu64 "\n", ops, hshm_lock_recoveries(),
           bytes, sent);
    hshm_mpsc_close(handover);
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
