package dev.hshm.allocators.internal.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.heap.Heap;
import dev.hshm.allocators.internal.heap.SlotTable;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.allocators.internal.backend.MallocBackend;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How thread_local maps threads to cache slots, and how slots come back. */
class ThreadLocalSlotsTest {

    private MallocBackend backend;
    private ThreadLocalAllocator tla;

    @BeforeEach
    void create() {
        backend = MallocBackend.create(MemoryBackendId.get(11), 64L << 20);
        tla = ThreadLocalAllocator.create(backend, AllocatorId.of(5, 0), 0, backend.dataSize(), 0);
    }

    @AfterEach
    void destroy() {
        tla.close();
        backend.destroy();
    }

    @Test
    void tenThousandVirtualThreadsShareABoundedSetOfCaches() throws Exception {
        AtomicLong maxSlots = new AtomicLong();
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 10_000; t++) {
                final int seed = t;
                fs.add(exec.submit(() -> {
                    long[] offs = new long[8];
                    for (int i = 0; i < offs.length; i++) {
                        offs[i] = tla.allocateOffset(MemContext.DEFAULT, 16 + ((seed + i) % 40) * 16);
                        tla.memory().set(ValueLayout.JAVA_LONG, offs[i], seed);
                    }
                    Thread.yield();
                    for (long off : offs) {
                        assertEquals(seed, tla.memory().get(ValueLayout.JAVA_LONG, off));
                        tla.freeOffset(MemContext.DEFAULT, off);
                    }
                    if (seed % 500 == 0) {
                        maxSlots.accumulateAndGet(tla.stats().threadSlotsInUse(), Math::max);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        int stripes = Math.min(16, Runtime.getRuntime().availableProcessors());
        assertTrue(tla.stats().threadSlotsInUse() <= stripes,
                "virtual threads use the stripe slots only: " + tla.stats().threadSlotsInUse());
        assertTrue(maxSlots.get() <= stripes, "max slots seen " + maxSlots.get());
        assertEquals(0, tla.bytesInUse());
        tla.check();
    }

    @Test
    void aPlatformThreadThatEndsWithoutFreeTlsGivesItsSlotBack() throws Exception {
        int before = tla.stats().threadSlotsInUse();
        Thread t = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                tla.freeOffset(MemContext.DEFAULT, tla.allocateOffset(MemContext.DEFAULT, 64));
            }
        });
        t.join();
        assertEquals(before + 1, tla.stats().threadSlotsInUse(), "the ended thread's slot is still leased");
        assertTrue(tla.stats().cachedBytes() > 0, "and holds its cached blocks");
        t = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (tla.stats().threadSlotsInUse() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, tla.stats().threadSlotsInUse(), "the Cleaner gave the slot back");
        assertEquals(0, tla.stats().cachedBytes(), "with its blocks");
        assertEquals(0, tla.bytesInUse());
    }

    @Test
    void freeTlsReturnsTheCacheAtOnce() throws Exception {
        Thread t = Thread.ofPlatform().start(() -> {
            MemContext ctx = tla.createTls(MemContext.DEFAULT);
            long off = tla.allocateOffset(ctx, 256);
            tla.freeOffset(ctx, off);
            assertTrue(tla.stats().cachedBytes() > 0);
            tla.freeTls(ctx);
        });
        t.join();
        assertEquals(0, tla.stats().threadSlotsInUse());
        assertEquals(0, tla.stats().cachedBytes());
    }

    @Test
    void aContextIsOnlyValidOnTheThreadThatMadeIt() throws Exception {
        MemContext mine = tla.createTls(MemContext.DEFAULT);
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] seen = new Throwable[1];
        Thread.ofPlatform().start(() -> {
            seen[0] = assertThrows(IllegalArgumentException.class, () -> tla.allocateOffset(mine, 64));
            done.countDown();
        });
        done.await();
        assertTrue(seen[0].getMessage().contains("not a cache slot leased by this thread"), seen[0].getMessage());
        tla.freeTls(mine);
    }

    @Test
    void theCachesOfADeadProcessAreReclaimed() throws Exception {
        // Fill a slot's cache from a thread, then make its lease look like a process that died.
        Thread t = Thread.ofPlatform().start(() -> {
            long[] offs = new long[40];
            for (int i = 0; i < offs.length; i++) {
                offs[i] = tla.allocateOffset(MemContext.DEFAULT, 48);
            }
            for (long off : offs) {
                tla.freeOffset(MemContext.DEFAULT, off);
            }
        });
        t.join();
        assertTrue(tla.stats().cachedBytes() > 0);
        Heap h = tla.heap;
        long dead = deadPid();
        int slot = -1;
        for (int s = 0; s < tla.slotCount(); s++) {
            long at = SlotTable.lease(h.geometry(), s) + SlotTable.OWNER;
            if (tla.memory().get(ValueLayout.JAVA_LONG, at) != 0) {
                tla.memory().set(ValueLayout.JAVA_LONG, at, (dead << 32) | 77);
                tla.memory().set(ValueLayout.JAVA_LONG, at + 8, 0L);
                slot = s;
            }
        }
        assertTrue(slot >= 0);
        assertEquals(1, tla.reclaimDeadProcesses());
        assertEquals(0, tla.stats().threadSlotsInUse());
        assertEquals(0, tla.stats().cachedBytes());
        assertEquals(0, tla.bytesInUse());
        tla.check();
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
