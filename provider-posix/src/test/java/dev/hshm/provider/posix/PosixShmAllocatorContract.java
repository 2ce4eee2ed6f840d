package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.testkit.AllocatorContract;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

    @Test
    void aBlockAllocatedThroughOneMappingIsReadAndFreedThroughAnother() {
        Allocator a = make(8L << 20);
        long off = a.allocateOffset(MemContext.DEFAULT, 1000);
        a.resolve(off, 1000).set(ValueLayout.JAVA_LONG, 992, 0xFEEDL);

        PosixShmMmap view = segs.track(PosixShmMmap.attach(a.backend().url().orElseThrow()));
        BackendHeader.DirectoryEntry e = BackendHeader.directory(view.header(), view.dataSize()).getFirst();
        assertEquals(AllocatorId.of(1, 0), e.id());
        assertEquals(type(), e.type());
        Allocator other = provider().attach(view, e.id(), e.regionOffset(), e.regionSize());
        try {
            assertEquals(0xFEEDL, other.resolve(off, 1000).get(ValueLayout.JAVA_LONG, 992));
            assertEquals(a.bytesInUse(), other.bytesInUse());
            other.freeOffset(MemContext.DEFAULT, off);
            assertEquals(0, a.bytesInUse(), "the free through the other mapping is seen by the first");
        } finally {
            provider().release(other);
        }
    }

    @Test
    void blocksAlignedUpToTheAddressAlignmentAreAlignedInEveryMapping() {
        Allocator a = make(24L << 20);
        PosixShmMmap view = segs.track(PosixShmMmap.attach(a.backend().url().orElseThrow()));
        long here = a.backend().data().address();
        long there = view.data().address();
        assertNotEquals(here, there, "two mappings of one object");
        assertEquals(PosixShmMmap.ADDRESS_ALIGNMENT, a.backend().addressAlignment());
        for (long align : new long[] {8 << 10, 64 << 10, 1 << 20, PosixShmMmap.ADDRESS_ALIGNMENT}) {
            long off = a.alignedAllocateOffset(MemContext.DEFAULT, 100, align);
            assertEquals(0, off % align, "the offset");
            assertEquals(0, (here + off) % align, "the address in the first mapping, alignment " + align);
            assertEquals(0, (there + off) % align, "the address in the second mapping, alignment " + align);
            assertEquals(here + off, a.resolve(off, 100).address());
        }
    }

    @AfterEach
    void removeSegments() {
        segs.close();
    }
}
