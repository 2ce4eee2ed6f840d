/**
 * The POSIX provider of hshm-java: the {@code posix_mmap} and {@code posix_shm_mmap} memory backends and the
 * {@code pthreads} thread model, for Linux and macOS, through {@code java.lang.foreign}.
 *
 * <p>Exports nothing; the registry instantiates the providers. Needs
 * {@code --enable-native-access=dev.hshm.provider.posix}.
 */
module dev.hshm.provider.posix {
    requires dev.hshm.api;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.provider.posix.PosixMmapProvider,
            dev.hshm.provider.posix.PosixShmMmapProvider;
    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.posix.PthreadsThreadModelProvider;
}
