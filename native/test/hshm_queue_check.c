/*
 * hshm_queue_check: one call of hshm_queue.h at a time, for CQueueTest's cases (bad input, corrupt words, claims,
 * C-created queues, timeouts, dead peers).
 *
 *   hshm_queue_check owner                          prints "owner WORD pid PID"
 *   hshm_queue_check SEGMENT MAJOR,MINOR OP ARGS... attaches, then runs OP:
 *     find NAME                    hshm_named_find: "ok kind K type T version V name TYPE_NAME offset O size S"
 *     spsc NAME | mpsc NAME        attach only: "ok capacity C element E" / "ok capacity C max_payload P"
 *     spsc-offer NAME              offer one element ("x", NUL-padded)
 *     spsc-poll NAME               poll one element: "ok TEXT"
 *     spsc-size NAME               "ok size N"
 *     mpsc-offer NAME              offer a 10-byte record of type 1
 *     mpsc-read NAME               read one batch: "ok read N"
 *     echo-u64 IN OUT N            N times: take_u64 from the SPSC ring IN, put_u64 (value + 1) to OUT
 *     claim-abort-commit NAME      try_claim + abort; claim + write "committed after an abort" + commit; then the
 *                                  misuses: commit again, commit and abort of pointers no claim returned, a payload
 *                                  over max_payload, a type of 0 (each prints "misuse CODE")
 *     claim-hang NAME              try_claim(1, 64), print "claimed", sleep until killed
 *     claim-commit-after NAME MS   try_claim(1, 16), print "claimed", sleep MS, write and commit it
 *     create-spsc NAME CAP ELEM N  hshm_spsc_create, then offer_u64 1..N
 *     create-mpsc NAME CAP N       hshm_mpsc_create, then offer "c-created #i" for i < N
 *     put-timeout NAME MS          put_u64 on an SPSC ring (full): "again after MS" when the timeout passes
 *     take NAME MS                 take one element of an SPSC ring, waiting up to MS: "ok TEXT"
 * A failing call prints "error CODE: MESSAGE" and exits 4; success exits 0; bad usage 2.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hshm.h"
#include "hshm_queue.h"

static int report(int rc) {
    if (rc == HSHM_OK) {
        return 0;
    }
    printf("error %s: %s\n", hshm_queue_error_name(rc), rc == HSHM_QUEUE_AGAIN ? "(again)" : hshm_queue_last_error());
    return 4;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static int print_record(void *ctx, int32_t type, const void *payload, uint32_t length) {
    printf("record %d %.*s\n", type, (int) length, (const char *) payload);
    return 0;
}

static void misuse(const char *what, int rc) {
    printf("misuse %s %s: %s\n", what, hshm_queue_error_name(rc), hshm_queue_last_error());
}

static int op_spsc(hshm_heap *h, const char *op, char **args, int nargs) {
    hshm_spsc *q;
    int rc = hshm_spsc_attach(h, args[0], &q);
    if (rc != HSHM_OK) {
        return report(rc);
    }
    char *el = calloc(1, hshm_spsc_element_size(q));
    if (el == NULL) {
        return 3;
    }
    if (strcmp(op, "spsc") == 0) {
        printf("ok capacity %llu element %llu\n", (unsigned long long) hshm_spsc_capacity(q),
               (unsigned long long) hshm_spsc_element_size(q));
    } else if (strcmp(op, "spsc-offer") == 0) {
        el[0] = 'x';
        rc = hshm_spsc_offer(q, el, hshm_spsc_element_size(q));
        if (rc == HSHM_OK) {
            printf("ok\n");
        }
    } else if (strcmp(op, "spsc-poll") == 0) {
        rc = hshm_spsc_poll(q, el, hshm_spsc_element_size(q));
        if (rc == HSHM_OK) {
            printf("ok %.*s\n", (int) strnlen(el, hshm_spsc_element_size(q)), el);
        }
    } else if (strcmp(op, "spsc-size") == 0) {
        uint64_t n = 0;
        rc = hshm_spsc_size(q, &n);
        if (rc == HSHM_OK) {
            printf("ok size %llu\n", (unsigned long long) n);
        }
    } else if (strcmp(op, "put-timeout") == 0 && nargs >= 2) {
        uint64_t t0 = now_ms();
        rc = hshm_spsc_put_u64(q, 42, (uint32_t) atoi(args[1]));
        if (rc == HSHM_QUEUE_AGAIN) {
            printf("again after %llu\n", (unsigned long long) (now_ms() - t0));
            rc = HSHM_OK;
        }
    } else if (strcmp(op, "take") == 0 && nargs >= 2) {
        rc = hshm_spsc_take(q, el, hshm_spsc_element_size(q), (uint32_t) atoi(args[1]));
        if (rc == HSHM_OK) {
            printf("ok %.*s\n", (int) strnlen(el, hshm_spsc_element_size(q)), el);
        }
    } else {
        rc = HSHM_ERR_ARGUMENT;
        printf("bad op %s\n", op);
    }
    free(el);
    hshm_spsc_close(q);
    return report(rc);
}

static int op_mpsc(hshm_heap *h, const char *op, char **args, int nargs) {
    hshm_mpsc *q;
    int rc = hshm_mpsc_attach(h, args[0], &q);
    if (rc != HSHM_OK) {
        return report(rc);
    }
    if (strcmp(op, "mpsc") == 0) {
        printf("ok capacity %llu max_payload %u\n", (unsigned long long) hshm_mpsc_capacity(q),
               hshm_mpsc_max_payload(q));
    } else if (strcmp(op, "mpsc-offer") == 0) {
        rc = hshm_mpsc_offer(q, 1, "0123456789", 10);
        if (rc == HSHM_OK) {
            printf("ok\n");
        }
    } else if (strcmp(op, "mpsc-read") == 0) {
        int n = 0;
        rc = hshm_mpsc_read(q, print_record, NULL, 100, &n);
        if (rc == HSHM_OK || rc == HSHM_QUEUE_AGAIN) {
            printf("ok read %d\n", n);
            rc = HSHM_OK;
        }
    } else if (strcmp(op, "claim-abort-commit") == 0) {
        void *p;
        rc = hshm_mpsc_try_claim(q, 1, 32, &p);
        if (rc == HSHM_OK) {
            memset(p, 'a', 32);
            rc = hshm_mpsc_abort(q, p);
        }
        void *c = NULL;
        const char *text = "committed after an abort";
        if (rc == HSHM_OK) {
            rc = hshm_mpsc_claim(q, 2, (uint32_t) strlen(text), 1000, &c);
        }
        if (rc == HSHM_OK) {
            memcpy(c, text, strlen(text));
            rc = hshm_mpsc_commit(q, c);
        }
        if (rc == HSHM_OK) {
            misuse("commit-again", hshm_mpsc_commit(q, c));
            misuse("abort-after-commit", hshm_mpsc_abort(q, c));
            misuse("commit-foreign", hshm_mpsc_commit(q, (void *) text));
            misuse("commit-interior", hshm_mpsc_commit(q, (char *) c + 3));
            misuse("abort-null", hshm_mpsc_abort(q, NULL));
            void *x;
            misuse("claim-too-long", hshm_mpsc_try_claim(q, 1, hshm_mpsc_max_payload(q) + 1, &x));
            misuse("claim-type-0", hshm_mpsc_try_claim(q, 0, 8, &x));
            misuse("read-limit-0", hshm_mpsc_read(q, print_record, NULL, 0, NULL));
            printf("ok\n");
        }
    } else if (strcmp(op, "claim-commit-after") == 0 && nargs >= 2) {
        void *p;
        rc = hshm_mpsc_try_claim(q, 1, 16, &p);
        if (rc == HSHM_OK) {
            printf("claimed\n");
            fflush(stdout);
            usleep((useconds_t) atoi(args[1]) * 1000);
            memcpy(p, "late commit here", 16);
            rc = hshm_mpsc_commit(q, p);
            if (rc == HSHM_OK) {
                printf("ok committed\n");
            }
        }
    } else if (strcmp(op, "claim-hang") == 0) {
        void *p;
        rc = hshm_mpsc_try_claim(q, 1, 64, &p);
        if (rc == HSHM_OK) {
            printf("claimed\n");
            fflush(stdout);
            for (;;) {
                pause();
            }
        }
    } else {
        rc = HSHM_ERR_ARGUMENT;
        printf("bad op %s\n", op);
    }
    hshm_mpsc_close(q);
    (void) nargs;
    return report(rc);
}

static int op_echo(hshm_heap *h, char **args) {
    hshm_spsc *in;
    hshm_spsc *out;
    int rc = hshm_spsc_attach(h, args[0], &in);
    if (rc != HSHM_OK) {
        return report(rc);
    }
    rc = hshm_spsc_attach(h, args[1], &out);
    if (rc != HSHM_OK) {
        return report(rc);
    }
    hshm_spsc_register_consumer(in);
    hshm_spsc_register_producer(out);
    long n = atol(args[2]);
    for (long i = 0; i < n && rc == HSHM_OK; i++) {
        uint64_t v = 0;
        rc = hshm_spsc_take_u64(in, &v, 10000);
        if (rc == HSHM_OK) {
            rc = hshm_spsc_put_u64(out, v + 1, 10000);
        }
    }
    uint64_t left = 0;
    if (rc == HSHM_OK) {
        rc = hshm_spsc_size(in, &left);
    }
    if (rc == HSHM_OK) {
        printf("ok echoed %ld left %llu\n", n, (unsigned long long) left);
    }
    hshm_spsc_close(in);
    hshm_spsc_close(out);
    return report(rc);
}

static int op_create(hshm_heap *h, const char *op, char **args, int nargs) {
    if (strcmp(op, "create-spsc") == 0 && nargs >= 4) {
        hshm_spsc *q;
        int rc = hshm_spsc_create(h, args[0], strtoull(args[1], NULL, 10), strtoull(args[2], NULL, 10), &q);
        if (rc != HSHM_OK) {
            return report(rc);
        }
        long n = atol(args[3]);
        for (long i = 1; i <= n && rc == HSHM_OK; i++) {
            rc = hshm_spsc_offer_u64(q, (uint64_t) i);
        }
        if (rc == HSHM_OK) {
            printf("ok created\n");
        }
        hshm_spsc_close(q);
        return report(rc);
    }
    if (strcmp(op, "create-mpsc") == 0 && nargs >= 3) {
        hshm_mpsc *q;
        int rc = hshm_mpsc_create(h, args[0], strtoull(args[1], NULL, 10), &q);
        if (rc != HSHM_OK) {
            return report(rc);
        }
        long n = atol(args[2]);
        for (long i = 0; i < n && rc == HSHM_OK; i++) {
            char text[32];
            int len = snprintf(text, sizeof text, "c-created #%ld", i);
            rc = hshm_mpsc_offer(q, 3, text, (uint32_t) len);
        }
        if (rc == HSHM_OK) {
            printf("ok created\n");
        }
        hshm_mpsc_close(q);
        return report(rc);
    }
    printf("bad op %s\n", op);
    return 2;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "owner") == 0) {
        printf("owner %llu pid %ld\n", (unsigned long long) hshm_queue_owner_word(), (long) getpid());
        return 0;
    }
    unsigned major;
    unsigned minor;
    if (argc < 5 || sscanf(argv[2], "%u,%u", &major, &minor) != 2) {
        fprintf(stderr, "usage: hshm_queue_check owner | SEGMENT MAJOR,MINOR OP ARGS...\n");
        return 2;
    }
    hshm_backend *b;
    hshm_heap *h;
    int rc = hshm_backend_attach(argv[1], 5000, &b);
    if (rc != HSHM_OK || (rc = hshm_heap_open(b, major, minor, &h)) != HSHM_OK) {
        printf("error %s: %s\n", hshm_error_name(rc), hshm_last_error());
        return 4;
    }
    const char *op = argv[3];
    char **args = argv + 4;
    int nargs = argc - 4;
    int status;
    if (strcmp(op, "find") == 0) {
        hshm_named_info info;
        rc = hshm_named_find(h, args[0], &info);
        if (rc == HSHM_OK) {
            printf("ok kind %u type %u version %u name %s offset %llu size %llu\n", info.kind, info.type, info.version,
                   info.type_name, (unsigned long long) info.offset, (unsigned long long) info.size);
        }
        status = report(rc);
    } else if (strcmp(op, "echo-u64") == 0 && nargs >= 3) {
        status = op_echo(h, args);
    } else if (strncmp(op, "create-", 7) == 0) {
        status = op_create(h, op, args, nargs);
    } else if (strncmp(op, "spsc", 4) == 0 || strcmp(op, "put-timeout") == 0 || strcmp(op, "take") == 0) {
        status = op_spsc(h, op, args, nargs);
    } else if (strncmp(op, "mpsc", 4) == 0 || strncmp(op, "claim-", 6) == 0) {
        status = op_mpsc(h, op, args, nargs);
    } else {
        fprintf(stderr, "unknown op %s\n", op);
        status = 2;
    }
    hshm_heap_close(h);
    hshm_backend_detach(b);
    return status;
}
