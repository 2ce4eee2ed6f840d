/*
 * hshm_queue.c: named objects, SPSC and MPSC rings of hshm-java from C (see hshm_queue.h, docs/layout.md section 10,
 * docs/structures.md).
 *
 * A second implementation of structures/.../{NamedObjects, SharedLock, Owner, WaitWord, Blocking, QueueHeader,
 * SpscRing, MpscRing}.java: the same words, written in the same order with the same ordering (plain = relaxed
 * atomic, acquire, release, volatile = seq_cst, CAS = seq_cst). Each function names the Java method it repeats; a
 * change there must be carried here (the layout itself cannot drift: hshm_structures.h is generated and checked).
 *
 * Untrusted memory: a handle caches what attach verified (capacity, element size, the object's size, all checked
 * against the allocator's region); every index, length and offset read afterwards is range-checked before it
 * addresses anything, slots are addressed through the capacity mask, and every loop over shared state is bounded.
 */
#define _GNU_SOURCE
#include "hshm.h"
#include "hshm_structures.h"
#include "hshm_queue.h"
#include "hshm_internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ errors */

static _Thread_local char q_err[1024];

const char *hshm_queue_last_error(void) {
    return q_err;
}

__attribute__((format(printf, 2, 3))) static int qerr(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q_err, sizeof q_err, fmt, ap);
    va_end(ap);
    return code;
}

const char *hshm_queue_error_name(int code) {
    switch (code) {
        case HSHM_QUEUE_AGAIN: return "HSHM_QUEUE_AGAIN";
        case HSHM_QUEUE_ERR_PEER_DEAD: return "HSHM_QUEUE_ERR_PEER_DEAD";
        case HSHM_QUEUE_ERR_PADDED_OVER: return "HSHM_QUEUE_ERR_PADDED_OVER";
        default: return hshm_error_name(code);
    }
}

/** A failed hshm.h call: its message becomes this header's. */
static int from_hshm(int code, const char *what) {
    return qerr(code, "%s: %s", what, hshm_last_error());
}

/* ------------------------------------------------------------------------------------------ time */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void sleep_us(uint64_t us) {
    struct timespec ts = {(time_t) (us / 1000000), (long) (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ------------------------------------------------------------------------------------------ processes (Owner) */

/* process_start_ms: hshm__process_start_ms of hshm.c (hshm_internal.h), the JDK's computation */
#define process_start_ms hshm__process_start_ms

static _Thread_local long cached_pid;
static _Thread_local uint64_t cached_owner;
static _Thread_local uint64_t cached_start_ms;

/** Owner.CURRENT: pid << 32 | start seconds (0 if unknown). Recomputed after a fork. */
uint64_t hshm_queue_owner_word(void) {
    long pid = getpid();
    if (pid != cached_pid) {
        cached_start_ms = process_start_ms(pid, NULL);
        cached_owner = ((uint64_t) pid << HSHM_SOWNER_PID_SHIFT) | ((cached_start_ms / 1000) & 0xFFFFFFFFu);
        cached_pid = pid;
    }
    return cached_owner;
}

/** Owner.isAlive: the pid runs and started within a second of the recorded second's middle (0: the pid only). */
static bool owner_alive(uint64_t owner) {
    if (owner == HSHM_SOWNER_NONE) {
        return false;
    }
    if (owner == hshm_queue_owner_word()) {
        return true;
    }
    uint64_t pid = owner >> HSHM_SOWNER_PID_SHIFT;
    uint64_t s = owner & 0xFFFFFFFFu;
    if (pid == 0 || pid > INT_MAX) {
        return false; /* no such process (and never a process group for kill) */
    }
    uint64_t want = s == 0 ? 0 : s * 1000 + 500;
    if ((long) pid == getpid()) {
        return want == 0 || (cached_start_ms > want ? cached_start_ms - want : want - cached_start_ms) < 1000;
    }
    if (kill((pid_t) pid, 0) != 0 && errno != EPERM) {
        return false;
    }
    bool zombie = false;
    uint64_t actual = process_start_ms((long) pid, &zombie);
    if (zombie) {
        return false;
    }
    if (want == 0 || actual == 0) {
        return true;
    }
    return (actual > want ? actual - want : want - actual) < 1000;
}

static void describe_owner(char *buf, size_t n, uint64_t owner) {
    if (owner == HSHM_SOWNER_NONE) {
        snprintf(buf, n, "nobody");
    } else {
        snprintf(buf, n, "pid %llu (started at epoch second %llu)", (unsigned long long) (owner >> 32),
                 (unsigned long long) (owner & 0xFFFFFFFFu));
    }
}

/* ------------------------------------------------------------------------------------------ words (Words) */

static inline uint64_t ld(const uint8_t *p) {
    return __atomic_load_n((const uint64_t *) (const void *) p, __ATOMIC_RELAXED);
}

static inline uint64_t ld_acquire(const uint8_t *p) {
    return __atomic_load_n((const uint64_t *) (const void *) p, __ATOMIC_ACQUIRE);
}

static inline uint64_t ld_volatile(const uint8_t *p) {
    return __atomic_load_n((const uint64_t *) (const void *) p, __ATOMIC_SEQ_CST);
}

static inline void st(uint8_t *p, uint64_t v) {
    __atomic_store_n((uint64_t *) (void *) p, v, __ATOMIC_RELAXED);
}

static inline void st_release(uint8_t *p, uint64_t v) {
    __atomic_store_n((uint64_t *) (void *) p, v, __ATOMIC_RELEASE);
}

static inline bool cas(uint8_t *p, uint64_t expect, uint64_t v) {
    return __atomic_compare_exchange_n((uint64_t *) (void *) p, &expect, v, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static inline void add(uint8_t *p, uint64_t delta) {
    __atomic_fetch_add((uint64_t *) (void *) p, delta, __ATOMIC_SEQ_CST);
}

static inline uint32_t ld32(const uint8_t *p) {
    return __atomic_load_n((const uint32_t *) (const void *) p, __ATOMIC_RELAXED);
}

static inline void st32(uint8_t *p, uint32_t v) {
    __atomic_store_n((uint32_t *) (void *) p, v, __ATOMIC_RELAXED);
}

static inline uint64_t align8(uint64_t v) {
    return (v + 7) & ~(uint64_t) 7;
}

static bool power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

/* ------------------------------------------------------------------------------------------ wait word */

/* Blocking.SPIN_NANOS's default (-Dhshm.structures.spinNanos on the JVM side; internal, not in the format) */
#define SPIN_NS 20000u
#define SPINS_PER_CLOCK_READ 32

static int32_t *ww_seq(uint8_t *ww) {
    return (int32_t *) (void *) (ww + HSHM_WW_SEQUENCE);
}

static int32_t *ww_waiters(uint8_t *ww) {
    return (int32_t *) (void *) (ww + HSHM_WW_WAITERS);
}

/** WaitWord.signal: one relaxed read; a bump and a shared futex wake only when someone waits. */
static void ww_signal(uint8_t *ww) {
    if (__atomic_load_n(ww_waiters(ww), __ATOMIC_RELAXED) == 0) {
        return;
    }
    __atomic_fetch_add(ww_seq(ww), 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, ww_seq(ww), FUTEX_WAKE, INT_MAX, NULL, NULL, 0); /* shared: no FUTEX_PRIVATE_FLAG */
}

/** WaitWord.await: sleeps while SEQUENCE == seen, at most `ns`. */
static int ww_await(uint8_t *ww, int32_t seen, uint64_t ns) {
    struct timespec ts = {(time_t) (ns / 1000000000u), (long) (ns % 1000000000u)};
    if (syscall(SYS_futex, ww_seq(ww), FUTEX_WAIT, seen, &ts, NULL, 0) != 0 && errno != ETIMEDOUT
        && errno != EAGAIN && errno != EINTR) {
        return qerr(HSHM_ERR_SYSTEM, "futex(FUTEX_WAIT) on a queue's wait word failed: %s", strerror(errno));
    }
    return HSHM_OK;
}

/** One non-blocking try: HSHM_OK done, HSHM_QUEUE_AGAIN not yet, < 0 an error (message set). */
typedef int (*attempt_fn)(void *ctx);

/**
 * Blocking.await: try; spin SPIN_NS; count in as a waiter; then try and sleep on the word in slices from
 * HSHM_WAIT_FIRST_SLICE_NS doubling to HSHM_WAIT_MAX_SLICE_NS; after each HSHM_WAIT_MAX_SLICE_NS without progress,
 * ask whether `peer` (an owner word in shared memory, NULL for none) still runs.
 */
static int await_word(uint8_t *ww, attempt_fn attempt, void *ctx, const uint8_t *peer, uint32_t timeout_ms,
                      const char *what, const char *peer_role) {
    int rc = attempt(ctx);
    if (rc != HSHM_QUEUE_AGAIN) {
        return rc;
    }
    uint64_t timeout = (uint64_t) timeout_ms * 1000000u;
    uint64_t start = now_ns();
    uint64_t spin_for = timeout < SPIN_NS ? timeout : SPIN_NS;
    while (now_ns() - start < spin_for) {
        for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
            cpu_relax();
            rc = attempt(ctx);
            if (rc != HSHM_QUEUE_AGAIN) {
                return rc;
            }
        }
    }
    uint64_t checked = now_ns();
    uint64_t slice = HSHM_WAIT_FIRST_SLICE_NS;
    __atomic_fetch_add(ww_waiters(ww), 1, __ATOMIC_SEQ_CST);
    for (;;) {
        int32_t seen = __atomic_load_n(ww_seq(ww), __ATOMIC_SEQ_CST);
        rc = attempt(ctx);
        if (rc != HSHM_QUEUE_AGAIN) {
            break;
        }
        uint64_t now = now_ns();
        if (now - start >= timeout) {
            break; /* HSHM_QUEUE_AGAIN: timed out */
        }
        uint64_t left = timeout - (now - start);
        if (now - checked >= HSHM_WAIT_MAX_SLICE_NS) { /* a slice without progress: is the peer still there? */
            checked = now;
            uint64_t p = peer == NULL ? HSHM_SOWNER_NONE : ld_acquire(peer);
            if (p != HSHM_SOWNER_NONE && !owner_alive(p)) {
                rc = attempt(ctx);
                if (rc == HSHM_QUEUE_AGAIN) {
                    char who[96];
                    describe_owner(who, sizeof who, p);
                    rc = qerr(HSHM_QUEUE_ERR_PEER_DEAD, "%s: its %s, %s, is no longer running; nobody will end this wait",
                              what, peer_role, who);
                }
                break;
            }
        }
        rc = ww_await(ww, seen, left < slice ? left : slice);
        if (rc != HSHM_OK) {
            break;
        }
        slice = slice * 2 < HSHM_WAIT_MAX_SLICE_NS ? slice * 2 : HSHM_WAIT_MAX_SLICE_NS;
    }
    __atomic_fetch_sub(ww_waiters(ww), 1, __ATOMIC_SEQ_CST);
    return rc;
}

/* ------------------------------------------------------------------------------------------ the heap's region */

typedef struct region {
    hshm_heap *h;
    uint8_t *data;  /* data offset 0 */
    uint64_t lo;    /* the allocator's region: [lo, hi), mapped (hshm_heap_open verified it) */
    uint64_t hi;
    char where[48]; /* "allocator (1,0)" */
} region;

static void region_of(hshm_heap *h, region *r) {
    const hshm_heap_header *g = hshm_heap_header_of(h);
    r->h = h;
    r->data = hshm_ptr(h, 0);
    r->lo = g->region_offset;
    r->hi = g->region_offset + g->region_size;
    snprintf(r->where, sizeof r->where, "allocator (%u,%u)", (unsigned) (g->allocator_id >> 32),
             (unsigned) g->allocator_id);
}

/** Whether [off, off + len) lies in the region and off is 8-aligned (every structure's words are). */
static bool in_region(const region *r, uint64_t off, uint64_t len) {
    return off >= r->lo && off <= r->hi && len <= r->hi - off && (off & 7) == 0;
}

/* ------------------------------------------------------------------------------------------ names (ShmNames) */

static int validate_name(const char *name, const char **out) {
    return hshm__check_name(name, out, q_err, sizeof q_err); /* the backends' rule (hshm.c) */
}

/* ------------------------------------------------------------------------------------------ directory */

typedef struct dirref {
    region r;
    uint8_t *dir; /* the directory block */
} dirref;

static uint8_t *entry_at(const dirref *d, int i) {
    return d->dir + HSHM_ND_ENTRIES + (uint64_t) i * HSHM_NE_BYTES;
}

/** DirectoryLayout.format. */
static void dir_format(uint8_t *p) {
    memset(p, 0, HSHM_ND_BYTES);
    st(p + HSHM_ND_MAGIC, HSHM_NAMED_DIR_MAGIC);
    st32(p + HSHM_ND_VERSION, HSHM_NAMED_DIR_VERSION);
    st32(p + HSHM_ND_ENTRY_COUNT, HSHM_NAMED_ENTRIES);
    st(p + HSHM_ND_LOCK + HSHM_SLOCK_RECOVERIES, 0);
    st_release(p + HSHM_ND_LOCK + HSHM_SLOCK_OWNER, HSHM_SOWNER_NONE);
    for (int i = 0; i < HSHM_NAMED_ENTRIES; i++) {
        st(p + HSHM_ND_ENTRIES + (uint64_t) i * HSHM_NE_BYTES + HSHM_NE_OFFSET, HSHM_NAMED_NO_OFFSET);
    }
    st_release(p + HSHM_ND_READY, HSHM_NAMED_DIR_READY);
}

/**
 * NamedObjects.of (and DirectoryLayout.check): the directory of the heap, made first if `create` and there is none
 * (allocate and format a block, CAS ROOT 0 -> offset + 1; the loser of a race frees its block).
 */
static int dir_open(hshm_heap *h, dirref *d, bool create) {
    region_of(h, &d->r);
    const region *r = &d->r;
    uint64_t csize = 0;
    uint8_t *custom = hshm_custom_header(h, &csize);
    if (csize < HSHM_NAMED_CUSTOM_HEADER_BYTES) {
        return qerr(HSHM_ERR_UNSUPPORTED, "%s has a custom header of %llu bytes; the named-object directory needs %d "
                    "(create the allocator with customHeaderSize >= NamedObjects.CUSTOM_HEADER_BYTES)", r->where,
                    (unsigned long long) csize, HSHM_NAMED_CUSTOM_HEADER_BYTES);
    }
    uint8_t *rootp = custom + HSHM_NAMED_ROOT;
    uint64_t root = ld_acquire(rootp);
    if (root == 0) {
        if (!create) {
            return qerr(HSHM_ERR_NOT_FOUND, "%s has no named-object directory yet (nothing was ever named in it)",
                        r->where);
        }
        uint64_t off;
        int rc = hshm_alloc_aligned(h, HSHM_ND_BYTES, HSHM_NAMED_OBJECT_ALIGNMENT, &off);
        if (rc != HSHM_OK) {
            return from_hshm(rc, "allocating the named-object directory");
        }
        if (!in_region(r, off, HSHM_ND_BYTES)) {
            hshm_free(h, off);
            return qerr(HSHM_ERR_CORRUPT, "%s handed out a block outside its region: offset=%llu", r->where,
                        (unsigned long long) off);
        }
        dir_format(r->data + off);
        if (cas(rootp, 0, off + 1)) {
            root = off + 1;
        } else {
            hshm_free(h, off);
            root = ld_acquire(rootp);
        }
    }
    uint64_t off = root - 1;
    if (!in_region(r, off, HSHM_ND_BYTES)) {
        return qerr(HSHM_ERR_CORRUPT, "the named-object directory root of %s points outside its memory: root=%llu "
                    "(offset plus one; the region is [%llu, %llu))", r->where, (unsigned long long) root,
                    (unsigned long long) r->lo, (unsigned long long) r->hi);
    }
    uint8_t *p = r->data + off;
    uint64_t ready = ld_acquire(p + HSHM_ND_READY);
    uint64_t magic = ld(p + HSHM_ND_MAGIC);
    if (magic != HSHM_NAMED_DIR_MAGIC) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s has a bad magic: expected=0x%llx (HSHMNDIR), "
                    "found=0x%llx", r->where, (unsigned long long) HSHM_NAMED_DIR_MAGIC, (unsigned long long) magic);
    }
    uint32_t version = ld32(p + HSHM_ND_VERSION);
    if (version != HSHM_NAMED_DIR_VERSION) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s has layout version %u; this library reads "
                    "version %d", r->where, version, HSHM_NAMED_DIR_VERSION);
    }
    uint32_t entries = ld32(p + HSHM_ND_ENTRY_COUNT);
    if (entries != HSHM_NAMED_ENTRIES) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s has a bad entry count: expected=%d, found=%u",
                    r->where, HSHM_NAMED_ENTRIES, entries);
    }
    if (ready != HSHM_NAMED_DIR_READY) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s was never published: ready=0x%llx", r->where,
                    (unsigned long long) ready);
    }
    d->dir = p;
    return HSHM_OK;
}

