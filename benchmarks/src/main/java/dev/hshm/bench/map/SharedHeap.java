package dev.hshm.bench.map;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.structures.NamedObjects;

/** A {@code posix_shm_mmap} backend with one {@code thread_local} allocator and its named-object directory. */
final class SharedHeap implements AutoCloseable {

    final MemoryBackendId backendId;
    final NamedObjects dir;

    /**
     * @param base a backend id range for this benchmark (the pid picks one id in it, so forks never collide)
     * @param bytes the backend's size
     * @param name the segment's name prefix
     */
    SharedHeap(int base, long bytes, String name) {
        MemoryManager mm = MemoryManager.get();
        int n = base + (int) (ProcessHandle.current().pid() % 90);
        backendId = MemoryBackendId.get(n);
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, bytes, name + "-" + ProcessHandle.current().pid());
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, backendId, AllocatorId.of(n, 0),
                NamedObjects.CUSTOM_HEADER_BYTES);
        dir = NamedObjects.of(a);
    }

    @Override
    public void close() {
        MemoryManager.get().destroyBackend(backendId);
    }
}
