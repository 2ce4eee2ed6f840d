package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.hshm.provider.posix.internal.DevShm;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The seed's example program, through the MemoryManager, over this module's posix_shm_mmap backend. */
@EnabledOnOs(OS.LINUX)
class SeedExampleTest {

    private final ShmTestNames segs = new ShmTestNames("hshm-t");

    @AfterEach
    void cleanUp() {
        segs.close();
    }

    @Test
    void theSeedsExampleRunsOverPosixSharedMemory() {
        String shmUrl = segs.name();
        MemoryManager memMngr = MemoryManager.get();
        AllocatorId allocId = AllocatorId.of(70, 0);
        MemoryBackendId backendId = MemoryBackendId.get(70);

        // Create a 1GB backend
        MemoryBackend b = memMngr.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, Units.gigabytes(1), shmUrl);
        assertEquals(PosixShmMmap.class, b.getClass());
        // Create an allocator over backend 70
        Allocator alloc = memMngr.createAllocator(Allocator.THREAD_LOCAL, backendId, allocId, 0);

        FullPtr p = alloc.allocate(MemContext.DEFAULT, 4096);
        p.segment().set(ValueLayout.JAVA_LONG, 0, 12L);
        assertEquals(12L, memMngr.getAllocator(allocId).resolve(p.pointer().offset(), 8).get(ValueLayout.JAVA_LONG, 0));
        alloc.free(MemContext.DEFAULT, p);

        // Unregister allocator
        memMngr.unregisterAllocator(allocId);
        // Destroy backend
        memMngr.destroyBackend(backendId);

        assertFalse(Files.exists(DevShm.path(shmUrl)), "destroy unlinked the name");
        assertThrows(NotFoundException.class, () -> memMngr.attachBackend(MemoryBackend.POSIX_SHM_MMAP, shmUrl));
    }
}
