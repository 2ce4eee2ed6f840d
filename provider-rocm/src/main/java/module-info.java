/**
 * The ROCm provider of hshm-java: the {@code rocm_shm_mmap} memory backend (POSIX shared memory registered
 * with the HIP runtime through {@code hipHostRegister}, so GPU kernels can use it) and the {@code rocm} thread
 * model (host threads that drive AMD GPUs, each with its own device and stream), through
 * {@code java.lang.foreign} on {@code libamdhip64}.
 *
 * <p>Exports only {@code dev.hshm.provider.rocm}: {@link dev.hshm.provider.rocm.RocmBackend} (the device
 * address of a backend's data) and {@link dev.hshm.provider.rocm.RocmThreadModel} (a thread's device and
 * stream). The bindings and implementations ({@code .internal}) are not exported; users reach them by name
 * through {@link dev.hshm.api.MemoryManager} and {@link dev.hshm.api.ThreadModel#current()}.
 *
 * <p>Needs {@code --enable-native-access=dev.hshm.provider.rocm,dev.hshm.provider.posix} on the module path
 * ({@code ALL-UNNAMED} on the class path and in OSGi). Without an AMD GPU, or without {@code libamdhip64}, both
 * providers report themselves unsupported and say why.
 */
module dev.hshm.provider.rocm {
    // transitive: the exported interfaces extend dev.hshm.api types
    requires transitive dev.hshm.api;
    requires dev.hshm.provider.posix;

    exports dev.hshm.provider.rocm;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.provider.rocm.internal.RocmShmMmapProvider;
    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.rocm.internal.RocmThreadModelProvider;
}
