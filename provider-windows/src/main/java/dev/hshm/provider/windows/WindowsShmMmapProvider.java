package dev.hshm.provider.windows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AbstractMemoryBackendProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.windows.internal.WinNative;
import java.util.List;

/**
 * Provides the {@value MemoryBackend#POSIX_SHM_MMAP} kind on Windows: named file mappings backed by the
 * paging file ({@link WindowsShmMmap}). Supported on 64-bit Windows when this module may make native calls;
 * elsewhere the reason says why ({@code "not Windows: Linux 6.8.0 amd64"}), without loading any library.
 */
public final class WindowsShmMmapProvider extends AbstractMemoryBackendProvider {

    /** Priority among providers of the same kind (only one OS's provider is ever supported). */
    public static final int PRIORITY = 50;

    /** Creates the provider; cheap, binds nothing. */
    public WindowsShmMmapProvider() {
        super(MemoryBackend.POSIX_SHM_MMAP, PRIORITY, true);
        // discovery-time constructor: the native work happens once, on the first support() call on Windows
    }

    @Override
    public Support support() {
        return Holder.SUPPORT;
    }

    /**
     * Creates the named mapping; fails if the name exists. Only the default owner-only mode ({@code 0600}) can
     * be honoured on Windows. See {@link WindowsShmMmap#create}.
     *
     * @throws UnsupportedOperationException with the reason, off Windows, or for group/other mode bits
     */
    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        return WindowsShmMmap.create(Natives.require("backend kind '" + name() + "'"), id, size, url, mode(options));
    }

    /**
     * See {@link WindowsShmMmap#attach}.
     *
     * @throws UnsupportedOperationException with the reason, off Windows
     */
    @Override
    public MemoryBackend attach(String url) {
        return WindowsShmMmap.attach(Natives.require("backend kind '" + name() + "'"), url);
    }

    /**
     * Always empty: Win32 has no documented call that enumerates the named objects of a session (only the
     * native {@code NtQueryDirectoryObject} does, which this provider does not bind).
     *
     * @return an empty list
     */
    @Override
    public List<String> list() {
        return List.of();
    }

    /**
     * Windows has no unlink: a named mapping disappears when the last process holding it detaches. Throws
     * {@link dev.hshm.api.NotFoundException} if the name does not exist and otherwise
     * {@link UnsupportedOperationException} saying so. See {@link WindowsShmMmap#unlink}.
     */
    @Override
    public void unlink(String url) {
        WindowsShmMmap.unlink(Natives.require("backend kind '" + name() + "'"), url);
    }

    private static final class Holder {
        static final Support SUPPORT = Support.evaluate(() -> {
            Support s = WinNative.support();
            return s.supported()
                    ? Support.yes("CreateFileMappingW(paging file, Local\\ names)+MapViewOfFile on " + s.reason())
                    : s;
        });
    }
}
