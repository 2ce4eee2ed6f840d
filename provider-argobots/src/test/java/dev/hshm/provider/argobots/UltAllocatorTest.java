package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code thread_local} allocator used from ULTs, with argobots as the process's thread model: virtual
 * threads share a bounded set of striped cache slots, so its caches stay bounded however many ULTs allocate;
 * a ULT that asks for a slot of its own keeps it, through this model's TLS, across carrier changes.
 */
@Timeout(300)
class UltAllocatorTest {

    private static final MemoryBackendId BACKEND = MemoryBackendId.get(4710);
    private static final AllocatorId ALLOC = AllocatorId.of(47, 10);
    private static final long[] SIZES = {16, 200, 1500};
    /** The allocator's stripe count for virtual threads, as its documentation gives it. */
    private static final int STRIPES = Math.min(16, Runtime.getRuntime().availableProcessors());

    private final MemoryManager mm = MemoryManager.get();
    private final ArgobotsThreadModel abt = (ArgobotsThreadModel) ThreadModel.current();
    private Allocator alloc;

    @BeforeEach
    void createAllocator() {
        mm.createBackend(MemoryBackend.MALLOC, BACKEND, 64L << 20);
        alloc = mm.createAllocator(Allocator.THREAD_LOCAL, BACKEND, ALLOC, 0);
    }

    @AfterEach
    void destroy() {
        mm.unregisterAllocator(ALLOC);
        mm.destroyBackend(BACKEND);
    }