/**
 * SharedLock.lock: CAS 0 -> me; a waiter spins, yields, then sleeps with doubling pauses and about every
 * millisecond asks whether the holder lives; a dead holder is taken over with one CAS (RECOVERIES += 1). Bounded:
 * HSHM_ERR_SYSTEM after HSHM_QUEUE_LOCK_TIMEOUT_MS (env HSHM_LOCK_TIMEOUT_MS) of a live holder.
 */
static int dir_lock(dirref *d) {
    uint8_t *w = d->dir + HSHM_ND_LOCK + HSHM_SLOCK_OWNER;
    uint64_t me = hshm_queue_owner_word();
    if (cas(w, HSHM_SOWNER_NONE, me)) {
        return HSHM_OK;
    }
    const char *env = getenv("HSHM_LOCK_TIMEOUT_MS");
    uint64_t limit_ms = env != NULL && *env != 0 ? strtoull(env, NULL, 10) : HSHM_QUEUE_LOCK_TIMEOUT_MS;
    uint64_t start = now_ns();
    uint64_t next_check = start + HSHM_SLOCK_LIVENESS_CHECK_NS;
    uint64_t pause = 1;
    for (unsigned round = 0;; round++) {
        uint64_t owner = ld_volatile(w);
        if (owner == HSHM_SOWNER_NONE) {
            if (cas(w, HSHM_SOWNER_NONE, me)) {
                return HSHM_OK;
            }
            continue;
        }
        if (round < HSHM_SLOCK_SPINS) {
            cpu_relax();
            continue;
        }
        uint64_t now = now_ns();
        if (now >= next_check) {
            next_check = now + HSHM_SLOCK_LIVENESS_CHECK_NS;
            if (!owner_alive(owner) && cas(w, owner, me)) {
                add(d->dir + HSHM_ND_LOCK + HSHM_SLOCK_RECOVERIES, 1);
                return HSHM_OK;
            }
            if (now - start > limit_ms * 1000000u) {
                char who[96];
                describe_owner(who, sizeof who, owner);
                return qerr(HSHM_ERR_SYSTEM, "timed out after %llu ms waiting for the named-object directory lock of "
                            "%s, held by %s, which is alive", (unsigned long long) limit_ms, d->r.where, who);
            }
        }
        if (round < HSHM_SLOCK_SPINS + HSHM_SLOCK_YIELDS) {
            sched_yield();
        } else {
            sleep_us(pause);
            pause = pause * 2 < HSHM_SLOCK_MAX_PAUSE_US ? pause * 2 : HSHM_SLOCK_MAX_PAUSE_US;
        }
    }
}

