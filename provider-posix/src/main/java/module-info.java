/**
 * The POSIX provider of hshm-java: the {@code posix_mmap} and {@code posix_shm_mmap} memory backends and the
 * {@code pthreads} thread model, for Linux and macOS, through {@code java.lang.foreign}.
 *
 * <p>Exports {@code dev.hshm.provider.posix}: the backend classes are public API for providers built on POSIX
 * shared memory (the CUDA and ROCm providers map with {@link dev.hshm.provider.posix.PosixShmMmap} and then
 * register the mapping with their GPU). The bindings ({@code .internal}) are not exported. Needs
 * {@code --enable-native-access=dev.hshm.provider.posix}.
 */
module dev.hshm.provider.posix {
    requires transitive dev.hshm.api;

    exports dev.hshm.provider.posix;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.provider.posix.PosixMmapProvider,
            dev.hshm.provider.posix.PosixShmMmapProvider;
    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.posix.PthreadsThreadModelProvider;
}
