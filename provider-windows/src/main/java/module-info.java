/**
 * The Windows provider of hshm-java: the {@code posix_mmap} and {@code posix_shm_mmap} memory backends
 * ({@code VirtualAlloc}; {@code CreateFileMappingW} + {@code MapViewOfFile}) and the {@code windows} thread
 * model, through {@code java.lang.foreign} on {@code kernel32}. On other operating systems its providers say
 * "not Windows" and load nothing.
 *
 * <p>Exports nothing; the registry instantiates the providers. Needs
 * {@code --enable-native-access=dev.hshm.provider.windows} on Windows.
 */
module dev.hshm.provider.windows {
    requires dev.hshm.api;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.provider.windows.WindowsMmapProvider,
            dev.hshm.provider.windows.WindowsShmMmapProvider;
    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.windows.WindowsThreadModelProvider;
}
