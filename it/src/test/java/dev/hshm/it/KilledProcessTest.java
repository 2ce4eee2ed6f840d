package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import dev.hshm.testkit.ChildJvm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Processes killed with SIGKILL while they hold the heap lock or are in the middle of allocating. */
class KilledProcessTest {

    private String url;

    @AfterEach
    void cleanUp() {
        Segments.clearManager();
        if (url != null) {
            Segments.remove(url);
        }
    }

    @Test
    void aProcessKilledWhileHoldingTheLockDoesNotBlockTheOthers() throws Exception {
        url = Segments.unique("lock");
        MemoryManager mm = MemoryManager.get();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(200), Units.megabytes(32), url);
        Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, MemoryBackendId.get(200), AllocatorId.of(8, 0), 0);
        long before = a.allocateOffset(MemContext.DEFAULT, 1000);
        try (ChildJvm holder = ChildJvm.java().likeThisJvm().jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
                        .name("holder").echoTo(System.out).main(LockHolder.class).args(url, "8", "0").start()) {
            holder.await("LOCKED", 60);
            holder.kill();
        }
        long t0 = System.nanoTime();
        long off = CompletableFuture.supplyAsync(() -> a.allocateOffset(MemContext.DEFAULT, 64))
                .get(30, TimeUnit.SECONDS);
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("allocation after the holder's death took " + waitedMs + " ms");
        assertTrue(waitedMs < 10_000, "took " + waitedMs + " ms");
        a.freeOffset(MemContext.DEFAULT, off);
        int more = a.reclaimDeadProcesses(); // the locks the allocation did not need are recovered here
        System.out.println("locks recovered by reclaimDeadProcesses: " + more);
        a.freeOffset(MemContext.DEFAULT, before);
        a.check();
        assertEquals(0, a.bytesInUse());
    }

    @Test
    void theCachesOfAProcessKilledMidWorkAreReclaimed() throws Exception {
        url = Segments.unique("kill");
        MemoryManager mm = MemoryManager.get();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(201), Units.megabytes(64), url);
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(201), AllocatorId.of(8, 1), 0);
        for (int round = 0; round < 3; round++) {
            try (ChildJvm hammer = ChildJvm.java().likeThisJvm().jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
                        .name("hammer" + round).echoTo(System.out).main(Hammer.class).args(url, "8", "1").start()) {
                hammer.await("WORKING", 60);
                hammer.kill();
            }
            int slotsBefore = a.stats().threadSlotsInUse();
            assertTrue(slotsBefore >= 2, "the dead process left its two threads' slots leased: " + slotsBefore);
            int reclaimed = a.reclaimDeadProcesses();
            assertTrue(reclaimed >= 2, "reclaimed " + reclaimed);
            assertEquals(0, a.stats().threadSlotsInUse());
            assertEquals(0, a.stats().cachedBytes());
            a.check();
        }
        // the heap still works for everyone; what the dead processes had allocated stays allocated
        long off = a.allocateOffset(MemContext.DEFAULT, 123);
        a.freeOffset(MemContext.DEFAULT, off);
        a.freeTls(MemContext.DEFAULT);
        a.check();
        long leaked = a.bytesInUse();
        System.out.println("bytes the killed processes had live when they died: " + leaked);
        assertTrue(leaked <= 3 * 2 * 100 * 4096L, "at most what they could hold: " + leaked);
    }
}
