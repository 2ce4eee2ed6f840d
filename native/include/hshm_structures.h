/*
 * hshm_structures.h: the published layouts of hshm-java's shared data structures (named objects, wait
 * words, queues), in C11 (libc headers only).
 * GENERATED from the Java layout classes by dev.hshm.structures.CStructuresLayout; do not edit.
 * Regenerate: ./mvnw -pl structures test -Dtest=CStructuresLayoutTest -Dhshm.layout.write=true
 * CStructuresLayoutTest fails the build when this file differs from the layout classes. The prose, the
 * memory ordering of every word and what a death leaves are in docs/layout.md (section 10) and
 * docs/structures.md.
 *
 * Every word is stored in the creating machine's byte order; the u64 constants below are values (on a
 * little-endian machine "HSHMQUEU" lies in memory as the bytes of "UEUQMHSH"). Offsets stored in shared
 * memory are data offsets (relative to the start of the backend's data), as in hshm_layout.h.
 */
#ifndef HSHM_STRUCTURES_H
#define HSHM_STRUCTURES_H

#include <stddef.h>
#include <stdint.h>

/* ---- the structures' owner word (Owner): pid << 32 | (process start in epoch ms / 1000), u32 ----
 * One word, one store, never torn. 0 = nobody. Alive iff the pid runs and its start time, in ms, is
 * within 1000 ms of (low half) * 1000 + 500 (a low half of 0: the pid only). Not the allocator's owner
 * word of hshm_layout.h (that one is pid << 32 | thread, with a separate start word). */
#define HSHM_SOWNER_NONE 0 /* nobody */
#define HSHM_SOWNER_PID_SHIFT 32 /* pid in the high half, start seconds in the low half */

/* ---- the directory lock (SharedLock): CAS OWNER 0 -> me; unlock: release store 0 ----
 * Waiters spin, yield, then sleep with pauses doubling to MAX_PAUSE_US, and about every
 * LIVENESS_CHECK_NS ask whether the holder lives; a dead holder is taken over with one CAS from its
 * word to mine (RECOVERIES += 1). */
#define HSHM_SLOCK_SPINS 100
#define HSHM_SLOCK_YIELDS 20
#define HSHM_SLOCK_MAX_PAUSE_US 1000
#define HSHM_SLOCK_LIVENESS_CHECK_NS 1000000

