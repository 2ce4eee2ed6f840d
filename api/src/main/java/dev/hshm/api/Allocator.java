package dev.hshm.api;

import java.lang.foreign.MemorySegment;

/**
 * Manages the memory of one backend (or a range of it) and keeps all of its state inside that memory,
 * so every process that maps the backend can allocate and free in it. The seed's {@code BaseAllocator}.
 *
 * <p><b>Offsets.</b> The core API takes and returns primitive {@code long} offsets relative to the
 * start of {@link #memory()} (for shared allocators, the backend's data). {@link
 * OffsetPointer#NULL_OFFSET} is null. An offset is valid in every process that attached the allocator.
 * The typed methods ({@link #allocate}, {@link #free(MemContext, Pointer)}, ...) wrap the core API in
 * {@link Pointer}/{@link FullPtr} records.
 *
 * <p><b>Errors.</b> A size the heap cannot satisfy throws {@link OutOfMemoryException}; an offset that
 * is not a live block of this allocator throws {@link InvalidPointerException} (a second free of the same
 * block {@link DoubleFreeException}); metadata in shared memory that fails a check throws {@link
 * CorruptSegmentException}. None of them leaves the heap inconsistent.
 *
 * <p><b>Threads.</b> All methods are safe to call from many threads and many processes at once.
 * {@link MemContext#DEFAULT} lets the allocator find the calling thread's state through the
 * {@linkplain ThreadModel#current() thread model}; a context from {@link #createTls} skips that lookup.
 *
 * <p>The built-in type names are the constants below; create allocators with
 * {@link MemoryManager#createAllocator(String, MemoryBackendId, AllocatorId, long)}.
 */
public interface Allocator {

    /** libc {@code malloc}/{@code free}; ignores the backend; private memory only. */
    String MALLOC = "malloc";
    /** Size-classed pages in one table inside the region, shared by all processes behind one robust lock. */
    String SCALABLE_PAGE = "scalable_page";
    /** Per-thread caches in shared memory over the scalable-page table; lock-free fast path. Recommended. */
    String THREAD_LOCAL = "thread_local";

    /**
     * This allocator's id, the same in every process.
     *
     * @return the id
     */
    AllocatorId id();

    /**
     * The type name, e.g. {@link #THREAD_LOCAL}.
     *
     * @return the type
     */
    String type();

    /**
     * The backend whose memory this allocator manages.
     *
     * @return the backend
     */
    MemoryBackend backend();

    /**
     * The segment that offsets index: the backend's data for shared-memory allocators; for
     * {@link #MALLOC}, the whole address space (offsets are addresses).
     *
     * @return the segment offsets are relative to
     */
    MemorySegment memory();

    /**
     * Allocates {@code size} bytes, aligned to at least 16 bytes. {@code size == 0} returns a minimal
     * block, like {@code malloc(0)}.
     *
     * @param ctx allocation hints; {@link MemContext#DEFAULT} if none
     * @param size the number of bytes, {@code >= 0}
     * @return the offset of the block
     * @throws OutOfMemoryException if the heap cannot satisfy it
     */
    long allocateOffset(MemContext ctx, long size);

    /**
     * Allocates {@code size} bytes whose offset is a multiple of {@code alignment}, for any power of two.
     *
     * <p><b>Offsets, not addresses.</b> The offset is aligned relative to the start of the backend's data, the
     * only origin all processes share. The address of the block in this process ({@code memory().address() +
     * offset}) is aligned too up to {@link MemoryBackend#addressAlignment()}: 2 MiB for the POSIX, CUDA and
     * ROCm backends (they map their data at a 2 MiB boundary in every process), the page size (4 KiB) for
     * other shared backends. Above it, two processes can see the same block at addresses with different low
     * bits; use the offset, or ask for no more than that alignment when the address must be aligned (SIMD
     * loads, O_DIRECT buffers, GPU copies). The {@code malloc} allocator, whose offsets are addresses, aligns
     * both.
     *
     * @param ctx allocation hints
     * @param size the number of bytes, {@code >= 0}
     * @param alignment a power of two
     * @return the offset of the block
     * @throws IllegalArgumentException if {@code alignment} is not a power of two
     * @throws OutOfMemoryException if the heap cannot satisfy it
     */
    long alignedAllocateOffset(MemContext ctx, long size, long alignment);

    /**
     * Resizes a block, in place where it can (shrinking always, growing into free neighbours); else
     * allocates a new block, copies {@code min(old, new)} bytes and frees the old one. A null offset
     * behaves like {@link #allocateOffset}.
     *
     * @param ctx allocation hints
     * @param offset a live block of this allocator, or {@link OffsetPointer#NULL_OFFSET}
     * @param newSize the new size in bytes
     * @return the offset of the resized block (possibly the same)
     * @throws InvalidPointerException if {@code offset} is not a live block of this allocator
     * @throws OutOfMemoryException if the block must move and there is no room; the old block is kept
     */
    long reallocateOffset(MemContext ctx, long offset, long newSize);

    /**
     * Frees a block.
     *
     * @param ctx allocation hints
     * @param offset a live block of this allocator
     * @throws InvalidPointerException if it is not one (outside the heap, inside a block, or free)
     * @throws DoubleFreeException if the block is already free
     */
    void freeOffset(MemContext ctx, long offset);

