package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.FullPtr;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.Units;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed document's example program, line for line, on real POSIX shared memory. */
class SeedExampleTest {

    private final String shmUrl = Segments.unique("seed");

    @AfterEach
    void cleanUp() {
        Segments.clearManager();
        Segments.remove(shmUrl);
    }

    @Test
    void theSeedsExampleProgramRuns() {
        MemoryManager memMngr = MemoryManager.get();
        AllocatorId allocId = AllocatorId.of(0, 0);

        // Create a 1GB backend with id 0
        memMngr.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(0), Units.gigabytes(1), shmUrl);

        // Create an allocator over backend 0
        memMngr.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(0), allocId, 0);

        // (what the example leaves out: use it)
        Allocator alloc = memMngr.getAllocator(allocId);
        FullPtr p = alloc.allocate(MemContext.DEFAULT, 4096);
        p.segment().fill((byte) 8);
        assertEquals(8, memMngr.convert(p.pointer(), 4096).get(ValueLayout.JAVA_BYTE, 4095));
        alloc.free(MemContext.DEFAULT, p);
        assertEquals(0, alloc.bytesInUse());

        // Unregister allocator
        memMngr.unregisterAllocator(allocId);

        // Destroy backend
        memMngr.destroyBackend(MemoryBackendId.get(0));

        assertThrows(NotFoundException.class,
                () -> memMngr.attachBackend(MemoryBackend.POSIX_SHM_MMAP, shmUrl), "destroy removed the name");
    }
}