static void dir_unlock(dirref *d) {
    st_release(d->dir + HSHM_ND_LOCK + HSHM_SLOCK_OWNER, HSHM_SOWNER_NONE);
}

/** DirectoryLayout.state: EMPTY, CREATING or READY, else HSHM_ERR_CORRUPT. */
static int entry_state(const dirref *d, int i, uint64_t *out) {
    uint64_t s = ld_acquire(entry_at(d, i) + HSHM_NE_STATE);
    if (s != HSHM_NAMED_EMPTY && s != HSHM_NAMED_CREATING && s != HSHM_NAMED_READY) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s: entry %d has a bad state: state=%llu (expected "
                    "0, 1 or 2)", d->r.where, i, (unsigned long long) s);
    }
    *out = s;
    return HSHM_OK;
}

/** DirectoryLayout.name: the name of entry i, NUL-terminated into `out` (HSHM_NAMED_MAX_NAME + 1 bytes). */
static int entry_name(const dirref *d, int i, char *out) {
    const uint8_t *e = entry_at(d, i);
    uint32_t len = ld32(e + HSHM_NE_NAME_LEN);
    if (len < 1 || len > HSHM_NAMED_MAX_NAME) {
        return qerr(HSHM_ERR_CORRUPT, "named-object directory of %s: entry %d has a bad name length: nameLength=%u, "
                    "max=%d", d->r.where, i, len, HSHM_NAMED_MAX_NAME);
    }
    for (uint32_t k = 0; k < len; k++) {
        char c = (char) e[HSHM_NE_NAME + k];
        out[k] = c >= 32 && c < 127 ? c : '?';
    }
    out[len] = 0;
    return HSHM_OK;
}

/** Finds the READY entry named `n` under the lock: its index, or -1 (then `names` lists the names there are). */
static int find_locked(const dirref *d, const char *n, int *index, char *names, size_t names_cap) {
    *index = -1;
    size_t used = 0;
    if (names_cap > 0) {
        names[0] = 0;
    }
    for (int i = 0; i < HSHM_NAMED_ENTRIES; i++) {
        uint64_t s = 0;
        int rc = entry_state(d, i, &s);
        if (rc != HSHM_OK) {
            return rc;
        }
        if (s != HSHM_NAMED_READY) {
            continue; /* EMPTY, or CREATING: a half-made object is never returned */
        }
        char name[HSHM_NAMED_MAX_NAME + 1];
        rc = entry_name(d, i, name);
        if (rc != HSHM_OK) {
            return rc;
        }
        if (*index < 0 && strcmp(name, n) == 0) {
            *index = i;
        }
        if (used < names_cap) {
            int k = snprintf(names + used, names_cap - used, "%s%s", used == 0 ? "" : ", ", name);
            used += k > 0 ? (size_t) k : 0;
        }
    }
    return HSHM_OK;
}

static const char *queue_type_name(uint32_t t) {
    switch (t) {
        case HSHM_QUEUE_TYPE_SPSC: return "spsc";
        case HSHM_QUEUE_TYPE_MPSC: return "mpsc";
        case HSHM_QUEUE_TYPE_MPMC: return "mpmc";
        case HSHM_QUEUE_TYPE_BROADCAST: return "broadcast";
        default: return "unknown";
    }
}

static const char *container_type_name(uint32_t t) {
    switch (t) {
        case HSHM_CONTAINER_TYPE_MUTEX: return "mutex";
        case HSHM_CONTAINER_TYPE_VECTOR: return "vector";
        case HSHM_CONTAINER_TYPE_STRING: return "string";
        case HSHM_CONTAINER_TYPE_HASH_MAP: return "hash map";
        case HSHM_CONTAINER_TYPE_LONG_LONG_MAP: return "long-long map";
        default: return "unknown container";
    }
}

/** What the object's header says it is (no check beyond the magic: attaching checks the rest). */
static void classify(const uint8_t *p, uint64_t size, hshm_named_info *info) {
    uint64_t magic = size >= 8 ? ld(p) : 0;
    if (magic == HSHM_QUEUE_MAGIC && size >= HSHM_QH_BYTES) {
        info->kind = HSHM_OBJ_QUEUE;
        info->type = ld32(p + HSHM_QH_TYPE);
        info->version = ld32(p + HSHM_QH_VERSION);
        snprintf(info->type_name, sizeof info->type_name, "%s queue", queue_type_name(info->type));
    } else if (magic == HSHM_CONTAINER_MAGIC && size >= HSHM_CH_BYTES) {
        info->kind = HSHM_OBJ_CONTAINER;
        info->type = ld32(p + HSHM_CH_TYPE);
        info->version = ld32(p + HSHM_CH_VERSION);
        snprintf(info->type_name, sizeof info->type_name, "%s", container_type_name(info->type));
    } else {
        info->kind = HSHM_OBJ_RAW;
        info->type = 0;
        info->version = 0;
        snprintf(info->type_name, sizeof info->type_name, "raw");
    }
}

/** NamedObjects.attach: finds `name` under the directory lock; the object checked to lie in the region. */
static int named_find(hshm_heap *h, const char *name, hshm_named_info *out, region *r) {
    if (h == NULL || out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_named_find: null heap or result pointer");
    }
    const char *n;
    int rc = validate_name(name, &n);
    if (rc != HSHM_OK) {
        return rc;
    }
    dirref d;
    rc = dir_open(h, &d, false);
    if (rc != HSHM_OK) {
        if (rc == HSHM_ERR_NOT_FOUND) {
            char msg[sizeof q_err];
            snprintf(msg, sizeof msg, "%s", q_err);
            return qerr(HSHM_ERR_NOT_FOUND, "no named object '%s': %s", n, msg);
        }
        return rc;
    }
    rc = dir_lock(&d);
    if (rc != HSHM_OK) {
        return rc;
    }
    char names[HSHM_NAMED_ENTRIES * (HSHM_NAMED_MAX_NAME + 2) + 1];
    int i;
    rc = find_locked(&d, n, &i, names, sizeof names);
    uint64_t off = 0;
    uint64_t size = 0;
    if (rc == HSHM_OK && i >= 0) {
        off = ld(entry_at(&d, i) + HSHM_NE_OFFSET);
        size = ld(entry_at(&d, i) + HSHM_NE_SIZE);
    }
    dir_unlock(&d);
    if (rc != HSHM_OK) {
        return rc;
    }
    if (i < 0) {
        return qerr(HSHM_ERR_NOT_FOUND, "no named object '%s' in %s; it has: [%s]", n, d.r.where, names);
    }
    if (size < 1 || !in_region(&d.r, off, size)) {
        return qerr(HSHM_ERR_CORRUPT, "named object '%s' of %s records a block outside the allocator's memory: "
                    "offset=%llu, size=%llu (the region is [%llu, %llu))", n, d.r.where, (unsigned long long) off,
                    (unsigned long long) size, (unsigned long long) d.r.lo, (unsigned long long) d.r.hi);
    }
    out->offset = off;
    out->size = size;
    classify(d.r.data + off, size, out);
    *r = d.r;
    return HSHM_OK;
}

int hshm_named_find(hshm_heap *h, const char *name, hshm_named_info *out) {
    region r;
    return named_find(h, name, out, &r);
}

typedef void (*init_fn)(uint8_t *p, const uint64_t *args);

/**
 * NamedObjects.create: under the lock, reserve an EMPTY entry (CREATING), allocate `size` bytes aligned to 64,
 * record the block, zero and format it, publish READY. A death at any store leaves what Java's create leaves there
 * (an abandoned CREATING entry, freed by the next JVM that takes the lock). Entries already CREATING are skipped,
 * not repaired (a JVM repairs them).
 */
