/**
 * The CUDA provider of hshm-java: the {@code cuda_shm_mmap} backend (POSIX shared memory registered with
 * {@code cudaHostRegister}, with a device pointer for kernels) and the {@code cuda} thread model, through jcuda.
 *
 * <p>Exports only {@code dev.hshm.provider.cuda} ({@link dev.hshm.provider.cuda.CudaBackend},
 * {@link dev.hshm.provider.cuda.CudaThreadModel}); the implementation is found through {@code provides}.
 *
 * <p><b>Why {@code requires static jcuda}.</b> jcuda 12.0.0's jar has no module descriptor and no
 * {@code Automatic-Module-Name}, so it is the automatic module {@code jcuda} (its file name). javac warns about
 * depending on an automatic module ({@code requires-automatic}); that is the only way to use jcuda from a
 * named module, hence the suppression. The dependence is {@code static} (needed to compile, optional at run
 * time) so that this module still resolves where jcuda is absent: an application on the module path without
 * jcuda (or a GPU) keeps working, and this provider reports itself unsupported with the reason. Where jcuda
 * is present on the module path, add it to the graph with {@code --add-modules jcuda} (or
 * {@code ALL-MODULE-PATH}). No jcuda type appears in the exported API.
 *
 * <p>Native access: {@code --enable-native-access=dev.hshm.api,dev.hshm.provider.posix,dev.hshm.provider.cuda,jcuda}
 * ({@code ALL-UNNAMED} on the class path and in OSGi).
 */
@SuppressWarnings("requires-automatic")
module dev.hshm.provider.cuda {
    requires transitive dev.hshm.api; // the exported interfaces extend MemoryBackend and ThreadModel
    requires dev.hshm.provider.posix;
    requires static jcuda;

    exports dev.hshm.provider.cuda;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.provider.cuda.internal.CudaShmMmapProvider;
    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.cuda.internal.CudaThreadModelProvider;
}
