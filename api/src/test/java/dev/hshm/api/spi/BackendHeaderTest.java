package dev.hshm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendHeaderTest {

    private static final Set<String> KINDS = Set.of("posix_shm_mmap");
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment published(long dataSize) {
        MemorySegment m = arena.allocate(BackendHeader.DATA_OFFSET + dataSize, 4096);
        BackendHeader.format(m, MemoryBackendId.get(3), "posix_shm_mmap", BackendHeader.DATA_OFFSET, dataSize);
        BackendHeader.publish(m);
        return m;
    }

    private static String reject(MemorySegment m, long timeoutMs) {
        return assertThrows(CorruptSegmentException.class,
                () -> BackendHeader.verify(m, "t", KINDS, timeoutMs)).getMessage();
    }

    @Test
    void aPublishedHeaderVerifies() {
        BackendHeader.Info info = BackendHeader.verify(published(8192), "t", KINDS, 0);
        assertEquals(MemoryBackendId.get(3), info.id());
        assertEquals(8192, info.dataSize());
        assertEquals(ProcessHandle.current().pid(), info.creatorPid());
    }

    @Test
    void attachRejectsAnObjectTooSmallForAHeader() {
        assertTrue(reject(arena.allocate(100), 0).contains("too small"));
    }

    @Test
    void attachRejectsAForeignObject() {
        MemorySegment m = arena.allocate(8192);
        m.fill((byte) 0x5A);
        assertTrue(reject(m, 0).contains("bad magic"));
    }

    @Test
    void attachRejectsTheOtherByteOrder() {
        MemorySegment m = published(4096);
        m.set(ValueLayout.JAVA_LONG, 0, Long.reverseBytes(BackendHeader.MAGIC));
        assertTrue(reject(m, 0).contains("byte order"));
    }

    @Test
    void attachRejectsAnotherLayoutVersion() {
        MemorySegment m = published(4096);
        m.set(ValueLayout.JAVA_INT, BackendHeader.LAYOUT_VERSION_OFFSET, 99);
        String msg = reject(m, 0);
        assertTrue(msg.contains("layout version") && msg.contains("found=99"), msg);
    }

    @Test
    void attachRejectsATruncatedSegment() {
        MemorySegment m = published(8192);
        String msg = reject(m.asSlice(0, BackendHeader.DATA_OFFSET + 4096), 0);
        assertTrue(msg.contains("truncated") && msg.contains("dataSize=8192"), msg);
    }

    @Test
    void attachRejectsAHeaderThatWasNeverPublishedByADeadCreatorAtOnce() throws Exception {
        MemorySegment m = published(4096);
        m.set(ValueLayout.JAVA_LONG, BackendHeader.READY_OFFSET, 0L);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        m.set(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET, p.pid());
        long t0 = System.nanoTime();
        String msg = reject(m, 60_000);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "did not wait for a dead creator");
        assertTrue(msg.contains("not ready") && msg.contains("creatorAlive=false"), msg);
    }

    @Test
    void attachWaitsForALiveCreatorThenRejects() {
        MemorySegment m = published(4096);
        m.set(ValueLayout.JAVA_LONG, BackendHeader.READY_OFFSET, 0L);
        long t0 = System.nanoTime();
        String msg = reject(m, 200);
        assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the live creator");
        assertTrue(msg.contains("not ready") && msg.contains("waited=200ms"), msg);
    }

    @Test
    void attachRejectsAKindItDoesNotAccept() {
        MemorySegment m = published(4096);
        BackendHeader.putAscii(m, BackendHeader.KIND_OFFSET, BackendHeader.KIND_BYTES, "something_else");
        assertTrue(reject(m, 0).contains("kind not accepted"));
    }

    @Test
    void theDirectoryReservesPageAlignedRegionsAndRefusesDuplicates() {
        MemorySegment m = published(1 << 20);
        var e1 = BackendHeader.reserveAllocator(m, 1 << 20, AllocatorId.of(1, 0), "thread_local", 10_000);
        BackendHeader.publishAllocator(m, e1);
        var e2 = BackendHeader.reserveAllocator(m, 1 << 20, AllocatorId.of(1, 1), "scalable_page", -1);
        assertEquals(0, e1.regionOffset());
        assertEquals(12_288, e2.regionOffset());
        assertEquals((1 << 20) - 12_288, e2.regionSize());
        var dir = BackendHeader.directory(m, 1 << 20);
        assertEquals(2, dir.size());
        assertEquals(BackendHeader.STATE_READY, dir.get(0).state());
        assertEquals(BackendHeader.STATE_RESERVED, dir.get(1).state());
        assertEquals("scalable_page", dir.get(1).type());
        assertThrows(AlreadyExistsException.class,
                () -> BackendHeader.reserveAllocator(m, 1 << 20, AllocatorId.of(1, 0), "thread_local", 100));
        OutOfMemoryException full = assertThrows(OutOfMemoryException.class,
                () -> BackendHeader.reserveAllocator(m, 1 << 20, AllocatorId.of(1, 2), "thread_local", 100));
        assertTrue(full.getMessage().contains("no room"), full.getMessage());
    }

    @Test
    void aDirectoryEntryOutsideTheDataIsCorruption() {
        MemorySegment m = published(1 << 20);
        var e = BackendHeader.reserveAllocator(m, 1 << 20, AllocatorId.of(1, 0), "thread_local", 8192);
        BackendHeader.publishAllocator(m, e);
        m.set(ValueLayout.JAVA_LONG, BackendHeader.DIRECTORY_OFFSET + BackendHeader.ENTRY_REGION_SIZE, 1L << 40);
        assertThrows(CorruptSegmentException.class, () -> BackendHeader.directory(m, 1 << 20));
    }
}
