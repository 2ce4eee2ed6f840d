package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.MemoryBackendContract;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The backend contract for {@code posix_mmap}. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class PosixMmapContractTest extends MemoryBackendContract {

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return PosixMmap.create(id, size);
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.POSIX_MMAP;
    }

    /** POSIX mappings place the data at a 2 MiB boundary in every process. */
    @Override
    protected long expectedDataAlignment() {
        return PosixShmMmap.ADDRESS_ALIGNMENT;
    }
}
