/**
 * The ROCm provider's implementation, not exported: the FFM bindings on {@code libamdhip64}
 * ({@link dev.hshm.provider.rocm.internal.HipNative}, the only class in this module that binds native
 * functions), the small Java interface over them ({@link dev.hshm.provider.rocm.internal.HipApi}) that the
 * backend and the thread model are written against, the {@code rocm_shm_mmap} backend, the {@code rocm} thread
 * model, and their providers.
 */
package dev.hshm.provider.rocm.internal;