static int named_create(hshm_heap *h, const char *name, uint64_t size, init_fn init, const uint64_t *args,
                        hshm_named_info *out, region *r) {
    const char *n;
    int rc = validate_name(name, &n);
    if (rc != HSHM_OK) {
        return rc;
    }
    dirref d;
    rc = dir_open(h, &d, true);
    if (rc != HSHM_OK) {
        return rc;
    }
    rc = dir_lock(&d);
    if (rc != HSHM_OK) {
        return rc;
    }
    char names[HSHM_NAMED_ENTRIES * (HSHM_NAMED_MAX_NAME + 2) + 1];
    int i;
    rc = find_locked(&d, n, &i, names, sizeof names);
    if (rc != HSHM_OK) {
        dir_unlock(&d);
        return rc;
    }
    if (i >= 0) {
        uint64_t have = ld(entry_at(&d, i) + HSHM_NE_SIZE);
        dir_unlock(&d);
        return qerr(HSHM_ERR_ARGUMENT, "a named object '%s' already exists in %s (%llu bytes)", n, d.r.where,
                    (unsigned long long) have);
    }
    int free_entry = -1;
    for (int k = 0; k < HSHM_NAMED_ENTRIES && free_entry < 0; k++) {
        uint64_t s = 0;
        rc = entry_state(&d, k, &s);
        if (rc != HSHM_OK) {
            dir_unlock(&d);
            return rc;
        }
        if (s == HSHM_NAMED_EMPTY) {
            free_entry = k;
        }
    }
    if (free_entry < 0) {
        dir_unlock(&d);
        return qerr(HSHM_ERR_OUT_OF_MEMORY, "the named-object directory of %s is full (%d names): [%s]", d.r.where,
                    HSHM_NAMED_ENTRIES, names);
    }
    uint8_t *e = entry_at(&d, free_entry);
    size_t len = strlen(n);
    memset(e + HSHM_NE_NAME, 0, HSHM_NAMED_NAME_BYTES);
    memcpy(e + HSHM_NE_NAME, n, len);
    st32(e + HSHM_NE_NAME_LEN, (uint32_t) len);
    st(e + HSHM_NE_SIZE, size);
    st(e + HSHM_NE_CREATOR, hshm_queue_owner_word());
    st(e + HSHM_NE_OFFSET, HSHM_NAMED_NO_OFFSET);
    st_release(e + HSHM_NE_STATE, HSHM_NAMED_CREATING);
    uint64_t off;
    rc = hshm_alloc_aligned(h, size, HSHM_NAMED_OBJECT_ALIGNMENT, &off);
    if (rc == HSHM_OK && !in_region(&d.r, off, size)) {
        hshm_free(h, off);
        rc = qerr(HSHM_ERR_CORRUPT, "%s handed out a block outside its region: offset=%llu, size=%llu", d.r.where,
                  (unsigned long long) off, (unsigned long long) size);
    } else if (rc != HSHM_OK) {
        rc = from_hshm(rc, "allocating a named object");
    }
    if (rc != HSHM_OK) {
        st_release(e + HSHM_NE_STATE, HSHM_NAMED_EMPTY);
        dir_unlock(&d);
        return rc;
    }
    st_release(e + HSHM_NE_OFFSET, off);
    uint8_t *p = d.r.data + off;
    memset(p, 0, size);
    init(p, args);
    st_release(e + HSHM_NE_STATE, HSHM_NAMED_READY);
    dir_unlock(&d);
    out->offset = off;
    out->size = size;
    classify(p, size, out);
    *r = d.r;
    return HSHM_OK;
}

/* ------------------------------------------------------------------------------------------ queue header */

/** QueueHeader.check, naming the queue: size, magic, type (both named), version (both named), ready. */
static int queue_check(const uint8_t *p, uint64_t size, uint32_t type, uint32_t version, const char *what) {
    if (size < HSHM_QH_BYTES) {
        return qerr(HSHM_ERR_CORRUPT, "%s: object of %llu bytes is smaller than a queue header (%d bytes)", what,
                    (unsigned long long) size, HSHM_QH_BYTES);
    }
    uint64_t ready = ld_acquire(p + HSHM_QH_READY);
    uint64_t magic = ld(p + HSHM_QH_MAGIC);
    if (magic != HSHM_QUEUE_MAGIC) {
        const char *is = "";
        char buf[64] = "";
        if (magic == HSHM_CONTAINER_MAGIC && size >= HSHM_CH_BYTES) {
            snprintf(buf, sizeof buf, " (a %s container, not a queue)", container_type_name(ld32(p + HSHM_CH_TYPE)));
            is = buf;
        }
        return qerr(HSHM_ERR_CORRUPT, "%s: bad magic: expected=0x%llx (HSHMQUEU), found=0x%llx%s", what,
                    (unsigned long long) HSHM_QUEUE_MAGIC, (unsigned long long) magic, is);
    }
    uint32_t t = ld32(p + HSHM_QH_TYPE);
    if (t != type) {
        return qerr(HSHM_ERR_CORRUPT, "attaching as a %s to a %s queue: expected type=%u (%s), found type=%u (%s)",
                    what, queue_type_name(t), type, queue_type_name(type), t, queue_type_name(t));
    }
    uint32_t v = ld32(p + HSHM_QH_VERSION);
    if (v != version) {
        return qerr(HSHM_ERR_CORRUPT, "%s: layout version mismatch: expected version=%u, found version=%u", what,
                    version, v);
    }
    if (ready != HSHM_QUEUE_READY) {
        return qerr(HSHM_ERR_CORRUPT, "%s was never published (its creator may have died formatting it): "
                    "ready=0x%llx", what, (unsigned long long) ready);
    }
    return HSHM_OK;
}

/** QueueHeader.capacity: a power of two in [min, max]. */
static int queue_capacity(const uint8_t *p, const char *what, uint64_t min, uint64_t max, uint64_t *out) {
    uint64_t c = ld(p + HSHM_QH_CAPACITY);
    if (c < min || c > max || !power_of_two(c)) {
        return qerr(HSHM_ERR_CORRUPT, "%s: bad capacity in header: capacity=%llu (a power of two in [%llu, %llu])",
                    what, (unsigned long long) c, (unsigned long long) min, (unsigned long long) max);
    }
    *out = c;
    return HSHM_OK;
}

static int queue_element(const uint8_t *p, const char *what, uint64_t min, uint64_t max, uint64_t *out) {
    uint64_t e = ld(p + HSHM_QH_ELEMENT);
    if (e < min || e > max) {
        return qerr(HSHM_ERR_CORRUPT, "%s: bad element size in header: element=%llu (in [%llu, %llu])", what,
                    (unsigned long long) e, (unsigned long long) min, (unsigned long long) max);
    }
    *out = e;
    return HSHM_OK;
}

/** QueueHeader.format (the caller formats its own fields and publishes). */
static void queue_format(uint8_t *p, uint32_t type, uint32_t version, uint64_t capacity, uint64_t element) {
    st(p + HSHM_QH_MAGIC, HSHM_QUEUE_MAGIC);
    st32(p + HSHM_QH_TYPE, type);
    st32(p + HSHM_QH_VERSION, version);
    st(p + HSHM_QH_CAPACITY, capacity);
    st(p + HSHM_QH_ELEMENT, element);
    st(p + HSHM_QH_CONSUMER, HSHM_SOWNER_NONE);
    st(p + HSHM_QH_PRODUCER, HSHM_SOWNER_NONE);
    st(p + HSHM_QH_RESERVED, 0);
}

/** QueueHeader.registerConsumer / registerProducer. */
static void register_owner(uint8_t *field) {
    uint64_t me = hshm_queue_owner_word();
    if (ld_acquire(field) != me) {
        st_release(field, me);
    }
}

/* ------------------------------------------------------------------------------------------ SPSC (SpscRing) */

struct hshm_spsc {
    uint8_t *base; /* the ring's object */
    uint64_t size;
    uint64_t capacity;
    uint64_t mask;
    uint64_t element;
    uint64_t head_cache;
    uint64_t tail_cache;
    bool producing;
    bool consuming;
    char what[48]; /* "spsc queue 'name'" */
};

/** SpscRing.attach: header, capacity, element size, and the object large enough. */
static int spsc_open(uint8_t *p, uint64_t size, const char *name, hshm_spsc **out) {
    char what[48];
    snprintf(what, sizeof what, "spsc queue '%s'", name);
    int rc = queue_check(p, size, HSHM_QUEUE_TYPE_SPSC, HSHM_SPSC_VERSION, what);
    uint64_t c = 0;
    uint64_t e = 0;
    if (rc == HSHM_OK) {
        rc = queue_capacity(p, what, HSHM_SPSC_MIN_CAPACITY, HSHM_SPSC_MAX_CAPACITY, &c);
    }
    if (rc == HSHM_OK) {
        rc = queue_element(p, what, HSHM_SPSC_MIN_ELEMENT, HSHM_SPSC_MAX_ELEMENT, &e);
    }
    if (rc == HSHM_OK && (e & 7) != 0) {
        rc = qerr(HSHM_ERR_CORRUPT, "%s: bad element size in header: element=%llu (a multiple of 8)", what,
                  (unsigned long long) e);
    }
    if (rc == HSHM_OK && size < HSHM_SPSC_SLOTS + c * e) { /* c <= 2^30, e <= 2^20: no overflow */
        rc = qerr(HSHM_ERR_CORRUPT, "%s: header says capacity=%llu, element=%llu (%llu bytes) but the object has "
                  "%llu bytes", what, (unsigned long long) c, (unsigned long long) e,
                  (unsigned long long) (HSHM_SPSC_SLOTS + c * e), (unsigned long long) size);
    }
    if (rc != HSHM_OK) {
        return rc;
    }
    hshm_spsc *q = calloc(1, sizeof *q);
    if (q == NULL) {
        return qerr(HSHM_ERR_SYSTEM, "out of process memory");
    }
    q->base = p;
    q->size = size;
    q->capacity = c;
    q->mask = c - 1;
    q->element = e;
    snprintf(q->what, sizeof q->what, "%s", what);
    *out = q;
    return HSHM_OK;
}

int hshm_spsc_attach(hshm_heap *h, const char *name, hshm_spsc **out) {
    if (out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_spsc_attach: null result pointer");
    }
    *out = NULL;
    hshm_named_info info;
    region r;
    int rc = named_find(h, name, &info, &r);
    if (rc != HSHM_OK) {
        return rc;
    }
    return spsc_open(r.data + info.offset, info.size, name[0] == '/' ? name + 1 : name, out);
}

/** SpscRing.format. */
static void spsc_format(uint8_t *p, const uint64_t *args) {
    memset(p, 0, HSHM_SPSC_SLOTS);
    queue_format(p, HSHM_QUEUE_TYPE_SPSC, HSHM_SPSC_VERSION, args[0], args[1]);
    st_release(p + HSHM_QH_READY, HSHM_QUEUE_READY);
}

