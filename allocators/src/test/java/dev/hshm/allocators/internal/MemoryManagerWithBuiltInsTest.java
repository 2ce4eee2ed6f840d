package dev.hshm.allocators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.FullPtr;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.Pointer;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.Units;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The manager with the built-in private backends and allocators of this module, found through the registry like
 * any provider; shared memory is tested in provider-posix and it.
 */
class MemoryManagerWithBuiltInsTest {

    private final MemoryManager mm = MemoryManager.get();

    @AfterEach
    void cleanUp() {
        for (Allocator a : mm.allocators()) {
            mm.unregisterAllocator(a.id());
        }
        for (MemoryBackend b : mm.backends()) {
            mm.destroyBackend(b.id());
        }
        mm.setDefaultAllocator(null);
    }

    @Test
    void theSeedsExampleReadsTheSameInJava() {
        MemoryManager memMngr = MemoryManager.get();
        AllocatorId allocId = AllocatorId.of(0, 0);
        memMngr.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(0), Units.megabytes(64));
        memMngr.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(0), allocId, 0);
        FullPtr p = memMngr.getAllocator(allocId).allocate(MemContext.DEFAULT, 4096);
        p.segment().fill((byte) 8);
        memMngr.getAllocator(allocId).free(MemContext.DEFAULT, p);
        memMngr.unregisterAllocator(allocId);
        memMngr.destroyBackend(MemoryBackendId.get(0));
        assertTrue(memMngr.backends().isEmpty());
    }

    @Test
    void pointersConvertBothWays() {
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(1), Units.megabytes(16));
        Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(1), AllocatorId.of(2, 0), 64);
        FullPtr p = a.allocate(MemContext.DEFAULT, 100);
        p.segment().set(ValueLayout.JAVA_INT, 0, 4711);
        MemorySegment view = mm.convert(p.pointer(), 100);
        assertEquals(4711, view.get(ValueLayout.JAVA_INT, 0));
        assertEquals(p.pointer(), mm.toPointer(view));
        assertEquals(p.pointer(), mm.toPointer(view.asSlice(0, 1)));
        assertThrows(InvalidPointerException.class, () -> mm.convert(Pointer.NULL, 8));
        assertThrows(NotFoundException.class, () -> mm.convert(new Pointer(AllocatorId.of(77, 7), 0), 8));
        a.free(MemContext.DEFAULT, p);
    }

    @Test
    void aBackendHoldsSeveralAllocatorsInItsDirectory() {
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(2), Units.megabytes(32));
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(2), AllocatorId.of(3, 0), 0,
                Units.megabytes(8));
        Allocator b = mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(2), AllocatorId.of(3, 1), 0);
        long x = a.allocateOffset(MemContext.DEFAULT, 1000);
        long y = b.allocateOffset(MemContext.DEFAULT, 1000);
        assertTrue(x < Units.megabytes(8) && y >= Units.megabytes(8), "x=" + x + ", y=" + y);
        assertThrows(InvalidPointerException.class, () -> b.freeOffset(MemContext.DEFAULT, x));
        a.freeOffset(MemContext.DEFAULT, x);
        b.freeOffset(MemContext.DEFAULT, y);
        OutOfMemoryException full = assertThrows(OutOfMemoryException.class, () -> mm.createAllocator(
                Allocator.SCALABLE_PAGE, MemoryBackendId.get(2), AllocatorId.of(3, 2), 0));
        assertTrue(full.getMessage().contains("no room"), full.getMessage());
    }

    @Test
    void aRefusedCreateGivesItsDirectoryEntryAndRegionBack() {
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(5), Units.megabytes(8));
        MemoryBackend b = mm.getBackend(MemoryBackendId.get(5));
        long before = BackendHeader.directory(b.header(), b.dataSize()).size();
        // a custom header larger than the region: the provider refuses to format it
        RuntimeException refused = assertThrows(RuntimeException.class, () -> mm.createAllocator(
                Allocator.THREAD_LOCAL, MemoryBackendId.get(5), AllocatorId.of(5, 1), Units.megabytes(4),
                Units.megabytes(1)));
        assertTrue(refused instanceof OutOfMemoryException || refused instanceof IllegalArgumentException, refused.toString());
        assertEquals(before, BackendHeader.directory(b.header(), b.dataSize()).size(), "the entry stayed reserved");
        // the same id, now valid, and all of the data is still there to give
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(5), AllocatorId.of(5, 1), 0, -1);
        assertEquals(b.dataSize(), BackendHeader.directory(b.header(), b.dataSize()).get(0).regionSize()
                + BackendHeader.directory(b.header(), b.dataSize()).get(0).regionOffset(), "the region came back");
        assertTrue(a.allocateOffset(MemContext.DEFAULT, 64) >= 0);
    }

    @Test
    void idsAreCheckedAndLookupsSayWhatExists() {
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(4), Units.megabytes(8));
        assertThrows(AlreadyExistsException.class,
                () -> mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(4), Units.megabytes(8)));
        mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(4), AllocatorId.of(1, 1), 0, Units.megabytes(2));
        assertThrows(AlreadyExistsException.class, () -> mm.createAllocator(Allocator.SCALABLE_PAGE,
                MemoryBackendId.get(4), AllocatorId.of(1, 1), 0, Units.megabytes(2)));
        NotFoundException nf = assertThrows(NotFoundException.class, () -> mm.getAllocator(AllocatorId.of(9, 9)));
        assertTrue(nf.getMessage().contains("(1,1)"), nf.getMessage());
        assertThrows(NotFoundException.class, () -> mm.getBackend(MemoryBackendId.get(99)));
        ProviderNotFoundException pnf = assertThrows(ProviderNotFoundException.class,
                () -> mm.createBackend("no_such", MemoryBackendId.get(5), 4096));
        assertTrue(pnf.getMessage().contains("malloc"), pnf.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mm.createAllocator(Allocator.SCALABLE_PAGE,
                MemoryBackendId.get(4), AllocatorId.NULL, 0));
    }

    @Test
    void theDefaultAllocatorIsTheFirstRegisteredElseTheRoot() {
        Allocator root = mm.defaultAllocator();
        assertEquals(AllocatorId.ROOT, root.id());
        long p = root.allocateOffset(MemContext.DEFAULT, 10);
        root.freeOffset(MemContext.DEFAULT, p);
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(6), Units.megabytes(8));
        Allocator first = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(6), AllocatorId.of(6, 0), 0,
                Units.megabytes(4));
        Allocator second = mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(6), AllocatorId.of(6, 1), 0);
        assertSame(first, mm.defaultAllocator());
        mm.setDefaultAllocator(second);
        assertSame(second, mm.defaultAllocator());
        mm.unregisterAllocator(second.id());
        assertNotSame(second, mm.defaultAllocator());
    }

    @Test
    void anArrayBackendManagesCallerMemory() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment mine = arena.allocate(Units.megabytes(4), 4096);
            mm.createArrayBackend(MemoryBackendId.get(7), mine);
            Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(7), AllocatorId.of(7, 0), 0);
            FullPtr p = a.allocate(MemContext.DEFAULT, 64);
            p.segment().set(ValueLayout.JAVA_LONG, 0, 5L);
            assertEquals(5L, mine.get(ValueLayout.JAVA_LONG, p.offset()));
            a.free(MemContext.DEFAULT, p);
            mm.unregisterAllocator(a.id());
            mm.destroyBackend(MemoryBackendId.get(7));
        }
    }

    @Test
    void detachingABackendUnregistersItsAllocators() {
        mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(8), Units.megabytes(8));
        mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(8), AllocatorId.of(8, 0), 0);
        mm.detachBackend(MemoryBackendId.get(8));
        assertThrows(NotFoundException.class, () -> mm.getAllocator(AllocatorId.of(8, 0)));
        assertThrows(NotFoundException.class, () -> mm.getBackend(MemoryBackendId.get(8)));
    }
}
