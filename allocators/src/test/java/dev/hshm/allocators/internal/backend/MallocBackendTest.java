package dev.hshm.allocators.internal.backend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.MemoryBackendContract;

class MallocBackendTest extends MemoryBackendContract {

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return MallocBackend.create(id, size);
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.MALLOC;
    }
}
