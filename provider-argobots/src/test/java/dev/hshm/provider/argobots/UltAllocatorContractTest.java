package dev.hshm.provider.argobots;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.testkit.AllocatorContract;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The allocator contract for the {@code thread_local} allocator over a malloc backend, every test body run in a
 * ULT with argobots as the process's thread model: the allocator's per-thread path for virtual threads (the
 * striped caches, and an own slot after {@code createTls}) meets the whole contract. Threads a test starts
 * itself (the contract's cross-thread tests) are platform threads, as the contract writes them.
 */
@ExtendWith(InUlt.class)
class UltAllocatorContractTest extends AllocatorContract {

    private static final AtomicInteger NEXT_BACKEND = new AtomicInteger(4800);
    private final Map<AllocatorId, MemoryBackendId> backends = new ConcurrentHashMap<>();

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        MemoryManager mm = MemoryManager.get();
        MemoryBackendId b = MemoryBackendId.get(NEXT_BACKEND.getAndIncrement());
        mm.createBackend(MemoryBackend.MALLOC, b, heapBytes + (1L << 20));
        backends.put(id, b);
        return mm.createAllocator(Allocator.THREAD_LOCAL, b, id, 0);
    }

    @Override
    protected void release(Allocator allocator) {
        MemoryManager mm = MemoryManager.get();
        mm.unregisterAllocator(allocator.id());
        mm.destroyBackend(backends.remove(allocator.id()));
    }
}
