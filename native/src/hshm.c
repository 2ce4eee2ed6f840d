/*
 * hshm.c: the C client of hshm-java's heap (see hshm.h and docs/layout.md).
 *
 * This is a second implementation of the protocol that allocators/.../internal/heap implements in Java: the
 * same words, written in the same order, under the same locks. The Java classes are the reference; each
 * function below names the Java method whose stores it repeats, and a change there must be carried here
 * (the layout itself cannot drift: hshm_layout.h is generated and checked by the build).
 *
 * Crash consistency: the Java side's crash notes hold for this code because every store is made in the same
 * order, and each store is followed by a compiler-only fence (atomic_signal_fence), so the compiler cannot
 * move one shared store past another: a process killed between two stores leaves exactly the first. (The
 * hardware keeps the order of a dying process's stores as well: they are in its caches or store buffer, which
 * drain.) A death of this process at any store therefore leaves what a death of a Java thread there leaves,
 * and the next owner of the lock (a JVM) repairs it.
 *
 * Errors deep inside an operation leave through one longjmp to the public entry point, which releases the
 * locks the operation holds (Java's try/finally) and returns the code; the message is per thread.
 */
#define _GNU_SOURCE
#include "hshm.h"
#include "hshm_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ handles */

struct hshm_backend {
    uint8_t *map;        /* the whole mapping */
    uint64_t map_size;
    uint8_t *data;       /* map + HSHM_DATA_OFFSET */
    uint64_t data_size;
    char name[32];
};

struct hshm_heap {
    uint8_t *data;
    uint64_t data_size;
    uint64_t id;         /* major << 32 | minor */
    hshm_heap_header geo; /* a verified copy of the header */
    uint64_t salt;
    uint64_t heap_end;   /* heap_offset + page_count pages */
};

/* ------------------------------------------------------------------------------------------ errors */

#define MAX_HELD 2 /* a shard's lock and the page heap's, never more (the lock order) */

typedef struct op {
    jmp_buf jb;
    int code;
    uint64_t held[MAX_HELD]; /* offsets of the locks this operation holds */
    uint64_t held_stores[MAX_HELD]; /* the store count when each was taken */
    int nheld;
    uint64_t stores; /* shared stores made by this thread (to tell a failed critical section that changed nothing) */
} op;

static _Thread_local char err_msg[768];
static _Thread_local uint64_t tl_recoveries; /* dead owners this thread took over */
static _Thread_local op tl_op; /* thread-local, not automatic: its fields survive the longjmp */

const char *hshm_last_error(void) {
    return err_msg;
}

const char *hshm_error_name(int code) {
    switch (code) {
        case HSHM_OK: return "HSHM_OK";
        case HSHM_ERR_ARGUMENT: return "HSHM_ERR_ARGUMENT";
        case HSHM_ERR_NOT_FOUND: return "HSHM_ERR_NOT_FOUND";
        case HSHM_ERR_CORRUPT: return "HSHM_ERR_CORRUPT";
        case HSHM_ERR_INVALID_POINTER: return "HSHM_ERR_INVALID_POINTER";
        case HSHM_ERR_DOUBLE_FREE: return "HSHM_ERR_DOUBLE_FREE";
        case HSHM_ERR_OUT_OF_MEMORY: return "HSHM_ERR_OUT_OF_MEMORY";
        case HSHM_ERR_SYSTEM: return "HSHM_ERR_SYSTEM";
        case HSHM_ERR_UNSUPPORTED: return "HSHM_ERR_UNSUPPORTED";
        default: return "HSHM_ERR_UNKNOWN";
    }
}

static int set_error(int code, const char *fmt, va_list ap) {
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    return code;
}

/** Sets the message and returns the code (for the entry points, outside an operation). */
static int error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(code, fmt, ap);
    va_end(ap);
    return code;
}

/** Fails the current operation: message, then the longjmp to its entry point. */
static _Noreturn void fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(code, fmt, ap);
    va_end(ap);
    tl_op.code = code;
    longjmp(tl_op.jb, 1);
}

/* ------------------------------------------------------------------------------------------ processes */

static uint64_t boot_ms(void) {
    static uint64_t cached;
    uint64_t c = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (c != 0) {
        return c;
    }
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    uint64_t btime = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "btime ", 6) == 0) {
            btime = strtoull(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    __atomic_store_n(&cached, btime * 1000, __ATOMIC_RELAXED);
    return btime * 1000;
}

/**
 * The start time of process `pid` in epoch ms, computed as the JDK's ProcessHandle does on Linux (boot time from
 * /proc/stat plus field 22 of /proc/PID/stat in clock ticks), so a start word written here and one a JVM
 * computes for this process agree. 0 if unknown; *zombie is set for a process that exited (state Z or X).
 * Thread-safe (no strtok). Shared with hshm_queue.c (hshm_internal.h).
 */
uint64_t hshm__process_start_ms(long pid, bool *zombie) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (p == NULL || p[1] == 0 || p[2] == 0) {
        return 0;
    }
    p += 2; /* field 3, the state */
    if (zombie != NULL) {
        *zombie = *p == 'Z' || *p == 'X';
    }
    int field = 3;
    while (*p != 0 && field < 22) {
        if (*p++ == ' ') {
            field++;
        }
    }
    unsigned long long start = field == 22 ? strtoull(p, NULL, 10) : 0;
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t boot = boot_ms();
    if (start == 0 || hz <= 0 || boot == 0) {
        return 0;
    }
    return boot + start * 1000 / (uint64_t) hz;
}

#define process_start_ms hshm__process_start_ms

static uint64_t my_start_word(void) {
    static uint64_t cached;
    static bool known;
    if (!known) {
        long pid = getpid();
        uint64_t ms = process_start_ms(pid, NULL);
        cached = ms == 0 ? 0 : (ms << HSHM_START_PID_BITS) | ((uint64_t) pid & ((1u << HSHM_START_PID_BITS) - 1));
        known = true;
    }
    return cached;
}

uint64_t hshm_lock_recoveries(void) {
    return tl_recoveries;
}

uint64_t hshm_start_word(void) {
    return my_start_word();
}

/** This thread's owner word: pid << 32 | kernel tid (below HSHM_OWNER_STRIPE on Linux, where pids are < 2^22). */
static uint64_t my_owner(void) {
    static _Thread_local uint64_t cached;
    if (cached == 0) {
        uint64_t tid = (uint64_t) syscall(SYS_gettid) & HSHM_OWNER_LOCAL_MASK;
        cached = ((uint64_t) getpid() << 32) | (tid >= HSHM_OWNER_STRIPE ? tid - HSHM_OWNER_STRIPE : tid);
    }
    return cached;
}

/** The start ms a start word records for the owner's pid, or 0 (none, or another pid's: OwnerWords.startMillisOf). */
static uint64_t start_ms_of(uint64_t owner, uint64_t start_word) {
    uint64_t mask = (1u << HSHM_START_PID_BITS) - 1;
    return start_word == 0 || (start_word & mask) != ((owner >> 32) & mask) ? 0 : start_word >> HSHM_START_PID_BITS;
}

