package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.MemoryBackendContract;
import dev.hshm.testkit.ShmTestNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The backend contract for {@code posix_shm_mmap}, attaching through a second mapping. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class PosixShmMmapContractTest extends MemoryBackendContract {

    private final ShmTestNames segs = new ShmTestNames("hshm-t");

    @AfterEach
    void removeNames() {
        segs.close(); // after the contract destroyed its backends: removes any name a failed test left
    }

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return PosixShmMmap.create(id, size, segs.name(), 0600);
    }

    @Override
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) {
        return PosixShmMmap.create(id, size, url, 0600);
    }

    @Override
    protected MemoryBackend attach(MemoryBackend created) {
        return PosixShmMmap.attach(created.url().orElseThrow());
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.POSIX_SHM_MMAP;
    }

    /** POSIX mappings place the data at a 2 MiB boundary in every process. */
    @Override
    protected long expectedDataAlignment() {
        return PosixShmMmap.ADDRESS_ALIGNMENT;
    }
}
