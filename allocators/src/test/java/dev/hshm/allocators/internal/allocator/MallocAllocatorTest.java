package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.AllocatorContract;

class MallocAllocatorTest extends AllocatorContract {

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        return new MallocAllocator(id, MallocBackend.create(MemoryBackendId.get(3), 4096), 64);
    }

    @Override
    protected void release(Allocator allocator) {
        ((MallocAllocator) allocator).close();
        allocator.backend().destroy();
    }

    @Override
    protected boolean boundedCapacity() {
        return false;
    }

    @Override
    protected boolean reportsDoubleFreeExactly() {
        return false;
    }
}