int hshm_spsc_create(hshm_heap *h, const char *name, uint64_t capacity, uint64_t element_size, hshm_spsc **out) {
    if (h == NULL || out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_spsc_create: null heap or result pointer");
    }
    *out = NULL;
    if (capacity < HSHM_SPSC_MIN_CAPACITY || capacity > HSHM_SPSC_MAX_CAPACITY || !power_of_two(capacity)) {
        return qerr(HSHM_ERR_ARGUMENT, "spsc queue capacity must be a power of two in [%d, %lld]: capacity=%llu",
                    (int) HSHM_SPSC_MIN_CAPACITY, (long long) HSHM_SPSC_MAX_CAPACITY, (unsigned long long) capacity);
    }
    if (element_size < HSHM_SPSC_MIN_ELEMENT || element_size > HSHM_SPSC_MAX_ELEMENT || (element_size & 7) != 0) {
        return qerr(HSHM_ERR_ARGUMENT, "spsc queue element size must be a multiple of 8 in [%d, %d]: elementSize=%llu",
                    (int) HSHM_SPSC_MIN_ELEMENT, (int) HSHM_SPSC_MAX_ELEMENT, (unsigned long long) element_size);
    }
    uint64_t args[2] = {capacity, element_size};
    hshm_named_info info;
    region r;
    int rc = named_create(h, name, HSHM_SPSC_SLOTS + capacity * element_size, spsc_format, args, &info, &r);
    if (rc != HSHM_OK) {
        return rc;
    }
    return spsc_open(r.data + info.offset, info.size, name[0] == '/' ? name + 1 : name, out);
}

void hshm_spsc_close(hshm_spsc *q) {
    free(q);
}

uint64_t hshm_spsc_capacity(const hshm_spsc *q) {
    return q->capacity;
}

uint64_t hshm_spsc_element_size(const hshm_spsc *q) {
    return q->element;
}

/** SpscRing.checked: 0 <= tail - head <= capacity. */
static int spsc_checked(const hshm_spsc *q, uint64_t tail, uint64_t head, const char *side, uint64_t *n) {
    int64_t d = (int64_t) (tail - head);
    if (d < 0 || (uint64_t) d > q->capacity) {
        return qerr(HSHM_ERR_CORRUPT, "%s: indices out of range (%s): tail=%lld, head=%lld, capacity=%llu "
                    "(0 <= tail - head <= capacity)", q->what, side, (long long) tail, (long long) head,
                    (unsigned long long) q->capacity);
    }
    *n = (uint64_t) d;
    return HSHM_OK;
}

int hshm_spsc_size(hshm_spsc *q, uint64_t *out) {
    uint64_t h = ld_acquire(q->base + HSHM_SPSC_HEAD);
    uint64_t t = ld_acquire(q->base + HSHM_SPSC_TAIL);
    return spsc_checked(q, t, h, "size", out);
}

void hshm_spsc_register_producer(hshm_spsc *q) {
    if (!q->producing) {
        q->producing = true;
        register_owner(q->base + HSHM_QH_PRODUCER);
        q->head_cache = ld_acquire(q->base + HSHM_SPSC_HEAD);
    }
}

void hshm_spsc_register_consumer(hshm_spsc *q) {
    if (!q->consuming) {
        q->consuming = true;
        register_owner(q->base + HSHM_QH_CONSUMER);
        q->tail_cache = ld_acquire(q->base + HSHM_SPSC_TAIL);
    }
}

static uint8_t *spsc_slot(const hshm_spsc *q, uint64_t index) {
    return q->base + HSHM_SPSC_SLOTS + (index & q->mask) * q->element;
}

/** SpscRing.claimSlot: the index of the next offer; HSHM_QUEUE_AGAIN if full. */
static int spsc_claim(hshm_spsc *q, uint64_t *t) {
    hshm_spsc_register_producer(q);
    *t = ld(q->base + HSHM_SPSC_TAIL);
    int64_t d = (int64_t) (*t - q->head_cache);
    if (d >= (int64_t) q->capacity || d < 0) {
        q->head_cache = ld_acquire(q->base + HSHM_SPSC_HEAD);
        uint64_t n = 0;
        int rc = spsc_checked(q, *t, q->head_cache, "producer", &n);
        if (rc != HSHM_OK) {
            return rc;
        }
        if (n == q->capacity) {
            return HSHM_QUEUE_AGAIN;
        }
    }
    return HSHM_OK;
}

/** SpscRing.publish: TAIL (release), then wake a sleeping consumer. */
static void spsc_publish(hshm_spsc *q, uint64_t t) {
    st_release(q->base + HSHM_SPSC_TAIL, t + 1);
    ww_signal(q->base + HSHM_SPSC_NOT_EMPTY);
}

int hshm_spsc_offer(hshm_spsc *q, const void *src, size_t len) {
    if (len != q->element || src == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "%s elements are %llu bytes; offered %zu", q->what,
                    (unsigned long long) q->element, src == NULL ? (size_t) 0 : len);
    }
    uint64_t t = 0;
    int rc = spsc_claim(q, &t);
    if (rc != HSHM_OK) {
        return rc;
    }
    memcpy(spsc_slot(q, t), src, q->element);
    spsc_publish(q, t);
    return HSHM_OK;
}

int hshm_spsc_offer_u64(hshm_spsc *q, uint64_t value) {
    uint64_t t = 0;
    int rc = spsc_claim(q, &t);
    if (rc != HSHM_OK) {
        return rc;
    }
    memcpy(spsc_slot(q, t), &value, 8);
    spsc_publish(q, t);
    return HSHM_OK;
}

/** SpscRing.available: elements to take (the cached TAIL refreshed when it says empty). */
static int spsc_available(hshm_spsc *q, uint64_t *n) {
    hshm_spsc_register_consumer(q);
    uint64_t h = ld(q->base + HSHM_SPSC_HEAD);
    int64_t d = (int64_t) (q->tail_cache - h);
    if (d <= 0 || (uint64_t) d > q->capacity) {
        q->tail_cache = ld_acquire(q->base + HSHM_SPSC_TAIL);
        return spsc_checked(q, q->tail_cache, h, "consumer", n);
    }
    *n = (uint64_t) d;
    return HSHM_OK;
}

/** SpscRing.release: HEAD (release), then wake a sleeping producer. */
static void spsc_release(hshm_spsc *q, uint64_t new_head) {
    st_release(q->base + HSHM_SPSC_HEAD, new_head);
    ww_signal(q->base + HSHM_SPSC_NOT_FULL);
}

int hshm_spsc_poll(hshm_spsc *q, void *dst, size_t cap) {
    if (dst == NULL || cap < q->element) {
        return qerr(HSHM_ERR_ARGUMENT, "%s elements are %llu bytes; destination has %zu", q->what,
                    (unsigned long long) q->element, dst == NULL ? (size_t) 0 : cap);
    }
    uint64_t n = 0;
    int rc = spsc_available(q, &n);
    if (rc != HSHM_OK) {
        return rc;
    }
    if (n == 0) {
        return HSHM_QUEUE_AGAIN;
    }
    uint64_t h = ld(q->base + HSHM_SPSC_HEAD);
    memcpy(dst, spsc_slot(q, h), q->element);
    spsc_release(q, h + 1);
    return HSHM_OK;
}

int hshm_spsc_poll_u64(hshm_spsc *q, uint64_t *out) {
    if (out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_spsc_poll_u64: null result pointer");
    }
    uint64_t n = 0;
    int rc = spsc_available(q, &n);
    if (rc != HSHM_OK) {
        return rc;
    }
    if (n == 0) {
        return HSHM_QUEUE_AGAIN;
    }
    uint64_t h = ld(q->base + HSHM_SPSC_HEAD);
    memcpy(out, spsc_slot(q, h), 8);
    spsc_release(q, h + 1);
    return HSHM_OK;
}

typedef struct spsc_op {
    hshm_spsc *q;
    const void *src;
    void *dst;
    size_t len;
    uint64_t value;
    uint64_t *out;
} spsc_op;

static int try_spsc_offer(void *ctx) {
    spsc_op *o = ctx;
    return hshm_spsc_offer(o->q, o->src, o->len);
}

static int try_spsc_offer_u64(void *ctx) {
    spsc_op *o = ctx;
    return hshm_spsc_offer_u64(o->q, o->value);
}

static int try_spsc_poll(void *ctx) {
    spsc_op *o = ctx;
    return hshm_spsc_poll(o->q, o->dst, o->len);
}

static int try_spsc_poll_u64(void *ctx) {
    spsc_op *o = ctx;
    return hshm_spsc_poll_u64(o->q, o->out);
}

static int spsc_wait(hshm_spsc *q, bool producer, attempt_fn fn, spsc_op *o, uint32_t timeout_ms) {
    char what[96];
    snprintf(what, sizeof what, producer ? "producer waiting for room in a full %s" : "consumer waiting on an empty %s",
             q->what);
    return await_word(q->base + (producer ? HSHM_SPSC_NOT_FULL : HSHM_SPSC_NOT_EMPTY), fn, o,
                      q->base + (producer ? HSHM_QH_CONSUMER : HSHM_QH_PRODUCER), timeout_ms, what,
                      producer ? "consumer" : "producer");
}

int hshm_spsc_put(hshm_spsc *q, const void *src, size_t len, uint32_t timeout_ms) {
    spsc_op o = {.q = q, .src = src, .len = len};
    return spsc_wait(q, true, try_spsc_offer, &o, timeout_ms);
}

int hshm_spsc_put_u64(hshm_spsc *q, uint64_t value, uint32_t timeout_ms) {
    spsc_op o = {.q = q, .value = value};
    return spsc_wait(q, true, try_spsc_offer_u64, &o, timeout_ms);
}

int hshm_spsc_take(hshm_spsc *q, void *dst, size_t cap, uint32_t timeout_ms) {
    spsc_op o = {.q = q, .dst = dst, .len = cap};
    return spsc_wait(q, false, try_spsc_poll, &o, timeout_ms);
}

int hshm_spsc_take_u64(hshm_spsc *q, uint64_t *out, uint32_t timeout_ms) {
    spsc_op o = {.q = q, .out = out};
    return spsc_wait(q, false, try_spsc_poll_u64, &o, timeout_ms);
}

