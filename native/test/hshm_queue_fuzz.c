/*
 * hshm_queue_fuzz SEGMENT MAJOR,MINOR ROUNDS SEED: corrupts the shared words of a heap's named-object directory and
 * of the SPSC ring "s" and the MPSC ring "m" a JVM made there, one word at a time, and after each corruption runs the
 * non-blocking calls of hshm_queue.h on them (find, attach, offer, poll, size, read, claim and commit or abort);
 * every call must return a result code (CQueueBadInputTest: an exit by signal is the failure this looks for, and
 * no call may hang: the directory lock's wait is cut to 5 ms).
 *   A word gets a random value, a small one, one bit flipped, or its value plus or minus a little; it is put back
 *   most of the time, and every 64 rounds all the fuzzed bytes are put back from a snapshot.
 *   Prints "rounds N" and the count of each result code seen ("HSHM_OK 7000 HSHM_ERR_CORRUPT 14000 ...") and
 *   exits 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hshm.h"
#include "hshm_queue.h"

static uint64_t rng;

static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct area {
    uint8_t *p;
    size_t n;
    uint8_t *saved;
} area;

/* results by code: [0] HSHM_OK, [1] HSHM_QUEUE_AGAIN, [2 + k] code -k (hshm.h's), [12] PEER_DEAD, [13] PADDED_OVER */
static long counts[14];
static const int codes[14] = {HSHM_OK, HSHM_QUEUE_AGAIN, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9,
                              HSHM_QUEUE_ERR_PEER_DEAD, HSHM_QUEUE_ERR_PADDED_OVER};

static void count(int rc) {
    for (int k = 0; k < 14; k++) {
        if (codes[k] == rc && k != 2) {
            counts[k]++;
            return;
        }
    }
    counts[2]++; /* a code no header defines */
}

static int ignore(void *ctx, int32_t type, const void *payload, uint32_t length) {
    (void) ctx, (void) type;
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; i < length; i++) {
        sink ^= ((const uint8_t *) payload)[i]; /* touch every payload byte the consumer is handed */
    }
    (void) sink;
    return 0;
}

static void exercise(hshm_heap *h) {
    hshm_named_info info;
    count(hshm_named_find(h, "s", &info));
    count(hshm_named_find(h, "m", &info));
    hshm_spsc *s;
    int rc = hshm_spsc_attach(h, "s", &s);
    count(rc);
    if (rc == HSHM_OK) {
        uint8_t el[64] = {1, 2, 3};
        uint64_t v;
        count(hshm_spsc_offer_u64(s, next()));
        count(hshm_spsc_offer(s, el, hshm_spsc_element_size(s) <= sizeof el ? hshm_spsc_element_size(s) : 0));
        count(hshm_spsc_poll_u64(s, &v));
        count(hshm_spsc_poll(s, el, sizeof el));
        count(hshm_spsc_size(s, &v));
        count(hshm_spsc_put_u64(s, 7, 0));
        count(hshm_spsc_take_u64(s, &v, 0));
        hshm_spsc_close(s);
    }
    hshm_mpsc *m;
    rc = hshm_mpsc_attach(h, "m", &m);
    count(rc);
    if (rc == HSHM_OK) {
        uint8_t payload[100];
        memset(payload, 0x5A, sizeof payload);
        count(hshm_mpsc_offer(m, 1 + (int32_t) (next() % 3), payload, (uint32_t) (next() % sizeof payload)));
        void *at;
        rc = hshm_mpsc_try_claim(m, 2, 24, &at);
        count(rc);
        if (rc == HSHM_OK) {
            memset(at, 0x33, 24);
            count(next() % 2 ? hshm_mpsc_commit(m, at) : hshm_mpsc_abort(m, at));
        }
        int n;
        count(hshm_mpsc_read(m, ignore, NULL, 1 + (int) (next() % 8), &n));
        count(hshm_mpsc_read(m, ignore, NULL, 100, &n));
        count(hshm_mpsc_take(m, ignore, NULL, 4, 0, &n));
        hshm_mpsc_close(m);
    }
}

int main(int argc, char **argv) {
    unsigned major;
    unsigned minor;
    if (argc != 5 || sscanf(argv[2], "%u,%u", &major, &minor) != 2) {
        fprintf(stderr, "usage: hshm_queue_fuzz SEGMENT MAJOR,MINOR ROUNDS SEED\n");
        return 2;
    }
    setenv("HSHM_LOCK_TIMEOUT_MS", "5", 1);
    setenv("HSHM_CLAIM_TIMEOUT_MS", "0", 1);
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(argv[1], 2000, &b);
    if (rc != HSHM_OK || (rc = hshm_heap_open(b, major, minor, &h)) != HSHM_OK) {
        fprintf(stderr, "%s: %s\n", hshm_error_name(rc), hshm_last_error());
        return 3;
    }
    long rounds = atol(argv[3]);
    rng = strtoull(argv[4], NULL, 10) * 2654435761u + 1;
    hshm_named_info si;
    hshm_named_info mi;
    if (hshm_named_find(h, "s", &si) != HSHM_OK || hshm_named_find(h, "m", &mi) != HSHM_OK) {
        fprintf(stderr, "%s\n", hshm_queue_last_error());
        return 3;
    }
    uint64_t csize;
    uint8_t *custom = hshm_custom_header(h, &csize);
    uint64_t root;
    memcpy(&root, custom, 8);
    uint8_t *data = hshm_ptr(h, 0);
    area areas[] = {
        {custom, 8, NULL},                                              /* the directory's root */
        {data + root - 1, HSHM_ND_ENTRIES + 4 * HSHM_NE_BYTES, NULL},   /* the directory header, its first entries */
        {data + si.offset, HSHM_SPSC_SLOTS + 64, NULL},                 /* the SPSC ring's fixed part, a slot */
        {data + mi.offset, HSHM_MPSC_PRODUCERS + 4 * HSHM_MP_BYTES, NULL}, /* the MPSC ring's indices, slots 0-3 */
        {data + mi.offset + HSHM_MPSC_BUFFER, 512, NULL},               /* the MPSC ring's first records */
    };
    size_t nareas = sizeof areas / sizeof areas[0];
    for (size_t i = 0; i < nareas; i++) {
        areas[i].saved = malloc(areas[i].n);
        memcpy(areas[i].saved, areas[i].p, areas[i].n);
    }
    for (long r = 0; r < rounds; r++) {
        area *a = &areas[next() % nareas];
        uint64_t *w = (uint64_t *) (void *) (a->p + 8 * (next() % (a->n / 8)));
        uint64_t old = *w;
        switch (next() % 4) {
            case 0: *w = next(); break;
            case 1: *w = next() % 70; break;
            case 2: *w = old ^ (UINT64_C(1) << (next() % 64)); break;
            default: *w = old + (next() % 17) - 8; break;
        }
        exercise(h);
        if (next() % 4 != 0) {
            *w = old;
        }
        if (r % 64 == 63) {
            for (size_t i = 0; i < nareas; i++) {
                memcpy(areas[i].p, areas[i].saved, areas[i].n);
            }
        }
    }
    for (size_t i = 0; i < nareas; i++) {
        memcpy(areas[i].p, areas[i].saved, areas[i].n);
        free(areas[i].saved);
    }
    printf("rounds %ld", rounds);
    for (int k = 0; k < 14; k++) {
        if (counts[k] > 0) {
            printf(" %s %ld", k == 2 ? "unknown" : hshm_queue_error_name(codes[k]), counts[k]);
        }
    }
    printf("\n");
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
