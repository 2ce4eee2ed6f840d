/*
 * send: a C program that sends text messages to a queue a JVM created (examples/c-queue/README.md).
 *
 *   send [-a MAJOR,MINOR] [-n N] [-d DELAY_MS] [-y TYPE] [-t TIMEOUT_MS] [-v] SEGMENT QUEUE
 *
 * Attaches to the POSIX shared-memory segment SEGMENT, opens its allocator MAJOR,MINOR (default 1,0), finds the
 * queue named QUEUE in the allocator's named-object directory and sends "hello from C #0" .. "hello from C #N-1"
 * (N default 10), then "bye", waiting while the queue is full (at most TIMEOUT_MS per message, default 10000).
 *   - an SPSC queue carries fixed-size elements: each text is NUL-padded to the queue's element size (which must
 *     hold the longest text, 24 bytes; the JVM side of the example uses 64);
 *   - an MPSC queue carries records: each text is one record of record type TYPE (default 1), without a NUL.
 * -d sleeps DELAY_MS before each message (a slow producer); -v prints, per message, the CLOCK_MONOTONIC times in
 * ns before and after its put ("put I BEFORE AFTER"), which are System.nanoTime() in a JVM on Linux.
 * The last line is a summary: messages, elapsed ms, messages/s, ms spent in put, CPU ms.
 * Exit status: 0 sent, 2 bad usage, 3 an error (its code and message on stderr).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hshm.h"
#include "hshm_queue.h"

/* the message: its text in the first 64 bytes, the rest 0, so any SPSC element size reads as NUL-padded text */
static char text[HSHM_SPSC_MAX_ELEMENT];
static int delay_ms, verbose;
static uint64_t put_started_ns, in_put_ns;

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int fail(const char *what, int rc, const char *message) {
    fprintf(stderr, "send: %s: %s: %s\n", what, hshm_queue_error_name(rc), message);
    return 3;
}

/* Before a put (done: false): the -d delay, then the clock; after it (done: true): the time in put, -v's line. */
static void stopwatch(int i, bool done) {
    if (!done) {
        if (delay_ms > 0) {
            usleep((useconds_t) delay_ms * 1000);
        }
        put_started_ns = now_ns(CLOCK_MONOTONIC);
        return;
    }
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    in_put_ns += now - put_started_ns;
    if (verbose) {
        printf("put %d %llu %llu\n", i, (unsigned long long) put_started_ns, (unsigned long long) now);
    }
}

int main(int argc, char **argv) {
    unsigned major = 1, minor = 0;
    int n = 10, opt;
    int32_t type = 1;
    uint32_t timeout_ms = 10000;
    while ((opt = getopt(argc, argv, "a:n:d:y:t:v")) != -1) {
        switch (opt) {
            case 'a': if (sscanf(optarg, "%u,%u", &major, &minor) != 2) return 2; break;
            case 'n': n = atoi(optarg); break;
            case 'd': delay_ms = atoi(optarg); break;
            case 'y': type = atoi(optarg); break;
            case 't': timeout_ms = (uint32_t) strtoul(optarg, NULL, 10); break;
            case 'v': verbose = 1; break;
            default: return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: send [-a MAJOR,MINOR] [-n N] [-d DELAY_MS] [-y TYPE] [-t TIMEOUT_MS] [-v] SEGMENT QUEUE\n");
        return 2;
    }
    const char *segment = argv[optind], *queue = argv[optind + 1];
    uint64_t start = now_ns(CLOCK_MONOTONIC);

    /* the core (README.md quotes it): attach, find the queue the JVM named, send N texts and "bye" */
    hshm_backend *b;
    hshm_heap *h;
    hshm_named_info info;
    hshm_spsc *s = NULL;
    hshm_mpsc *m = NULL;
    int rc = hshm_backend_attach(segment, 5000, &b);
    if (rc != HSHM_OK || (rc = hshm_heap_open(b, major, minor, &h)) != HSHM_OK) {
        return fail("attach", rc, hshm_last_error());
    }
    rc = hshm_named_find(h, queue, &info); /* what did the JVM create under that name? */
    if (rc == HSHM_OK) {
        rc = info.type == HSHM_QUEUE_TYPE_SPSC ? hshm_spsc_attach(h, queue, &s) : hshm_mpsc_attach(h, queue, &m);
    }
    if (rc != HSHM_OK) {
        return fail(queue, rc, hshm_queue_last_error());
    }
    size_t size = s != NULL ? hshm_spsc_element_size(s) : 0; /* SPSC: fixed-size elements */
    for (int i = 0; i <= n && rc == HSHM_OK; i++) {
        memset(text, 0, 64);
        int len = i < n ? snprintf(text, 64, "hello from C #%d", i) : snprintf(text, 64, "bye");
        stopwatch(i, false);
        rc = s != NULL ? hshm_spsc_put(s, text, size, timeout_ms) /* put waits while the queue is full */
                       : hshm_mpsc_put(m, type, text, (uint32_t) len, timeout_ms);
        stopwatch(i, true);
    }
    if (rc != HSHM_OK) {
        return fail("put", rc, rc == HSHM_QUEUE_AGAIN ? "the queue stayed full" : hshm_queue_last_error());
    }

    double ms = (double) (now_ns(CLOCK_MONOTONIC) - start) / 1e6;
    printf("sent %d messages and bye to %s '%s': %.1f ms, %.0f messages/s, %.1f ms in put, cpu %.1f ms\n", n,
           info.type_name, queue, ms, (n + 1) / (ms / 1e3), (double) in_put_ns / 1e6,
           (double) now_ns(CLOCK_PROCESS_CPUTIME_ID) / 1e6);
    hshm_spsc_close(s);
    hshm_mpsc_close(m);
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return 0;
}