/* ------------------------------------------------------------------------------------------ MPSC (MpscRing) */

struct hshm_mpsc {
    uint8_t *base;
    uint64_t size;
    uint64_t capacity;
    uint64_t mask;
    uint32_t max_payload;
    uint64_t claim_timeout_ns;
    bool consuming;
    bool stalling;       /* stall_head is set */
    uint64_t stall_head; /* the head index a stalled record sits at */
    uint64_t stall_since;
    uint64_t next_liveness;
    uint64_t next_sweep;
    uint32_t sweep_cursor;  /* the next producer slot the consumer's sweep looks at */
    uint32_t batches;       /* read batches, for the sweep of a consumer that never stalls */
    uint32_t claimer;       /* this process's producer slot once taken; 0 before, and while the table is full */
    bool register_tried;
    uint64_t next_register;
    char what[48]; /* "mpsc queue 'name'" */
};

#define MPSC_MAX_CAS_ROUNDS 1000000 /* a claim's TAIL CAS loses this often only to a corrupt, moving TAIL */
#define MPSC_MAX_REREADS 64         /* repairs and changed words re-read per read call */
#define MPSC_SWEEP_INTERVAL_NS 10000000ull   /* MpscRing.SWEEP_INTERVAL_NANOS */
#define MPSC_SWEEP_SCAN 32                   /* MpscRing.SWEEP_SCAN */
#define MPSC_SWEEP_BATCHES 1024u             /* MpscRing.SWEEP_BATCHES */
#define MPSC_REGISTER_RETRY_NS 1000000000ull /* MpscRing.REGISTER_RETRY_NANOS */

static uint8_t *mpsc_slot(hshm_mpsc *q, uint32_t s) {
    return q->base + HSHM_MPSC_PRODUCERS + (uint64_t) s * HSHM_MP_BYTES;
}

/**
 * MpscRing.register: this process's producer slot (one it holds already, else CAS a free one's OWNER 0 -> this
 * process); 0 when the table is full, looked at again after MPSC_REGISTER_RETRY_NS.
 */
static uint32_t mpsc_register(hshm_mpsc *q) {
    /* producer threads share the handle: its fields are read and written with relaxed atomics */
    uint32_t mine = __atomic_load_n(&q->claimer, __ATOMIC_RELAXED);
    if (mine > 0) {
        return mine;
    }
    uint64_t now = now_ns();
    if (__atomic_load_n(&q->register_tried, __ATOMIC_RELAXED)
        && (int64_t) (now - __atomic_load_n(&q->next_register, __ATOMIC_RELAXED)) < 0) {
        return 0;
    }
    __atomic_store_n(&q->next_register, now + MPSC_REGISTER_RETRY_NS, __ATOMIC_RELAXED);
    __atomic_store_n(&q->register_tried, true, __ATOMIC_RELAXED);
    uint64_t me = hshm_queue_owner_word();
    for (uint32_t s = 1; s < HSHM_MPSC_SLOTS; s++) {
        if (ld_acquire(mpsc_slot(q, s) + HSHM_MP_OWNER) == me) {
            __atomic_store_n(&q->claimer, s, __ATOMIC_RELAXED);
            return s;
        }
    }
    for (uint32_t s = 1; s < HSHM_MPSC_SLOTS; s++) {
        uint8_t *o = mpsc_slot(q, s) + HSHM_MP_OWNER;
        if (ld_acquire(o) == HSHM_SOWNER_NONE && cas(o, HSHM_SOWNER_NONE, me)) {
            __atomic_store_n(&q->claimer, s, __ATOMIC_RELAXED);
            return s;
        }
    }
    return 0;
}

/**
 * MpscRing.sweep: one step of the consumer's sweep of the producer table: up to MPSC_SWEEP_SCAN slots until a
 * taken one; a dead owner's slot is retired at `tail`, a retired one `head` has passed is freed (RETIRE first).
 */
static void mpsc_sweep(hshm_mpsc *q, uint64_t head, uint64_t tail) {
    for (int i = 0; i < MPSC_SWEEP_SCAN; i++) {
        uint32_t s = q->sweep_cursor < 1 || q->sweep_cursor >= HSHM_MPSC_SLOTS ? 1 : q->sweep_cursor;
        q->sweep_cursor = s == HSHM_MPSC_SLOTS - 1 ? 1 : s + 1;
        uint8_t *slot = mpsc_slot(q, s);
        uint64_t owner = ld_acquire(slot + HSHM_MP_OWNER);
        if (owner == HSHM_SOWNER_NONE) {
            continue;
        }
        uint64_t retire = ld(slot + HSHM_MP_RETIRE);
        if (retire == 0) {
            if (!owner_alive(owner)) {
                st_release(slot + HSHM_MP_RETIRE, tail + 1);
            }
        } else if ((int64_t) (head - (retire - 1)) >= 0) {
            __atomic_store_n((uint64_t *) (void *) (slot + HSHM_MP_RETIRE), 0, __ATOMIC_SEQ_CST);
            cas(slot + HSHM_MP_OWNER, owner, HSHM_SOWNER_NONE);
        }
        return;
    }
}

static uint32_t mpsc_max_payload(uint64_t capacity) {
    return (uint32_t) (capacity / 8 - HSHM_MPSC_RECORD_HEADER);
}

/** MpscRing.attach. */
static int mpsc_open(uint8_t *p, uint64_t size, const char *name, hshm_mpsc **out) {
    char what[48];
    snprintf(what, sizeof what, "mpsc queue '%s'", name);
    int rc = queue_check(p, size, HSHM_QUEUE_TYPE_MPSC, HSHM_MPSC_VERSION, what);
    uint64_t c = 0;
    uint64_t e = 0;
    if (rc == HSHM_OK) {
        rc = queue_capacity(p, what, HSHM_MPSC_MIN_CAPACITY, HSHM_MPSC_MAX_CAPACITY, &c);
    }
    if (rc == HSHM_OK) {
        rc = queue_element(p, what, mpsc_max_payload(c), mpsc_max_payload(c), &e);
    }
    if (rc == HSHM_OK && size < HSHM_MPSC_BUFFER + c) {
        rc = qerr(HSHM_ERR_CORRUPT, "%s: header says capacity=%llu (%llu bytes) but the object has %llu bytes", what,
                  (unsigned long long) c, (unsigned long long) (HSHM_MPSC_BUFFER + c), (unsigned long long) size);
    }
    if (rc != HSHM_OK) {
        return rc;
    }
    hshm_mpsc *q = calloc(1, sizeof *q);
    if (q == NULL) {
        return qerr(HSHM_ERR_SYSTEM, "out of process memory");
    }
    q->base = p;
    q->size = size;
    q->capacity = c;
    q->mask = c - 1;
    q->max_payload = mpsc_max_payload(c);
    const char *env = getenv("HSHM_CLAIM_TIMEOUT_MS");
    uint64_t ms = env != NULL && *env != 0 ? strtoull(env, NULL, 10) : HSHM_MPSC_CLAIM_TIMEOUT_MS;
    q->claim_timeout_ns = ms * 1000000u;
    snprintf(q->what, sizeof q->what, "%s", what);
    *out = q;
    return HSHM_OK;
}

int hshm_mpsc_attach(hshm_heap *h, const char *name, hshm_mpsc **out) {
    if (out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_mpsc_attach: null result pointer");
    }
    *out = NULL;
    hshm_named_info info;
    region r;
    int rc = named_find(h, name, &info, &r);
    if (rc != HSHM_OK) {
        return rc;
    }
    return mpsc_open(r.data + info.offset, info.size, name[0] == '/' ? name + 1 : name, out);
}

/** MpscRing.format. */
static void mpsc_format(uint8_t *p, const uint64_t *args) {
    memset(p, 0, HSHM_MPSC_BUFFER + args[0]);
    queue_format(p, HSHM_QUEUE_TYPE_MPSC, HSHM_MPSC_VERSION, args[0], mpsc_max_payload(args[0]));
    st_release(p + HSHM_QH_READY, HSHM_QUEUE_READY);
}

int hshm_mpsc_create(hshm_heap *h, const char *name, uint64_t capacity, hshm_mpsc **out) {
    if (h == NULL || out == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_mpsc_create: null heap or result pointer");
    }
    *out = NULL;
    if (capacity < HSHM_MPSC_MIN_CAPACITY || capacity > HSHM_MPSC_MAX_CAPACITY || !power_of_two(capacity)) {
        return qerr(HSHM_ERR_ARGUMENT, "mpsc queue capacity must be a power of two in [%d, %lld]: capacity=%llu",
                    (int) HSHM_MPSC_MIN_CAPACITY, (long long) HSHM_MPSC_MAX_CAPACITY, (unsigned long long) capacity);
    }
    uint64_t args[1] = {capacity};
    hshm_named_info info;
    region r;
    int rc = named_create(h, name, HSHM_MPSC_BUFFER + capacity, mpsc_format, args, &info, &r);
    if (rc != HSHM_OK) {
        return rc;
    }
    return mpsc_open(r.data + info.offset, info.size, name[0] == '/' ? name + 1 : name, out);
}

void hshm_mpsc_close(hshm_mpsc *q) {
    free(q);
}

uint64_t hshm_mpsc_capacity(const hshm_mpsc *q) {
    return q->capacity;
}

uint32_t hshm_mpsc_max_payload(const hshm_mpsc *q) {
    return q->max_payload;
}

uint64_t hshm_mpsc_repairs(const hshm_mpsc *q) {
    return ld_volatile(q->base + HSHM_MPSC_REPAIRS);
}