/** Whether the owner's process may still run (OwnerWords.isAlive, Processes.isAlive: one second of slack). */
static bool owner_alive(uint64_t owner, uint64_t start_word) {
    long pid = (long) (owner >> 32);
    if (pid <= 0) {
        return false;
    }
    if (pid == getpid()) {
        uint64_t ms = start_ms_of(owner, start_word);
        return ms == 0 || ms == (my_start_word() >> HSHM_START_PID_BITS);
    }
    if (kill((pid_t) pid, 0) != 0 && errno != EPERM) {
        return false;
    }
    bool zombie = false;
    uint64_t actual = process_start_ms(pid, &zombie);
    if (zombie) {
        return false;
    }
    uint64_t want = start_ms_of(owner, start_word);
    if (want == 0 || actual == 0) {
        return true;
    }
    return (actual > want ? actual - want : want - actual) < 1000;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------ words */

/* Every shared word is an aligned u64 at a data offset, checked against the data's size where it is computed
 * from something read out of shared memory (Words.outside in Java). */
static uint64_t *word_at(const hshm_heap *h, uint64_t off) {
    if (off > h->data_size - 8 || (off & 7) != 0) {
        fail(HSHM_ERR_CORRUPT, "heap metadata points outside the backend's data (a corrupt offset or index): "
             "allocator (%u,%u), data offset=%llu, data size=%llu", (unsigned) (h->id >> 32), (unsigned) h->id,
             (unsigned long long) off, (unsigned long long) h->data_size);
    }
    return (uint64_t *) (h->data + off);
}

static uint64_t ld(const hshm_heap *h, uint64_t off) {
    return __atomic_load_n(word_at(h, off), __ATOMIC_RELAXED);
}

static uint64_t ld_volatile(const hshm_heap *h, uint64_t off) {
    return __atomic_load_n(word_at(h, off), __ATOMIC_SEQ_CST);
}

/** A plain store, kept in program order with every other shared store (see the file comment). */
static void st(const hshm_heap *h, uint64_t off, uint64_t v) {
    __atomic_store_n(word_at(h, off), v, __ATOMIC_RELAXED);
    atomic_signal_fence(memory_order_seq_cst);
    tl_op.stores++;
}

static void st_release(const hshm_heap *h, uint64_t off, uint64_t v) {
    __atomic_store_n(word_at(h, off), v, __ATOMIC_RELEASE);
    atomic_signal_fence(memory_order_seq_cst);
}

static bool cas(const hshm_heap *h, uint64_t off, uint64_t expect, uint64_t v) {
    bool done = __atomic_compare_exchange_n(word_at(h, off), &expect, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    atomic_signal_fence(memory_order_seq_cst);
    return done;
}

static void add(const hshm_heap *h, uint64_t off, int64_t delta) {
    st(h, off, ld(h, off) + (uint64_t) delta);
}

#define MAJOR(h) ((unsigned) ((h)->id >> 32))
#define MINOR(h) ((unsigned) ((h)->id & 0xFFFFFFFFu))

/* ------------------------------------------------------------------------------------------ descriptors */

static const char *kind_name(unsigned k) {
    switch (k) {
        case HSHM_KIND_NONE: return "NO_KIND";
        case HSHM_KIND_FREE: return "FREE";
        case HSHM_KIND_FREE_TAIL: return "FREE_TAIL";
        case HSHM_KIND_SMALL: return "SMALL";
        case HSHM_KIND_LARGE: return "LARGE";
        case HSHM_KIND_INTERIOR: return "INTERIOR";
        default: return "UNKNOWN";
    }
}

/** A descriptor field's offset (Descriptors.at): the page must be in the table. */
static uint64_t pd_at(const hshm_heap *h, uint64_t page, uint64_t field) {
    if (page >= h->geo.page_count) {
        fail(HSHM_ERR_CORRUPT, "heap of allocator (%u,%u): page descriptor index out of range: page=%llu, "
             "pages=%llu", MAJOR(h), MINOR(h), (unsigned long long) page, (unsigned long long) h->geo.page_count);
    }
    return h->geo.desc_table + (page << HSHM_PD_SHIFT) + field;
}

static uint64_t pd_get(const hshm_heap *h, uint64_t page, uint64_t field) {
    return ld(h, pd_at(h, page, field));
}

static void pd_set(const hshm_heap *h, uint64_t page, uint64_t field, uint64_t v) {
    st(h, pd_at(h, page, field), v);
}

static uint64_t page_offset(const hshm_heap *h, uint64_t page) {
    return h->geo.heap_offset + (page << HSHM_PAGE_SHIFT);
}

/** Descriptors.checkPage: a page index read from a list must be below the frontier. */
static uint64_t check_page(const hshm_heap *h, uint64_t page, uint64_t frontier, uint64_t head_at) {
    if (page >= frontier) {
        fail(HSHM_ERR_CORRUPT, "heap of allocator (%u,%u): page index out of range in the list at data offset "
             "%llu: page=%llu, frontier=%llu, pages=%llu", MAJOR(h), MINOR(h), (unsigned long long) head_at,
             (unsigned long long) page, (unsigned long long) frontier, (unsigned long long) h->geo.page_count);
    }
    return page;
}

/* PageList: doubly linked lists of pages through their descriptors' LINKS words. */
static void list_insert(const hshm_heap *h, uint64_t head_at, uint64_t page, uint64_t frontier) {
    uint64_t first = ld(h, head_at);
    if (first != HSHM_NO_PAGE) {
        check_page(h, first, frontier, head_at);
        pd_set(h, first, HSHM_PD_LINKS, HSHM_PACK(page, HSHM_HIGH(pd_get(h, first, HSHM_PD_LINKS))));
    }
    pd_set(h, page, HSHM_PD_LINKS, HSHM_PACK(HSHM_NO_PAGE, first));
    st(h, head_at, page);
}

static void list_remove(const hshm_heap *h, uint64_t head_at, uint64_t page, uint64_t frontier) {
    uint64_t l = pd_get(h, page, HSHM_PD_LINKS);
    uint64_t prev = HSHM_LOW(l);
    uint64_t next = HSHM_HIGH(l);
    if (prev == HSHM_NO_PAGE) {
        if (ld(h, head_at) == page) {
            st(h, head_at, next);
        }
    } else {
        check_page(h, prev, frontier, head_at);
        pd_set(h, prev, HSHM_PD_LINKS, HSHM_PACK(HSHM_LOW(pd_get(h, prev, HSHM_PD_LINKS)), next));
    }
    if (next != HSHM_NO_PAGE) {
        check_page(h, next, frontier, head_at);
        pd_set(h, next, HSHM_PD_LINKS, HSHM_PACK(prev, HSHM_HIGH(pd_get(h, next, HSHM_PD_LINKS))));
    }
    pd_set(h, page, HSHM_PD_LINKS, HSHM_PACK(HSHM_NO_PAGE, HSHM_NO_PAGE));
}

static uint64_t list_first(const hshm_heap *h, uint64_t head_at, uint64_t frontier) {
    uint64_t first = ld(h, head_at);
    return first == HSHM_NO_PAGE ? HSHM_NO_PAGE : check_page(h, first, frontier, head_at);
}

static uint64_t list_next(const hshm_heap *h, uint64_t head_at, uint64_t page, uint64_t frontier) {
    uint64_t next = HSHM_HIGH(pd_get(h, page, HSHM_PD_LINKS));
    return next == HSHM_NO_PAGE ? HSHM_NO_PAGE : check_page(h, next, frontier, head_at);
}

/* ------------------------------------------------------------------------------------------ robust locks */

static void held_push(uint64_t lock_at) {
    tl_op.held[tl_op.nheld] = lock_at;
    tl_op.held_stores[tl_op.nheld] = UINT64_MAX; /* set once OWNER_START is written */
    tl_op.nheld++;
}

static void held_started(void) {
    tl_op.held_stores[tl_op.nheld - 1] = tl_op.stores;
}

static void held_pop(uint64_t lock_at) {
    if (tl_op.nheld > 0 && tl_op.held[tl_op.nheld - 1] == lock_at) {
        tl_op.nheld--;
    }
}

static void sleep_us(uint64_t us) {
    struct timespec ts = {(time_t) (us / 1000000), (long) (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/**
 * RobustLock.lock: CAS FREE -> me, then OWNER_START. A waiter spins, yields, then sleeps with doubling pauses,
 * and checks about every millisecond whether the owner lives. A dead owner (or one that cannot be proven alive
 * for HSHM_LOCK_UNPROVEN_OWNER_NS, or HSHM_OWNER_ABANDONED) is taken over with one CAS, counted in RECOVERIES,
 * and `repair` (REPAIR_PAGES or the shard's index) rebuilds what the lock guards before the caller uses it.
 *
 * @return true if the lock was free at once
 */
static void repair_pages(const hshm_heap *h);
static void repair_shard(const hshm_heap *h, unsigned s);

#define REPAIR_PAGES (-1)

static bool lock_acquire(const hshm_heap *h, uint64_t at, const char *name, int repair) {
    if (tl_op.nheld == MAX_HELD) { /* the lock order allows a shard's lock and the page heap's, no more */
        fail(HSHM_ERR_CORRUPT, "internal: more than %d heap locks at once (lock '%s' at data offset %llu)", MAX_HELD,
             name, (unsigned long long) at);
    }
    uint64_t me = my_owner();
    if (cas(h, at + HSHM_LOCK_OWNER, HSHM_OWNER_FREE, me)) {
        held_push(at);
        st(h, at + HSHM_LOCK_OWNER_START, my_start_word());
        held_started();
        return true;
    }
    if (ld_volatile(h, at + HSHM_LOCK_OWNER) == me) {
        fail(HSHM_ERR_ARGUMENT, "lock '%s' of allocator (%u,%u) is already held by this thread (not reentrant)",
             name, MAJOR(h), MINOR(h));
    }
    uint64_t next_check = now_ns() + HSHM_LOCK_LIVENESS_CHECK_NS;
    uint64_t pause = 1;
    uint64_t unproven = HSHM_OWNER_FREE;
    uint64_t unproven_since = 0;
    for (unsigned round = 0;; round++) {
        uint64_t owner = ld_volatile(h, at + HSHM_LOCK_OWNER);
        if (owner == HSHM_OWNER_FREE) {
            if (cas(h, at + HSHM_LOCK_OWNER, HSHM_OWNER_FREE, me)) {
                held_push(at);
                st(h, at + HSHM_LOCK_OWNER_START, my_start_word());
                held_started();
                return false;
            }
            continue;
        }
        if (round < HSHM_LOCK_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            continue;
        }
        uint64_t now = now_ns();
        if (now >= next_check) {
            next_check = now + HSHM_LOCK_LIVENESS_CHECK_NS;
            uint64_t owner_start = ld(h, at + HSHM_LOCK_OWNER_START);
            bool dead = !owner_alive(owner, owner_start);
            if (!dead && start_ms_of(owner, owner_start) == 0 && my_start_word() != 0) {
                if (owner != unproven) {
                    unproven = owner;
                    unproven_since = now;
                } else if (now - unproven_since > HSHM_LOCK_UNPROVEN_OWNER_NS) {
                    dead = true;
                }
            } else {
                unproven = HSHM_OWNER_FREE;
            }
            if (dead && cas(h, at + HSHM_LOCK_OWNER, owner, me)) {
                /* RobustLock.takeOver: the dead owner may have stopped anywhere in its critical section; rebuild
                 * what the lock guards from the descriptors before using it (HeapWalk's repairs) */
                held_push(at);
                st(h, at + HSHM_LOCK_OWNER_START, my_start_word());
                held_started();
                __atomic_add_fetch(word_at(h, at + HSHM_LOCK_RECOVERIES), 1, __ATOMIC_SEQ_CST);
                atomic_signal_fence(memory_order_seq_cst);
                tl_recoveries++;
                if (repair == REPAIR_PAGES) {
                    repair_pages(h);
                } else {
                    repair_shard(h, (unsigned) repair);
                }
                held_started(); /* repaired: a later failure of this operation need not abandon the lock */
                return false;
            }
        }
        if (round < HSHM_LOCK_SPINS + HSHM_LOCK_YIELDS) {
            sched_yield();
        } else {
            sleep_us(pause);
            pause = pause * 2 > HSHM_LOCK_MAX_PAUSE_US ? HSHM_LOCK_MAX_PAUSE_US : pause * 2;
        }
    }
}

/** RobustLock.unlock: OWNER_START = 0, then the release store of FREE. */
static void lock_release(const hshm_heap *h, uint64_t at) {
    st(h, at + HSHM_LOCK_OWNER_START, 0);
    st_release(h, at + HSHM_LOCK_OWNER, HSHM_OWNER_FREE);
    held_pop(at);
}

/**
 * Releases what a failed operation still holds, innermost first. A lock whose critical section made no store is
 * released; one whose critical section stopped half-way (a corrupt list found after a change, or a dead owner of
 * the page heap's lock met while a shard's lock was held) is abandoned: its owner word becomes
 * HSHM_OWNER_ABANDONED, an owner of no process, so the next taker (a JVM or this client) takes it over and runs
 * the repair at once, as for a dead owner.
 * Not through word_at: these offsets were checked when the locks were taken.
 */
static void release_held(const hshm_heap *h) {
    while (tl_op.nheld > 0) {
        tl_op.nheld--;
        uint64_t at = tl_op.held[tl_op.nheld];
        bool changed = tl_op.held_stores[tl_op.nheld] != tl_op.stores;
        __atomic_store_n((uint64_t *) (h->data + at + HSHM_LOCK_OWNER_START), 0, __ATOMIC_RELAXED);
        atomic_signal_fence(memory_order_seq_cst);
        __atomic_store_n((uint64_t *) (h->data + at + HSHM_LOCK_OWNER), changed ? HSHM_OWNER_ABANDONED
                         : HSHM_OWNER_FREE, __ATOMIC_RELEASE);
        atomic_signal_fence(memory_order_seq_cst);
    }
}

/* An operation: errors longjmp back here, the held locks are released, and the code is returned. */
#define OP_BEGIN(heap)                            \
    do {                                          \
        tl_op.nheld = 0;                          \
        tl_op.code = HSHM_OK;                     \
        if (setjmp(tl_op.jb) != 0) {              \
            release_held(heap);                   \
            return tl_op.code;                    \
        }                                         \
    } while (0)

/* ------------------------------------------------------------------------------------------ page heap */

static uint64_t ph(const hshm_heap *h, uint64_t field) {
    return h->geo.page_heap + field;
}

static uint64_t run_list(const hshm_heap *h, unsigned li) {
    return ph(h, HSHM_PH_RUN_LISTS) + 8u * li;
}

static uint64_t frontier(const hshm_heap *h) {
    return ld(h, ph(h, HSHM_PH_FRONTIER));
}

static unsigned list_index(uint64_t pages) {
    return pages > HSHM_MAX_EXACT_RUN ? 0 : (unsigned) pages;
}

static void set_bit(const hshm_heap *h, unsigned li, bool on) {
    uint64_t at = ph(h, HSHM_PH_RUN_BITMAP) + 8u * (li >> 6);
    uint64_t v = ld(h, at);
    st(h, at, on ? v | (UINT64_C(1) << (li & 63)) : v & ~(UINT64_C(1) << (li & 63)));
}

static void insert_free(const hshm_heap *h, uint64_t head, uint64_t pages) {
    unsigned li = list_index(pages);
    list_insert(h, run_list(h, li), head, frontier(h));
    set_bit(h, li, true);
}

static void remove_free(const hshm_heap *h, uint64_t head, uint64_t pages) {
    unsigned li = list_index(pages);
    list_remove(h, run_list(h, li), head, frontier(h));
    if (ld(h, run_list(h, li)) == HSHM_NO_PAGE) {
        set_bit(h, li, false);
    }
}

/** PageHeap.nextListAtLeast: the first non-empty exact list at or above `from`, or -1. */
static int next_list_at_least(const hshm_heap *h, unsigned from) {
    for (unsigned li = from; li < HSHM_RUN_LISTS;) {
        uint64_t word = ld(h, ph(h, HSHM_PH_RUN_BITMAP) + 8u * (li >> 6)) >> (li & 63);
        if (word != 0) {
            unsigned found = li + (unsigned) __builtin_ctzll(word);
            if (found >= HSHM_RUN_LISTS) {
                return -1;
            }
            if (ld(h, run_list(h, found)) != HSHM_NO_PAGE) {
                return (int) found;
            }
            set_bit(h, found, false); /* a hint left set by a process that died between the two stores */
            li = found + 1;
            continue;
        }
        li = (li | 63) + 1;
    }
    return -1;
}

static uint64_t align_up_64(uint64_t v) {
    return (v + 63) & ~UINT64_C(63);
}

static uint64_t align_page(const hshm_heap *h, uint64_t p, uint64_t align) {
    if (align <= HSHM_PAGE) {
        return p;
    }
    uint64_t off = page_offset(h, p);
    return (((off + align - 1) & ~(align - 1)) - h->geo.heap_offset) >> HSHM_PAGE_SHIFT;
}

/** PageHeap.findRun. */
static uint64_t find_run(const hshm_heap *h, uint64_t n, uint64_t align) {
    uint64_t f = frontier(h);
    if (align <= HSHM_PAGE && n <= HSHM_MAX_EXACT_RUN) {
        int li = next_list_at_least(h, (unsigned) n);
        if (li > 0) {
            return list_first(h, run_list(h, (unsigned) li), f);
        }
    }
    int li = align > HSHM_PAGE && n <= HSHM_MAX_EXACT_RUN ? next_list_at_least(h, (unsigned) n) : 0;
    for (;;) {
        unsigned list = li > 0 ? (unsigned) li : 0;
        uint64_t best = HSHM_NO_PAGE;
        uint64_t best_len = UINT64_MAX;
        uint64_t walked = 0;
        for (uint64_t p = list_first(h, run_list(h, list), f); p != HSHM_NO_PAGE;
             p = list_next(h, run_list(h, list), p, f)) {
            uint64_t len = HSHM_INFO_PAGES(pd_get(h, p, HSHM_PD_INFO));
            if (align_page(h, p, align) + n <= p + len && len < best_len) {
                if (align > HSHM_PAGE) {
                    return p;
                }
                best = p;
                best_len = len;
            }
            if (++walked > f) {
                fail(HSHM_ERR_CORRUPT, "page heap: cycle in run list %u: allocator (%u,%u)", list, MAJOR(h),
                     MINOR(h));
            }
        }
        if (list == 0) {
            return best;
        }
        li = li < HSHM_MAX_EXACT_RUN ? next_list_at_least(h, (unsigned) li + 1) : 0;
    }
}

static void write_free_run_tail(const hshm_heap *h, uint64_t head, uint64_t len) {
    if (len >= 2) {
        uint64_t t = head + len - 1;
        pd_set(h, t, HSHM_PD_AUX, head);
        pd_set(h, t, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE_TAIL, 0, 0, 0));
    }
}

static void write_free_run(const hshm_heap *h, uint64_t head, uint64_t len) {
    write_free_run_tail(h, head, len);
    pd_set(h, head, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE, 0, 0, len));
}

/** PageHeap.writeHead: a run head, the INFO store last; a span's descriptor and interiors first. */
static void write_head(const hshm_heap *h, uint64_t s, uint64_t n, unsigned kind, unsigned cls, unsigned shard,
                       uint64_t aux) {
    if (kind == HSHM_KIND_SMALL) {
        pd_set(h, s, HSHM_PD_AUX, HSHM_NO_OFFSET);
        pd_set(h, s, HSHM_PD_COUNTS, 0);
        pd_set(h, s, HSHM_PD_LINKS, HSHM_PACK(HSHM_NO_PAGE, HSHM_NO_PAGE));
        for (uint64_t p = s + 1; p < s + n; p++) {
            pd_set(h, p, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_INTERIOR, 0, 0, 0));
            pd_set(h, p, HSHM_PD_AUX, s);
        }
    } else {
        pd_set(h, s, HSHM_PD_AUX, aux);
        pd_set(h, s, HSHM_PD_COUNTS, 0);
    }
    pd_set(h, s, HSHM_PD_INFO, HSHM_INFO(kind, cls, shard, n));
}

/** PageHeap.carveRun: free prefix [h, s), the run [s, s+n), free suffix; each commit after what it exposes. */
static void carve_run(const hshm_heap *h, uint64_t head, uint64_t len, uint64_t s, uint64_t n, unsigned kind,
                      unsigned cls, unsigned shard, uint64_t aux) {
    uint64_t end = head + len;
    uint64_t suffix = s + n;
    if (suffix < end) {
        write_free_run(h, suffix, end - suffix); /* hidden inside the run until the commit below */
    }
    write_head(h, s, n, kind, cls, shard, aux); /* commits when s == head */
    if (s > head) {
        write_free_run_tail(h, head, s - head);
        pd_set(h, head, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE, 0, 0, s - head)); /* commit: the prefix */
        insert_free(h, head, s - head);
    }
    if (suffix < end) {
        insert_free(h, suffix, end - suffix);
    }
}

static void demote(const hshm_heap *h, uint64_t page, uint64_t head, uint64_t end) {
    if (page != end - 1) {
        pd_set(h, page, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_INTERIOR, 0, 0, 0));
        pd_set(h, page, HSHM_PD_AUX, head);
    }
}

