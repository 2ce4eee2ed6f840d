/*
 * hshm_queue_recv [-a MAJOR,MINOR] [-d DELAY_MS] [-t TIMEOUT_MS] [-u] [-v] SEGMENT QUEUE COUNT: a C consumer of a
 * queue a JVM produces into (CQueueTest).
 *   Attaches to SEGMENT, opens allocator MAJOR,MINOR (default 1,0), finds QUEUE (an SPSC or MPSC ring), registers
 *   as its consumer, prints "ready", then takes COUNT messages (blocking, at most TIMEOUT_MS each, default 10000),
 *   sleeping DELAY_MS before each take when -d is given (a slow consumer). SPSC elements are taken whole, or as
 *   u64 values with -u; MPSC records one per take.
 *   Checksum: FNV-1a 64 over, per message, its type (i32, 0 for SPSC), its length (u32) and its bytes, each
 *   little-endian; -v prints per message "took I TYPE LENGTH FNV NS" (FNV of the message alone, NS the
 *   CLOCK_MONOTONIC time after the take returned, which is System.nanoTime() in a JVM on Linux).
 *   The last line: "received N bytes B checksum 0x... repairs R cpu MS".
 * Exit 0 on success, 2 on bad usage, 3 on a library error or a timeout (code and message on stderr).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hshm.h"
#include "hshm_queue.h"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * FNV_PRIME;
    }
    return h;
}

static uint64_t fnv_message(uint64_t h, int32_t type, uint32_t length, const void *p) {
    uint8_t word[8];
    for (int i = 0; i < 4; i++) {
        word[i] = (uint8_t) ((uint32_t) type >> (8 * i));
        word[4 + i] = (uint8_t) (length >> (8 * i));
    }
    return fnv(fnv(h, word, 8), p, length);
}

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int fail(const char *what, int rc, const char *message) {
    fprintf(stderr, "hshm_queue_recv: %s: %s: %s\n", what, hshm_queue_error_name(rc), message);
    return 3;
}

typedef struct received {
    int32_t type;
    uint32_t length;
    uint64_t fnv;
    uint64_t total;
} received;

static int on_record(void *ctx, int32_t type, const void *payload, uint32_t length) {
    received *r = ctx;
    r->type = type;
    r->length = length;
    r->fnv = fnv_message(FNV_OFFSET, type, length, payload);
    r->total = fnv_message(r->total, type, length, payload);
    return 0;
}

int main(int argc, char **argv) {
    unsigned major = 1, minor = 0;
    int delay_ms = 0, verbose = 0, as_u64 = 0, opt;
    uint32_t timeout_ms = 10000;
    while ((opt = getopt(argc, argv, "a:d:t:uv")) != -1) {
        switch (opt) {
            case 'a': if (sscanf(optarg, "%u,%u", &major, &minor) != 2) return 2; break;
            case 'd': delay_ms = atoi(optarg); break;
            case 't': timeout_ms = (uint32_t) strtoul(optarg, NULL, 10); break;
            case 'u': as_u64 = 1; break;
            case 'v': verbose = 1; break;
            default: return 2;
        }
    }
    if (argc - optind != 3) {
        fprintf(stderr, "usage: hshm_queue_recv [-a MAJOR,MINOR] [-d DELAY_MS] [-t TIMEOUT_MS] [-u] [-v] SEGMENT QUEUE "
                "COUNT\n");
        return 2;
    }
    const char *segment = argv[optind], *queue = argv[optind + 1];
    long count = atol(argv[optind + 2]);
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(segment, 5000, &b);
    if (rc != HSHM_OK || (rc = hshm_heap_open(b, major, minor, &h)) != HSHM_OK) {
        return fail("attach", rc, hshm_last_error());
    }
    hshm_named_info info;
    hshm_spsc *s = NULL;
    hshm_mpsc *m = NULL;
    rc = hshm_named_find(h, queue, &info);
    if (rc == HSHM_OK) {
        rc = info.type == HSHM_QUEUE_TYPE_SPSC ? hshm_spsc_attach(h, queue, &s) : hshm_mpsc_attach(h, queue, &m);
    }
    if (rc != HSHM_OK) {
        return fail(queue, rc, hshm_queue_last_error());
    }
    uint8_t *element = NULL;
    if (s != NULL) {
        hshm_spsc_register_consumer(s);
        element = malloc(hshm_spsc_element_size(s));
        if (element == NULL) {
            return fail("malloc", HSHM_ERR_SYSTEM, "out of memory");
        }
    }
    printf("ready\n");
    fflush(stdout);
    received r = {.total = FNV_OFFSET};
    uint64_t bytes = 0;
    for (long i = 0; i < count; i++) {
        if (delay_ms > 0) {
            usleep((useconds_t) delay_ms * 1000);
        }
        if (m != NULL) {
            int n = 0;
            rc = hshm_mpsc_take(m, on_record, &r, 1, timeout_ms, &n);
        } else if (as_u64) {
            uint64_t v = 0;
            rc = hshm_spsc_take_u64(s, &v, timeout_ms);
            if (rc == HSHM_OK) {
                uint8_t le[8];
                for (int k = 0; k < 8; k++) {
                    le[k] = (uint8_t) (v >> (8 * k));
                }
                on_record(&r, 0, le, 8);
            }
        } else {
            rc = hshm_spsc_take(s, element, hshm_spsc_element_size(s), timeout_ms);
            if (rc == HSHM_OK) {
                on_record(&r, 0, element, (uint32_t) hshm_spsc_element_size(s));
            }
        }
        if (rc != HSHM_OK) {
            fprintf(stderr, "hshm_queue_recv: after %ld messages\n", i);
            return fail("take", rc, rc == HSHM_QUEUE_AGAIN ? "timed out" : hshm_queue_last_error());
        }
        bytes += r.length;
        if (verbose) {
            printf("took %ld %d %u 0x%016llx %llu\n", i, r.type, r.length, (unsigned long long) r.fnv,
                   (unsigned long long) now_ns(CLOCK_MONOTONIC));
        }
    }
    printf("received %ld bytes %llu checksum 0x%016llx repairs %llu cpu %.1f\n", count, (unsigned long long) bytes,
           (unsigned long long) r.total, (unsigned long long) (m != NULL ? hshm_mpsc_repairs(m) : 0),
           (double) now_ns(CLOCK_PROCESS_CPUTIME_ID) / 1e6);
    free(element);
    hshm_spsc_close(s);
    hshm_mpsc_close(m);
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