int hshm_mpsc_try_claim(hshm_mpsc *q, int32_t type, uint32_t length, void **payload) {
    if (payload == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "hshm_mpsc_try_claim: null result pointer");
    }
    *payload = NULL;
    if (type < 1 || type > HSHM_MPSC_MAX_TYPE) {
        return qerr(HSHM_ERR_ARGUMENT, "%s record type must be in [1, %d] (24 bits): type=%d", q->what,
                    HSHM_MPSC_MAX_TYPE, type);
    }
    if (length > q->max_payload) {
        return qerr(HSHM_ERR_ARGUMENT, "%s record of %u bytes: payload must be 0..%u bytes (an eighth of the "
                    "%llu-byte buffer, less the %d-byte header)", q->what, length, q->max_payload,
                    (unsigned long long) q->capacity, HSHM_MPSC_RECORD_HEADER);
    }
    const int64_t cap = (int64_t) q->capacity;
    uint32_t me = mpsc_register(q);
    uint64_t record_length = HSHM_MPSC_RECORD_HEADER + (uint64_t) length;
    uint64_t required = align8(record_length);
    uint64_t t = 0;
    uint64_t idx = 0;
    uint64_t padding = 0;
    for (int round = 0;; round++) {
        if (round >= MPSC_MAX_CAS_ROUNDS) {
            return qerr(HSHM_ERR_CORRUPT, "%s: the tail index kept changing under %d claims in a row (a corrupt "
                        "queue?): tail=%llu", q->what, MPSC_MAX_CAS_ROUNDS, (unsigned long long) t);
        }
        t = ld_volatile(q->base + HSHM_MPSC_TAIL);
        uint64_t head = ld(q->base + HSHM_MPSC_HEAD_CACHE);
        if ((t & (HSHM_MPSC_ALIGNMENT - 1)) != 0 || (int64_t) t < 0) {
            return qerr(HSHM_ERR_CORRUPT, "%s: bad tail index: tail=%lld (a multiple of %d, >= 0)", q->what,
                        (long long) t, HSHM_MPSC_ALIGNMENT);
        }
        idx = t & q->mask;
        uint64_t to_end = q->capacity - idx;
        padding = required > to_end ? to_end : 0;
        int64_t need = (int64_t) (required + padding);
        int64_t used = (int64_t) (t - head);
        /* a HEAD_CACHE ahead of TAIL (stale or corrupt) refreshes HEAD too; Java's check skips it */
        if (used < 0 || used > cap || need > cap - used) {
            head = ld_acquire(q->base + HSHM_MPSC_HEAD);
            used = (int64_t) (t - head);
            if ((used < 0 || used > cap) && ld_volatile(q->base + HSHM_MPSC_TAIL) != t) {
                continue; /* t was stale: other producers and the consumer moved on meanwhile */
            }
            if (used < 0 || used > cap) {
                return qerr(HSHM_ERR_CORRUPT, "%s: indices out of range: tail=%lld, head=%lld, capacity=%llu "
                            "(0 <= tail - head <= capacity)", q->what, (long long) t, (long long) head,
                            (unsigned long long) q->capacity);
            }
            if (need > cap - used) {
                return HSHM_QUEUE_AGAIN; /* full: no store, so producers retrying on a full ring share the line */
            }
            st_release(q->base + HSHM_MPSC_HEAD_CACHE, head);
        }
        if (cas(q->base + HSHM_MPSC_TAIL, t, t + (uint64_t) need)) {
            break;
        }
    }
    /* after the TAIL CAS the room is this producer's alone (MpscRing.tryClaim): plain release stores, the one
     * atomic instruction of a record being the TAIL CAS, as in Agrona */
    if (padding > 0) {
        st_release(q->base + HSHM_MPSC_BUFFER + idx + HSHM_MR_WORD, HSHM_MPSC_WORD(HSHM_MPSC_PADDING, (int32_t) padding));
        idx = 0;
    }
    uint64_t at = HSHM_MPSC_BUFFER + idx;
    st_release(q->base + at + HSHM_MR_WORD, HSHM_MPSC_CLAIMED_WORD(me, type, -(int32_t) record_length));
    *payload = q->base + at + HSHM_MPSC_RECORD_HEADER;
    return HSHM_OK;
}

/** MpscRing.claimedWord: the record of a payload pointer a claim returned, checked to be claimed by this process. */
static int mpsc_header_of(hshm_mpsc *q, const void *payload, const char *op, uint64_t *at_out, uint64_t *word_out) {
    uintptr_t p = (uintptr_t) payload;
    uintptr_t base = (uintptr_t) q->base;
    uint64_t at = p - base - HSHM_MPSC_RECORD_HEADER; /* wraps to a huge value below the buffer */
    if (payload == NULL || p < base || at < HSHM_MPSC_BUFFER || at >= HSHM_MPSC_BUFFER + q->capacity
        || ((at - HSHM_MPSC_BUFFER) & 7) != 0) {
        return qerr(HSHM_ERR_ARGUMENT, "%s: %s of a pointer that no claim returned: payload=%p", q->what, op, payload);
    }
    uint64_t word = ld_acquire(q->base + at);
    int32_t len = HSHM_MPSC_LENGTH(word);
    if (len >= 0) {
        return qerr(HSHM_ERR_ARGUMENT, "%s: %s of a record that is not claimed: index=%llu, length=%d (committed or "
                    "aborted already, or padded over)", q->what, op, (unsigned long long) (at - HSHM_MPSC_BUFFER),
                    len);
    }
    uint32_t c = HSHM_MPSC_CLAIMER(word);
    /* this handle's slot, or another this process holds (two threads may register at once); a claim naming no
     * slot (the table was full) cannot be told from another process's and is taken as ours */
    if (c != __atomic_load_n(&q->claimer, __ATOMIC_RELAXED) && c != 0
        && ld_acquire(mpsc_slot(q, c) + HSHM_MP_OWNER) != hshm_queue_owner_word()) {
        return qerr(HSHM_QUEUE_ERR_PADDED_OVER, "%s: %s of a record that is not claimed by this process: index=%llu (the "
                    "consumer padded over it after this producer stalled past the claim timeout, and it was claimed "
                    "again)", q->what, op, (unsigned long long) (at - HSHM_MPSC_BUFFER));
    }
    int64_t mag = -(int64_t) len;
    if (mag < HSHM_MPSC_RECORD_HEADER || mag > (int64_t) (HSHM_MPSC_RECORD_HEADER + q->max_payload)) {
        return qerr(HSHM_ERR_CORRUPT, "%s: bad claimed record at index=%llu: length=%d (claimed lengths are -%d .. "
                    "-%u)", q->what, (unsigned long long) (at - HSHM_MPSC_BUFFER), len, HSHM_MPSC_RECORD_HEADER,
                    HSHM_MPSC_RECORD_HEADER + q->max_payload);
    }
    *at_out = at;
    *word_out = word;
    return HSHM_OK;
}

int hshm_mpsc_commit(hshm_mpsc *q, void *payload) {
    uint64_t at = 0;
    uint64_t word = 0;
    int rc = mpsc_header_of(q, payload, "commit", &at, &word);
    if (rc != HSHM_OK) {
        return rc;
    }
    st_release(q->base + at, HSHM_MPSC_WORD(HSHM_MPSC_CLAIMED_TYPE(word), -HSHM_MPSC_LENGTH(word)));
    ww_signal(q->base + HSHM_MPSC_NOT_EMPTY);
    return HSHM_OK;
}

int hshm_mpsc_abort(hshm_mpsc *q, void *payload) {
    uint64_t at = 0;
    uint64_t word = 0;
    int rc = mpsc_header_of(q, payload, "abort", &at, &word);
    if (rc != HSHM_OK) {
        return rc;
    }
    st_release(q->base + at, HSHM_MPSC_WORD(HSHM_MPSC_PADDING, -HSHM_MPSC_LENGTH(word)));
    ww_signal(q->base + HSHM_MPSC_NOT_EMPTY);
    return HSHM_OK;
}

int hshm_mpsc_offer(hshm_mpsc *q, int32_t type, const void *src, uint32_t length) {
    if (src == NULL && length > 0) {
        return qerr(HSHM_ERR_ARGUMENT, "%s: offer of %u bytes from a null pointer", q->what, length);
    }
    void *at;
    int rc = hshm_mpsc_try_claim(q, type, length, &at);
    if (rc != HSHM_OK) {
        return rc;
    }
    if (length > 0) {
        memcpy(at, src, length);
    }
    return hshm_mpsc_commit(q, at);
}

typedef struct mpsc_op {
    hshm_mpsc *q;
    int32_t type;
    const void *src;
    uint32_t length;
    void **payload;
    hshm_mpsc_handler fn;
    void *ctx;
    int limit;
    int count;
} mpsc_op;

static int try_mpsc_offer(void *ctx) {
    mpsc_op *o = ctx;
    return hshm_mpsc_offer(o->q, o->type, o->src, o->length);
}

static int try_mpsc_claim(void *ctx) {
    mpsc_op *o = ctx;
    return hshm_mpsc_try_claim(o->q, o->type, o->length, o->payload);
}

static int mpsc_wait_room(hshm_mpsc *q, attempt_fn fn, mpsc_op *o, uint32_t timeout_ms) {
    char what[96];
    snprintf(what, sizeof what, "producer waiting for room in a full %s", q->what);
    return await_word(q->base + HSHM_MPSC_NOT_FULL, fn, o, q->base + HSHM_QH_CONSUMER, timeout_ms, what, "consumer");
}

int hshm_mpsc_claim(hshm_mpsc *q, int32_t type, uint32_t length, uint32_t timeout_ms, void **payload) {
    mpsc_op o = {.q = q, .type = type, .length = length, .payload = payload};
    return mpsc_wait_room(q, try_mpsc_claim, &o, timeout_ms);
}