/** PageHeap.leftFreeNeighbour: the head of the free run that ends right before page p, or HSHM_NO_PAGE. */
static uint64_t left_free_neighbour(const hshm_heap *h, uint64_t p) {
    uint64_t q = p - 1;
    uint64_t qi = pd_get(h, q, HSHM_PD_INFO);
    unsigned kind = HSHM_INFO_KIND(qi);
    if (kind == HSHM_KIND_FREE && HSHM_INFO_PAGES(qi) == 1) {
        return q;
    }
    if (kind == HSHM_KIND_FREE_TAIL) {
        uint64_t a = pd_get(h, q, HSHM_PD_AUX);
        if (a < q) {
            uint64_t ai = pd_get(h, a, HSHM_PD_INFO);
            if (HSHM_INFO_KIND(ai) == HSHM_KIND_FREE && a + HSHM_INFO_PAGES(ai) == p) {
                return a;
            }
        }
    }
    return HSHM_NO_PAGE;
}

/** PageHeap.extendFrontier: moves the frontier so that a free run of at least `need` pages ends at it. */
static bool extend_frontier(const hshm_heap *h, uint64_t need) {
    uint64_t f = frontier(h);
    uint64_t top_head = HSHM_NO_PAGE;
    uint64_t top_free = 0;
    if (f > 0) {
        uint64_t left = left_free_neighbour(h, f);
        if (left != HSHM_NO_PAGE) {
            top_head = left;
            top_free = HSHM_INFO_PAGES(pd_get(h, left, HSHM_PD_INFO));
        }
    }
    uint64_t grow = need > top_free + 1 ? need - top_free : 1;
    if (f + grow > h->geo.page_count) {
        return false;
    }
    for (uint64_t p = f + 1; p < f + grow; p++) {
        pd_set(h, p, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_NONE, 0, 0, 0));
    }
    write_free_run(h, f, grow);
    st(h, ph(h, HSHM_PH_FRONTIER), f + grow); /* commit: [f, f+grow) is a free run */
    if (f + grow > ld(h, ph(h, HSHM_PH_FOOTPRINT))) {
        st(h, ph(h, HSHM_PH_FOOTPRINT), f + grow);
    }
    add(h, ph(h, HSHM_PH_FREE_PAGES), (int64_t) grow);
    if (top_head != HSHM_NO_PAGE) {
        remove_free(h, top_head, top_free);
        write_free_run_tail(h, top_head, top_free + grow);
        pd_set(h, top_head, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE, 0, 0, top_free + grow)); /* commit the merge */
        demote(h, f, top_head, top_head + top_free + grow);
        insert_free(h, top_head, top_free + grow);
    } else {
        insert_free(h, f, grow);
    }
    return true;
}

#define MAX_SEARCHES 4

/** PageHeap.allocRun (page heap lock held). */
static uint64_t alloc_run(const hshm_heap *h, uint64_t n, uint64_t align, unsigned kind, unsigned cls,
                          unsigned shard, uint64_t aux) {
    for (int search = 0; search < MAX_SEARCHES; search++) {
        uint64_t found = find_run(h, n, align);
        if (found != HSHM_NO_PAGE) {
            uint64_t len = HSHM_INFO_PAGES(pd_get(h, found, HSHM_PD_INFO));
            remove_free(h, found, len);
            uint64_t s = align_page(h, found, align);
            carve_run(h, found, len, s, n, kind, cls, shard, aux);
            add(h, ph(h, HSHM_PH_FREE_PAGES), -(int64_t) n);
            return s;
        }
        uint64_t slack = align > HSHM_PAGE ? (align >> HSHM_PAGE_SHIFT) - 1 : 0;
        if (!extend_frontier(h, n + slack)) {
            return HSHM_NO_PAGE;
        }
    }
    fail(HSHM_ERR_CORRUPT, "page heap: no run after extending the frontier: allocator (%u,%u), pages=%llu, "
         "align=%llu", MAJOR(h), MINOR(h), (unsigned long long) n, (unsigned long long) align);
}

/** PageHeap.releaseRun: the run [head, head+n) back to the free lists, merged with free neighbours. */
static void release_run(const hshm_heap *h, uint64_t head, uint64_t n) {
    uint64_t start = head;
    uint64_t len = n;
    uint64_t left = head > 0 ? left_free_neighbour(h, head) : HSHM_NO_PAGE;
    uint64_t right = HSHM_NO_PAGE;
    uint64_t right_len = 0;
    if (head + n < frontier(h)) {
        uint64_t ri = pd_get(h, head + n, HSHM_PD_INFO);
        if (HSHM_INFO_KIND(ri) == HSHM_KIND_FREE) {
            right = head + n;
            right_len = HSHM_INFO_PAGES(ri);
        }
    }
    if (left != HSHM_NO_PAGE) {
        uint64_t left_len = HSHM_INFO_PAGES(pd_get(h, left, HSHM_PD_INFO));
        remove_free(h, left, left_len);
        start = left;
        len += left_len;
    }
    if (right != HSHM_NO_PAGE) {
        remove_free(h, right, right_len);
        len += right_len;
    }
    write_free_run_tail(h, start, len);
    pd_set(h, start, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE, 0, 0, len)); /* commit */
    if (start != head) {
        demote(h, head, start, start + len);
    }
    if (right != HSHM_NO_PAGE) {
        demote(h, right, start, start + len);
    }
    insert_free(h, start, len);
    add(h, ph(h, HSHM_PH_FREE_PAGES), (int64_t) n);
}

static uint64_t page_lock(const hshm_heap *h) {
    return ph(h, HSHM_PH_LOCK);
}

static void lock_page_heap(const hshm_heap *h) {
    lock_acquire(h, page_lock(h), "page heap", REPAIR_PAGES);
}

/** PageHeap.allocateSpan. */
static uint64_t allocate_span(const hshm_heap *h, unsigned c, unsigned shard) {
    lock_page_heap(h);
    uint64_t s = alloc_run(h, hshm_class_span_pages[c], HSHM_PAGE, HSHM_KIND_SMALL, c, shard, HSHM_NO_OFFSET);
    lock_release(h, page_lock(h));
    return s;
}

/** PageHeap.releaseSpan. */
static void release_span_pages(const hshm_heap *h, uint64_t head, unsigned c) {
    lock_page_heap(h);
    release_run(h, head, hshm_class_span_pages[c]);
    lock_release(h, page_lock(h));
}

/** PageHeap.allocateLarge. */
static uint64_t allocate_large_run(const hshm_heap *h, uint64_t pages, uint64_t align, uint64_t size) {
    lock_page_heap(h);
    uint64_t s = alloc_run(h, pages, align, HSHM_KIND_LARGE, 0, 0, size);
    if (s != HSHM_NO_PAGE) {
        add(h, ph(h, HSHM_PH_LARGE_BYTES), (int64_t) (pages << HSHM_PAGE_SHIFT));
        add(h, ph(h, HSHM_PH_LARGE_COUNT), 1);
    }
    lock_release(h, page_lock(h));
    return s;
}

/** PageHeap.checkRunLength: a large run's length must stay below the frontier. */
static uint64_t large_pages(const hshm_heap *h, uint64_t head, uint64_t info) {
    uint64_t n = HSHM_INFO_PAGES(info);
    uint64_t f = frontier(h);
    if (n < 1 || head >= f || n > f - head) {
        fail(HSHM_ERR_CORRUPT, "large block's run length is out of range: allocator (%u,%u), page=%llu, pages=%llu, "
             "frontier=%llu", MAJOR(h), MINOR(h), (unsigned long long) head, (unsigned long long) n,
             (unsigned long long) f);
    }
    return n;
}

