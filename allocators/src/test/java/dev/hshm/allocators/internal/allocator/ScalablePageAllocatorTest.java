package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.AllocatorContract;

/** The scalable-page allocator over a malloc backend (the shared-memory runs are in provider-posix and it). */
class ScalablePageAllocatorTest extends AllocatorContract {

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        MallocBackend b = MallocBackend.create(MemoryBackendId.get(1), heapBytes);
        return ScalablePageAllocator.create(b, id, 0, b.dataSize(), 128);
    }

    @Override
    protected void release(Allocator allocator) {
        allocator.backend().destroy();
    }
}
