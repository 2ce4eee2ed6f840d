package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.posix.internal.PosixNative;

/**
 * Provides the {@value MemoryBackend#POSIX_MMAP} kind: private anonymous mappings ({@link PosixMmap}).
 * Supported on Linux and macOS when this module may make native calls; the reason says which OS and libc
 * were found, or why not.
 */
public final class PosixMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind (a Windows provider of the same kind never runs here). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public PosixMmapProvider() {
        super(MemoryBackend.POSIX_MMAP, PRIORITY, false);
        // discovery-time constructor: the native work happens once, on the first support() call
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Maps a private backend. {@code url} and {@code options} are ignored: the memory has no name and no
     * permissions.
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        return PosixMmap.create(id, size);
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = PosixNative.support();
            return s.supported() ? Support.yes("mmap(MAP_PRIVATE|MAP_ANONYMOUS) on " + s.reason()) : s;
        });
    }
}