/** PageHeap.freeLarge: the head is checked again under the lock (a racing double free). */
static void free_large_run(const hshm_heap *h, uint64_t head) {
    lock_page_heap(h);
    uint64_t info = pd_get(h, head, HSHM_PD_INFO);
    if (HSHM_INFO_KIND(info) != HSHM_KIND_LARGE) {
        fail(HSHM_ERR_DOUBLE_FREE, "large block already free: allocator (%u,%u), offset=%llu", MAJOR(h), MINOR(h),
             (unsigned long long) page_offset(h, head));
    }
    uint64_t pages = large_pages(h, head, info);
    add(h, ph(h, HSHM_PH_LARGE_BYTES), -(int64_t) (pages << HSHM_PAGE_SHIFT));
    add(h, ph(h, HSHM_PH_LARGE_COUNT), -1);
    release_run(h, head, pages);
    lock_release(h, page_lock(h));
}

/* ------------------------------------------------------------------------------------------ shards */

#define MAX_FULL_SPANS_SKIPPED 8

static uint64_t shard_base(const hshm_heap *h, unsigned s) {
    return h->geo.shard_table + (uint64_t) s * HSHM_SHARD_BYTES;
}

static uint64_t class_entry(const hshm_heap *h, unsigned s, unsigned c) {
    return shard_base(h, s) + HSHM_SHARD_CLASSES + (uint64_t) c * HSHM_CE_BYTES;
}

/** Takes shard s's lock (repairing behind a dead owner); true if it was free at once. */
static bool lock_shard(const hshm_heap *h, unsigned s) {
    return lock_acquire(h, shard_base(h, s) + HSHM_SHARD_LOCK, "shard of the span table", (int) s);
}

/** Shard.checkSpan. */
static void check_span(const hshm_heap *h, uint64_t span, unsigned c, unsigned s) {
    uint64_t info = pd_get(h, span, HSHM_PD_INFO);
    if (HSHM_INFO_KIND(info) != HSHM_KIND_SMALL || HSHM_INFO_CLASS(info) != c || HSHM_INFO_SHARD(info) != s) {
        fail(HSHM_ERR_CORRUPT, "class list entry is not a span of its class and shard: allocator (%u,%u), span "
             "list of class %u in shard %u, page=%llu, kind=%s, class=%u, shard=%u, pages=%llu", MAJOR(h), MINOR(h),
             hshm_class_size[c], s, (unsigned long long) span, kind_name(HSHM_INFO_KIND(info)),
             HSHM_INFO_CLASS(info), HSHM_INFO_SHARD(info), (unsigned long long) HSHM_INFO_PAGES(info));
    }
}

/** The index of the block `rel` bytes into a span of class c, or -1 (SizeClasses.blockIndex, by division). */
static int64_t block_index(unsigned c, uint64_t rel) {
    return rel % hshm_class_size[c] == 0 ? (int64_t) (rel / hshm_class_size[c]) : -1;
}

static bool is_free(const hshm_heap *h, uint64_t off) {
    return ld(h, off + HSHM_FB_TAG) == (h->salt ^ off);
}

/** Shard.checkSpanBlock: a block taken off a span's free list is a carved block of the span with its tag. */
static void check_span_block(const hshm_heap *h, uint64_t blk, uint64_t span, unsigned c, uint64_t carved) {
    uint64_t start = page_offset(h, span);
    uint64_t rel = blk - start;
    int64_t idx = blk >= start && rel < ((uint64_t) hshm_class_span_pages[c] << HSHM_PAGE_SHIFT)
        ? block_index(c, rel) : -1;
    if (idx < 0 || (uint64_t) idx >= carved) {
        fail(HSHM_ERR_CORRUPT, "span free list corrupt: allocator (%u,%u), class size=%u, entry=%llu is not a "
             "carved block of the span at offset %llu", MAJOR(h), MINOR(h), hshm_class_size[c],
             (unsigned long long) blk, (unsigned long long) start);
    }
    if (!is_free(h, blk)) {
        fail(HSHM_ERR_CORRUPT, "free block overwritten after it was freed: allocator (%u,%u), free list of the "
             "span at offset %llu: offset=%llu (a use after free wrote to its first 16 bytes)", MAJOR(h), MINOR(h),
             (unsigned long long) start, (unsigned long long) blk);
    }
}

/** Shard.newSpan (shard lock held; takes the page heap's lock inside it, the lock order). */
static uint64_t trim_empty_spans(const hshm_heap *h, unsigned s);

static uint64_t new_span(const hshm_heap *h, unsigned s, unsigned c) {
    uint64_t span = allocate_span(h, c, s);
    if (span == HSHM_NO_PAGE && trim_empty_spans(h, s) > 0) {
        span = allocate_span(h, c, s);
    }
    if (span != HSHM_NO_PAGE) {
        list_insert(h, class_entry(h, s, c) + HSHM_CE_SPAN_HEAD, span, h->geo.page_count);
        add(h, class_entry(h, s, c) + HSHM_CE_SPANS, 1);
    }
    return span;
}

/** Shard.popBlock (shard lock held): one block of class c; its words are left as they are. */
static uint64_t pop_block(const hshm_heap *h, unsigned s, unsigned c) {
    uint64_t e = class_entry(h, s, c);
    uint64_t blocks = hshm_class_blocks[c];
    for (int skipped = 0; skipped < MAX_FULL_SPANS_SKIPPED; skipped++) {
        uint64_t span = list_first(h, e + HSHM_CE_SPAN_HEAD, h->geo.page_count);
        if (span == HSHM_NO_PAGE) {
            span = new_span(h, s, c);
            if (span == HSHM_NO_PAGE) {
                return HSHM_NO_OFFSET;
            }
        }
        check_span(h, span, c, s);
        uint64_t counts = pd_get(h, span, HSHM_PD_COUNTS);
        uint64_t free = HSHM_LOW(counts);
        uint64_t carved = HSHM_HIGH(counts);
        uint64_t fh = pd_get(h, span, HSHM_PD_AUX);
        uint64_t blk;
        uint64_t head;
        if (fh != HSHM_NO_OFFSET) {
            check_span_block(h, fh, span, c, carved);
            head = ld(h, fh + HSHM_FB_NEXT);
            pd_set(h, span, HSHM_PD_AUX, head); /* commit the pop */
            blk = fh;
            free = free > 0 ? free - 1 : 0;
            add(h, e + HSHM_CE_FREE, -1);
        } else if (carved < blocks) {
            head = HSHM_NO_OFFSET;
            blk = page_offset(h, span) + carved * (uint64_t) hshm_class_size[c];
            carved++; /* committed by the counts store below */
        } else {
            list_remove(h, e + HSHM_CE_SPAN_HEAD, span, h->geo.page_count); /* a full span left by a crash */
            continue;
        }
        pd_set(h, span, HSHM_PD_COUNTS, HSHM_PACK(free, carved));
        if (head == HSHM_NO_OFFSET && carved >= blocks) {
            list_remove(h, e + HSHM_CE_SPAN_HEAD, span, h->geo.page_count);
        }
        add(h, e + HSHM_CE_LIVE, 1);
        return blk;
    }
    fail(HSHM_ERR_CORRUPT, "class list keeps yielding full spans: allocator (%u,%u), span list of class %u in "
         "shard %u", MAJOR(h), MINOR(h), hshm_class_size[c], s);
}

/** Shard.releaseSpan. */
static void release_span(const hshm_heap *h, unsigned s, uint64_t span, unsigned c, uint64_t free) {
    uint64_t e = class_entry(h, s, c);
    list_remove(h, e + HSHM_CE_SPAN_HEAD, span, h->geo.page_count);
    add(h, e + HSHM_CE_SPANS, -1);
    add(h, e + HSHM_CE_FREE, -(int64_t) free);
    release_span_pages(h, span, c); /* commit (in the page heap): the span's pages are a free run */
}

/** Shard.pushBlock (shard lock held): a vetted block back on its span's free list. */
static void push_block(const hshm_heap *h, unsigned s, uint64_t off, uint64_t span, unsigned c) {
    uint64_t e = class_entry(h, s, c);
    uint64_t counts = pd_get(h, span, HSHM_PD_COUNTS);
    uint64_t free = HSHM_LOW(counts);
    uint64_t carved = HSHM_HIGH(counts);
    uint64_t fh = pd_get(h, span, HSHM_PD_AUX);
    bool was_full = fh == HSHM_NO_OFFSET && carved >= hshm_class_blocks[c];
    st(h, off + HSHM_FB_NEXT, fh);
    st(h, off + HSHM_FB_TAG, h->salt ^ off);
    pd_set(h, span, HSHM_PD_AUX, off); /* commit the push */
    free++;
    pd_set(h, span, HSHM_PD_COUNTS, HSHM_PACK(free, carved));
    add(h, e + HSHM_CE_LIVE, -1);
    add(h, e + HSHM_CE_FREE, 1);
    if (was_full) {
        list_insert(h, e + HSHM_CE_SPAN_HEAD, span, h->geo.page_count);
    }
    if (free >= carved) {
        uint64_t first = ld(h, e + HSHM_CE_SPAN_HEAD);
        bool only_span = first == span && HSHM_HIGH(pd_get(h, span, HSHM_PD_LINKS)) == HSHM_NO_PAGE;
        if (!only_span) {
            release_span(h, s, span, c, free);
        }
    }
}

/** Shard.trimEmptySpans (shard lock held): the empty spans it keeps go back to the page heap. */
static uint64_t trim_empty_spans(const hshm_heap *h, unsigned s) {
    uint64_t released = 0;
    for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
        uint64_t walked = 0;
        uint64_t f = frontier(h);
        uint64_t head_at = class_entry(h, s, c) + HSHM_CE_SPAN_HEAD;
        for (uint64_t span = list_first(h, head_at, f); span != HSHM_NO_PAGE;) {
            check_span(h, span, c, s);
            uint64_t next = list_next(h, head_at, span, f);
            uint64_t counts = pd_get(h, span, HSHM_PD_COUNTS);
            uint64_t free = HSHM_LOW(counts);
            if (free >= HSHM_HIGH(counts)) {
                release_span(h, s, span, c, free);
                released += hshm_class_span_pages[c];
            }
            span = next;
            if (++walked > f) {
                fail(HSHM_ERR_CORRUPT, "cycle in the span list of class %u in shard %u: allocator (%u,%u)",
                     hshm_class_size[c], s, MAJOR(h), MINOR(h));
            }
        }
    }
    return released;
}

/** SpanTable.trimAll: every shard gives back its empty spans (no lock held on entry). */
static uint64_t trim_all(const hshm_heap *h) {
    uint64_t released = 0;
    for (unsigned s = 0; s < h->geo.shard_count; s++) {
        uint64_t at = shard_base(h, s) + HSHM_SHARD_LOCK;
        lock_shard(h, s);
        released += trim_empty_spans(h, s);
        lock_release(h, at);
    }
    return released;
}

/* ------------------------------------------------------------------------------------------ repair */

/*
 * HeapWalk's two repairs, run by the thread that took a lock over from a dead owner (or from an operation that
 * abandoned it), while it holds that lock: the page descriptors are the ground truth, and everything derived
 * from them (run lists, bitmap, counters; a shard's class lists, span counts and counters) is rebuilt. Both are
 * idempotent: a death during a repair leaves the lock to the next taker, which repairs again.
 */

enum { WALK_PAGES, WALK_SHARD };

/** HeapWalk.staleHeads: no head kind inside a free or large run (demoted). */
static void stale_heads(const hshm_heap *h, uint64_t p, uint64_t n, unsigned kind) {
    uint64_t last = kind == HSHM_KIND_FREE && n >= 2 ? p + n - 1 : p + n;
    for (uint64_t q = p + 1; q < last; q++) {
        unsigned k = HSHM_INFO_KIND(pd_get(h, q, HSHM_PD_INFO));
        if (k == HSHM_KIND_FREE || k == HSHM_KIND_SMALL || k == HSHM_KIND_LARGE) {
            pd_set(h, q, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_INTERIOR, 0, 0, 0));
            pd_set(h, q, HSHM_PD_AUX, p);
        }
    }
}

