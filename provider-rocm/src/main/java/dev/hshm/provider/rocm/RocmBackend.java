package dev.hshm.provider.rocm;

import dev.hshm.api.MemoryBackend;

/**
 * A backend whose memory is registered with the HIP runtime, so that kernels on an AMD GPU can read and write
 * it: what a {@value MemoryBackend#ROCM_SHM_MMAP} backend is besides a {@link MemoryBackend}.
 *
 * <p>The host view is {@link #data()} as for every backend; {@link #devicePointer()} is the same bytes as the
 * GPU addresses them ({@code hipHostGetDevicePointer}). An allocator offset {@code off} (relative to the data,
 * like every offset in hshm-java) is {@code devicePointer() + off} on the GPU; {@link #deviceAddress(long)}
 * does that sum with a bounds check. Every process that maps the backend registers its own mapping and has its
 * own device pointer: pass offsets between processes, never device pointers.
 *
 * <p>The device pointer is valid while the backend is attached; after {@link #detach()} the memory is no
 * longer registered and a kernel must not touch it.
 */
public interface RocmBackend extends MemoryBackend {

    /**
     * The device address of the first byte of {@link #data()}.
     *
     * @return the address, for the {@linkplain #device() device} the mapping was registered on
     */
    long devicePointer();

    /**
     * The HIP device ordinal whose address space {@link #devicePointer()} belongs to: the current device of the
     * thread that created or attached the backend.
     *
     * @return the device ordinal, {@code >= 0}
     */
    int device();

    /**
     * The device address of the data byte at {@code offset}.
     *
     * @param offset an offset into the data, {@code 0 <= offset <= dataSize()} (the end is allowed, as an
     *     exclusive bound)
     * @return {@code devicePointer() + offset}
     * @throws dev.hshm.api.InvalidPointerException if the offset is outside the data
     */
    long deviceAddress(long offset);
}
