package dev.hshm.provider.rocm.internal;

import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.posix.RegisteredPosixShm;
import dev.hshm.provider.rocm.RocmBackend;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The {@value MemoryBackend#ROCM_SHM_MMAP} backend: POSIX shared memory ({@link PosixShmMmap}) registered with
 * the HIP runtime, so that AMD GPU kernels can use it in place. The seed's {@code RocmShmMmap}.
 *
 * <pre>
 * one shm_open object, mapped whole by PosixShmMmap (header and data contiguous), registered as ONE range:
 *
 * host:    [ header: BackendHeader | padding ][ data: size bytes                      ]
 *          hostBase                           hostBase + DATA_OFFSET
 *          |&lt;------- hipHostRegister(hostBase, DATA_OFFSET + size, Portable|Mapped) -------&gt;|
 * device:  deviceBase                         deviceBase + DATA_OFFSET = devicePointer()
 * </pre>
 *
 * <p><b>Create</b>: {@link PosixShmMmap#create(MemoryBackendId, long, String, int, String)} with the kind
 * {@value MemoryBackend#ROCM_SHM_MMAP} recorded in the header → {@code hipGetDevice} (the calling thread's
 * current device) → {@code hipHostRegister(mapping, hipHostRegisterPortable | hipHostRegisterMapped)} →
 * {@code hipHostGetDevicePointer(mapping)}. The header page is registered with the data, as hermes-shm does, so
 * kernels can read the allocator directory too. <b>Attach</b>: {@link PosixShmMmap#attach(String)} (any kind of
 * POSIX shared memory: {@code posix_shm_mmap}, {@code cuda_shm_mmap}, {@code rocm_shm_mmap}), then the same
 * registration: every process registers its own mapping and gets its own device pointer.
 *
 * <p><b>Clean-up on failure</b>: if a step fails, what the earlier steps acquired is released in reverse order
 * (unregister if registered, then detach the POSIX view, and unlink the name if this call created it), and the
 * first failure is thrown with the others suppressed in it.
 *
 * <p><b>Detach</b>: {@code hipHostUnregister} <em>then</em> the POSIX unmap: the runtime must release the pinned
 * pages while they are still mapped. If unregistering fails, the mapping is unmapped anyway (the pages stay
 * pinned by the driver until the process ends, which is harmless for the host) and the failure is thrown.
 * <b>Destroy</b> also unlinks the name.
 *
 * <p>{@link AbstractMemoryBackend} keeps the attach count for this view; the inner POSIX view would count the
 * same detach a second time, so {@link #unmap()} gives that one decrement back before detaching it.
 */
public final class RocmShmMmap extends RegisteredPosixShm implements RocmBackend {

    /** The flags every mapping is registered with: {@code hipHostRegisterPortable | hipHostRegisterMapped}. */
    public static final int REGISTER_FLAGS = HipApi.HOST_REGISTER_PORTABLE | HipApi.HOST_REGISTER_MAPPED;

    private final HipApi hip;
    private final long hostBase;
    private final long registeredBytes;
    private final long devicePointer;
    private final int device;

    private RocmShmMmap(PosixShmMmap posix, HipApi hip, long hostBase, long registeredBytes, long devicePointer,
                        int device) {
        super(posix, MemoryBackend.ROCM_SHM_MMAP);
        this.hip = hip;
        this.hostBase = hostBase;
        this.registeredBytes = registeredBytes;
        this.devicePointer = devicePointer;
        this.device = device;
    }

    /**
     * Creates the shared memory {@code url} and registers it with HIP for the calling thread's current device.
     *
     * @param hip the HIP runtime
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @param url the name
     * @param mode permission bits for the new object, e.g. {@code 0600}
     * @return the backend, owned by this process
     * @throws dev.hshm.api.AlreadyExistsException if the name exists
     * @throws dev.hshm.api.NativeException if a POSIX or HIP call fails (nothing is left behind)
     */
    public static RocmShmMmap create(HipApi hip, MemoryBackendId id, long size, String url, int mode) {
        Objects.requireNonNull(hip, "hip");
        return register(hip, PosixShmMmap.create(id, size, url, mode, MemoryBackend.ROCM_SHM_MMAP));
    }

    /**
     * Attaches to the shared memory {@code url} (any POSIX-based kind) and registers this process's mapping with
     * HIP for the calling thread's current device.
     *
     * @param hip the HIP runtime
     * @param url the name
     * @return the backend, not owned
     * @throws dev.hshm.api.NotFoundException if there is no such name
     * @throws dev.hshm.api.CorruptSegmentException if it is not a valid backend of a POSIX-based kind
     * @throws dev.hshm.api.NativeException if a POSIX or HIP call fails (the view is detached again)
     */
    public static RocmShmMmap attach(HipApi hip, String url) {
        Objects.requireNonNull(hip, "hip");
        return register(hip, PosixShmMmap.attach(url));
    }

    private static RocmShmMmap register(HipApi hip, PosixShmMmap posix) {
        boolean registered = false;
        long hostBase = 0;
        try {
            MemorySegment header = posix.header();
            MemorySegment data = posix.data();
            hostBase = header.address();
            long dataOffset = data.address() - hostBase;
            if (dataOffset != header.byteSize() || dataOffset != BackendHeader.DATA_OFFSET) {
                throw new IllegalStateException("rocm_shm_mmap registers header and data as one range, but the POSIX"
                        + " views are not contiguous: header=0x" + Long.toHexString(hostBase) + "+" + header.byteSize()
                        + ", data=0x" + Long.toHexString(data.address()));
            }
            long bytes = dataOffset + data.byteSize();
            int device = hip.getDevice();
            hip.hostRegister(hostBase, bytes, REGISTER_FLAGS);
            registered = true;
            long deviceBase = hip.hostGetDevicePointer(hostBase);
            RocmShmMmap b = new RocmShmMmap(posix, hip, hostBase, bytes, deviceBase + dataOffset, device);
            registered = false; // owned by b now
            return b;
        } catch (RuntimeException | Error e) {
            if (registered) {
                try {
                    hip.hostUnregister(hostBase);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                if (posix.isCreator()) {
                    posix.destroy();
                } else {
                    posix.detach();
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
        return devicePointer;
    }

    @Override
    public int device() {
        return device;
    }

    @Override
    public long deviceAddress(long offset) {
        requireAttached();
        if (offset < 0 || offset > dataSize()) {
            throw new InvalidPointerException("offset outside the data of " + this + ": offset=" + offset
                    + ", dataSize=" + dataSize());
        }
        return devicePointer + offset;
    }

    /**
     * The host range registered with HIP: the start of the mapping.
     *
     * @return the host address passed to {@code hipHostRegister}
     */
    long registeredAddress() {
        return hostBase;
    }

    /**
     * The length of the registered range: header page and data.
     *
     * @return bytes passed to {@code hipHostRegister}
     */
    long registeredBytes() {
        return registeredBytes;
    }

    @Override
    protected void unregister() {
        hip.hostUnregister(hostBase);
    }

    @Override
    public String toString() {
        String s = super.toString();
        return s.substring(0, s.length() - 1) + ", device=" + device + ", devicePointer=0x"
                + Long.toHexString(devicePointer) + "]";
    }
}
