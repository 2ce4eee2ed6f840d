/*
 * hshm_queue.h: named objects and queues of hshm-java from C (C11, Linux). A native process finds the objects a JVM
 * (or another native process) named in an allocator's directory, and sends and receives on the SPSC and MPSC rings
 * of the structures module (dev.hshm.structures.SpscRing, MpscRing) through the same words, in the same order, as
 * the Java classes; JVM threads and C threads may be on either side, in any mix. The layouts are
 * hshm_structures.h, generated from the Java layout classes; the protocol is docs/layout.md section 10.
 *
 * Payloads are what the Java queues carry, exactly:
 *   SPSC: fixed-size elements of the ring's element size (a multiple of 8), copied in and out whole; the _u64
 *         calls move an element's first 8 bytes (SpscRing.offer(long) / pollLong: an offset of a heap block, say).
 *   MPSC: records of a user type (>= 1) and 0..max_payload bytes, copied in (offer/put) or written in place
 *         (try_claim, then commit or abort); the consumer is handed each record in place.
 *
 * Results: HSHM_OK (0); HSHM_QUEUE_AGAIN (1, not an error) when an offer finds the ring full, a poll finds it empty,
 * or a blocking call's timeout passed; or a negative HSHM_ERR_* code of hshm.h:
 *   HSHM_ERR_ARGUMENT    a bad argument (a name that breaks the naming rule, a length that is not the element
 *                        size, a payload over max_payload, a record type < 1), or a name that exists (create)
 *   HSHM_ERR_NOT_FOUND   no such name (the message lists the names there are), or no directory yet
 *   HSHM_ERR_CORRUPT     the shared words are not what the format allows: a bad magic, version, state, length,
 *                        index or offset, and also an object of another type than asked for (naming both), as
 *                        the Java attach reports it (CorruptSegmentException)
 *   HSHM_ERR_UNSUPPORTED the allocator's custom header has no room for a directory
 *   HSHM_ERR_SYSTEM      a system call failed (futex), or the directory lock stayed held by a live process for
 *                        HSHM_QUEUE_LOCK_TIMEOUT_MS
 *   HSHM_ERR_OUT_OF_MEMORY (create) the heap has no room, or the directory is full (64 names)
 * and two codes of this header, for what the Java queues report as a StateException (outside hshm.h's range):
 *   HSHM_QUEUE_ERR_PEER_DEAD   a blocking call's peer (the queue's registered consumer or producer) is no longer
 *                              running, so nobody would end the wait
 *   HSHM_QUEUE_ERR_PADDED_OVER a commit or abort of a record another process claims now: the consumer padded over
 *                              this producer's claim (it stalled past the claim timeout inside its claim) and the
 *                              room was claimed again; the record was dropped
 * hshm_queue_error_name() names all of them.
 * Every word read from shared memory is untrusted: offsets, lengths and indices are range-checked against the
 * allocator's region and the ring's capacity before use, and every loop over shared state is bounded, so a corrupt
 * queue gives a result code (HSHM_ERR_CORRUPT naming the field and the value where the corruption shows as such),
 * never a crash or a hang.
 *
 * Messages: hshm_queue_last_error() is the calling thread's message of the last failed call of THIS header (a
 * separate buffer from hshm_last_error(), which this file cannot set; a failure inside an hshm.h call made here,
 * such as an allocation, is copied into it).
 *
 * Blocking: put/take try, spin about 20 us, then sleep on the queue's wait word with the futex system call,
 * SHARED (no FUTEX_PRIVATE_FLAG: the mode of the JVM's thread model), in slices from 50 us doubling to 50 ms;
 * after each 50 ms without progress they ask whether the peer process still runs. A waker (every offer, commit,
 * poll, read) makes no system call unless someone sleeps (WaitWord.signal). The timeout is in milliseconds; 0
 * makes one try.
 *
 * Threads: an SPSC handle has one producing and one consuming thread at a time (it caches the other side's index);
 * MPSC producer calls may come from any number of threads on one handle or many; an MPSC handle's consumer calls
 * from one thread at a time. Handles are process-local (malloc); the queues themselves are in shared memory.
 *
 * Owner words: this process is recorded (PRODUCER, CONSUMER, an MPSC producer slot's OWNER, the directory lock) by the
 * structures' owner word, pid << 32 | start seconds, which a JVM judges alive as it judges its own.
 *
 * What a death of this process leaves is what a death of a Java thread at the same store leaves (docs/structures.md):
 * a dead MPSC claimer's record is padded over by the consumer, a dead holder's directory lock is taken over, a
 * half-created object (create) is freed by the next JVM that takes the directory lock. This client never repairs an
 * abandoned directory entry itself (it only skips it); a JVM does.
 */
