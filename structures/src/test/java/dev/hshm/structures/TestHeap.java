package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import java.util.concurrent.atomic.AtomicInteger;

/** A posix_shm_mmap backend with one allocator whose custom header has room for the directory; close destroys it. */
final class TestHeap implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger(100);

    final MemoryBackendId backendId;
    final AllocatorId allocatorId;
    final String url;
    final MemoryBackend backend;
    final Allocator allocator;

    private TestHeap(String type, long bytes, long customHeader) {
        int n = IDS.incrementAndGet();
        backendId = MemoryBackendId.get(n);
        allocatorId = AllocatorId.of(n, 0);
        url = "hshm-st-" + ProcessHandle.current().pid() + "-" + n;
        MemoryManager mm = MemoryManager.get();
        backend = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, bytes, url);
        allocator = mm.createAllocator(type, backendId, allocatorId, customHeader);
    }

    static TestHeap create(String type, long bytes) {
        return new TestHeap(type, bytes, NamedObjects.CUSTOM_HEADER_BYTES + 64);
    }

    static TestHeap create() {
        return create(Allocator.THREAD_LOCAL, 64L << 20);
    }

    static TestHeap withCustomHeader(long customHeader) {
        return new TestHeap(Allocator.SCALABLE_PAGE, 16L << 20, customHeader);
    }

    NamedObjects dir() {
        return NamedObjects.of(allocator);
    }

    @Override
    public void close() {
        MemoryManager.get().destroyBackend(backendId);
    }
}
