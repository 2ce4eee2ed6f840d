package dev.hshm.provider.cuda.internal;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.StateException;
import dev.hshm.provider.cuda.CudaBackend;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.posix.RegisteredPosixShm;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The {@value MemoryBackend#CUDA_SHM_MMAP} backend: the seed's {@code CudaShmMmap} ("mmap + cudaHostRegister to
 * allocate memory shared across processes and GPU"). It decorates a {@link PosixShmMmap}, which owns the
 * mapping and the name, and registers that mapping with CUDA in this process ({@link HostRegistration}).
 *
 * <pre>
 * POSIX shared memory object, one mapping per process (layout: PosixShmMmap / BackendHeader):
 *
 * [ header page: BackendHeader, kind="cuda_shm_mmap" ][ data: dataSize bytes                    ]
 * ^ registered range starts here (Portable|Mapped)                       registered range ends ^
 *                                                     ^ devicePointer() = device address of data
 * </pre>
 *
 * <ul>
 *   <li><b>create</b>: {@code PosixShmMmap.create(..., CUDA_SHM_MMAP)} (the header records the CUDA kind) →
 *       {@code cudaHostRegister(header+data)} → {@code cudaHostGetDevicePointer}. If registering fails, the
 *       object is destroyed again (unmapped and unlinked); if the device pointer cannot be had, the range is
 *       unregistered first.</li>
 *   <li><b>attach</b>: {@code PosixShmMmap.attach} (any POSIX-based kind: a CPU process's
 *       {@code posix_shm_mmap} heap can be handed to a GPU) → register this process's mapping → device
 *       pointer. On failure the mapping is detached again (never unlinked).</li>
 *   <li><b>detach</b>: {@code cudaHostUnregister} <em>then</em> the POSIX unmap (unmapping pinned memory first
 *       would leave CUDA holding pages of a mapping that no longer exists). If unregistering fails the memory
 *       is still unmapped and the failure thrown afterwards.</li>
 *   <li><b>destroy</b>: detach, then {@code shm_unlink} through the POSIX backend.</li>
 * </ul>
 * The header's attach count counts processes, once each, as for {@code posix_shm_mmap}.
 */
public final class CudaShmMmap extends RegisteredPosixShm implements CudaBackend {

    private final HostRegistration registration;
    private final long dataDevicePointer;

    private CudaShmMmap(PosixShmMmap inner, HostRegistration registration, long dataOffset) {
        super(inner, MemoryBackend.CUDA_SHM_MMAP);
        this.registration = registration;
        this.dataDevicePointer = registration.devicePointer() + dataOffset;
    }

    /**
     * Creates the shared object {@code url} and registers it with CUDA.
     *
     * @param api the binding
     * @param id the backend id
     * @param size bytes of data
     * @param url the shared-memory name
     * @param mode permission bits of the new object
     * @return the backend, owned by this process
     * @throws dev.hshm.api.NativeException if a CUDA or OS call fails (with advice)
     * @throws dev.hshm.api.AlreadyExistsException if the name exists
     */
    public static CudaShmMmap create(CudaApi api, MemoryBackendId id, long size, String url, int mode) {
        Objects.requireNonNull(api, "api");
        PosixShmMmap inner = PosixShmMmap.create(id, size, url, mode, MemoryBackend.CUDA_SHM_MMAP);
        return register(api, inner, true);
    }

    /**
     * Attaches to the shared object {@code url} (created as any POSIX-based kind) and registers this process's
     * mapping with CUDA.
     *
     * @param api the binding
     * @param url the shared-memory name
     * @return the backend, not owned
     * @throws dev.hshm.api.NotFoundException if there is no such object
     * @throws dev.hshm.api.CorruptSegmentException if it is not a valid backend
     * @throws dev.hshm.api.NativeException if a CUDA or OS call fails
     */
    public static CudaShmMmap attach(CudaApi api, String url) {
        Objects.requireNonNull(api, "api");
        PosixShmMmap inner = PosixShmMmap.attach(url);
        return register(api, inner, false);
    }

    private static CudaShmMmap register(CudaApi api, PosixShmMmap inner, boolean created) {
        try {
            MemorySegment header = inner.header();
            MemorySegment data = inner.data();
            long dataOffset = data.address() - header.address();
            if (dataOffset != header.byteSize()) {
                throw new StateException("posix_shm_mmap mapping is not contiguous: header at 0x"
                        + Long.toHexString(header.address()) + " (" + header.byteSize() + " bytes), data at 0x"
                        + Long.toHexString(data.address()) + "; cannot register it as one range");
            }
            // header and data are one mapping (PosixShmMmap maps the object once): register them as one range
            HostRegistration reg = HostRegistration.register(api, header.address(), dataOffset + data.byteSize(),
                    "cuda_shm_mmap '" + inner.url().orElseThrow() + "'");
            return new CudaShmMmap(inner, reg, dataOffset);
        } catch (RuntimeException | Error e) {
            try {
                if (created) {
                    inner.destroy(); // unmap and unlink: nobody else knows the name yet
                } else {
                    inner.detach(); // another process's object: only this process's mapping goes
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public long devicePointer() {
        requireAttached();
        return dataDevicePointer;
    }

    @Override
    public long devicePointer(long offset) {
        requireAttached();
        if (offset < 0 || offset > dataSize()) {
            throw new IndexOutOfBoundsException("offset outside the data of cuda_shm_mmap '" + url().orElseThrow()
                    + "': offset=" + offset + ", dataSize=" + dataSize());
        }
        return dataDevicePointer + offset;
    }

    @Override
    public int device() {
        return registration.device();
    }

    /**
     * This process's registration (for tests and diagnostics).
     *
     * @return the registration
     */
    public HostRegistration registration() {
        return registration;
    }

    @Override
    protected void unregister() {
        registration.unregister();
    }

    @Override
    public String toString() {
        return super.toString() + "{devicePointer=0x" + Long.toHexString(dataDevicePointer) + ", device="
                + registration.device() + "}";
    }
}
