package dev.hshm.provider.windows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.windows.internal.WinNative;

/**
 * Provides the {@value MemoryBackend#POSIX_MMAP} kind on Windows: private memory from {@code VirtualAlloc}
 * ({@link WindowsMmap}). Supported on 64-bit Windows when this module may make native calls; elsewhere the
 * reason says why ({@code "not Windows: Linux 6.8.0 amd64"}), without loading any library.
 */
public final class WindowsMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind (only one OS's provider is ever supported). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public WindowsMmapProvider() {
        super(MemoryBackend.POSIX_MMAP, PRIORITY, false);
        // discovery-time constructor: the native work happens once, on the first support() call on Windows
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates a private backend; {@code url} and {@code options} are ignored. See {@link WindowsMmap}.
     *
     * @throws UnsupportedOperationException with the reason, off Windows
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        return WindowsMmap.create(Natives.require("backend kind '" + name() + "'"), id, size);
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = WinNative.support();
            return s.supported() ? Support.yes("VirtualAlloc(MEM_RESERVE|MEM_COMMIT) on " + s.reason()) : s;
        });
    }
}
