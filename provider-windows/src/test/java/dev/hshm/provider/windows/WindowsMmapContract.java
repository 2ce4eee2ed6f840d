package dev.hshm.provider.windows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.testkit.MemoryBackendContract;

/** The api's backend contract for {@link WindowsMmap}, over the Win32 calls a subclass chooses. */
abstract class WindowsMmapContract extends MemoryBackendContract {

    /**
     * The calls the backends make.
     *
     * @return a {@link WinApi}
     */
    abstract WinApi api();

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return WindowsMmap.create(api(), id, size);
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.POSIX_MMAP;
    }
}
