package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Destroy and detach unmap the backend whatever the allocators throw while they are released: here a
 * thread_local heap whose span descriptor was corrupted, so giving the cached blocks back fails.
 */
class CloseAfterCorruptionTest {

    private final MemoryManager mm = MemoryManager.get();

    /** Creates a thread_local allocator whose calling thread caches blocks of a span that names no shard. */
    private MemoryBackend corruptHeapWithCachedBlocks(MemoryBackendId bid, AllocatorId aid) {
        MemoryBackend b = mm.createBackend(MemoryBackend.MALLOC, bid, 8L << 20);
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, bid, aid, 0);
        long off = a.allocateOffset(MemContext.DEFAULT, 64);
        a.freeOffset(MemContext.DEFAULT, off); // now in this thread's cache
        BackendHeader.DirectoryEntry entry = BackendHeader.directory(b.header(), b.dataSize()).stream()
                .filter(d -> d.id().equals(aid)).findFirst().orElseThrow();
        Heap h = Heap.attach(b.data(), entry.regionOffset(), entry.regionSize(), aid, HeapHeader.TYPE_THREAD_LOCAL,
                Allocator.THREAD_LOCAL, ThreadModel.current());
        long page = (off - h.geometry().heapOffset()) >>> SizeClasses.PAGE_SHIFT;
        long infoAt = h.geometry().descTable() + page * PageDescriptor.BYTES + PageDescriptor.INFO;
        long info = b.data().get(ValueLayout.JAVA_LONG, infoAt);
        b.data().set(ValueLayout.JAVA_LONG, infoAt, info | (0xFFFFL << 16)); // shard 65535: none
        return b;
    }

    @Test
    void destroyUnmapsEvenWhenReleasingTheAllocatorsFails() {
        MemoryBackendId bid = MemoryBackendId.get(21);
        AllocatorId aid = AllocatorId.of(21, 0);
        MemoryBackend b = corruptHeapWithCachedBlocks(bid, aid);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> mm.destroyBackend(bid));
        assertTrue(e.getMessage().contains("shard that does not exist"), e.getMessage());
        assertFalse(b.isAttached(), "the backend was unmapped anyway");
        assertThrows(NotFoundException.class, () -> mm.getBackend(bid));
        assertThrows(NotFoundException.class, () -> mm.getAllocator(aid));
    }

    @Test
    void detachUnmapsEvenWhenReleasingTheAllocatorsFails() {
        MemoryBackendId bid = MemoryBackendId.get(22);
        AllocatorId aid = AllocatorId.of(22, 0);
        MemoryBackend b = corruptHeapWithCachedBlocks(bid, aid);
        assertThrows(CorruptSegmentException.class, () -> mm.detachBackend(bid));
        assertFalse(b.isAttached());
        assertThrows(NotFoundException.class, () -> mm.getAllocator(aid));
    }
}