/* The directory's robust lock; its owner is a process (a structures owner word), not a thread. */
#define HSHM_SLOCK_BYTES 16
#define HSHM_SLOCK_OWNER 0
#define HSHM_SLOCK_RECOVERIES 8
typedef struct hshm_shared_lock {
    uint64_t owner; /* HSHM_SOWNER_NONE or the holder's owner word */
    uint64_t recoveries; /* dead holders taken over (atomic add) */
} hshm_shared_lock;
_Static_assert(offsetof(hshm_shared_lock, owner) == HSHM_SLOCK_OWNER, "hshm_shared_lock.owner");
_Static_assert(offsetof(hshm_shared_lock, recoveries) == HSHM_SLOCK_RECOVERIES, "hshm_shared_lock.recoveries");
_Static_assert(sizeof(hshm_shared_lock) == HSHM_SLOCK_BYTES, "hshm_shared_lock size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_shared_lock(X) \
    X(hshm_shared_lock, owner, U) \
    X(hshm_shared_lock, recoveries, U)

/* ---- named-object directory (NamedObjects, DirectoryLayout) ----
 * Bytes [0, HSHM_NAMED_CUSTOM_HEADER_BYTES) of an allocator's custom header are the directory's; the
 * u64 at HSHM_NAMED_ROOT holds the directory block's data offset plus one (0: no directory yet),
 * acquire load. Every entry is read and written under the directory lock; after every acquisition of
 * the lock an entry still CREATING was abandoned by a dead creator. */
#define HSHM_NAMED_CUSTOM_HEADER_BYTES 64
#define HSHM_NAMED_ROOT 0 /* offset of the root word in the custom header */
#define HSHM_NAMED_OBJECT_ALIGNMENT 64 /* every object's block (and the directory's), relative to the data */
#define HSHM_NAMED_DIR_MAGIC UINT64_C(0x5249444E4D485348) /* little-endian bytes: 48 53 48 4D 4E 44 49 52 "HSHMNDIR" */
#define HSHM_NAMED_DIR_READY UINT64_C(0x524541445931) /* little-endian bytes: 31 59 44 41 45 52 00 00 "1YDAER.." */
#define HSHM_NAMED_DIR_VERSION 1
#define HSHM_NAMED_ENTRIES 64 /* names per directory */
#define HSHM_NAMED_NAME_BYTES 32
#define HSHM_NAMED_MAX_NAME 30 /* 1..30 of [A-Za-z0-9._-], not starting with '.' or '-', no ".." */
#define HSHM_NAMED_EMPTY 0
#define HSHM_NAMED_CREATING 1 /* a create in progress, or abandoned by a dead creator */
#define HSHM_NAMED_READY 2 /* published (release store) */
#define HSHM_NAMED_NO_OFFSET UINT64_MAX /* OFFSET of an entry without a block (-1) */

/* One directory entry; every field under the directory lock. */
#define HSHM_NE_BYTES 72
#define HSHM_NE_STATE 0
#define HSHM_NE_CREATOR 8
#define HSHM_NE_OFFSET 16
#define HSHM_NE_SIZE 24
#define HSHM_NE_NAME_LEN 32
#define HSHM_NE_NAME 40
typedef struct hshm_named_entry {
    uint64_t state; /* HSHM_NAMED_EMPTY / CREATING / READY */
    uint64_t creator; /* owner word of the creating process */
    uint64_t offset; /* the object's block, or HSHM_NAMED_NO_OFFSET */
    uint64_t size; /* the object's bytes */
    uint32_t name_len; /* 1..HSHM_NAMED_MAX_NAME */
    uint8_t reserved_36[4]; /* zero */
    char name[32]; /* ASCII, NUL-padded */
} hshm_named_entry;
_Static_assert(offsetof(hshm_named_entry, state) == HSHM_NE_STATE, "hshm_named_entry.state");
_Static_assert(offsetof(hshm_named_entry, creator) == HSHM_NE_CREATOR, "hshm_named_entry.creator");
_Static_assert(offsetof(hshm_named_entry, offset) == HSHM_NE_OFFSET, "hshm_named_entry.offset");
_Static_assert(offsetof(hshm_named_entry, size) == HSHM_NE_SIZE, "hshm_named_entry.size");
_Static_assert(offsetof(hshm_named_entry, name_len) == HSHM_NE_NAME_LEN, "hshm_named_entry.name_len");
_Static_assert(offsetof(hshm_named_entry, name) == HSHM_NE_NAME, "hshm_named_entry.name");
_Static_assert(sizeof(hshm_named_entry) == HSHM_NE_BYTES, "hshm_named_entry size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_named_entry(X) \
    X(hshm_named_entry, state, U) \
    X(hshm_named_entry, creator, U) \
    X(hshm_named_entry, offset, U) \
    X(hshm_named_entry, size, U) \
    X(hshm_named_entry, name_len, U) \
    X(hshm_named_entry, name, C)

/* The directory block. MAGIC, VERSION, ENTRIES are plain stores before READY (release store, last);
 * readers acquire READY first. */
#define HSHM_ND_BYTES 4672
#define HSHM_ND_MAGIC 0
#define HSHM_ND_VERSION 8
#define HSHM_ND_ENTRY_COUNT 12
#define HSHM_ND_LOCK 16
#define HSHM_ND_READY 32
#define HSHM_ND_ENTRIES 64
typedef struct hshm_named_dir {
    uint64_t magic; /* HSHM_NAMED_DIR_MAGIC */
    uint32_t version; /* HSHM_NAMED_DIR_VERSION */
    uint32_t entry_count; /* HSHM_NAMED_ENTRIES */
    hshm_shared_lock lock;
    uint64_t ready; /* HSHM_NAMED_DIR_READY once formatted */
    uint8_t reserved_40[24]; /* zero */
    hshm_named_entry entries[64];
} hshm_named_dir;
_Static_assert(offsetof(hshm_named_dir, magic) == HSHM_ND_MAGIC, "hshm_named_dir.magic");
_Static_assert(offsetof(hshm_named_dir, version) == HSHM_ND_VERSION, "hshm_named_dir.version");
_Static_assert(offsetof(hshm_named_dir, entry_count) == HSHM_ND_ENTRY_COUNT, "hshm_named_dir.entry_count");
_Static_assert(offsetof(hshm_named_dir, lock) == HSHM_ND_LOCK, "hshm_named_dir.lock");
_Static_assert(offsetof(hshm_named_dir, ready) == HSHM_ND_READY, "hshm_named_dir.ready");
_Static_assert(offsetof(hshm_named_dir, entries) == HSHM_ND_ENTRIES, "hshm_named_dir.entries");
_Static_assert(sizeof(hshm_named_dir) == HSHM_ND_BYTES, "hshm_named_dir size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_named_dir(X) \
    X(hshm_named_dir, magic, U) \
    X(hshm_named_dir, version, U) \
    X(hshm_named_dir, entry_count, U) \
    X(hshm_named_dir, lock, S) \
    X(hshm_named_dir, ready, U) \
    X(hshm_named_dir, entries, S)

/* ---- wait word (WaitWord), 4-aligned ----
 * Waiter: WAITERS += 1; loop { seq = SEQUENCE; re-check the condition; futex(FUTEX_WAIT, seq, slice) }
 * with the first slice at most HSHM_WAIT_FIRST_SLICE_NS, doubling to HSHM_WAIT_MAX_SLICE_NS; then
 * WAITERS -= 1. Waker, after its release store of the change: if WAITERS (relaxed load) != 0,
 * SEQUENCE += 1 and futex(FUTEX_WAKE, INT_MAX). The futex is SHARED: no FUTEX_PRIVATE_FLAG, so JVMs
 * and C processes wake each other. A waiter that sees no progress for HSHM_WAIT_MAX_SLICE_NS asks
 * whether its peer (the queue header's CONSUMER or PRODUCER) still runs. */
#define HSHM_WAIT_FIRST_SLICE_NS 50000 /* the most a wake lost to the unfenced signal costs */
#define HSHM_WAIT_MAX_SLICE_NS 50000000 /* longest sleep; also the peer liveness check interval */

/* A wait word; both fields atomic add. */
#define HSHM_WW_BYTES 8
#define HSHM_WW_SEQUENCE 0
#define HSHM_WW_WAITERS 4
typedef struct hshm_wait_word {
    int32_t sequence; /* bumped by a signal that finds a waiter; the futex word */
    int32_t waiters; /* threads between prepare and finish */
} hshm_wait_word;
_Static_assert(offsetof(hshm_wait_word, sequence) == HSHM_WW_SEQUENCE, "hshm_wait_word.sequence");
_Static_assert(offsetof(hshm_wait_word, waiters) == HSHM_WW_WAITERS, "hshm_wait_word.waiters");
_Static_assert(sizeof(hshm_wait_word) == HSHM_WW_BYTES, "hshm_wait_word size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_wait_word(X) \
    X(hshm_wait_word, sequence, U) \
    X(hshm_wait_word, waiters, U)

/* ---- queue header (QueueHeader): the first 64 bytes of every queue, padded to HSHM_QH_BYTES ---- */
#define HSHM_QUEUE_MAGIC UINT64_C(0x554555514D485348) /* little-endian bytes: 48 53 48 4D 51 55 45 55 "HSHMQUEU" */
#define HSHM_QUEUE_READY UINT64_C(0x524541445931) /* little-endian bytes: 31 59 44 41 45 52 00 00 "1YDAER.." */
#define HSHM_QUEUE_TYPE_SPSC 1
#define HSHM_QUEUE_TYPE_MPSC 2
#define HSHM_QUEUE_TYPE_MPMC 3
#define HSHM_QUEUE_TYPE_BROADCAST 4
#define HSHM_QUEUE_MPMC_VERSION 1 /* (layout not rendered here) */
#define HSHM_QUEUE_BROADCAST_VERSION 1 /* (layout not rendered here) */

/* MAGIC..ELEMENT are plain stores before READY (release store, last); attachers acquire READY. */
#define HSHM_QH_BYTES 128
#define HSHM_QH_MAGIC 0
#define HSHM_QH_TYPE 8
#define HSHM_QH_VERSION 12
#define HSHM_QH_CAPACITY 16
#define HSHM_QH_ELEMENT 24
#define HSHM_QH_CONSUMER 32
#define HSHM_QH_PRODUCER 40
#define HSHM_QH_RESERVED 48
#define HSHM_QH_READY 56
typedef struct hshm_queue_header {
    uint64_t magic; /* HSHM_QUEUE_MAGIC */
    uint32_t type; /* HSHM_QUEUE_TYPE_* */
    uint32_t version; /* the queue's layout version */
    uint64_t capacity; /* slots (spsc) or buffer bytes (mpsc), a power of 2 */
    uint64_t element; /* bytes per slot (spsc) or largest payload (mpsc) */
    uint64_t consumer; /* owner word of the last registered consumer, or 0 */
    uint64_t producer; /* owner word of the single producer (spsc), or 0 */
    uint64_t reserved; /* 0 */
    uint64_t ready; /* HSHM_QUEUE_READY once formatted */
    uint8_t reserved_64[64]; /* zero */
} hshm_queue_header;
_Static_assert(offsetof(hshm_queue_header, magic) == HSHM_QH_MAGIC, "hshm_queue_header.magic");
_Static_assert(offsetof(hshm_queue_header, type) == HSHM_QH_TYPE, "hshm_queue_header.type");
_Static_assert(offsetof(hshm_queue_header, version) == HSHM_QH_VERSION, "hshm_queue_header.version");
_Static_assert(offsetof(hshm_queue_header, capacity) == HSHM_QH_CAPACITY, "hshm_queue_header.capacity");
_Static_assert(offsetof(hshm_queue_header, element) == HSHM_QH_ELEMENT, "hshm_queue_header.element");
_Static_assert(offsetof(hshm_queue_header, consumer) == HSHM_QH_CONSUMER, "hshm_queue_header.consumer");
_Static_assert(offsetof(hshm_queue_header, producer) == HSHM_QH_PRODUCER, "hshm_queue_header.producer");
_Static_assert(offsetof(hshm_queue_header, reserved) == HSHM_QH_RESERVED, "hshm_queue_header.reserved");
_Static_assert(offsetof(hshm_queue_header, ready) == HSHM_QH_READY, "hshm_queue_header.ready");
_Static_assert(sizeof(hshm_queue_header) == HSHM_QH_BYTES, "hshm_queue_header size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_queue_header(X) \
    X(hshm_queue_header, magic, U) \
    X(hshm_queue_header, type, U) \
    X(hshm_queue_header, version, U) \
    X(hshm_queue_header, capacity, U) \
    X(hshm_queue_header, element, U) \
    X(hshm_queue_header, consumer, U) \
    X(hshm_queue_header, producer, U) \
    X(hshm_queue_header, reserved, U) \
    X(hshm_queue_header, ready, U)

/* ---- container header (ContainerHeader): mutex, vector, string, hash maps ---- */
#define HSHM_CONTAINER_MAGIC UINT64_C(0x544E4F434D485348) /* little-endian bytes: 48 53 48 4D 43 4F 4E 54 "HSHMCONT" */
#define HSHM_CONTAINER_READY UINT64_C(0x524541445931) /* little-endian bytes: 31 59 44 41 45 52 00 00 "1YDAER.." */
#define HSHM_CONTAINER_TYPE_MUTEX 1
#define HSHM_CONTAINER_TYPE_VECTOR 2
#define HSHM_CONTAINER_TYPE_STRING 3
#define HSHM_CONTAINER_TYPE_HASH_MAP 4
#define HSHM_CONTAINER_TYPE_LONG_LONG_MAP 5
#define HSHM_CONTAINER_MUTEX_VERSION 1
#define HSHM_CONTAINER_VECTOR_VERSION 1
#define HSHM_CONTAINER_STRING_VERSION 1
#define HSHM_CONTAINER_MAP_VERSION 1 /* both hash maps */

/* MAGIC, TYPE, VERSION are plain stores before READY (release store, last); attachers acquire READY. */
#define HSHM_CH_BYTES 32
#define HSHM_CH_MAGIC 0
#define HSHM_CH_TYPE 8
#define HSHM_CH_VERSION 12
#define HSHM_CH_READY 16
#define HSHM_CH_RESERVED 24
typedef struct hshm_container_header {
    uint64_t magic; /* HSHM_CONTAINER_MAGIC */
    uint32_t type; /* HSHM_CONTAINER_TYPE_* */
    uint32_t version; /* the container's layout version */
    uint64_t ready; /* HSHM_CONTAINER_READY once formatted */
    uint64_t reserved; /* 0 */
} hshm_container_header;
_Static_assert(offsetof(hshm_container_header, magic) == HSHM_CH_MAGIC, "hshm_container_header.magic");
_Static_assert(offsetof(hshm_container_header, type) == HSHM_CH_TYPE, "hshm_container_header.type");
_Static_assert(offsetof(hshm_container_header, version) == HSHM_CH_VERSION, "hshm_container_header.version");
_Static_assert(offsetof(hshm_container_header, ready) == HSHM_CH_READY, "hshm_container_header.ready");
_Static_assert(offsetof(hshm_container_header, reserved) == HSHM_CH_RESERVED, "hshm_container_header.reserved");
_Static_assert(sizeof(hshm_container_header) == HSHM_CH_BYTES, "hshm_container_header size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_container_header(X) \
    X(hshm_container_header, magic, U) \
    X(hshm_container_header, type, U) \
    X(hshm_container_header, version, U) \
    X(hshm_container_header, ready, U) \
    X(hshm_container_header, reserved, U)

/* ---- SPSC ring (SpscRing, SpscLayout): fixed-size elements ----
 * Element n (n = HEAD for the consumer, TAIL for the producer) lies at
 * HSHM_SPSC_SLOTS + (n & (CAPACITY - 1)) * ELEMENT. Producer: write the slot, release store
 * TAIL = n + 1, signal NOT_EMPTY. Consumer: acquire TAIL, read the slot, release store HEAD = n + 1,
 * signal NOT_FULL. Invariant, checked on every load of the other side's index:
 * 0 <= TAIL - HEAD <= CAPACITY. The object is HSHM_SPSC_SLOTS + CAPACITY * ELEMENT bytes. */
#define HSHM_SPSC_VERSION 1
#define HSHM_SPSC_SLOTS 512 /* the first slot */
#define HSHM_SPSC_MIN_CAPACITY 2 /* slots, a power of two */
#define HSHM_SPSC_MAX_CAPACITY 1073741824
#define HSHM_SPSC_MIN_ELEMENT 8 /* bytes, a multiple of 8 */
#define HSHM_SPSC_MAX_ELEMENT 1048576

/* The fixed part of an SPSC ring (the slots follow at HSHM_SPSC_SLOTS). TAIL and HEAD are two cache
 * lines apart. */
#define HSHM_SPSC_BYTES 512
#define HSHM_SPSC_HEADER 0
#define HSHM_SPSC_TAIL 128
#define HSHM_SPSC_HEAD 256
#define HSHM_SPSC_NOT_EMPTY 384
#define HSHM_SPSC_NOT_FULL 392
typedef struct hshm_spsc_ring {
    hshm_queue_header header; /* type HSHM_QUEUE_TYPE_SPSC */
    uint64_t tail; /* elements ever offered; producer only (release); consumer acquires */
    uint8_t reserved_136[120]; /* zero */
    uint64_t head; /* elements ever taken; consumer only (release); producer acquires */
    uint8_t reserved_264[120]; /* zero */
    hshm_wait_word not_empty; /* the consumer sleeps here */
    hshm_wait_word not_full; /* the producer sleeps here */
    uint8_t reserved_400[112]; /* zero */
} hshm_spsc_ring;
_Static_assert(offsetof(hshm_spsc_ring, header) == HSHM_SPSC_HEADER, "hshm_spsc_ring.header");
_Static_assert(offsetof(hshm_spsc_ring, tail) == HSHM_SPSC_TAIL, "hshm_spsc_ring.tail");
_Static_assert(offsetof(hshm_spsc_ring, head) == HSHM_SPSC_HEAD, "hshm_spsc_ring.head");
_Static_assert(offsetof(hshm_spsc_ring, not_empty) == HSHM_SPSC_NOT_EMPTY, "hshm_spsc_ring.not_empty");
_Static_assert(offsetof(hshm_spsc_ring, not_full) == HSHM_SPSC_NOT_FULL, "hshm_spsc_ring.not_full");
_Static_assert(sizeof(hshm_spsc_ring) == HSHM_SPSC_BYTES, "hshm_spsc_ring size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_spsc_ring(X) \
    X(hshm_spsc_ring, header, S) \
    X(hshm_spsc_ring, tail, U) \
    X(hshm_spsc_ring, head, U) \
    X(hshm_spsc_ring, not_empty, S) \
    X(hshm_spsc_ring, not_full, S)

/* ---- MPSC ring (MpscRing, MpscLayout): variable-length records, Agrona's framing ----
 * A record lies at HSHM_MPSC_BUFFER + (index & (CAPACITY - 1)), 8-aligned, never split by the wrap (a
 * padding record fills the end). Its WORD is LENGTH (bits 0..31, i32) | TYPE (bits 32..55, u24) |
 * CLAIMER (bits 56..63, u8): LENGTH 0 not written; < 0 claimed, -(8 + payload), CLAIMER = the
 * claimer's producer slot (0: none, the table was full); > 0 committed, 8 + payload, CLAIMER 0. Bits
 * 32..63 all ones: padding; else TYPE is the user's (1..HSHM_MPSC_MAX_TYPE). A record occupies
 * align8(|LENGTH|) bytes. A producer process first takes a slot of PRODUCERS (CAS OWNER 0 -> its
 * owner word; one it holds already is reused). Claim: CAS TAIL t -> t + need (need includes the padding
 * to the end when the record does not fit before the wrap; then store that padding WORD = (TYPE -1,
 * LENGTH padding), release); store WORD = claimed (release). Commit: store WORD = committed (release).
 * Abort: store (TYPE -1, +LENGTH) (release). Only the consumer's repairs are CASes (claimed -> padding,
 * 0 -> padding). The consumer zeroes every record it consumed before its HEAD store; it pads over a
 * claim whose CLAIMER slot's OWNER died, and over one left unwritten or with CLAIMER 0 for the claim
 * timeout. Only the consumer frees a slot: OWNER dead -> RETIRE = 1 + TAIL; once HEAD >= RETIRE - 1,
 * RETIRE = 0, then CAS OWNER -> 0. The object is HSHM_MPSC_BUFFER + CAPACITY bytes; the largest
 * payload (ELEMENT) is CAPACITY / 8 - HSHM_MPSC_RECORD_HEADER. */
#define HSHM_MPSC_VERSION 2
#define HSHM_MPSC_BUFFER 4736 /* the first byte of the record buffer */
#define HSHM_MPSC_MIN_CAPACITY 1024 /* buffer bytes, a power of two */
#define HSHM_MPSC_MAX_CAPACITY 1073741824
#define HSHM_MPSC_RECORD_HEADER 8 /* WORD */
#define HSHM_MPSC_MAX_TYPE 16777215 /* TYPE has 24 bits */
#define HSHM_MPSC_SLOTS 256 /* producer slots; slot 0 is never taken */
#define HSHM_MPSC_ALIGNMENT 8 /* records start 8-aligned */
#define HSHM_MPSC_PADDING (-1) /* TYPE of a padding record */
#define HSHM_MPSC_CLAIM_TIMEOUT_MS 2000 /* default: an unwritten or ownerless claim stalls the consumer this long before it is padded over */
#define HSHM_MPSC_LIVENESS_DELAY_NS 1000000 /* a claim stalls the consumer this long before its owner's liveness is checked... */
#define HSHM_MPSC_LIVENESS_INTERVAL_NS 10000000 /* ...then again this often */

/* One producer slot of an MPSC ring. */
#define HSHM_MP_BYTES 16
#define HSHM_MP_OWNER 0
#define HSHM_MP_RETIRE 8
typedef struct hshm_mpsc_producer {
    uint64_t owner; /* owner word of the producer process; 0 free; CAS 0 -> owner */
    uint64_t retire; /* 0, or 1 + the TAIL the consumer read when OWNER was dead */
} hshm_mpsc_producer;
_Static_assert(offsetof(hshm_mpsc_producer, owner) == HSHM_MP_OWNER, "hshm_mpsc_producer.owner");
_Static_assert(offsetof(hshm_mpsc_producer, retire) == HSHM_MP_RETIRE, "hshm_mpsc_producer.retire");
_Static_assert(sizeof(hshm_mpsc_producer) == HSHM_MP_BYTES, "hshm_mpsc_producer size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_mpsc_producer(X) \
    X(hshm_mpsc_producer, owner, U) \
    X(hshm_mpsc_producer, retire, U)

/* The fixed part of an MPSC ring (the record buffer follows at HSHM_MPSC_BUFFER). */
#define HSHM_MPSC_BYTES 4736
#define HSHM_MPSC_HEADER 0
#define HSHM_MPSC_TAIL 128
#define HSHM_MPSC_HEAD_CACHE 256
#define HSHM_MPSC_REPAIRS 264
#define HSHM_MPSC_HEAD 384
#define HSHM_MPSC_NOT_EMPTY 512
#define HSHM_MPSC_NOT_FULL 520
#define HSHM_MPSC_PRODUCERS 640
typedef struct hshm_mpsc_ring {
    hshm_queue_header header; /* type HSHM_QUEUE_TYPE_MPSC */
    uint64_t tail; /* bytes ever claimed, a multiple of 8; CAS by producers */
    uint8_t reserved_136[120]; /* zero */
    uint64_t head_cache; /* a recent HEAD shared by producers (release; relaxed load) */
    uint64_t repairs; /* stalled claims the consumer turned into padding (atomic add) */
    uint8_t reserved_272[112]; /* zero */
    uint64_t head; /* bytes ever consumed; consumer only (release); producers acquire */
    uint8_t reserved_392[120]; /* zero */
    hshm_wait_word not_empty; /* the consumer sleeps here */
    hshm_wait_word not_full; /* producers sleep here */
    uint8_t reserved_528[112]; /* zero */
    hshm_mpsc_producer producers[256]; /* indexed by CLAIMER */
} hshm_mpsc_ring;
_Static_assert(offsetof(hshm_mpsc_ring, header) == HSHM_MPSC_HEADER, "hshm_mpsc_ring.header");
_Static_assert(offsetof(hshm_mpsc_ring, tail) == HSHM_MPSC_TAIL, "hshm_mpsc_ring.tail");
_Static_assert(offsetof(hshm_mpsc_ring, head_cache) == HSHM_MPSC_HEAD_CACHE, "hshm_mpsc_ring.head_cache");
_Static_assert(offsetof(hshm_mpsc_ring, repairs) == HSHM_MPSC_REPAIRS, "hshm_mpsc_ring.repairs");
_Static_assert(offsetof(hshm_mpsc_ring, head) == HSHM_MPSC_HEAD, "hshm_mpsc_ring.head");
_Static_assert(offsetof(hshm_mpsc_ring, not_empty) == HSHM_MPSC_NOT_EMPTY, "hshm_mpsc_ring.not_empty");
_Static_assert(offsetof(hshm_mpsc_ring, not_full) == HSHM_MPSC_NOT_FULL, "hshm_mpsc_ring.not_full");
_Static_assert(offsetof(hshm_mpsc_ring, producers) == HSHM_MPSC_PRODUCERS, "hshm_mpsc_ring.producers");
_Static_assert(sizeof(hshm_mpsc_ring) == HSHM_MPSC_BYTES, "hshm_mpsc_ring size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_mpsc_ring(X) \
    X(hshm_mpsc_ring, header, S) \
    X(hshm_mpsc_ring, tail, U) \
    X(hshm_mpsc_ring, head_cache, U) \
    X(hshm_mpsc_ring, repairs, U) \
    X(hshm_mpsc_ring, head, U) \
    X(hshm_mpsc_ring, not_empty, S) \
    X(hshm_mpsc_ring, not_full, S) \
    X(hshm_mpsc_ring, producers, S)

/* The header of one record in the MPSC buffer; the payload follows (LENGTH - 8 bytes). */
#define HSHM_MR_BYTES 8
#define HSHM_MR_WORD 0
typedef struct hshm_mpsc_record {
    uint64_t word; /* HSHM_MPSC_WORD / HSHM_MPSC_CLAIMED_WORD; release stores; consumers acquire */
} hshm_mpsc_record;
_Static_assert(offsetof(hshm_mpsc_record, word) == HSHM_MR_WORD, "hshm_mpsc_record.word");
_Static_assert(sizeof(hshm_mpsc_record) == HSHM_MR_BYTES, "hshm_mpsc_record size");
/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */
#define HSHM_FIELDS_hshm_mpsc_record(X) \
    X(hshm_mpsc_record, word, U)

/* the record WORD: committed or padding (type, length), claimed (claimer, type, -length), and its parts */
#define HSHM_MPSC_WORD(type, length) ((uint64_t) (uint32_t) (int32_t) (type) << 32 | (uint64_t) (uint32_t) (int32_t) (length))
#define HSHM_MPSC_CLAIMED_WORD(claimer, type, length) ((uint64_t) (uint8_t) (claimer) << 56 | (uint64_t) ((uint32_t) (type) & HSHM_MPSC_MAX_TYPE) << 32 | (uint64_t) (uint32_t) (int32_t) (length))
#define HSHM_MPSC_LENGTH(word) ((int32_t) (uint32_t) (word))
#define HSHM_MPSC_TYPE(word) ((int32_t) (uint32_t) ((word) >> 32)) /* of a committed word */
#define HSHM_MPSC_CLAIMED_TYPE(word) ((int32_t) (((word) >> 32) & HSHM_MPSC_MAX_TYPE)) /* of a claimed word */
#define HSHM_MPSC_CLAIMER(word) ((uint32_t) ((word) >> 56)) /* of a claimed word */

#endif /* HSHM_STRUCTURES_H */