/** HeapWalk.spanInteriors: a span's pages after its head are INTERIOR and name it. */
static void span_interiors(const hshm_heap *h, uint64_t p, uint64_t n) {
    for (uint64_t q = p + 1; q < p + n; q++) {
        if (HSHM_INFO_KIND(pd_get(h, q, HSHM_PD_INFO)) != HSHM_KIND_INTERIOR || pd_get(h, q, HSHM_PD_AUX) != p) {
            pd_set(h, q, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_INTERIOR, 0, 0, 0));
            pd_set(h, q, HSHM_PD_AUX, p);
        }
    }
}

/** HeapWalk.spanFreeList (repairing): counts a span's free list, cut at its first bad block. */
static uint64_t span_free_list(const hshm_heap *h, uint64_t span, unsigned c, uint64_t carved) {
    uint64_t n = 0;
    uint64_t prev = HSHM_NO_OFFSET;
    uint64_t start = page_offset(h, span);
    uint64_t bytes = (uint64_t) hshm_class_span_pages[c] << HSHM_PAGE_SHIFT;
    for (uint64_t b = pd_get(h, span, HSHM_PD_AUX); b != HSHM_NO_OFFSET;) {
        uint64_t rel = b - start;
        int64_t idx = b >= start && rel < bytes ? block_index(c, rel) : -1;
        if (idx < 0 || (uint64_t) idx >= carved || n >= carved || !is_free(h, b)) {
            if (prev == HSHM_NO_OFFSET) {
                pd_set(h, span, HSHM_PD_AUX, HSHM_NO_OFFSET);
            } else {
                st(h, prev + HSHM_FB_NEXT, HSHM_NO_OFFSET); /* the blocks after it are leaked, never handed out */
            }
            break;
        }
        n++;
        prev = b;
        b = ld(h, b + HSHM_FB_NEXT);
    }
    return n;
}

static bool on_cache_list(const hshm_heap *h, uint64_t list_at, unsigned c, uint64_t b) {
    uint64_t x = ld(h, list_at);
    for (uint64_t n = 0; n <= 2u * hshm_class_batch[c] + 1 && x != HSHM_NO_OFFSET; n++) {
        if (x == b) {
            return true;
        }
        if (x < h->geo.heap_offset || x > h->heap_end - HSHM_FB_BYTES || !is_free(h, x)) {
            return false;
        }
        x = ld(h, x + HSHM_FB_NEXT);
    }
    return false;
}

static bool on_span_list(const hshm_heap *h, uint64_t span, uint64_t carved, uint64_t b) {
    uint64_t x = pd_get(h, span, HSHM_PD_AUX);
    for (uint64_t n = 0; n <= carved && x != HSHM_NO_OFFSET; n++) {
        if (x == b) {
            return true;
        }
        if (x < h->geo.heap_offset || x > h->heap_end - HSHM_FB_BYTES) {
            return false;
        }
        x = ld(h, x + HSHM_FB_NEXT);
    }
    return false;
}

/** HeapWalk.resolveTransits: a block a dead batch mover of shard s left on neither list goes back to its span. */
static void resolve_transits(const hshm_heap *h, unsigned s) {
    uint64_t f = frontier(h);
    uint64_t records = h->geo.slot_table + align_up_64((uint64_t) h->geo.slot_count * HSHM_SLOT_LEASE_BYTES);
    for (uint32_t slot = 0; slot < h->geo.slot_count; slot++) {
        uint64_t rec = records + (uint64_t) slot * HSHM_SLOT_RECORD_BYTES;
        uint64_t b = ld(h, rec + HSHM_SLOT_TRANSIT);
        if (b == 0) {
            continue;
        }
        if (b < h->geo.heap_offset || b > h->heap_end - HSHM_FB_BYTES
            || ((b - h->geo.heap_offset) >> HSHM_PAGE_SHIFT) >= f) {
            continue; /* not a block */
        }
        uint64_t page = (b - h->geo.heap_offset) >> HSHM_PAGE_SHIFT;
        uint64_t head = page;
        if (HSHM_INFO_KIND(pd_get(h, page, HSHM_PD_INFO)) == HSHM_KIND_INTERIOR) {
            head = pd_get(h, page, HSHM_PD_AUX);
            if (head > page || page - head >= HSHM_MAX_SPAN_PAGES) {
                continue;
            }
        }
        uint64_t info = pd_get(h, head, HSHM_PD_INFO);
        unsigned c = HSHM_INFO_CLASS(info);
        if (HSHM_INFO_KIND(info) != HSHM_KIND_SMALL || HSHM_INFO_SHARD(info) != s || c >= HSHM_CLASS_COUNT
            || page >= head + HSHM_INFO_PAGES(info)) {
            continue; /* another shard's */
        }
        int64_t idx = block_index(c, b - page_offset(h, head));
        uint64_t carved = HSHM_HIGH(pd_get(h, head, HSHM_PD_COUNTS));
        if (idx >= 0 && (uint64_t) idx < carved && !on_cache_list(h, rec + HSHM_SLOT_HEADS + 8u * c, c, b)
            && !on_span_list(h, head, carved, b)) {
            st(h, b + HSHM_FB_NEXT, pd_get(h, head, HSHM_PD_AUX));
            st(h, b + HSHM_FB_TAG, h->salt ^ b);
            pd_set(h, head, HSHM_PD_AUX, b); /* commit: b is on its span again */
        }
        st(h, rec + HSHM_SLOT_TRANSIT, 0);
    }
}

/** HeapWalk.walk in its two repair modes (the page heap's lock is held in both). */
static void walk_repair(const hshm_heap *h, int mode, unsigned only) {
    uint64_t f = frontier(h);
    if (f > h->geo.page_count) {
        fail(HSHM_ERR_CORRUPT, "heap frontier out of range: allocator (%u,%u), frontier=%llu, pages=%llu", MAJOR(h),
             MINOR(h), (unsigned long long) f, (unsigned long long) h->geo.page_count);
    }
    uint64_t live[HSHM_CLASS_COUNT] = {0}, spans[HSHM_CLASS_COUNT] = {0}, freeb[HSHM_CLASS_COUNT] = {0};
    if (mode == WALK_PAGES) {
        for (unsigned i = 0; i < HSHM_RUN_LISTS; i++) {
            st(h, run_list(h, i), HSHM_NO_PAGE);
        }
        for (unsigned i = 0; i < HSHM_RUN_BITMAP_WORDS; i++) {
            st(h, ph(h, HSHM_PH_RUN_BITMAP) + 8u * i, 0);
        }
    } else {
        for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
            st(h, class_entry(h, only, c) + HSHM_CE_SPAN_HEAD, HSHM_NO_PAGE);
        }
    }
    uint64_t free_pages = 0, large_bytes = 0, large_count = 0;
    uint64_t prev_free = HSHM_NO_PAGE;
    for (uint64_t p = 0; p < f;) {
        uint64_t info = pd_get(h, p, HSHM_PD_INFO);
        unsigned kind = HSHM_INFO_KIND(info);
        uint64_t n = HSHM_INFO_PAGES(info);
        if ((kind != HSHM_KIND_FREE && kind != HSHM_KIND_SMALL && kind != HSHM_KIND_LARGE) || n < 1 || n > f - p) {
            fail(HSHM_ERR_CORRUPT, "page heap walk: not a valid run head: allocator (%u,%u), page=%llu, kind=%s, "
                 "pages=%llu, frontier=%llu", MAJOR(h), MINOR(h), (unsigned long long) p, kind_name(kind),
                 (unsigned long long) n, (unsigned long long) f);
        }
        if (kind != HSHM_KIND_SMALL && mode == WALK_PAGES) {
            stale_heads(h, p, n, kind);
        }
        if (kind == HSHM_KIND_FREE) {
            free_pages += n;
            if (prev_free != HSHM_NO_PAGE && mode == WALK_PAGES) {
                uint64_t merged = p + n - prev_free; /* PageHeap.mergeAdjacent */
                write_free_run_tail(h, prev_free, merged);
                pd_set(h, prev_free, HSHM_PD_INFO, HSHM_INFO(HSHM_KIND_FREE, 0, 0, merged)); /* commit the merge */
                demote(h, p, prev_free, prev_free + merged);
            } else {
                prev_free = p;
                if (mode == WALK_PAGES) {
                    write_free_run_tail(h, p, n);
                }
            }
        } else if (kind == HSHM_KIND_LARGE) {
            prev_free = HSHM_NO_PAGE;
            large_bytes += n << HSHM_PAGE_SHIFT;
            large_count++;
        } else {
            prev_free = HSHM_NO_PAGE;
            unsigned c = HSHM_INFO_CLASS(info);
            unsigned sh = HSHM_INFO_SHARD(info);
            if (c >= HSHM_CLASS_COUNT || n != hshm_class_span_pages[c] || sh >= h->geo.shard_count) {
                fail(HSHM_ERR_CORRUPT, "span with a bad class or shard: allocator (%u,%u), page=%llu, class=%u, "
                     "shard=%u, pages=%llu, shards=%u", MAJOR(h), MINOR(h), (unsigned long long) p, c, sh,
                     (unsigned long long) n, h->geo.shard_count);
            }
            span_interiors(h, p, n);
            if (mode == WALK_SHARD && sh == only) {
                uint64_t carved = HSHM_HIGH(pd_get(h, p, HSHM_PD_COUNTS));
                if (carved > hshm_class_blocks[c]) {
                    fail(HSHM_ERR_CORRUPT, "span carved past its end: allocator (%u,%u), page=%llu, carved=%llu, "
                         "blocks=%u", MAJOR(h), MINOR(h), (unsigned long long) p, (unsigned long long) carved,
                         hshm_class_blocks[c]);
                }
                uint64_t nf = span_free_list(h, p, c, carved);
                spans[c]++;
                freeb[c] += nf;
                live[c] += carved - nf;
                pd_set(h, p, HSHM_PD_COUNTS, HSHM_PACK(nf, carved));
                if (nf > 0 || carved < hshm_class_blocks[c]) {
                    list_insert(h, class_entry(h, only, c) + HSHM_CE_SPAN_HEAD, p, h->geo.page_count);
                } else {
                    pd_set(h, p, HSHM_PD_LINKS, HSHM_PACK(HSHM_NO_PAGE, HSHM_NO_PAGE));
                }
            }
        }
        p += n;
    }
    if (mode == WALK_PAGES) {
        /* the free runs go on their lists once the walk has merged them */
        for (uint64_t p = 0; p < f;) {
            uint64_t info = pd_get(h, p, HSHM_PD_INFO);
            uint64_t n = HSHM_INFO_PAGES(info);
            if (HSHM_INFO_KIND(info) == HSHM_KIND_FREE) {
                insert_free(h, p, n);
            }
            p += n;
        }
        st(h, ph(h, HSHM_PH_FREE_PAGES), free_pages);
        st(h, ph(h, HSHM_PH_LARGE_BYTES), large_bytes);
        st(h, ph(h, HSHM_PH_LARGE_COUNT), large_count);
        if (ld(h, ph(h, HSHM_PH_FOOTPRINT)) < f) {
            st(h, ph(h, HSHM_PH_FOOTPRINT), f);
        }
    } else {
        for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
            uint64_t e = class_entry(h, only, c);
            st(h, e + HSHM_CE_LIVE, live[c]);
            st(h, e + HSHM_CE_SPANS, spans[c]);
            st(h, e + HSHM_CE_FREE, freeb[c]);
        }
    }
}

/** HeapWalk.repairPages (page heap lock held). */
static void repair_pages(const hshm_heap *h) {
    walk_repair(h, WALK_PAGES, 0);
}

/** HeapWalk.repairShard (shard lock held): takes the page heap's lock too, the lock order. */
static void repair_shard(const hshm_heap *h, unsigned s) {
    lock_page_heap(h);
    resolve_transits(h, s);
    walk_repair(h, WALK_SHARD, s);
    lock_release(h, page_lock(h));
}