#ifndef HSHM_QUEUE_H
#define HSHM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "hshm.h"
#include "hshm_structures.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Not an error: the ring was full (offer), empty (poll), or the timeout passed (put, take). */
#define HSHM_QUEUE_AGAIN 1

/** The peer a blocking call waits for (the queue's registered consumer or producer) is no longer running. */
#define HSHM_QUEUE_ERR_PEER_DEAD (-100)
/** The consumer padded over this producer's claim (it stalled past the claim timeout); the record was dropped. */
#define HSHM_QUEUE_ERR_PADDED_OVER (-101)

/**
 * The longest this client waits for the directory lock while its holder lives (a JVM holds it for microseconds);
 * the environment variable HSHM_LOCK_TIMEOUT_MS overrides it.
 */
#define HSHM_QUEUE_LOCK_TIMEOUT_MS 10000

/** What a named object is, by the header at its start. */
#define HSHM_OBJ_RAW 0       /* no header of this library (a user's block) */
#define HSHM_OBJ_QUEUE 1     /* a queue: type HSHM_QUEUE_TYPE_* */
#define HSHM_OBJ_CONTAINER 2 /* a container: type HSHM_CONTAINER_TYPE_* */

/** A published named object, as hshm_named_find reports it. */
typedef struct hshm_named_info {
    uint64_t offset;    /* the object's block: a data offset (hshm_ptr gives its address) */
    uint64_t size;      /* its bytes */
    uint32_t kind;      /* HSHM_OBJ_* */
    uint32_t type;      /* HSHM_QUEUE_TYPE_* or HSHM_CONTAINER_TYPE_*; 0 for a raw object */
    uint32_t version;   /* the layout version its header records; 0 for a raw object */
    char type_name[24]; /* "spsc queue", "mpsc queue", "vector", ..., "raw" */
} hshm_named_info;

/**
 * Finds the published object `name` in the named-object directory of heap `h` (NamedObjects.attach: under the
 * directory lock; an entry still being created, or abandoned half-made, is never returned). Its type comes from
 * its header (a queue's or a container's magic), so the caller can tell what to attach it as.
 * HSHM_ERR_NOT_FOUND lists the names that exist.
 */
int hshm_named_find(hshm_heap *h, const char *name, hshm_named_info *out);

/** The calling thread's message for the last failed call of this header ("" if none). */
const char *hshm_queue_last_error(void);

/** The name of a result: HSHM_QUEUE_AGAIN, HSHM_QUEUE_ERR_*, else hshm_error_name(code). */
const char *hshm_queue_error_name(int code);

/** This process's structures owner word (pid << 32 | start seconds), as stored in PRODUCER, CONSUMER, OWNER. */
uint64_t hshm_queue_owner_word(void);

/* ------------------------------------------------------------------------------------------ SPSC ring */

/** A handle on an SPSC ring of fixed-size elements (SpscRing). */
typedef struct hshm_spsc hshm_spsc;

