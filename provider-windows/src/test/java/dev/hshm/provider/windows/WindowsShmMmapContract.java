package dev.hshm.provider.windows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.testkit.MemoryBackendContract;
import dev.hshm.testkit.ShmTestNames;

/** The api's backend contract for {@link WindowsShmMmap}, over the Win32 calls a subclass chooses. */
abstract class WindowsShmMmapContract extends MemoryBackendContract {

    /**
     * The calls the backends make.
     *
     * @return a {@link WinApi}
     */
    abstract WinApi api();

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return WindowsShmMmap.create(api(), id, size, ShmTestNames.unique("hshmwin"), 0600);
    }

    @Override
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) {
        return WindowsShmMmap.create(api(), id, size, url, 0600);
    }

    @Override
    protected MemoryBackend attach(MemoryBackend created) {
        return WindowsShmMmap.attach(api(), created.url().orElseThrow());
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.POSIX_SHM_MMAP;
    }
}
