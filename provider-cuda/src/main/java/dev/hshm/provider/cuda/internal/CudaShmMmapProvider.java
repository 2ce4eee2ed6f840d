package dev.hshm.provider.cuda.internal;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.posix.PosixShmMmapProvider;
import java.util.List;

/**
 * Provides the {@value MemoryBackend#CUDA_SHM_MMAP} kind ({@link CudaShmMmap}). Supported when CUDA is usable
 * ({@link CudaProbe}: Linux x86_64, {@code libcuda.so.1}, jcuda, a device) and POSIX shared memory is
 * ({@link PosixShmMmapProvider}); otherwise the reason names the first thing missing, e.g.
 * {@code "libcuda.so.1 not found (no NVIDIA driver): ..."}. Every operation of an unsupported provider throws
 * {@link UnsupportedOperationException} with that reason, except {@link #list()}, which is then empty.
 */
public final class CudaShmMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind. */
    public static final int PRIORITY = 50;


    /** Creates the provider; cheap, loads nothing. */
    public CudaShmMmapProvider() {
        super(MemoryBackend.CUDA_SHM_MMAP, PRIORITY, true);
        // discovery-time constructor: CUDA is probed once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the named POSIX shared-memory object (owner-only {@code 0600} unless {@code options} say
     * otherwise) and registers it with CUDA. See {@link CudaShmMmap}.
     *
     * @throws UnsupportedOperationException with the reason if CUDA is not usable here
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        CudaApi api = api();
        return CudaShmMmap.create(api, id, size, url, mode(options));
    }

    /**
     * Attaches to a POSIX-based backend of any kind and registers this process's mapping with CUDA.
     *
     * @throws UnsupportedOperationException with the reason if CUDA is not usable here
     */
    @Override
    public MemoryBackend attach(String url) {
        return CudaShmMmap.attach(api(), url);
    }

    /** The POSIX shared-memory segments (any of them can be attached as this kind); empty when unsupported. */
    @Override
    public List<String> list() {
        return Holder.SUPPORT.supported() ? PosixShmMmap.list() : List.of();
    }

    /**
     * Removes the name through POSIX shared memory ({@link PosixShmMmap#unlink(String)}).
     *
     * @throws UnsupportedOperationException with the reason if this provider is not supported here (the
     *         {@code posix_shm_mmap} provider removes the same names)
     */
    @Override
    public void unlink(String url) {
        api();
        PosixShmMmap.unlink(url);
    }

    private CudaApi api() {
        requireSupported();
        return CudaProbe.api(what());
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support cuda = CudaProbe.support();
            if (!cuda.supported()) {
                return cuda;
            }
            Support posix = ProviderRegistry.safeSupport(new PosixShmMmapProvider());
            if (!posix.supported()) {
                return Support.no("CUDA is usable (" + cuda.reason() + ") but POSIX shared memory is not: "
                        + posix.reason());
            }
            return Support.yes("shm_open+mmap registered with cudaHostRegister(Portable|Mapped); " + cuda.reason());
        });
    }
}