    /**
     * Gives the calling thread its per-thread state (a cache slot for {@link #THREAD_LOCAL}) and returns
     * a context that names it. Allocators without per-thread state return {@code ctx} unchanged.
     *
     * @param ctx a context, usually {@link MemContext#DEFAULT}
     * @return a context carrying the thread's id in this allocator
     */
    MemContext createTls(MemContext ctx);

    /**
     * Returns the calling thread's per-thread state: its cached blocks go back to the shared table and
     * its slot becomes free for another thread. Threads that end without calling this have it done
     * for them (see the allocator's documentation).
     *
     * @param ctx the context from {@link #createTls}, or {@link MemContext#DEFAULT}
     */
    void freeTls(MemContext ctx);

    /**
     * The number of bytes the block at {@code offset} can hold (its size class or page run).
     *
     * @param offset a live block
     * @return its usable size, {@code >=} the size asked for
     * @throws InvalidPointerException if {@code offset} is not a live block
     */
    long usableSize(long offset);

    /**
     * The custom header area reserved at creation ({@code customHeaderSize} bytes, 64-byte aligned,
     * zeroed), in shared memory: the rendezvous point where processes leave each other root pointers.
     *
     * @return the custom header, possibly empty
     */
    MemorySegment customHeader();

    /**
     * Bytes currently allocated (the sum of the usable sizes of live blocks). Exact when no thread is
     * allocating; while threads run, a recent value. Returns to 0 when everything allocated was freed:
     * unlike hermes-shm, this leak check is always compiled in.
     *
     * @return bytes in use
     */
    long bytesInUse();

    /**
     * A read-only snapshot of the allocator's statistics: capacity, bytes in use, per-size-class counts.
     *
     * @return the statistics
     */
    AllocatorStats stats();

    /**
     * Gives back what processes that died left behind: a shared lock they held and the per-thread caches
     * they leased. Safe to call at any time from any process; also run automatically when a lock owner
     * is found dead or no cache slot is free.
     *
     * @return the number of cache slots or locks recovered
     */
    default int reclaimDeadProcesses() {
        return 0;
    }

    /**
     * Walks the allocator's shared metadata and throws if it is inconsistent. Costs time proportional to
     * the heap's metadata; for diagnostics ({@code hshm check}) and tests.
     *
     * @throws CorruptSegmentException naming the first inconsistency found
     */
    default void check() {
    }

    /**
     * A view of {@code size} bytes at {@code offset}, bounds-checked against this allocator's memory.
     *
     * @param offset an offset from this allocator
     * @param size the number of bytes
     * @return the view
     * @throws InvalidPointerException if the range is outside {@link #memory()}
     */
    default MemorySegment resolve(long offset, long size) {
        MemorySegment mem = memory();
        if (offset < 0 || size < 0 || offset > mem.byteSize() - size) {
            throw new InvalidPointerException("range outside allocator " + id() + ": offset=" + offset
                    + ", size=" + size + ", memorySize=" + mem.byteSize());
        }
        return mem.asSlice(offset, size);
    }

    /**
     * Allocates and returns both halves of the pointer.
     *
     * @param ctx allocation hints
     * @param size the number of bytes
     * @return the view (of exactly {@code size} bytes) and the pointer
     */
    default FullPtr allocate(MemContext ctx, long size) {
        long off = allocateOffset(ctx, size);
        return new FullPtr(resolve(off, size), new Pointer(id(), off));
    }

    /**
     * Allocates with an alignment and returns both halves of the pointer.
     *
     * @param ctx allocation hints
     * @param size the number of bytes
     * @param alignment a power of two
     * @return the view (of exactly {@code size} bytes) and the pointer
     */
    default FullPtr alignedAllocate(MemContext ctx, long size, long alignment) {
        long off = alignedAllocateOffset(ctx, size, alignment);
        return new FullPtr(resolve(off, size), new Pointer(id(), off));
    }

    /**
     * Reallocates a block given by its pointer.
     *
     * @param ctx allocation hints
     * @param p a live block of this allocator, or {@link Pointer#NULL}
     * @param newSize the new size
     * @return the view (of exactly {@code newSize} bytes) and the pointer
     */
    default FullPtr reallocate(MemContext ctx, Pointer p, long newSize) {
        long off = reallocateOffset(ctx, p.isNull() ? OffsetPointer.NULL_OFFSET : ownOffset(p), newSize);
        return new FullPtr(resolve(off, newSize), new Pointer(id(), off));
    }

    /**
     * Frees a block given by its pointer.
     *
     * @param ctx allocation hints
     * @param p a live block of this allocator
     * @throws InvalidPointerException if {@code p} is null or belongs to another allocator
     */
    default void free(MemContext ctx, Pointer p) {
        freeOffset(ctx, ownOffset(p));
    }

    /**
     * Frees a block given by its full pointer.
     *
     * @param ctx allocation hints
     * @param p a live block of this allocator
     */
    default void free(MemContext ctx, FullPtr p) {
        free(ctx, p.pointer());
    }

    private long ownOffset(Pointer p) {
        if (p.isNull()) {
            throw new InvalidPointerException("null pointer passed to allocator " + id());
        }
        if (!p.allocatorId().equals(id())) {
            throw new InvalidPointerException("pointer from another allocator: pointer=" + p
                    + ", this allocator=" + id());
        }
        return p.offset();
    }
}
