package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.posix.internal.DevShm;
import dev.hshm.provider.posix.internal.PosixNative;
import java.nio.file.Files;
import java.util.List;

/**
 * Provides the {@value MemoryBackend#POSIX_SHM_MMAP} kind: named POSIX shared memory ({@link PosixShmMmap}).
 * Supported on Linux (with a tmpfs on {@code /dev/shm}) and macOS when this module may make native calls;
 * the reason says which OS and libc were found, or why not.
 */
public final class PosixShmMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind. */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public PosixShmMmapProvider() {
        super(MemoryBackend.POSIX_SHM_MMAP, PRIORITY, true);
        // discovery-time constructor: the native work happens once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the named object with {@code options.mode()} (owner-only {@code 0600} by default), its memory
     * reserved unless {@code options.reserve()} is false; fails if the name exists. See {@link PosixShmMmap#create}.
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        BackendOptions o = options != null ? options : BackendOptions.DEFAULT;
        return PosixShmMmap.create(id, size, url, o.mode(), MemoryBackend.POSIX_SHM_MMAP, o.reserve());
    }

    /** See {@link PosixShmMmap#attach}. */
    @Override
    public MemoryBackend attach(String url) {
        return PosixShmMmap.attach(url);
    }

    /** See {@link PosixShmMmap#list}: empty on macOS, which cannot enumerate shared memory. */
    @Override
    public List<String> list() {
        return PosixShmMmap.list();
    }

    /** See {@link PosixShmMmap#unlink(String)}. */
    @Override
    public void unlink(String url) {
        PosixShmMmap.unlink(url);
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = PosixNative.support();
            if (!s.supported()) {
                return s;
            }
            if (PosixNative.os() == PosixNative.Os.LINUX && !Files.isDirectory(DevShm.DIR)) {
                return Support.no("no " + DevShm.DIR + " on " + s.reason() + ": POSIX shared memory needs a tmpfs"
                        + " there (mount -t tmpfs -o size=1G tmpfs " + DevShm.DIR + ")");
            }
            return Support.yes("shm_open+mmap(MAP_SHARED) on " + s.reason());
        });
    }
}
