/**
 * The CUDA provider's implementation (not exported): the jcuda binding ({@link
 * dev.hshm.provider.cuda.internal.CudaNative}) behind the plain-Java {@link dev.hshm.provider.cuda.internal.CudaApi},
 * the probe that decides support ({@link dev.hshm.provider.cuda.internal.CudaProbe}), error translation
 * ({@link dev.hshm.provider.cuda.internal.CudaErrors}), host-memory registration
 * ({@link dev.hshm.provider.cuda.internal.HostRegistration}), the {@code cuda_shm_mmap} backend
 * ({@link dev.hshm.provider.cuda.internal.CudaShmMmap}), the {@code cuda} thread model
 * ({@link dev.hshm.provider.cuda.internal.CudaThreadModelImpl}) and the two providers, which {@code ServiceLoader} and the
 * api's OSGi registrar find without this package being exported.
 */
package dev.hshm.provider.cuda.internal;
