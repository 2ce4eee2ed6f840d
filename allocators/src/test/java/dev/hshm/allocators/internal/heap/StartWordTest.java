package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ThreadModel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Start words name their pid: a start time read beside another owner's word (a lease a reclaimer has just taken
 * over from a dead process) is "unknown", not a mismatch, so a live reclaimer is never declared dead. Before,
 * every process calling reclaimDeadProcesses after a kill reclaimed the same slot at once.
 */
class StartWordTest {

    @Test
    void aStartWordOnlyCountsForItsOwnPid() {
        long owner = (4242L << 32) | 5;
        assertEquals(123_456L, OwnerWords.startMillisOf(owner, OwnerWords.startWord(4242, 123_456)));
        assertEquals(0L, OwnerWords.startMillisOf(owner, OwnerWords.startWord(4243, 123_456)), "another pid's");
        assertEquals(0L, OwnerWords.startMillisOf(owner, 0L));
        assertTrue(OwnerWords.isAlive(OwnerWords.currentThread(), OwnerWords.startWord()));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aLiveReclaimerBesideTheDeadOwnersStartWordIsLeftAlone() throws Exception {
        Process live = new ProcessBuilder("sleep", "30").start();
        try (MallocBackend b = MallocBackend.create(MemoryBackendId.get(14), 8L << 20)) {
            AllocatorId id = AllocatorId.of(8, 4);
            Allocator a = CrashScenarios.provider(Allocator.THREAD_LOCAL).create(b, id, 0, b.dataSize(), 0);
            a.freeOffset(MemContext.DEFAULT, a.allocateOffset(MemContext.DEFAULT, 64)); // lease a slot, cache a block
            Heap h = Heap.attach(b.data(), 0, b.dataSize(), id, HeapHeader.TYPE_THREAD_LOCAL, Allocator.THREAD_LOCAL,
                    ThreadModel.current());
            int slot = -1;
            for (int s = 0; s < h.geometry().slotCount(); s++) {
                if (h.w.get(SlotTable.lease(h.geometry(), s) + SlotTable.OWNER) == OwnerWords.currentThread()) {
                    slot = s;
                }
            }
            assertTrue(slot >= 0);
            long at = SlotTable.lease(h.geometry(), slot);
            long deadPid = dev.hshm.allocators.internal.testing.ChildJvm.deadPid();
            // a reclaimer in the live process has just taken the lease of the dead one: START still the dead one's
            h.w.put(at + SlotTable.OWNER, (live.pid() << 32) | OwnerWords.RECLAIMER_BIT | 7);
            h.w.put(at + SlotTable.START, OwnerWords.startWord(deadPid, System.currentTimeMillis() - 60_000));
            Slots slots = new Slots(h);
            assertEquals(0, slots.reclaimDead(), "the reclaimer lives: its slot is not reclaimed again");
            live.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertEquals(1, slots.reclaimDead(), "once the reclaimer is dead, its slot is");
            a.check();
            assertEquals(0, a.bytesInUse());
        } finally {
            live.destroyForcibly();
        }
    }
}
