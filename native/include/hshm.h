/*
 * hshm.h: the C client of hshm-java (C11, POSIX, Linux). A native process attaches to a segment a JVM (or
 * another native process) made, verifies every header as the Java side does, and allocates and frees in a
 * scalable_page or thread_local heap through the shared span table and page heap, under the same robust locks,
 * as a JVM thread that has no thread cache. A lock whose owner died (a JVM's or a C process's) is taken over and
 * what it guards is rebuilt from the page descriptors with the Java side's repairs, so C processes need no JVM to
 * recover. The format is docs/layout.md; the offsets are hshm_layout.h, which
 * the build generates from the Java layout classes.
 *
 * Errors: every call returns HSHM_OK (0) or a negative HSHM_ERR_* code, and hshm_last_error() gives the
 * calling thread's message for the last failure (naming the field, offset or value that was wrong). A corrupt
 * or truncated segment, a wrong name, a foreign or interior offset, a double free: an error code, never a
 * crash. Offsets are data offsets (what the Java Allocator API calls offsets), valid in every process.
 *
 * Threads: every call may be made from any thread; a thread is identified in lock words by its kernel tid.
 * Not async-signal-safe.
 */
#ifndef HSHM_H
#define HSHM_H

#include <stddef.h>
#include <stdint.h>

#include "hshm_layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Success. */
#define HSHM_OK 0
/** A bad argument: a size, an alignment, a name that breaks the naming rule. */
#define HSHM_ERR_ARGUMENT (-1)
/** No such segment, or no such allocator in it. */
#define HSHM_ERR_NOT_FOUND (-2)
/** The shared memory is not what the format says (a bad magic, version, size, offset or list). */
#define HSHM_ERR_CORRUPT (-3)
/** An offset that is not a live block of this heap (foreign, interior, never allocated). */
#define HSHM_ERR_INVALID_POINTER (-4)
/** A block that is free already. */
#define HSHM_ERR_DOUBLE_FREE (-5)
/** The heap has no room for the request. */
#define HSHM_ERR_OUT_OF_MEMORY (-6)
/**
 * The owner word a failed operation leaves in a lock whose critical section it stopped half-way (a corrupt word
 * found after a change): "pid 0", a process that cannot exist, so the next taker (a JVM or this client) takes the
 * lock over at once and repairs behind it, as behind a dead owner.
 */
#define HSHM_OWNER_ABANDONED UINT64_C(1)
/** A system call failed (errno is in the message). */
#define HSHM_ERR_SYSTEM (-8)
/** Something this client does not handle (an allocator type without a shared heap, such as malloc). */
#define HSHM_ERR_UNSUPPORTED (-9)

/** A mapped backend (a POSIX shared-memory object made by the posix_shm_mmap backend). */
typedef struct hshm_backend hshm_backend;
/** A scalable_page or thread_local heap in a backend. */
typedef struct hshm_heap hshm_heap;

/**
 * Maps the POSIX shared-memory object "/" + name and verifies its header (magic, byte order, layout version,
 * ready word, sizes against the object's real size, kind), waiting up to `timeout_ms` for a live creator that
 * is still formatting it. Counts itself in the header's attach count.
 */
int hshm_backend_attach(const char *name, uint32_t timeout_ms, hshm_backend **out);

/** Unmaps a backend (its heaps must be closed first) and leaves the attach count. NULL is ignored. */
void hshm_backend_detach(hshm_backend *b);

/** The first byte of the backend's data: offset 0 of every offset the library stores. */
uint8_t *hshm_backend_data(const hshm_backend *b);

/** Bytes of data. */
uint64_t hshm_backend_data_size(const hshm_backend *b);

/**
 * Opens the allocator (major, minor) of the backend: finds it in the allocator directory and verifies its heap
 * header against the region the directory records (every geometry field is recomputed and compared).
 */
int hshm_heap_open(hshm_backend *b, uint32_t major, uint32_t minor, hshm_heap **out);

/** Releases the handle (nothing in shared memory changes). NULL is ignored. */
void hshm_heap_close(hshm_heap *h);

/** Allocates `size` bytes (0 gives a minimal block), 16-byte aligned; the data offset goes to `*offset`. */
int hshm_alloc(hshm_heap *h, uint64_t size, uint64_t *offset);

/** Allocates `size` bytes at an offset that is a multiple of `alignment` (a power of two). */
int hshm_alloc_aligned(hshm_heap *h, uint64_t size, uint64_t alignment, uint64_t *offset);

/**
 * Resizes the block at `offset` (HSHM_NO_OFFSET allocates): the contents up to the smaller size are kept; the
 * new offset (perhaps the same) goes to `*out`. On failure the old block is untouched.
 */
int hshm_realloc(hshm_heap *h, uint64_t offset, uint64_t new_size, uint64_t *out);

/** Frees the block at `offset`, whichever process or language allocated it. */
int hshm_free(hshm_heap *h, uint64_t offset);

/** The usable bytes of the live block at `offset` (its size class, or its pages). */
int hshm_usable_size(hshm_heap *h, uint64_t offset, uint64_t *out);

/**
 * Bytes handed out: the shards' live blocks times their class sizes plus the large runs' bytes, each read under
 * its lock (for a thread_local heap this includes blocks sitting in JVM thread caches).
 */
int hshm_bytes_in_use(hshm_heap *h, uint64_t *out);

/** The address of data offset `offset` in this process (no check; see hshm_usable_size). */
void *hshm_ptr(const hshm_heap *h, uint64_t offset);

/** The custom header of the heap's region (its address; its size goes to `*size` when not NULL). */
uint8_t *hshm_custom_header(const hshm_heap *h, uint64_t *size);

/** The heap's geometry as its header records it. */
const hshm_heap_header *hshm_heap_header_of(const hshm_heap *h);

/** The calling thread's message for the last error ("" if none). */
const char *hshm_last_error(void);

/** The name of an error code, e.g. "HSHM_ERR_CORRUPT". */
const char *hshm_error_name(int code);

/** How many locks of dead owners the calling thread has taken over (and repaired behind). */
uint64_t hshm_lock_recoveries(void);

/** This process's start word (start ms << 22 | pid bits), as stored beside its owner words; 0 if unknown. */
uint64_t hshm_start_word(void);

#ifdef __cplusplus
}
#endif

#endif /* HSHM_H */