/**
 * Attaches to the SPSC ring named `name`: finds it and verifies it as SpscRing.attach does (size, magic, type and
 * version naming both values on a mismatch, ready, capacity a power of two in range, element size a multiple of 8
 * in range, the object large enough).
 */
int hshm_spsc_attach(hshm_heap *h, const char *name, hshm_spsc **out);

/**
 * Creates an empty SPSC ring named `name` (SpscRing.create: the directory is made on first use; the entry is
 * published only once the ring is formatted). capacity: slots, a power of two in [2, 2^30]; element_size: a
 * multiple of 8 in [8, 2^20]. A name that exists: HSHM_ERR_ARGUMENT.
 */
int hshm_spsc_create(hshm_heap *h, const char *name, uint64_t capacity, uint64_t element_size, hshm_spsc **out);

/** Frees the handle (nothing in shared memory changes). NULL is ignored. */
void hshm_spsc_close(hshm_spsc *q);

/** Slots. */
uint64_t hshm_spsc_capacity(const hshm_spsc *q);

/** Bytes per element. */
uint64_t hshm_spsc_element_size(const hshm_spsc *q);

/** Elements in the ring now (a recent value while the other side runs). */
int hshm_spsc_size(hshm_spsc *q, uint64_t *out);

/** Records this process as the producer now, before its first offer (an offer does it by itself). */
void hshm_spsc_register_producer(hshm_spsc *q);

/** Records this process as the consumer now, before its first poll (a poll does it by itself). */
void hshm_spsc_register_consumer(hshm_spsc *q);

/** Offers one element: `len` must be the element size. HSHM_QUEUE_AGAIN if the ring is full. */
int hshm_spsc_offer(hshm_spsc *q, const void *src, size_t len);

/** Offers an element's first 8 bytes (the rest of the slot is left as it was): SpscRing.offer(long). */
int hshm_spsc_offer_u64(hshm_spsc *q, uint64_t value);

/** Offers, waiting up to `timeout_ms` for room; HSHM_QUEUE_ERR_PEER_DEAD if the consumer's process died meanwhile. */
int hshm_spsc_put(hshm_spsc *q, const void *src, size_t len, uint32_t timeout_ms);

/** hshm_spsc_offer_u64, waiting up to `timeout_ms` for room. */
int hshm_spsc_put_u64(hshm_spsc *q, uint64_t value, uint32_t timeout_ms);

/** Takes the next element into `dst` (`cap` >= the element size). HSHM_QUEUE_AGAIN if the ring is empty. */
int hshm_spsc_poll(hshm_spsc *q, void *dst, size_t cap);

/** Takes the next element's first 8 bytes: SpscRing.pollLong. */
int hshm_spsc_poll_u64(hshm_spsc *q, uint64_t *out);

/** Polls, waiting up to `timeout_ms`; HSHM_QUEUE_ERR_PEER_DEAD if the producer died and the ring is empty. */
int hshm_spsc_take(hshm_spsc *q, void *dst, size_t cap, uint32_t timeout_ms);

/** hshm_spsc_poll_u64, waiting up to `timeout_ms`. */
int hshm_spsc_take_u64(hshm_spsc *q, uint64_t *out, uint32_t timeout_ms);

/* ------------------------------------------------------------------------------------------ MPSC ring */

/** A handle on an MPSC ring of variable-length records (MpscRing). */
typedef struct hshm_mpsc hshm_mpsc;

/**
 * Called once per record by the consumer, with the record in place (valid until the call returns). Return 0 to go
 * on, anything else to end the batch after this record (which is consumed either way, as in MpscRing.read when the
 * handler throws).
 */
typedef int (*hshm_mpsc_handler)(void *ctx, int32_t type, const void *payload, uint32_t length);

/** Attaches to the MPSC ring named `name`, verified as MpscRing.attach does. */
int hshm_mpsc_attach(hshm_heap *h, const char *name, hshm_mpsc **out);