    private static void fill(MemorySegment s, long seed) {
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i));
        }
    }

    private static boolean holds(MemorySegment s, long seed) {
        for (long i = 0; i < s.byteSize(); i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) (seed * 31 + i)) {
                return false;
            }
        }
        return true;
    }

    private static void joinAll(List<Thread> ts) throws InterruptedException {
        for (Thread t : ts) {
            assertTrue(t.join(Duration.ofSeconds(120)), "a ULT did not finish: " + t);
        }
    }

    @Test
    void cachesStayBoundedWhenTenThousandUltsAllocateAndFree() throws Exception {
        assertInstanceOf(ArgobotsThreadModel.class, ThreadModel.current(), "the allocator uses argobots TLS");
        int n = 10_000;
        AtomicInteger corrupted = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger maxSlots = new AtomicInteger();
        AtomicLong samples = new AtomicLong();
        long[] usable = new long[SIZES.length];
        for (int k = 0; k < SIZES.length; k++) {
            long off = alloc.allocateOffset(MemContext.DEFAULT, SIZES[k]);
            usable[k] = alloc.usableSize(off);
            alloc.freeOffset(MemContext.DEFAULT, off);
        }
        alloc.freeTls(MemContext.DEFAULT); // the test thread's own slot goes back: only ULTs hold slots now
        assertEquals(0, alloc.stats().threadSlotsInUse());

        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxSlots.accumulateAndGet(alloc.stats().threadSlotsInUse(), Math::max);
                samples.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<Thread> ults = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seed = i;
            ults.add(abt.spawn(() -> {
                try {
                    long[] offs = new long[SIZES.length];
                    for (int k = 0; k < SIZES.length; k++) {
                        offs[k] = alloc.allocateOffset(MemContext.DEFAULT, SIZES[k]);
                        fill(alloc.resolve(offs[k], SIZES[k]), seed + k);
                    }
                    abt.yield(); // let other ULTs allocate meanwhile; this one may come back on another carrier
                    for (int k = 0; k < SIZES.length; k++) {
                        if (!holds(alloc.resolve(offs[k], SIZES[k]), seed + k)) {
                            corrupted.incrementAndGet();
                        }
                        alloc.freeOffset(MemContext.DEFAULT, offs[k]);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        joinAll(ults);
        sampler.interrupt();
        sampler.join();
        if (failure.get() != null) {
            throw new AssertionError("a ULT failed", failure.get());
        }
        assertEquals(0, corrupted.get(), "blocks whose contents changed while their ULT held them");

        AllocatorStats st = alloc.stats();
        maxSlots.accumulateAndGet(st.threadSlotsInUse(), Math::max);
        assertTrue(samples.get() > 0);
        assertTrue(maxSlots.get() <= STRIPES, "cache slots leased while " + n + " ULTs ran: at most "
                + maxSlots.get() + ", stripes: " + STRIPES);
        assertTrue(st.threadSlotsInUse() >= 1, "the ULTs used no striped cache at all: " + st);
        assertEquals(0, alloc.bytesInUse(), st.toString());
        assertEquals(0, st.blocksInUse(), st.toString());
        // a slot holds at most two batches (<= 32 blocks each) plus one per size class before it flushes
        long perSlot = 0;
        for (long u : usable) {
            perSlot += 65 * u;
        }
        long bound = (long) st.threadSlotsInUse() * perSlot;
        long allocated = (long) n * (SIZES[0] + SIZES[1] + SIZES[2]);
        assertTrue(st.cachedBytes() <= bound, "cached " + st.cachedBytes() + " bytes, bound " + bound
                + " (" + allocated + " bytes were allocated in all)");
        alloc.check();
    }

    @Test
    void blocksAllocatedInOneUltMayBeFreedInAnother() throws Exception {
        int n = 1_000;
        long[] offs = new long[n * SIZES.length];
        AtomicInteger corrupted = new AtomicInteger();
        List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int me = i;
            producers.add(abt.spawn(() -> {
                for (int k = 0; k < SIZES.length; k++) {
                    long off = alloc.allocateOffset(MemContext.DEFAULT, SIZES[k]);
                    fill(alloc.resolve(off, SIZES[k]), me * 7L + k);
                    offs[me * SIZES.length + k] = off;
                }
            }));
        }
        joinAll(producers);
        assertTrue(alloc.bytesInUse() >= n * (SIZES[0] + SIZES[1] + SIZES[2]));
        List<Thread> consumers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int other = n - 1 - i; // each consumer frees another ULT's blocks
            consumers.add(abt.spawn(() -> {
                for (int k = 0; k < SIZES.length; k++) {
                    long off = offs[other * SIZES.length + k];
                    if (!holds(alloc.resolve(off, SIZES[k]), other * 7L + k)) {
                        corrupted.incrementAndGet();
                    }
                    alloc.freeOffset(MemContext.DEFAULT, off);
                }
            }));
        }
        joinAll(consumers);
        assertEquals(0, corrupted.get());
        assertEquals(0, alloc.bytesInUse());
        assertTrue(alloc.stats().threadSlotsInUse() <= STRIPES, alloc.stats().toString());
        alloc.check();
    }

    @Test
    void aUltThatCallsCreateTlsKeepsItsOwnSlotAcrossYieldsAndParksUntilFreeTls() throws Exception {
        int before = alloc.stats().threadSlotsInUse();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger during = new AtomicInteger(-1);
        Thread t = abt.spawn(() -> {
            try {
                MemContext ctx = alloc.createTls(MemContext.DEFAULT);
                during.set(alloc.stats().threadSlotsInUse());
                for (int r = 0; r < 20; r++) {
                    long off = alloc.allocateOffset(MemContext.DEFAULT, 64); // found through argobots TLS
                    fill(alloc.resolve(off, 64), r);
                    if (r % 2 == 0) {
                        abt.yield();
                    } else {
                        abt.sleepForUs(200);
                    }
                    assertTrue(holds(alloc.resolve(off, 64), r));
                    alloc.freeOffset(ctx, off);
                    // the slot is still this ULT's: createTls finds it in TLS instead of leasing another
                    assertEquals(ctx.tid(), alloc.createTls(MemContext.DEFAULT).tid(), "round " + r);
                }
                assertEquals(during.get(), alloc.stats().threadSlotsInUse());
                alloc.freeTls(ctx);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertTrue(t.join(Duration.ofSeconds(60)));
        if (failure.get() != null) {
            throw new AssertionError("the ULT failed", failure.get());
        }
        assertEquals(before + 1, during.get(), "createTls in a ULT leases one slot");
        assertEquals(before, alloc.stats().threadSlotsInUse(), "freeTls gave it back");
        assertEquals(0, alloc.bytesInUse());
        alloc.check();
    }
}
