package dev.hshm.provider.cuda.internal;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.MemoryBackendContract;
import dev.hshm.testkit.ShmTestNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The backend contract for {@code cuda_shm_mmap} over real POSIX shared memory, with the CUDA calls mocked as a
 * working device would answer them; the attach count checks that the decorator counts each view once.
 */
@EnabledOnOs(OS.LINUX)
class CudaShmMmapContractTest extends MemoryBackendContract {

    private final ShmTestNames segs = new ShmTestNames("hshm-cuda-t");
    private final CudaApi api = FakeDevice.working();

    @AfterEach
    void removeNames() {
        segs.close();
    }

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return CudaShmMmap.create(api, id, size, segs.name(), 0600);
    }

    @Override
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) {
        return CudaShmMmap.create(api, id, size, url, 0600);
    }

    @Override
    protected MemoryBackend attach(MemoryBackend created) {
        return CudaShmMmap.attach(api, created.url().orElseThrow());
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.CUDA_SHM_MMAP;
    }

    /** POSIX mappings place the data at a 2 MiB boundary in every process. */
    @Override
    protected long expectedDataAlignment() {
        return PosixShmMmap.ADDRESS_ALIGNMENT;
    }
}
