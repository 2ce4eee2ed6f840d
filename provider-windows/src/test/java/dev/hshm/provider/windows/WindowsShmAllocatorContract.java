package dev.hshm.provider.windows;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.testkit.AllocatorContract;
import dev.hshm.testkit.ShmTestNames;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The api's allocator contract run over a {@code posix_shm_mmap} backend on Windows: each allocator gets its
 * own named mapping, its region reserved in the backend's directory as {@link dev.hshm.api.MemoryManager}
 * does, and is made by the api's provider of {@link #type()}.
 */
abstract class WindowsShmAllocatorContract extends AllocatorContract {

    private final Map<Allocator, WindowsShmMmap> backends = new IdentityHashMap<>();

    /**
     * The calls the backends make.
     *
     * @return a {@link WinApi}
     */
    abstract WinApi api();

    /**
     * The allocator type under test.
     *
     * @return e.g. {@link Allocator#THREAD_LOCAL}
     */
    abstract String type();

    AllocatorProvider provider() {
        return ProviderRegistry.global().find(AllocatorProvider.class, type());
    }

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        WindowsShmMmap b = WindowsShmMmap.create(api(), MemoryBackendId.get(9), heapBytes + (1 << 20),
                ShmTestNames.unique("hshmwin"), 0600);
        try {
            BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id, type(), -1);
            Allocator a = provider().create(b, id, e.regionOffset(), e.regionSize(), 0);
            BackendHeader.publishAllocator(b.header(), e);
            backends.put(a, b);
            return a;
        } catch (RuntimeException e) {
            b.destroy();
            throw e;
        }
    }

    @Override
    protected void release(Allocator allocator) {
        provider().release(allocator);
        WindowsShmMmap b = backends.remove(allocator);
        if (b != null) {
            b.destroy();
        }
    }
}
