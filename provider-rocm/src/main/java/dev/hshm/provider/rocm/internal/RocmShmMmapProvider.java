package dev.hshm.provider.rocm.internal;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.posix.PosixShmMmapProvider;
import java.util.List;

/**
 * Provides the {@value MemoryBackend#ROCM_SHM_MMAP} kind ({@link RocmShmMmap}): POSIX shared memory registered
 * with an AMD GPU. Supported when {@code libamdhip64} loads, sees at least one device, and POSIX shared memory
 * works; otherwise the reason says which of these failed ({@value HipNative#NOT_FOUND}, {@code "no AMD GPU:
 * hipGetDeviceCount returned hipErrorNoDevice (100) ..."}, {@code "native access denied: add
 * --enable-native-access=dev.hshm.provider.rocm ..."}).
 */
public final class RocmShmMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind. */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, loads nothing. */
    public RocmShmMmapProvider() {
        super(MemoryBackend.ROCM_SHM_MMAP, PRIORITY, true);
        // discovery-time constructor: the library is loaded once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the named object with {@code options.mode()} and registers it with the calling thread's current HIP
     * device. See {@link RocmShmMmap#create}.
     *
     * @throws UnsupportedOperationException with the reason if this kind is not supported here
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        requireSupported();
        return RocmShmMmap.create(HipNative.require(), id, size, url, mode(options));
    }

    /**
     * Attaches to any POSIX-based backend and registers this process's mapping. See {@link RocmShmMmap#attach}.
     *
     * @throws UnsupportedOperationException with the reason if this kind is not supported here
     */
    @Override
    public MemoryBackend attach(String url) {
        requireSupported();
        return RocmShmMmap.attach(HipNative.require(), url);
    }

    /** The POSIX shared memory this provider could attach: none when it is unsupported here. */
    @Override
    public List<String> list() {
        return support().supported() ? PosixShmMmap.list() : List.of();
    }

    /** Removes the name ({@link PosixShmMmap#unlink(String)}); needs no GPU. */
    @Override
    public void unlink(String url) {
        PosixShmMmap.unlink(url);
    }


    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support hip = HipNative.support();
            if (!hip.supported()) {
                return hip;
            }
            Support shm = new PosixShmMmapProvider().support();
            if (!shm.supported()) {
                return Support.no("POSIX shared memory is not available: " + shm.reason());
            }
            return Support.yes("hipHostRegister(Portable|Mapped) of shm_open+mmap(MAP_SHARED) memory; " + hip.reason());
        });
    }
}
