package dev.hshm.provider.cuda;

import dev.hshm.api.MemoryBackend;

/**
 * A {@value MemoryBackend#CUDA_SHM_MMAP} backend as a kernel sees it: POSIX shared memory that this process
 * has registered with CUDA ({@code cudaHostRegister(..., cudaHostRegisterPortable | cudaHostRegisterMapped)}),
 * so that GPU kernels read and write it directly over PCIe/NVLink, without copies.
 *
 * <p>Pointers in the heap are offsets from the start of {@link #data()}; a kernel gets
 * {@code devicePointer() + offset} (or {@link #devicePointer(long)}, which checks the offset). The device
 * pointer is what {@code cudaHostGetDevicePointer} returned for this process's mapping. On 64-bit Linux with
 * unified virtual addressing (every GPU CUDA 12 supports) it equals the host address of {@link #data()}, but
 * the API's answer is what is stored and returned, never an assumption.
 *
 * <p>Every process that maps the backend registers its own mapping (registrations are per process) and
 * unregisters it when it detaches, before unmapping. The pointer is valid in CUDA contexts of this process
 * only, and only while the backend is attached.
 *
 * <p>Obtain one from {@link dev.hshm.api.MemoryManager}:
 * <pre>{@code
 * CudaBackend b = (CudaBackend) MemoryManager.get().createBackend(MemoryBackend.CUDA_SHM_MMAP, id, size, url);
 * long kernelArg = b.devicePointer(allocator.allocateOffset(ctx, 4096));
 * }</pre>
 */
public interface CudaBackend extends MemoryBackend {

    /**
     * The device address of the first byte of {@link #data()} in this process.
     *
     * @return the device pointer
     * @throws dev.hshm.api.StateException if the backend was detached
     */
    long devicePointer();

    /**
     * The device address of {@code offset} bytes into {@link #data()}: what a kernel is handed for a block the
     * allocator returned at that offset.
     *
     * @param offset an offset into the data, {@code 0 <= offset <= dataSize()}
     * @return {@code devicePointer() + offset}
     * @throws IndexOutOfBoundsException naming the offset and the data size if it is outside the data
     * @throws dev.hshm.api.StateException if the backend was detached
     */
    long devicePointer(long offset);

    /**
     * The CUDA device (ordinal) that was current on the registering thread; with the portable flag the memory
     * is pinned for every device of this process, and with unified addressing the pointer is the same on all.
     *
     * @return the device ordinal
     */
    int device();
}
