package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.backend.ArrayBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.AllocatorContract;
import java.lang.foreign.Arena;

/** The thread-local allocator over an array backend. */
class ThreadLocalAllocatorTest extends AllocatorContract {

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        Arena arena = Arena.ofShared();
        ArrayBackend b = ArrayBackend.create(MemoryBackendId.get(2), arena.allocate(heapBytes, 4096));
        Allocator a = ThreadLocalAllocator.create(b, id, 0, b.dataSize(), 0);
        arenas.put(a, arena);
        return a;
    }

    private final java.util.Map<Allocator, Arena> arenas = new java.util.IdentityHashMap<>();

    @Override
    protected void release(Allocator allocator) {
        ((ThreadLocalAllocator) allocator).close();
        allocator.backend().destroy();
        Arena arena = arenas.remove(allocator);
        if (arena != null) {
            arena.close();
        }
    }
}