/* ------------------------------------------------------------------------------------------ locate */

#define LARGE_CLASS 0xFFu

/** Heap.locate: what the block at `off` is, as head << 8 | class (LARGE_CLASS for a large block); no lock. */
static uint64_t locate(const hshm_heap *h, uint64_t off) {
    unsigned a = MAJOR(h), b = MINOR(h);
    unsigned long long o = (unsigned long long) off;
    if (off < h->geo.heap_offset || off >= h->heap_end) {
        fail(HSHM_ERR_INVALID_POINTER, "offset outside allocator (%u,%u)'s heap: offset=%llu, heap=[%llu,%llu)", a,
             b, o, (unsigned long long) h->geo.heap_offset, (unsigned long long) h->heap_end);
    }
    uint64_t rel = off - h->geo.heap_offset;
    uint64_t page = rel >> HSHM_PAGE_SHIFT;
    if (page >= frontier(h)) {
        fail(HSHM_ERR_INVALID_POINTER, "offset was never allocated (beyond the heap frontier): allocator (%u,%u), "
             "offset=%llu", a, b, o);
    }
    uint64_t info = pd_get(h, page, HSHM_PD_INFO);
    unsigned kind = HSHM_INFO_KIND(info);
    uint64_t head = page;
    if (kind == HSHM_KIND_INTERIOR) {
        head = pd_get(h, page, HSHM_PD_AUX);
        if (head > page || head + (HSHM_MAX_SPAN_PAGES - 1) < page) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is inside a run", a,
                 b, o);
        }
        info = pd_get(h, head, HSHM_PD_INFO);
        kind = HSHM_INFO_KIND(info);
        if (kind == HSHM_KIND_FREE) {
            fail(HSHM_ERR_DOUBLE_FREE, "double free: allocator (%u,%u), offset=%llu is in a free run (its span was "
                 "given back to the page heap after all its blocks were freed)", a, b, o);
        }
        if (kind != HSHM_KIND_SMALL) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is inside a %s run",
                 a, b, o, kind_name(kind));
        }
    }
    if (kind == HSHM_KIND_SMALL) {
        unsigned c = HSHM_INFO_CLASS(info);
        if (c >= HSHM_CLASS_COUNT || page >= head + HSHM_INFO_PAGES(info)) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is in a stale span",
                 a, b, o);
        }
        uint64_t in_span = off - page_offset(h, head);
        int64_t idx = block_index(c, in_span);
        if (idx < 0) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is not the start of "
                 "a %u-byte block (it is %llu bytes into one)", a, b, o, hshm_class_size[c],
                 (unsigned long long) (in_span % hshm_class_size[c]));
        }
        if ((uint64_t) idx >= HSHM_HIGH(pd_get(h, head, HSHM_PD_COUNTS))) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is a block that was "
                 "never allocated", a, b, o);
        }
        return (head << 8) | c;
    }
    if (kind == HSHM_KIND_LARGE) {
        if ((rel & (HSHM_PAGE - 1)) != 0) {
            fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is %llu bytes into a "
                 "large block", a, b, o, (unsigned long long) (rel & (HSHM_PAGE - 1)));
        }
        return (head << 8) | LARGE_CLASS;
    }
    if (kind == HSHM_KIND_FREE && (rel & (HSHM_PAGE - 1)) == 0) {
        fail(HSHM_ERR_DOUBLE_FREE, "large block already free: allocator (%u,%u), offset=%llu", a, b, o);
    }
    if (kind == HSHM_KIND_FREE || kind == HSHM_KIND_FREE_TAIL) {
        fail(HSHM_ERR_DOUBLE_FREE, "double free: allocator (%u,%u), offset=%llu is in a free run", a, b, o);
    }
    fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu is in a %s page", a, b, o,
         kind_name(kind));
}

static uint64_t locate_live(const hshm_heap *h, uint64_t off) {
    uint64_t loc = locate(h, off);
    if ((loc & 0xFF) != LARGE_CLASS && is_free(h, off)) {
        fail(HSHM_ERR_INVALID_POINTER, "not a live block (it is free): allocator (%u,%u), offset=%llu", MAJOR(h),
             MINOR(h), (unsigned long long) off);
    }
    return loc;
}

static uint64_t usable(const hshm_heap *h, uint64_t loc) {
    unsigned c = (unsigned) (loc & 0xFF);
    return c == LARGE_CLASS ? large_pages(h, loc >> 8, pd_get(h, loc >> 8, HSHM_PD_INFO)) << HSHM_PAGE_SHIFT
                            : hshm_class_size[c];
}

/* ------------------------------------------------------------------------------------------ operations */

/** SizeClasses.classOf: the class of a request, or -1 above HSHM_MAX_SMALL. */
static int class_of(uint64_t size) {
    if (size <= 128) {
        return size <= 16 ? 0 : (int) ((size + 15) >> 4) - 1;
    }
    if (size > HSHM_MAX_SMALL) {
        return -1;
    }
    uint64_t s = size - 1;
    int e = 63 - __builtin_clzll(s);
    return 8 + ((e - 7) << 2) + (int) ((s >> (e - 2)) & 3);
}

static uint32_t class_align(unsigned c) {
    uint32_t s = hshm_class_size[c];
    uint32_t low = s & -s;
    return low < HSHM_PAGE ? low : HSHM_PAGE;
}

/** SizeClasses.classOf(size, alignment). */
static int class_of_aligned(uint64_t size, uint64_t alignment) {
    int c = class_of(size);
    if (c < 0 || alignment > HSHM_PAGE) {
        return -1;
    }
    while (c < HSHM_CLASS_COUNT && class_align((unsigned) c) < alignment) {
        c++;
    }
    return c < HSHM_CLASS_COUNT ? c : -1;
}

/** HeapStats.approximateBytesInUse: live blocks and large bytes read without locks (a recent value). */
static uint64_t approximate_bytes_in_use(const hshm_heap *h) {
    uint64_t sum = ld(h, ph(h, HSHM_PH_LARGE_BYTES));
    for (unsigned s = 0; s < h->geo.shard_count; s++) {
        for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
            sum += ld(h, class_entry(h, s, c) + HSHM_CE_LIVE) * hshm_class_size[c];
        }
    }
    return sum;
}

/** HeapStats.outOfMemory: the same message as the Java side's. */
static _Noreturn void out_of_memory(const hshm_heap *h, uint64_t size, uint64_t align) {
    char aligned[48] = "";
    char large[64] = "";
    if (align > 16) {
        snprintf(aligned, sizeof aligned, ", alignment=%llu", (unsigned long long) align);
    }
    if (size > HSHM_MAX_SMALL) {
        snprintf(large, sizeof large, ", largest request needs %llu contiguous pages",
                 (unsigned long long) ((size >> HSHM_PAGE_SHIFT) + ((size & (HSHM_PAGE - 1)) != 0)));
    }
    fail(HSHM_ERR_OUT_OF_MEMORY, "out of memory in allocator (%u,%u): requested=%llu%s, capacity=%llu, "
         "bytesInUse~%llu, freePages=%llu, neverUsedPages=%llu%s", MAJOR(h), MINOR(h), (unsigned long long) size,
         aligned, (unsigned long long) (h->geo.page_count << HSHM_PAGE_SHIFT),
         (unsigned long long) approximate_bytes_in_use(h), (unsigned long long) ld(h, ph(h, HSHM_PH_FREE_PAGES)),
         (unsigned long long) (h->geo.page_count - frontier(h)), large);
}

static _Thread_local int home_shard = -1;

/** SpanTable.home: a hash of the owner word at first; moved on whenever the lock had to be waited for. */
static unsigned home(const hshm_heap *h) {
    unsigned n = h->geo.shard_count;
    if (home_shard < 0 || (unsigned) home_shard >= n) {
        uint64_t x = my_owner() * UINT64_C(0x9E3779B97F4A7C15);
        int32_t hash = (int32_t) (uint32_t) (x ^ (x >> 32));
        int m = hash % (int) n;
        home_shard = m < 0 ? m + (int) n : m;
    }
    return (unsigned) home_shard;
}

/** SpanTable.allocate + FreeBlock.clearTag. */
static uint64_t allocate_small(const hshm_heap *h, unsigned c, uint64_t size, uint64_t align) {
    for (int round = 0; round < 2; round++) {
        unsigned s = home(h);
        uint64_t at = shard_base(h, s) + HSHM_SHARD_LOCK;
        if (!lock_shard(h, s)) {
            home_shard = (int) ((s + 1) % h->geo.shard_count);
        }
        uint64_t blk = pop_block(h, s, c);
        lock_release(h, at);
        if (blk != HSHM_NO_OFFSET) {
            st(h, blk + HSHM_FB_TAG, HSHM_LIVE_TAG);
            return blk;
        }
        if (trim_all(h) == 0) {
            break;
        }
    }
    out_of_memory(h, size, align);
}

/** Heap.allocateLarge. */
static uint64_t allocate_large(const hshm_heap *h, uint64_t size, uint64_t align) {
    uint64_t n = size == 0 ? 1 : (size + HSHM_PAGE - 1) >> HSHM_PAGE_SHIFT;
    if (size > UINT64_MAX - HSHM_PAGE || n > h->geo.page_count) {
        out_of_memory(h, size, align);
    }
    uint64_t a = align > HSHM_PAGE ? align : HSHM_PAGE;
    uint64_t head = allocate_large_run(h, n, a, size);
    if (head == HSHM_NO_PAGE && trim_all(h) > 0) {
        head = allocate_large_run(h, n, a, size);
    }
    if (head == HSHM_NO_PAGE) {
        out_of_memory(h, size, align);
    }
    return page_offset(h, head);
}

/** SpanTable.free: re-checked under the shard's lock, so a racing double free is caught too. */
static void free_small(const hshm_heap *h, uint64_t off, uint64_t loc) {
    unsigned c = (unsigned) (loc & 0xFF);
    uint64_t head = loc >> 8;
    uint64_t info = pd_get(h, head, HSHM_PD_INFO);
    unsigned s = HSHM_INFO_SHARD(info);
    if (s >= h->geo.shard_count) {
        fail(HSHM_ERR_CORRUPT, "span names a shard that does not exist: allocator (%u,%u), page=%llu, shard=%u, "
             "shards=%u", MAJOR(h), MINOR(h), (unsigned long long) head, s, h->geo.shard_count);
    }
    uint64_t at = shard_base(h, s) + HSHM_SHARD_LOCK;
    lock_shard(h, s);
    int64_t idx = block_index(c, off - page_offset(h, head));
    if (pd_get(h, head, HSHM_PD_INFO) != info || idx < 0
        || (uint64_t) idx >= HSHM_HIGH(pd_get(h, head, HSHM_PD_COUNTS))) {
        fail(HSHM_ERR_INVALID_POINTER, "not a live block of allocator (%u,%u): offset=%llu (its span changed while "
             "it was being freed)", MAJOR(h), MINOR(h), (unsigned long long) off);
    }
    if (is_free(h, off)) {
        fail(HSHM_ERR_DOUBLE_FREE, "double free: allocator (%u,%u), offset=%llu, size=%u is already free", MAJOR(h),
             MINOR(h), (unsigned long long) off, hshm_class_size[c]);
    }
    push_block(h, s, off, head, c);
    lock_release(h, at);
}

static void free_block(const hshm_heap *h, uint64_t off) {
    uint64_t loc = locate(h, off);
    if ((loc & 0xFF) == LARGE_CLASS) {
        free_large_run(h, loc >> 8);
    } else {
        free_small(h, off, loc);
    }
}

static uint64_t allocate(const hshm_heap *h, uint64_t size) {
    int c = class_of(size);
    return c < 0 ? allocate_large(h, size, HSHM_PAGE) : allocate_small(h, (unsigned) c, size, 16);
}

int hshm_alloc(hshm_heap *h, uint64_t size, uint64_t *offset) {
    if (h == NULL || offset == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_alloc: null heap or result pointer");
    }
    OP_BEGIN(h);
    *offset = allocate(h, size);
    return HSHM_OK;
}

