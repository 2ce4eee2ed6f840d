package dev.hshm.provider.posix;

import dev.hshm.api.testing.ShmTestNames;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.testing.AllocatorContract;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The allocator contract run over a {@code posix_shm_mmap} backend: each allocator gets its own segment, its
 * region reserved in the backend's directory as {@link dev.hshm.api.MemoryManager} does, and is made by the
 * api's provider of {@link #type()}.
 */
abstract class PosixShmAllocatorContract extends AllocatorContract {

    final ShmTestNames segs = new ShmTestNames("hshm-t");
    private final Map<Allocator, PosixShmMmap> backends = new IdentityHashMap<>();

    /** The allocator type under test. */
    abstract String type();

    AllocatorProvider provider() {
        return ProviderRegistry.global().find(AllocatorProvider.class, type());
    }

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(9), heapBytes + (1 << 20), segs.name(), 0600));
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id, type(), -1);
        Allocator a = provider().create(b, id, e.regionOffset(), e.regionSize(), 0);
        BackendHeader.publishAllocator(b.header(), e);
        backends.put(a, b);
        return a;
    }

    @Override
    protected void release(Allocator allocator) {
        provider().release(allocator);
        PosixShmMmap b = backends.remove(allocator);
        if (b != null) {
            b.destroy();
        }
    }

    @AfterEach
    void removeSegments() {
        segs.close();
    }
}
