package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.AllocatorContract;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The api's allocator contract, run against the C client: every allocate, free, reallocate, usable size and bytes
 * in use goes through {@code libhshm.so}, on a {@code scalable_page} heap a JVM created in POSIX shared memory; the
 * contract's checks of the heap walk what the C code wrote (one contract for both languages).
 */
class CAllocatorContractTest extends AllocatorContract {

    private final ShmTestNames segs = new ShmTestNames("hshm-c");
    private final Map<Allocator, PosixShmMmap> backends = new IdentityHashMap<>();

    private static AllocatorProvider provider() {
        return ProviderRegistry.global().find(AllocatorProvider.class, Allocator.SCALABLE_PAGE);
    }

    @BeforeEach
    void needsTheCClient() {
        NativeBuild.out();
    }

    @AfterEach
    void removeSegments() {
        segs.close();
    }

    @Override
    protected Allocator create(AllocatorId id, long heapBytes) {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(11), heapBytes + (1 << 20), name, 0600));
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id,
                Allocator.SCALABLE_PAGE, -1);
        Allocator java = provider().create(b, id, e.regionOffset(), e.regionSize(), 0);
        BackendHeader.publishAllocator(b.header(), e);
        CAllocator a = new CAllocator(java, CHeap.open(name, id));
        backends.put(a, b);
        return a;
    }

    @Override
    protected void release(Allocator allocator) {
        CAllocator a = (CAllocator) allocator;
        a.c().close();
        provider().release(a.java());
        PosixShmMmap b = backends.remove(allocator);
        if (b != null) {
            b.destroy();
        }
    }

    @Test
    void blocksMoveBetweenJavaAndCBothWays() {
        CAllocator a = (CAllocator) make(8L << 20);
        Allocator java = a.java();
        long fromJava = java.allocateOffset(MemContext.DEFAULT, 3000);
        long fromC = a.allocateOffset(MemContext.DEFAULT, 100_000);
        a.memory().set(ValueLayout.JAVA_LONG, fromC + 99_992, 0xC0FFEEL);
        assertEquals(0xC0FFEEL, java.resolve(fromC, 100_000).get(ValueLayout.JAVA_LONG, 99_992));
        assertEquals(java.bytesInUse(), a.bytesInUse(), "both languages count the same blocks");
        a.freeOffset(MemContext.DEFAULT, fromJava);
        java.freeOffset(MemContext.DEFAULT, fromC);
        assertEquals(0, a.bytesInUse());
        assertEquals(0, java.bytesInUse());
        java.check();
    }

    @Test
    void theCClientTakesOverLocksOfDeadOwnersAndRepairsWhatTheyGuard() throws Exception {
        CAllocator a = (CAllocator) make(8L << 20);
        Allocator java = a.java();
        java.lang.foreign.MemorySegment mem = a.memory();
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            live.add(java.allocateOffset(MemContext.DEFAULT, 16 + (i % 40) * 50));
        }
        live.add(java.allocateOffset(MemContext.DEFAULT, 300_000));
        for (int i = 0; i < 300; i += 3) {
            java.freeOffset(MemContext.DEFAULT, live.get(i));
        }
        long bytes = java.bytesInUse();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid() << 32 | 1;
        // every lock held by a dead process that left the derived words wrong: counters off, lists emptied
        long region = BackendHeader.directory(backends.get(a).header(), a.backend().dataSize()).getFirst().regionOffset();
        long pageHeap = mem.get(ValueLayout.JAVA_LONG, region + CDefines.of("HSHM_HH_PAGE_HEAP"));
        long shardTable = mem.get(ValueLayout.JAVA_LONG, region + CDefines.of("HSHM_HH_SHARD_TABLE"));
        int shards = mem.get(ValueLayout.JAVA_INT, region + CDefines.of("HSHM_HH_SHARD_COUNT"));
        for (int s = 0; s < shards; s++) {
            long shard = shardTable + s * CDefines.of("HSHM_SHARD_BYTES");
            for (int c = 0; c < CDefines.of("HSHM_CLASS_COUNT"); c++) {
                long e = shard + CDefines.of("HSHM_SHARD_CLASSES") + c * CDefines.of("HSHM_CE_BYTES");
                mem.set(ValueLayout.JAVA_LONG, e + CDefines.of("HSHM_CE_SPAN_HEAD"), 0xFFFF_FFFFL); // no span with room
                long liveAt = e + CDefines.of("HSHM_CE_LIVE");
                mem.set(ValueLayout.JAVA_LONG, liveAt, mem.get(ValueLayout.JAVA_LONG, liveAt) + 3);
            }
            mem.set(ValueLayout.JAVA_LONG, shard + CDefines.of("HSHM_SHARD_LOCK") + CDefines.of("HSHM_LOCK_OWNER"),
                    s == 0 ? 1L : dead); // abandoned ("pid 0"), or dead
        }
        for (int li = 0; li < CDefines.of("HSHM_RUN_LISTS"); li++) {
            mem.set(ValueLayout.JAVA_LONG, pageHeap + CDefines.of("HSHM_PH_RUN_LISTS") + 8L * li, 0xFFFF_FFFFL); // emptied
        }
        mem.set(ValueLayout.JAVA_LONG, pageHeap + CDefines.of("HSHM_PH_FREE_PAGES"), 12345);
        mem.set(ValueLayout.JAVA_LONG, pageHeap + CDefines.of("HSHM_PH_LOCK") + CDefines.of("HSHM_LOCK_OWNER"), dead);

        assertEquals(bytes, a.bytesInUse(), "the C client took every lock over and rebuilt the counters");
        long fresh = a.allocateOffset(MemContext.DEFAULT, 5000);
        a.freeOffset(MemContext.DEFAULT, fresh);
        java.check(); // no lock is dead any more: this walks what the C repairs wrote
        for (int i = 0; i < live.size(); i++) {
            if (i % 3 != 0 || i == 300) {
                a.freeOffset(MemContext.DEFAULT, live.get(i));
            }
        }
        assertEquals(0, java.bytesInUse());
        java.check();
        long recoveries = mem.get(ValueLayout.JAVA_LONG, pageHeap + CDefines.of("HSHM_PH_LOCK")
                + CDefines.of("HSHM_LOCK_RECOVERIES"));
        assertEquals(1, recoveries, "the page heap's lock was taken over once");
    }

    @Test
    void theCClientRefusesAMissingAllocatorAndACorruptHeaderByName() {
        CAllocator a = (CAllocator) make(8L << 20);
        String url = a.c().name();
        NotFoundException missing = assertThrows(NotFoundException.class, () -> CHeap.open(url, AllocatorId.of(7, 7)));
        assertTrue(missing.getMessage().contains("no allocator (7,7)") && missing.getMessage().contains("(1,0)"),
                missing.getMessage());
        assertThrows(NotFoundException.class, () -> CHeap.open("hshm-no-such-segment", AllocatorId.of(1, 0)));
        for (String bad : new String[] {"../etc", "a/b", "", "-x", "a b", "x".repeat(31)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CHeap.open(bad, AllocatorId.of(1, 0)), bad);
            assertTrue(e.getMessage().startsWith("shared-memory url "), e.getMessage());
        }
        // a stray write into the heap header's page count: the geometry no longer matches the region
        long region = BackendHeader.directory(backends.get(a).header(), a.backend().dataSize()).getFirst().regionOffset();
        long pagesAt = region + CDefines.of("HSHM_HH_PAGE_COUNT");
        long pages = a.memory().get(ValueLayout.JAVA_LONG, pagesAt);
        a.memory().set(ValueLayout.JAVA_LONG, pagesAt, pages + 1);
        try {
            CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> CHeap.open(url, a.id()));
            assertTrue(e.getMessage().contains("field=page_count"), e.getMessage());
        } finally {
            a.memory().set(ValueLayout.JAVA_LONG, pagesAt, pages);
        }
    }
}
