/**
 * What the ROCm provider adds to the api's types, for code that hands memory and streams to its own HIP
 * kernels: {@link dev.hshm.provider.rocm.RocmBackend}, the view a {@code rocm_shm_mmap} backend gives of its
 * data on the GPU, and {@link dev.hshm.provider.rocm.RocmThreadModel}, the {@code rocm} thread model's
 * per-thread device and stream.
 *
 * <p>Everything else is reached by name: {@code MemoryManager.get().createBackend("rocm_shm_mmap", id, size,
 * url)} returns a backend that is also a {@code RocmBackend}; {@code -Dhshm.thread.model=rocm} makes
 * {@link dev.hshm.api.ThreadModel#current()} a {@code RocmThreadModel}.
 */
package dev.hshm.provider.rocm;