int hshm_alloc_aligned(hshm_heap *h, uint64_t size, uint64_t alignment, uint64_t *offset) {
    if (h == NULL || offset == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_alloc_aligned: null heap or result pointer");
    }
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        return error(HSHM_ERR_ARGUMENT, "alignment must be a power of two: %llu", (unsigned long long) alignment);
    }
    OP_BEGIN(h);
    if (alignment <= 16) {
        *offset = allocate(h, size);
        return HSHM_OK;
    }
    int c = class_of_aligned(size, alignment);
    *offset = c >= 0 ? allocate_small(h, (unsigned) c, size, alignment) : allocate_large(h, size, alignment);
    return HSHM_OK;
}

int hshm_free(hshm_heap *h, uint64_t offset) {
    if (h == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_free: null heap");
    }
    OP_BEGIN(h);
    free_block(h, offset);
    return HSHM_OK;
}

int hshm_usable_size(hshm_heap *h, uint64_t offset, uint64_t *out) {
    if (h == NULL || out == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_usable_size: null heap or result pointer");
    }
    OP_BEGIN(h);
    *out = usable(h, locate_live(h, offset));
    return HSHM_OK;
}

int hshm_realloc(hshm_heap *h, uint64_t offset, uint64_t new_size, uint64_t *out) {
    if (h == NULL || out == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_realloc: null heap or result pointer");
    }
    OP_BEGIN(h);
    if (offset == HSHM_NO_OFFSET) {
        *out = allocate(h, new_size);
        return HSHM_OK;
    }
    uint64_t loc = locate_live(h, offset);
    unsigned c = (unsigned) (loc & 0xFF);
    uint64_t have = usable(h, loc);
    if (c != LARGE_CLASS && new_size <= have && (c == 0 || new_size > hshm_class_size[c - 1])) {
        *out = offset; /* already the right class */
        return HSHM_OK;
    }
    uint64_t moved = allocate(h, new_size);
    memmove(h->data + moved, h->data + offset, have < new_size ? have : new_size);
    free_block(h, offset);
    *out = moved;
    return HSHM_OK;
}

int hshm_bytes_in_use(hshm_heap *h, uint64_t *out) {
    if (h == NULL || out == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_bytes_in_use: null heap or result pointer");
    }
    OP_BEGIN(h);
    uint64_t bytes = 0;
    for (unsigned s = 0; s < h->geo.shard_count; s++) {
        uint64_t at = shard_base(h, s) + HSHM_SHARD_LOCK;
        lock_shard(h, s);
        for (unsigned c = 0; c < HSHM_CLASS_COUNT; c++) {
            bytes += ld(h, class_entry(h, s, c) + HSHM_CE_LIVE) * hshm_class_size[c];
        }
        lock_release(h, at);
    }
    lock_page_heap(h);
    bytes += ld(h, ph(h, HSHM_PH_LARGE_BYTES));
    lock_release(h, page_lock(h));
    *out = bytes;
    return HSHM_OK;
}

void *hshm_ptr(const hshm_heap *h, uint64_t offset) {
    return h->data + offset;
}

uint8_t *hshm_custom_header(const hshm_heap *h, uint64_t *size) {
    if (size != NULL) {
        *size = h->geo.custom_size;
    }
    return h->data + h->geo.custom_offset;
}

const hshm_heap_header *hshm_heap_header_of(const hshm_heap *h) {
    return &h->geo;
}

/* ------------------------------------------------------------------------------------------ attach */

/**
 * ShmNames.validate (the one name rule, for backends and named objects; hshm_internal.h): 1..30 characters of
 * [A-Za-z0-9._-], not starting with '.' or '-', no '/' and no "..", one leading '/' allowed and removed. On failure
 * the message goes to `msg`.
 */
int hshm__check_name(const char *url, const char **name, char *msg, size_t msglen) {
    if (url == NULL) {
        snprintf(msg, msglen, "shared-memory url is null");
        return HSHM_ERR_ARGUMENT;
    }
    const char *n = url[0] == '/' ? url + 1 : url;
    size_t len = strlen(n);
    const char *why = NULL;
    size_t bad = 0;
    if (len == 0) {
        why = "is empty";
    } else if (len > 30) {
        why = "is too long (max 30)";
    } else if (strchr(n, '/') != NULL) {
        why = "must not contain '/' (it is one name, not a path)";
    } else if (strstr(n, "..") != NULL) {
        why = "must not contain '..'";
    } else if (n[0] == '.' || n[0] == '-') {
        why = "must not start with '.' or '-'";
    } else {
        for (size_t i = 0; i < len && why == NULL; i++) {
            char c = n[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                  || c == '-')) {
                why = "has a character outside [A-Za-z0-9._-]";
                bad = i;
            }
        }
    }
    if (why != NULL) {
        snprintf(msg, msglen, "shared-memory url %s: url='%.40s'%s, length=%zu, index=%zu", why, url,
                 len > 40 ? "..." : "", len, bad);
        return HSHM_ERR_ARGUMENT;
    }
    *name = n;
    return HSHM_OK;
}

static int validate_name(const char *url, const char **name) {
    return hshm__check_name(url, name, err_msg, sizeof err_msg);
}

static void ascii(char *dst, const char *src, size_t field) {
    size_t i = 0;
    for (; i < field && src[i] != 0; i++) {
        dst[i] = src[i] >= 32 && src[i] < 127 ? src[i] : '?';
    }
    dst[i] = 0;
}

static void sleep_ms(uint32_t ms) {
    sleep_us((uint64_t) ms * 1000);
}

static int verify_backend(uint8_t *map, uint64_t mapped, const char *name, uint32_t timeout_ms, uint64_t *data_size) {
    const hshm_backend_header *bh = (const hshm_backend_header *) map;
    uint64_t magic = __atomic_load_n(&bh->magic, __ATOMIC_RELAXED);
    if (magic != HSHM_BACKEND_MAGIC) {
        if (magic == __builtin_bswap64(HSHM_BACKEND_MAGIC)) {
            return error(HSHM_ERR_CORRUPT, "byte order mismatch: url=%s was written by a machine of the other byte "
                         "order", name);
        }
        return error(HSHM_ERR_CORRUPT, "not an hshm segment (bad magic): url=%s, expected=0x%llx, found=0x%llx",
                     name, (unsigned long long) HSHM_BACKEND_MAGIC, (unsigned long long) magic);
    }
    uint64_t deadline = now_ns() + (uint64_t) timeout_ms * 1000000u;
    uint64_t pause = 10;
    for (;;) {
        uint64_t ready = __atomic_load_n(&bh->ready, __ATOMIC_ACQUIRE);
        if (ready == HSHM_BACKEND_READY) {
            break;
        }
        if (ready != 0) {
            return error(HSHM_ERR_CORRUPT, "bad ready word: url=%s, expected=0 or 0x%llx, found=0x%llx", name,
                         (unsigned long long) HSHM_BACKEND_READY, (unsigned long long) ready);
        }
        long pid = (long) bh->creator_pid;
        bool alive = pid == 0 || kill((pid_t) pid, 0) == 0 || errno == EPERM;
        if (!alive || now_ns() > deadline) {
            return error(HSHM_ERR_CORRUPT, "header not ready (never published): url=%s, creatorPid=%ld, "
                         "creatorAlive=%s", name, pid, alive ? "true" : "false (the creator died while formatting)");
        }
        sleep_us(pause);
        pause = pause * 2 > 10000 ? 10000 : pause * 2;
    }
    if (bh->byte_order != HSHM_BYTE_ORDER_MARK) {
        return error(HSHM_ERR_CORRUPT, "bad byte-order mark: url=%s, expected=0x%x, found=0x%x", name,
                     (unsigned) HSHM_BYTE_ORDER_MARK, (unsigned) bh->byte_order);
    }
    if (bh->layout_version != HSHM_BACKEND_LAYOUT_VERSION) {
        return error(HSHM_ERR_CORRUPT, "unsupported layout version: url=%s, expected=%d, found=%u", name,
                     HSHM_BACKEND_LAYOUT_VERSION, (unsigned) bh->layout_version);
    }
    if (bh->header_size != HSHM_DATA_OFFSET) {
        return error(HSHM_ERR_CORRUPT, "bad header size: url=%s, expected=%d, found=%llu", name, HSHM_DATA_OFFSET,
                     (unsigned long long) bh->header_size);
    }
    if (bh->data_size > mapped - HSHM_DATA_OFFSET) {
        return error(HSHM_ERR_CORRUPT, "truncated segment: url=%s, header says dataSize=%llu (+%d header), but the "
                     "object has %llu bytes", name, (unsigned long long) bh->data_size, HSHM_DATA_OFFSET,
                     (unsigned long long) mapped);
    }
    if (bh->backend_id < 0) {
        return error(HSHM_ERR_CORRUPT, "bad backend id: url=%s, id=%d", name, (int) bh->backend_id);
    }
    char kind[sizeof bh->kind + 1];
    ascii(kind, bh->kind, sizeof bh->kind);
    if (strcmp(kind, "posix_shm_mmap") != 0 && strcmp(kind, "cuda_shm_mmap") != 0
        && strcmp(kind, "rocm_shm_mmap") != 0) {
        return error(HSHM_ERR_CORRUPT, "segment kind not accepted here: url=%s, kind='%s', accepted=[posix_shm_mmap, "
                     "cuda_shm_mmap, rocm_shm_mmap]", name, kind);
    }
    int64_t bump = __atomic_load_n(&bh->data_bump, __ATOMIC_SEQ_CST);
    if (bump < 0 || (uint64_t) bump > bh->data_size) {
        return error(HSHM_ERR_CORRUPT, "bad data bump: url=%s, bump=%lld, dataSize=%llu", name, (long long) bump,
                     (unsigned long long) bh->data_size);
    }
    *data_size = bh->data_size;
    return HSHM_OK;
}

int hshm_backend_attach(const char *url, uint32_t timeout_ms, hshm_backend **out) {
    const char *name = NULL;
    if (out == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_backend_attach: null result pointer");
    }
    *out = NULL;
    int rc = validate_name(url, &name);
    if (rc != HSHM_OK) {
        return rc;
    }
    char path[40];
    snprintf(path, sizeof path, "/%s", name);
    int fd = shm_open(path, O_RDWR, 0);
    if (fd < 0) {
        if (errno == ENOENT) {
            return error(HSHM_ERR_NOT_FOUND, "no shared memory named '%s' (no /dev/shm/%s); create it first, or check "
                         "the name", name, name);
        }
        return error(HSHM_ERR_SYSTEM, "shm_open(%s): %s", path, strerror(errno));
    }
    uint64_t deadline = now_ns() + (uint64_t) timeout_ms * 1000000u;
    struct stat st;
    for (;;) {
        if (fstat(fd, &st) != 0) {
            int e = errno;
            close(fd);
            return error(HSHM_ERR_SYSTEM, "fstat(%s): %s", path, strerror(e));
        }
        if (st.st_size != 0 || now_ns() > deadline) {
            break;
        }
        sleep_ms(1); /* a creator sizes the object right after shm_open */
    }
    if ((uint64_t) st.st_size < HSHM_DATA_OFFSET) {
        close(fd);
        return error(HSHM_ERR_CORRUPT, "not an hshm segment (too small for a header): url=%s, size=%lld, need>=%d",
                     name, (long long) st.st_size, HSHM_DATA_OFFSET);
    }
    uint64_t size = (uint64_t) st.st_size;
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd); /* the mapping keeps the object */
    if (map == MAP_FAILED) {
        return error(HSHM_ERR_SYSTEM, "mmap(%s, %llu bytes): %s", path, (unsigned long long) size, strerror(e));
    }
    const hshm_backend_header *bh = map;
    while (__atomic_load_n(&bh->magic, __ATOMIC_RELAXED) == 0 && now_ns() < deadline) {
        sleep_ms(1); /* a creator formats right after mmap */
    }
    uint64_t data_size = 0;
    rc = verify_backend(map, size, name, timeout_ms, &data_size);
    if (rc != HSHM_OK) {
        munmap(map, size);
        return rc;
    }
    hshm_backend *b = calloc(1, sizeof *b);
    if (b == NULL) {
        munmap(map, size);
        return error(HSHM_ERR_SYSTEM, "out of process memory");
    }
    b->map = map;
    b->map_size = size;
    b->data = (uint8_t *) map + HSHM_DATA_OFFSET;
    b->data_size = data_size;
    snprintf(b->name, sizeof b->name, "%s", name);
    __atomic_add_fetch(&((hshm_backend_header *) map)->attach_count, 1, __ATOMIC_SEQ_CST);
    *out = b;
    return HSHM_OK;
}

