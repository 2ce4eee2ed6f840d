package dev.hshm.api;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A contiguous region of memory that allocators manage: private to this process or shared with
 * others. The seed's {@code MemoryBackend}.
 *
 * <p>The region is one {@link #data()} segment. Offsets are relative to its start and are the only
 * thing an allocator stores in it. A shared backend also has a {@link #header()} in the same mapping,
 * before the data, that lets another process {@linkplain MemoryManager#attachBackend(String, String)
 * attach} by url and verify what it attached to (layout: {@code dev.hshm.api.spi.BackendHeader}).
 * Private backends keep an equivalent header in process memory.
 *
 * <p><b>Offsets and addresses.</b> Offsets into {@link #data()} mean the same bytes in every process; the
 * addresses do not (each process maps the region where its OS put it). They agree in their low bits up to
 * {@link #addressAlignment()}: a block at an offset aligned to {@code A <= addressAlignment()} has an address
 * aligned to {@code A} in every process; above it only the offset is aligned. The POSIX shared and private
 * mappings (and the CUDA and ROCm backends over them) place their data at a 2 MiB boundary in every process
 * that maps them; other shared backends promise the page size, 4 KiB.
 *
 * <p>Lifecycle: {@link #detach()} unmaps this process's view (other processes keep theirs);
 * {@link #destroy()} detaches and also removes the shared object (its name) so no new process can
 * attach. After either, {@link #data()} is closed: accesses throw {@link IllegalStateException}, never
 * crash. Instances are safe for use by many threads.
 *
 * <p>Backends are created through {@link MemoryManager#createBackend(String, MemoryBackendId, long,
 * String)} by kind name; the built-in kind names are the constants below.
 */
public interface MemoryBackend extends AutoCloseable {

    /** A caller-provided segment (private; the caller owns the memory). */
    String ARRAY = "array";
    /** libc {@code malloc} (private). */
    String MALLOC = "malloc";
    /** Private anonymous mapping ({@code mmap} on POSIX, {@code VirtualAlloc} on Windows); pages fault in lazily. */
    String POSIX_MMAP = "posix_mmap";
    /** Named shared memory ({@code shm_open}+{@code mmap} on POSIX, a named file mapping on Windows). */
    String POSIX_SHM_MMAP = "posix_shm_mmap";
    /** Shared memory registered with CUDA ({@code cudaHostRegister}), usable from kernels. */
    String CUDA_SHM_MMAP = "cuda_shm_mmap";
    /** Shared memory registered with ROCm ({@code hipHostRegister}), usable from kernels. */
    String ROCM_SHM_MMAP = "rocm_shm_mmap";

    /**
     * This backend's id in the process's {@link MemoryManager}.
     *
     * @return the id
     */
    MemoryBackendId id();

    /**
     * The kind of this process's view: the kind it was created or attached as, e.g. {@link #POSIX_SHM_MMAP}.
     * A segment created by another kind (a {@link #CUDA_SHM_MMAP} heap attached as plain POSIX shared memory
     * by a CPU-only process) keeps its creator's kind in its header ({@code BackendHeader.kind}).
     *
     * @return the kind
     */
    String kind();

    /**
     * The shared-memory name other processes attach by; empty for private backends.
     *
     * @return the url, if shared
     */
    Optional<String> url();

    /**
     * The memory that allocators manage. Closed after {@link #detach()}.
     *
     * @return the data region
     */
    MemorySegment data();

    /**
     * The backend header (see {@code dev.hshm.api.spi.BackendHeader}); in the shared mapping for shared
     * backends, in process memory for private ones. Closed after {@link #detach()}.
     *
     * @return the header region
     */
    MemorySegment header();

    /**
     * The size of {@link #data()} in bytes.
     *
     * @return the data size
     */
    long dataSize();

    /**
     * The alignment up to which offsets into {@link #data()} and their addresses agree in every process that
     * maps this backend: {@code data().address()} is a multiple of it in each of them. The default: for a
     * private backend (one process sees it), the alignment of {@code data().address()}; for a shared one, the
     * 4 KiB page that every mapping starts on. Backends that map at a larger alignment override it.
     *
     * @return a power of two
     * @throws IllegalStateException if the backend is detached (the default reads {@link #data()})
     */
    default long addressAlignment() {
        long here = Long.lowestOneBit(data().address());
        if (here == 0) {
            here = 1L << 62; // address 0: aligned to everything; cap it
        }
        return isShared() ? Math.min(here, 4096) : here;
    }

    /**
     * Tells whether other processes can attach to this memory.
     *
     * @return {@code true} for shared backends
     */
    boolean isShared();

    /**
     * Tells whether this process created the backend (rather than attached to it).
     *
     * @return {@code true} for the creator
     */
    boolean isCreator();

    /**
     * Tells whether this process still maps the backend.
     *
     * @return {@code false} after {@link #detach()} or {@link #destroy()}
     */
    boolean isAttached();

    /**
     * Unmaps this process's view. Other processes are not affected; shared memory is never removed by
     * this call. Idempotent.
     */
    void detach();

    /**
     * Detaches and removes the shared object, so that no process can attach any more (processes that
     * already map it keep their view until they detach). For private backends the same as
     * {@link #detach()} followed by freeing the memory. Idempotent.
     *
     * <p>Where the platform has no name separate from the mappings (Windows named file mappings), destroy
     * closes this process's handle and the object lives on until the last process that maps it closes
     * its own; a new attach by name fails only after that. Each provider's documentation says which.
     */
    void destroy();

    /** Same as {@link #detach()}: closing never removes shared memory. */
    @Override
    default void close() {
        detach();
    }
}
