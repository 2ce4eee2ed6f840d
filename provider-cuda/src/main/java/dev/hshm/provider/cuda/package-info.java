/**
 * The public face of the CUDA provider: {@link dev.hshm.provider.cuda.CudaBackend} (a
 * {@code cuda_shm_mmap} backend's device pointer, for kernels) and {@link dev.hshm.provider.cuda.CudaThreadModel}
 * (the calling thread's device and stream). Everything else is reached by name through
 * {@link dev.hshm.api.MemoryManager} and {@link dev.hshm.api.ThreadModel#current()}.
 *
 * <p><b>Requirements.</b> Linux x86_64 with an NVIDIA driver ({@code libcuda.so.1}) and a device; jcuda 12.0.0
 * ({@code jcuda-12.0.0.jar} and {@code jcuda-natives-12.0.0-linux-x86_64.jar}) on the class path, or on the
 * module path with {@code --add-modules jcuda}; native access for this module, the api, the POSIX provider
 * and jcuda ({@code --enable-native-access=dev.hshm.api,dev.hshm.provider.posix,dev.hshm.provider.cuda,jcuda},
 * or {@code ALL-UNNAMED} on the class path). Without them the providers say, in {@code hshm info}, which one is
 * missing; nothing else breaks. Inside OSGi jcuda is an optional import (its jar is not a bundle), so the
 * providers are unsupported there unless a bundle exports jcuda's packages.
 */
package dev.hshm.provider.cuda;