void hshm_backend_detach(hshm_backend *b) {
    if (b == NULL) {
        return;
    }
    __atomic_sub_fetch(&((hshm_backend_header *) b->map)->attach_count, 1, __ATOMIC_SEQ_CST);
    munmap(b->map, b->map_size);
    free(b);
}

uint8_t *hshm_backend_data(const hshm_backend *b) {
    return b->data;
}

uint64_t hshm_backend_data_size(const hshm_backend *b) {
    return b->data_size;
}

static uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

/** HeapHeader.Geometry.plan: where the parts of a region are; false if the region cannot hold them. */
static bool plan(uint64_t region_offset, uint64_t region_size, uint64_t custom_size, uint32_t shards, uint32_t slots,
                 hshm_heap_header *g) {
    memset(g, 0, sizeof *g);
    if (shards < 1 || shards > HSHM_MAX_SHARDS || slots > HSHM_HEAP_MAX_SLOTS || custom_size > region_size) {
        return false;
    }
    uint64_t custom_offset = region_offset + HSHM_HH_BYTES;
    uint64_t page_heap = align_up(custom_offset + custom_size, HSHM_CUSTOM_ALIGN);
    uint64_t shard_table = page_heap + HSHM_PH_BYTES;
    uint64_t slot_table = shard_table + (uint64_t) shards * HSHM_SHARD_BYTES;
    uint64_t slot_bytes = align_up((uint64_t) slots * HSHM_SLOT_LEASE_BYTES, 64) + (uint64_t) slots * HSHM_SLOT_RECORD_BYTES;
    uint64_t desc_table = slot_table + slot_bytes;
    uint64_t end = region_offset + region_size;
    int64_t room = (int64_t) end - (int64_t) desc_table - HSHM_PAGE;
    uint64_t pages = room <= 0 ? 0 : (uint64_t) room / (HSHM_PAGE + HSHM_PD_BYTES);
    uint64_t heap_offset = align_up(desc_table + pages * HSHM_PD_BYTES, HSHM_PAGE);
    while (pages > 0 && heap_offset + (pages << HSHM_PAGE_SHIFT) > end) {
        pages--;
        heap_offset = align_up(desc_table + pages * HSHM_PD_BYTES, HSHM_PAGE);
    }
    if (pages < HSHM_MAX_SPAN_PAGES) {
        return false;
    }
    if (pages > HSHM_MAX_PAGES) {
        pages = HSHM_MAX_PAGES;
    }
    g->region_offset = region_offset;
    g->region_size = region_size;
    g->custom_offset = custom_offset;
    g->custom_size = custom_size;
    g->page_heap = page_heap;
    g->shard_table = shard_table;
    g->shard_count = shards;
    g->slot_table = slot_table;
    g->slot_count = slots;
    g->desc_table = desc_table;
    g->heap_offset = heap_offset;
    g->page_count = pages;
    return true;
}

#define GEO_CHECK(field)                                                                                          \
    if (found->field != expected.field) {                                                                        \
        return error(HSHM_ERR_CORRUPT, "heap geometry does not match its region: %s, field=" #field                \
                     ", expected=%llu, found=%llu", where, (unsigned long long) expected.field,                    \
                     (unsigned long long) found->field);                                                          \
    }

/** HeapHeader.Geometry.read: the published header must be exactly what plan() makes for the region. */
static int verify_heap(const uint8_t *data, uint64_t region_offset, uint64_t region_size, uint64_t id,
                       unsigned type_code, const char *type, hshm_heap_header *out) {
    char where[96];
    snprintf(where, sizeof where, "allocator (%u,%u) at data offset %llu", (unsigned) (id >> 32),
             (unsigned) (id & 0xFFFFFFFFu), (unsigned long long) region_offset);
    const hshm_heap_header *found = (const hshm_heap_header *) (data + region_offset);
    if (found->magic != HSHM_HEAP_MAGIC) {
        return error(HSHM_ERR_CORRUPT, "not an hshm heap (bad magic): %s, expected=0x%llx, found=0x%llx", where,
                     (unsigned long long) HSHM_HEAP_MAGIC, (unsigned long long) found->magic);
    }
    uint64_t ready = __atomic_load_n(&found->ready, __ATOMIC_ACQUIRE);
    if (ready != HSHM_HEAP_READY) {
        return error(HSHM_ERR_CORRUPT, "heap header not ready (never published): %s, ready=0x%llx", where,
                     (unsigned long long) ready);
    }
    if (found->layout_version != HSHM_HEAP_LAYOUT_VERSION) {
        return error(HSHM_ERR_CORRUPT, "unsupported heap layout version: %s, expected=%d, found=%u", where,
                     HSHM_HEAP_LAYOUT_VERSION, (unsigned) found->layout_version);
    }
    if (found->type_code != type_code) {
        return error(HSHM_ERR_CORRUPT, "heap type mismatch: %s, expected=%s (code %u), found code=%u", where, type,
                     type_code, (unsigned) found->type_code);
    }
    if (found->allocator_id != id) {
        return error(HSHM_ERR_CORRUPT, "heap allocator id mismatch: %s, heap header says (%u,%u)", where,
                     (unsigned) (found->allocator_id >> 32), (unsigned) found->allocator_id);
    }
    if (found->class_count != HSHM_CLASS_COUNT || found->page_size != HSHM_PAGE) {
        return error(HSHM_ERR_CORRUPT, "heap size classes differ from this build's: %s, classCount=%u (expected=%d), "
                     "pageSize=%u (expected=%d)", where, (unsigned) found->class_count, HSHM_CLASS_COUNT,
                     (unsigned) found->page_size, HSHM_PAGE);
    }
    if (found->custom_size > region_size || found->slot_count > HSHM_HEAP_MAX_SLOTS || found->shard_count < 1
        || found->shard_count > HSHM_MAX_SHARDS) {
        return error(HSHM_ERR_CORRUPT, "heap header out of range: %s, customHeaderSize=%llu, slots=%u, shards=%u",
                     where, (unsigned long long) found->custom_size, (unsigned) found->slot_count,
                     (unsigned) found->shard_count);
    }
    if (type_code == HSHM_HEAP_TYPE_THREAD_LOCAL && found->slot_count < 1) {
        return error(HSHM_ERR_CORRUPT, "heap header out of range: %s, field=SLOT_COUNT, value=%u (a thread_local heap "
                     "has at least one cache slot)", where, (unsigned) found->slot_count);
    }
    hshm_heap_header expected;
    if (!plan(region_offset, region_size, found->custom_size, found->shard_count, found->slot_count, &expected)) {
        return error(HSHM_ERR_CORRUPT, "heap header describes a region that cannot hold it: %s, regionSize=%llu, "
                     "customHeaderSize=%llu, shards=%u, slots=%u", where, (unsigned long long) region_size,
                     (unsigned long long) found->custom_size, (unsigned) found->shard_count,
                     (unsigned) found->slot_count);
    }
    GEO_CHECK(region_offset)
    GEO_CHECK(region_size)
    GEO_CHECK(custom_offset)
    GEO_CHECK(page_heap)
    GEO_CHECK(shard_table)
    GEO_CHECK(slot_table)
    GEO_CHECK(desc_table)
    GEO_CHECK(heap_offset)
    GEO_CHECK(page_count)
    memcpy(out, found, sizeof *out);
    return HSHM_OK;
}

int hshm_heap_open(hshm_backend *b, uint32_t major, uint32_t minor, hshm_heap **out) {
    if (b == NULL || out == NULL) {
        return error(HSHM_ERR_ARGUMENT, "hshm_heap_open: null backend or result pointer");
    }
    *out = NULL;
    uint64_t id = ((uint64_t) major << 32) | minor;
    hshm_backend_header *bh = (hshm_backend_header *) b->map;
    char present[HSHM_DIR_ENTRIES * 40] = "";
    for (unsigned i = 0; i < HSHM_DIR_ENTRIES; i++) {
        hshm_dir_entry *e = &bh->directory[i];
        uint64_t state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
        if (state == HSHM_DIR_STATE_FREE) {
            continue;
        }
        if (state != HSHM_DIR_STATE_RESERVED && state != HSHM_DIR_STATE_READY) {
            return error(HSHM_ERR_CORRUPT, "bad allocator directory entry state: url=%s, entry=%u, state=%llu",
                         b->name, i, (unsigned long long) state);
        }
        char type[sizeof e->type + 1];
        ascii(type, e->type, sizeof e->type);
        size_t len = strlen(present);
        snprintf(present + len, sizeof present - len, "%s(%u,%u) %s", len == 0 ? "" : ", ",
                 (unsigned) (e->allocator_id >> 32), (unsigned) e->allocator_id, type);
        if (e->allocator_id != id) {
            continue;
        }
        if (state == HSHM_DIR_STATE_RESERVED) {
            return error(HSHM_ERR_CORRUPT, "allocator (%u,%u) in %s is reserved but not published (its creator is "
                         "formatting it, or died doing so)", major, minor, b->name);
        }
        uint64_t off = e->region_offset;
        uint64_t size = e->region_size;
        if (size == 0 || off > b->data_size || size > b->data_size - off || off % HSHM_REGION_ALIGNMENT != 0) {
            return error(HSHM_ERR_CORRUPT, "allocator directory entry out of range: entry=%u, allocator=(%u,%u), "
                         "regionOffset=%llu, regionSize=%llu, dataSize=%llu", i, major, minor,
                         (unsigned long long) off, (unsigned long long) size, (unsigned long long) b->data_size);
        }
        unsigned code;
        if (strcmp(type, "scalable_page") == 0) {
            code = HSHM_HEAP_TYPE_SCALABLE_PAGE;
        } else if (strcmp(type, "thread_local") == 0) {
            code = HSHM_HEAP_TYPE_THREAD_LOCAL;
        } else {
            return error(HSHM_ERR_UNSUPPORTED, "allocator (%u,%u) in %s is a '%s' allocator; the C client allocates "
                         "in scalable_page and thread_local heaps only", major, minor, b->name, type);
        }
        hshm_heap *h = calloc(1, sizeof *h);
        if (h == NULL) {
            return error(HSHM_ERR_SYSTEM, "out of process memory");
        }
        int rc = verify_heap(b->data, off, size, id, code, type, &h->geo);
        if (rc != HSHM_OK) {
            free(h);
            return rc;
        }
        h->data = b->data;
        h->data_size = b->data_size;
        h->id = id;
        h->salt = h->geo.tag_salt;
        h->heap_end = h->geo.heap_offset + (h->geo.page_count << HSHM_PAGE_SHIFT);
        uint64_t f = __atomic_load_n((uint64_t *) (b->data + h->geo.page_heap + HSHM_PH_FRONTIER), __ATOMIC_RELAXED);
        uint64_t pages = h->geo.page_count;
        if (f > pages) {
            free(h);
            return error(HSHM_ERR_CORRUPT, "heap frontier out of range: allocator (%u,%u), frontier=%llu, pages=%llu",
                         major, minor, (unsigned long long) f, (unsigned long long) pages);
        }
        *out = h;
        return HSHM_OK;
    }
    return error(HSHM_ERR_NOT_FOUND, "no allocator (%u,%u) in %s; it has: [%s]", major, minor, b->name, present);
}

void hshm_heap_close(hshm_heap *h) {
    free(h);
}