int hshm_mpsc_put(hshm_mpsc *q, int32_t type, const void *src, uint32_t length, uint32_t timeout_ms) {
    mpsc_op o = {.q = q, .type = type, .src = src, .length = length};
    return mpsc_wait_room(q, try_mpsc_offer, &o, timeout_ms);
}

/** MpscRing.repair: CAS the stalled WORD to padding; 1 (read it again) either way. */
static int mpsc_repair(hshm_mpsc *q, uint64_t at, uint64_t expected, uint64_t padding) {
    if (!cas(q->base + at, expected, padding)) {
        return 1; /* it changed under us (a late commit or header): read it again */
    }
    add(q->base + HSHM_MPSC_REPAIRS, 1);
    q->stalling = false;
    return 1;
}

/**
 * MpscRing.stalled: a record at the head that is not committed. Checks it is below TAIL, and repairs it if its
 * claimer is dead or it stalled past the claim timeout. 1: repaired (read it again); 0: end the batch; < 0: error.
 */
static int mpsc_stalled(hshm_mpsc *q, uint64_t h, uint64_t idx, uint64_t word) {
    uint64_t tail = ld_volatile(q->base + HSHM_MPSC_TAIL);
    int64_t ahead = (int64_t) (tail - h);
    if (ahead < 0 || (uint64_t) ahead > q->capacity) {
        return qerr(HSHM_ERR_CORRUPT, "%s: indices out of range: tail=%lld, head=%lld, capacity=%llu (0 <= tail - "
                    "head <= capacity)", q->what, (long long) tail, (long long) h, (unsigned long long) q->capacity);
    }
    uint64_t now = now_ns();
    if ((int64_t) (now - q->next_sweep) >= 0) {
        q->next_sweep = now + MPSC_SWEEP_INTERVAL_NS;
        mpsc_sweep(q, h, tail);
    }
    if (word == 0 && tail == h) {
        q->stalling = false;
        return 0; /* empty */
    }
    if (!q->stalling || q->stall_head != h) {
        q->stalling = true;
        q->stall_head = h;
        q->stall_since = now;
        q->next_liveness = now + HSHM_MPSC_LIVENESS_DELAY_NS;
        return 0;
    }
    uint64_t at = HSHM_MPSC_BUFFER + idx;
    int32_t len = HSHM_MPSC_LENGTH(word);
    if (len == 0 && word != 0) {
        return qerr(HSHM_ERR_CORRUPT, "%s: bad record header at index=%llu: length=0, type=%d (an unwritten header "
                    "is all zero)", q->what, (unsigned long long) idx, HSHM_MPSC_TYPE(word));
    }
    if (len < 0) {
        uint32_t slot = HSHM_MPSC_CLAIMER(word);
        bool dead = false;
        if (slot != 0 && now >= q->next_liveness) {
            q->next_liveness = now + HSHM_MPSC_LIVENESS_INTERVAL_NS;
            /* a slot nobody holds names no process that could still commit: as dead */
            dead = !owner_alive(ld_acquire(mpsc_slot(q, slot) + HSHM_MP_OWNER));
        }
        if (dead || (slot == 0 && now - q->stall_since > q->claim_timeout_ns)) {
            int64_t mag = -(int64_t) len;
            if (align8((uint64_t) mag) < HSHM_MPSC_RECORD_HEADER || align8((uint64_t) mag) > q->capacity - idx) {
                return qerr(HSHM_ERR_CORRUPT, "%s: bad claimed record at index=%llu: length=%d (claimed lengths are "
                            "-%d .. -%llu)", q->what, (unsigned long long) idx, len, HSHM_MPSC_RECORD_HEADER,
                            (unsigned long long) (q->capacity - idx));
            }
            return mpsc_repair(q, at, word, HSHM_MPSC_WORD(HSHM_MPSC_PADDING, (int32_t) mag));
        }
        return 0;
    }
    if (now - q->stall_since <= q->claim_timeout_ns) {
        return 0;
    }
    /* unwritten for the whole timeout: pad up to the next written word (bounded by tail and the buffer's end) */
    uint64_t limit = (uint64_t) ahead < q->capacity - idx ? (uint64_t) ahead : q->capacity - idx;
    uint64_t gap = HSHM_MPSC_ALIGNMENT;
    while (gap < limit && ld_acquire(q->base + at + gap) == 0) {
        gap += HSHM_MPSC_ALIGNMENT;
    }
    return mpsc_repair(q, at, 0, HSHM_MPSC_WORD(HSHM_MPSC_PADDING, (int32_t) gap));
}

/** Zeroes the consumed bytes [from, to) (at most one lap: one fill, or two at the wrap). */
static void mpsc_zero(hshm_mpsc *q, uint64_t from, uint64_t to) {
    uint64_t idx = from & q->mask;
    uint64_t len = to - from;
    uint64_t first = len < q->capacity - idx ? len : q->capacity - idx;
    memset(q->base + HSHM_MPSC_BUFFER + idx, 0, first);
    if (len > first) {
        memset(q->base + HSHM_MPSC_BUFFER, 0, len - first);
    }
}

int hshm_mpsc_read(hshm_mpsc *q, hshm_mpsc_handler fn, void *ctx, int limit, int *count) {
    if (count != NULL) {
        *count = 0;
    }
    if (limit < 1 || fn == NULL) {
        return qerr(HSHM_ERR_ARGUMENT, "%s: read limit must be >= 1 and the handler not null: limit=%d", q->what,
                    limit);
    }
    if (!q->consuming) {
        q->consuming = true;
        register_owner(q->base + HSHM_QH_CONSUMER);
    }
    uint64_t head = ld(q->base + HSHM_MPSC_HEAD);
    if ((head & (HSHM_MPSC_ALIGNMENT - 1)) != 0 || (int64_t) head < 0) {
        return qerr(HSHM_ERR_CORRUPT, "%s: bad head index: head=%lld (a multiple of %d, >= 0)", q->what,
                    (long long) head, HSHM_MPSC_ALIGNMENT);
    }
    uint64_t h = head;
    int n = 0;
    int rc = HSHM_OK;
    int rereads = 0;
    /* bounded: at most one lap of the buffer, and MPSC_MAX_REREADS repairs, per call */
    while (n < limit && h - head < q->capacity) {
        uint64_t idx = h & q->mask;
        uint64_t at = HSHM_MPSC_BUFFER + idx;
        uint64_t word = ld_acquire(q->base + at);
        int32_t len = HSHM_MPSC_LENGTH(word);
        if (len <= 0) {
            int s = mpsc_stalled(q, h, idx, word);
            if (s < 0) {
                rc = s;
                break;
            }
            if (s == 0 || ++rereads > MPSC_MAX_REREADS) {
                break;
            }
            continue; /* repaired into padding: read it again */
        }
        uint64_t aligned = align8((uint64_t) len);
        int32_t type = HSHM_MPSC_TYPE(word);
        if (len < (type == HSHM_MPSC_PADDING ? HSHM_MPSC_ALIGNMENT : HSHM_MPSC_RECORD_HEADER)
            || aligned > q->capacity - idx || (type < 1 && type != HSHM_MPSC_PADDING) || type > HSHM_MPSC_MAX_TYPE) {
            rc = qerr(HSHM_ERR_CORRUPT, "%s: bad record header at index=%llu: length=%d, type=%d (length in [%d, "
                      "%llu], type in [1, %d] or %d)", q->what, (unsigned long long) idx, len, type,
                      HSHM_MPSC_RECORD_HEADER, (unsigned long long) (q->capacity - idx), HSHM_MPSC_MAX_TYPE,
                      HSHM_MPSC_PADDING);
            break;
        }
        h += aligned; /* consumed even if the handler stops the batch: it was handed over */
        if (type != HSHM_MPSC_PADDING) {
            n++;
            if (fn(ctx, type, q->base + at + HSHM_MPSC_RECORD_HEADER, (uint32_t) len - HSHM_MPSC_RECORD_HEADER) != 0) {
                break;
            }
        }
    }
    if (h != head) {
        mpsc_zero(q, head, h);
        st_release(q->base + HSHM_MPSC_HEAD, h);
        ww_signal(q->base + HSHM_MPSC_NOT_FULL);
        /* MpscRing.busySweep: a consumer that never stalls sweeps the producer table too */
        if ((++q->batches & (MPSC_SWEEP_BATCHES - 1)) == 0) {
            uint64_t now = now_ns();
            if ((int64_t) (now - q->next_sweep) >= 0) {
                q->next_sweep = now + MPSC_SWEEP_INTERVAL_NS;
                mpsc_sweep(q, h, ld_volatile(q->base + HSHM_MPSC_TAIL));
            }
        }
    }
    if (count != NULL) {
        *count = n;
    }
    return rc != HSHM_OK ? rc : n > 0 ? HSHM_OK : HSHM_QUEUE_AGAIN;
}

static int try_mpsc_read(void *ctx) {
    mpsc_op *o = ctx;
    int n = 0;
    int rc = hshm_mpsc_read(o->q, o->fn, o->ctx, o->limit, &n);
    o->count += n;
    return rc;
}

int hshm_mpsc_take(hshm_mpsc *q, hshm_mpsc_handler fn, void *ctx, int limit, uint32_t timeout_ms, int *count) {
    mpsc_op o = {.q = q, .fn = fn, .ctx = ctx, .limit = limit};
    char what[96];
    snprintf(what, sizeof what, "consumer waiting on an empty %s", q->what);
    int rc = await_word(q->base + HSHM_MPSC_NOT_EMPTY, try_mpsc_read, &o, NULL, timeout_ms, what, "producer");
    if (count != NULL) {
        *count = o.count;
    }
    return rc;
}
