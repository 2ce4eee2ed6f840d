package dev.hshm.provider.rocm.internal;

import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.MemoryBackendContract;
import dev.hshm.testkit.ShmTestNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The api's backend contract, met by {@code rocm_shm_mmap} over real POSIX shared memory with the HIP runtime
 * mocked (a device pointer equal to the host address, as on a GPU with unified addressing).
 */
@EnabledOnOs(OS.LINUX)
class RocmShmMmapContractTest extends MemoryBackendContract {

    private final ShmTestNames shm = new ShmTestNames("hshm-rocm-t");
    private final HipApi hip = mock(HipApi.class);

    RocmShmMmapContractTest() {
        when(hip.hostGetDevicePointer(anyLong())).thenAnswer(inv -> inv.getArgument(0));
    }

    @AfterEach
    void removeNames() {
        shm.close();
    }

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return RocmShmMmap.create(hip, id, size, shm.name(), 0600);
    }

    @Override
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) {
        return RocmShmMmap.create(hip, id, size, url, 0600);
    }

    @Override
    protected MemoryBackend attach(MemoryBackend created) {
        return RocmShmMmap.attach(hip, created.url().orElseThrow());
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.ROCM_SHM_MMAP;
    }

    /** POSIX mappings place the data at a 2 MiB boundary in every process. */
    @Override
    protected long expectedDataAlignment() {
        return PosixShmMmap.ADDRESS_ALIGNMENT;
    }
}