/** Creates an empty MPSC ring of `capacity` buffer bytes (a power of two in [1024, 2^30]) named `name`. */
int hshm_mpsc_create(hshm_heap *h, const char *name, uint64_t capacity, hshm_mpsc **out);

/** Frees the handle. NULL is ignored. */
void hshm_mpsc_close(hshm_mpsc *q);

/** Buffer bytes. */
uint64_t hshm_mpsc_capacity(const hshm_mpsc *q);

/** The largest payload a record may have: capacity / 8 - 8 (the record header). */
uint32_t hshm_mpsc_max_payload(const hshm_mpsc *q);

/** Stalled claims consumers turned into padding, ever. */
uint64_t hshm_mpsc_repairs(const hshm_mpsc *q);

/**
 * Claims room for a record of `type` (1..HSHM_MPSC_MAX_TYPE, 24 bits) and `length` payload bytes; `*payload` is where to write it, in shared
 * memory. Publish it with hshm_mpsc_commit or give it up with hshm_mpsc_abort: one of them must follow every claim,
 * since the consumer stops at a claimed record and repairs it only once the claimer's process is dead.
 * HSHM_QUEUE_AGAIN if there is no room now. The first claim of a handle takes this process's producer slot (a CAS,
 * once); then one atomic instruction per record (the TAIL CAS) and a plain release store of the header, which names
 * that slot (MpscRing.tryClaim; docs/structures.md for what a stall inside the claim costs).
 */
int hshm_mpsc_try_claim(hshm_mpsc *q, int32_t type, uint32_t length, void **payload);

/** hshm_mpsc_try_claim, waiting up to `timeout_ms` for room. */
int hshm_mpsc_claim(hshm_mpsc *q, int32_t type, uint32_t length, uint32_t timeout_ms, void **payload);

/**
 * Publishes a claimed record and wakes a sleeping consumer. HSHM_ERR_ARGUMENT if `payload` is not a claimed record's
 * (no claim returned it, it was committed or aborted already, or the consumer padded over it and consumed the
 * padding: MpscRing.commit's IllegalStateException); HSHM_QUEUE_ERR_PADDED_OVER if the record there is now another
 * process's claim. The commit is one release store of the header word.
 */
int hshm_mpsc_commit(hshm_mpsc *q, void *payload);

/** Gives a claimed record up: it becomes padding, which the consumer skips (HSHM_ERR_ARGUMENT as for commit). */
int hshm_mpsc_abort(hshm_mpsc *q, void *payload);

/** Claims, copies `length` bytes of `src` in, commits. HSHM_QUEUE_AGAIN if there is no room. */
int hshm_mpsc_offer(hshm_mpsc *q, int32_t type, const void *src, uint32_t length);

/** Offers, waiting up to `timeout_ms` for room; HSHM_QUEUE_ERR_PEER_DEAD if the consumer's process died meanwhile. */
int hshm_mpsc_put(hshm_mpsc *q, int32_t type, const void *src, uint32_t length, uint32_t timeout_ms);

/**
 * Hands up to `limit` (>= 1) committed records to `fn` in place, in order, skipping padding, then zeroes them and
 * frees their room with one HEAD store (MpscRing.read; a stalled record at the head is repaired when its claimer
 * died, or after the claim timeout: env HSHM_CLAIM_TIMEOUT_MS, default HSHM_MPSC_CLAIM_TIMEOUT_MS). `*count` (may
 * be NULL) gets how many records were handed over; HSHM_QUEUE_AGAIN when none were.
 */
int hshm_mpsc_read(hshm_mpsc *q, hshm_mpsc_handler fn, void *ctx, int limit, int *count);

/** hshm_mpsc_read, waiting up to `timeout_ms` for the first record. */
int hshm_mpsc_take(hshm_mpsc *q, hshm_mpsc_handler fn, void *ctx, int limit, uint32_t timeout_ms, int *count);

#ifdef __cplusplus
}
#endif

#endif /* HSHM_QUEUE_H */
