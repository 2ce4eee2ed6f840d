package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.InvalidNameException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.windows.internal.MemoryBasicInformation;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinResult;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.InOrder;

/**
 * {@link WindowsShmMmap} against a Mockito {@link WinApi}: which calls it makes with which arguments, in which
 * order, and what it does when each one fails. Views are backed by real memory from an arena, so the header is
 * really formatted, verified and counted.
 */
class WindowsShmMmapTest {

    private static final long H = 0x1234;
    private static final long H2 = 0x5678;
    private static final long DATA_OFFSET = BackendHeader.DATA_OFFSET;

    private final WinApi api = mock(WinApi.class);
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private MemorySegment memory(long bytes) {
        return arena.allocate(bytes, 65536);
    }

    private void stubCreate(MemorySegment view) {
        when(api.createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString())).thenReturn(WinResult.ok(H));
        when(api.mapViewOfFile(eq(H), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(WinResult.ok(view.address()));
        when(api.unmapViewOfFile(anyLong())).thenReturn(WinResult.ok(1));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));
    }

    /** A mapping another process created: a published header of {@code kind} over {@code dataSize} bytes. */
    private MemorySegment createdElsewhere(String kind, long dataSize) {
        MemorySegment m = memory(SimulatedWinApi.roundUp(DATA_OFFSET + dataSize, 4096));
        BackendHeader.format(m, MemoryBackendId.get(5), kind, DATA_OFFSET, dataSize);
        BackendHeader.publish(m);
        return m;
    }

    private void stubAttach(MemorySegment view, long regionSize) {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString())).thenReturn(WinResult.ok(H2));
        when(api.mapViewOfFile(eq(H2), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(WinResult.ok(view.address()));
        when(api.virtualQuery(view.address())).thenReturn(new MemoryBasicInformation(view.address(), view.address(),
                regionSize, WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE, WinApi.MEM_MAPPED, 0));
        when(api.unmapViewOfFile(anyLong())).thenReturn(WinResult.ok(1));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));
    }

    // ------------------------------------------------------------------ create

    @ParameterizedTest(name = "size={0}: CreateFileMappingW(..., high={1}, low={2})")
    @CsvSource({
        "1, 0x0, 0x1001",
        "1048576, 0x0, 0x101000",
        "4294963200, 0x1, 0x0",        // header + data = exactly 4 GiB
        "6442446848, 0x1, 0x80000000", // 6 GiB: the low DWORD has bit 31 set and must not be sign-extended
        "5368709243, 0x1, 0x4000107b", // 5 GiB + 123
    })
    void createAsksForAPagingFileMappingOfHeaderPlusDataSplitIntoDwords(long size, String high, String low) {
        MemorySegment view = memory(2 * DATA_OFFSET); // only the header is touched
        stubCreate(view);
        String name = ShmTestNames.unique("hshmwin");

        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(3), size, name, 0600);

        long total = DATA_OFFSET + size;
        verify(api).createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE,
                Integer.parseUnsignedInt(high.substring(2), 16), Integer.parseUnsignedInt(low.substring(2), 16),
                "Local\\" + name);
        assertEquals(total, (Long.parseLong(high.substring(2), 16) << 32) + Long.parseLong(low.substring(2), 16));
        verify(api).mapViewOfFile(H, WinApi.FILE_MAP_ALL_ACCESS, 0, 0, total);
        assertEquals(size, b.dataSize());
        assertEquals(name, b.url().orElseThrow());
        assertTrue(b.isCreator());
        assertTrue(b.isShared());
        assertEquals(view.address() + DATA_OFFSET, b.data().address());
        assertEquals(BackendHeader.MAGIC, view.get(ValueLayout.JAVA_LONG, BackendHeader.MAGIC_OFFSET));
        assertEquals(BackendHeader.READY_VALUE, view.get(ValueLayout.JAVA_LONG, BackendHeader.READY_OFFSET));
        assertEquals(size, view.get(ValueLayout.JAVA_LONG, BackendHeader.DATA_SIZE_OFFSET));
        assertEquals(DATA_OFFSET, view.get(ValueLayout.JAVA_LONG, BackendHeader.HEADER_SIZE_OFFSET));
        assertEquals(3, view.get(ValueLayout.JAVA_INT, BackendHeader.BACKEND_ID_OFFSET));
        assertEquals(MemoryBackend.POSIX_SHM_MMAP, BackendHeader.kind(view));
        assertEquals(1, BackendHeader.attachCount(view));
        verify(api, never()).closeHandle(anyLong()); // the creator keeps its handle: it keeps the name alive
        b.detach();
    }

    @Test
    void aLeadingSlashIsTheSameNameAndBadNamesFailBeforeAnyCall() {
        MemorySegment view = memory(2 * DATA_OFFSET);
        stubCreate(view);
        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "/jobs-1", 0600);
        assertEquals("jobs-1", b.url().orElseThrow());
        verify(api).createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), eq("Local\\jobs-1"));
        b.detach();

        WinApi untouched = mock(WinApi.class);
        assertThrows(InvalidNameException.class, () -> WindowsShmMmap.create(untouched, MemoryBackendId.get(1), 4096,
                "a/b", 0600));
        assertThrows(InvalidNameException.class, () -> WindowsShmMmap.create(untouched, MemoryBackendId.get(1), 4096,
                "Global\\x", 0600));
        assertThrows(InvalidNameException.class, () -> WindowsShmMmap.attach(untouched, "..x"));
        verifyNoInteractions(untouched);
    }

    @Test
    void nonPositiveSizesAndGroupOrOtherModeBitsAreRefusedBeforeAnyCall() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 0, "n", 0600));
        assertTrue(zero.getMessage().contains("size=0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), -4, "n", 0600));
        UnsupportedOperationException mode = assertThrows(UnsupportedOperationException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "n", 0660));
        assertTrue(mode.getMessage().contains("0660") && mode.getMessage().contains("0600"), mode.getMessage());
        verifyNoInteractions(api);
    }

    @Test
    void anExistingNameIsRefusedAndTheHandleToItClosed() {
        when(api.createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString()))
                .thenReturn(new WinResult(H, WinErrors.ERROR_ALREADY_EXISTS));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));

        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "taken", 0600));

        assertTrue(e.getMessage().contains("'taken'"), e.getMessage());
        NativeException cause = assertInstanceOf(NativeException.class, e.getCause());
        assertEquals("CreateFileMappingW", cause.function());
        assertEquals("ERROR_ALREADY_EXISTS", cause.errorName());
        assertEquals(183, cause.errorCode());
        verify(api).closeHandle(H);
        verify(api, never()).mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong());
    }

    @Test
    void aFailedCreateNamesTheErrorTheCallAndWhatToDo() {
        when(api.createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_COMMITMENT_LIMIT));
        when(api.formatMessage(WinErrors.ERROR_COMMITMENT_LIMIT))
                .thenReturn("The paging file is too small for this operation to complete.");

        NativeException e = assertThrows(NativeException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 8L << 30, "big", 0600));

        assertEquals("CreateFileMappingW", e.function());
        assertEquals("ERROR_COMMITMENT_LIMIT", e.errorName());
        assertEquals(1455, e.errorCode());
        assertTrue(e.getMessage().contains("\"Local\\big\""), e.getMessage());
        assertTrue(e.getMessage().contains("0x2, 0x1000"), "the size as the call got it: " + e.getMessage());
        assertTrue(e.getMessage().contains("The paging file is too small"), e.getMessage());
        assertTrue(e.getMessage().contains("enlarge the paging file"), e.getMessage());
        verify(api, never()).closeHandle(anyLong());
    }

    @Test
    void aFailedMapViewClosesTheHandleAndNamesTheError() {
        when(api.createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString())).thenReturn(WinResult.ok(H));
        when(api.mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_NOT_ENOUGH_MEMORY));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));

        NativeException e = assertThrows(NativeException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 1L << 40, "huge", 0600));

        assertEquals("MapViewOfFile", e.function());
        assertEquals("ERROR_NOT_ENOUGH_MEMORY", e.errorName());
        assertTrue(e.getMessage().contains("address space"), e.getMessage());
        verify(api).closeHandle(H);
    }

    @Test
    void aCloseThatFailsDuringCleanUpIsSuppressedNotLost() {
        when(api.createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString())).thenReturn(WinResult.ok(H));
        when(api.mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_NOT_ENOUGH_MEMORY));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.failure(WinErrors.ERROR_INVALID_HANDLE));

        NativeException e = assertThrows(NativeException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "n", 0600));

        assertEquals("MapViewOfFile", e.function(), "the first failure is the one thrown");
        assertEquals(1, e.getSuppressed().length);
        NativeException close = assertInstanceOf(NativeException.class, e.getSuppressed()[0]);
        assertEquals("CloseHandle", close.function());
        assertEquals("ERROR_INVALID_HANDLE", close.errorName());
    }

    // ------------------------------------------------------------------ detach / destroy

    @Test
    void detachClosesTheViewsThenUnmapsThenClosesTheHandle() {
        MemorySegment view = memory(2 * DATA_OFFSET);
        stubCreate(view);
        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "n", 0600);
        MemorySegment data = b.data();
        data.set(ValueLayout.JAVA_LONG, 0, 42);
        AtomicBoolean aliveAtUnmap = new AtomicBoolean(true);
        when(api.unmapViewOfFile(view.address())).thenAnswer(inv -> {
            aliveAtUnmap.set(data.scope().isAlive());
            return WinResult.ok(1);
        });

        b.detach();

        InOrder order = inOrder(api);
        order.verify(api).unmapViewOfFile(view.address());
        order.verify(api).closeHandle(H);
        assertFalse(aliveAtUnmap.get(), "Java views must be closed before the memory is unmapped");
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_LONG, 0));
        assertThrows(StateException.class, b::data);
        assertEquals(0, BackendHeader.attachCount(view), "the attach count went down before unmapping");
        assertFalse(b.isAttached());
    }

    @Test
    void destroyIsDetachBecauseWindowsHasNoUnlink() {
        MemorySegment view = memory(2 * DATA_OFFSET);
        stubCreate(view);
        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "n", 0600);

        b.destroy();
        b.destroy();
        b.detach();

        verify(api).unmapViewOfFile(view.address());
        verify(api).closeHandle(H);
        verify(api).createFileMapping(anyLong(), anyInt(), anyInt(), anyInt(), anyString());
        verify(api).mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong());
        org.mockito.Mockito.verifyNoMoreInteractions(api);
    }

    @Test
    void aFailedUnmapStillClosesTheHandleAndIsReported() {
        MemorySegment view = memory(2 * DATA_OFFSET);
        stubCreate(view);
        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(1), 4096, "n", 0600);
        when(api.unmapViewOfFile(anyLong())).thenReturn(WinResult.failure(WinErrors.ERROR_INVALID_ADDRESS));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.failure(WinErrors.ERROR_INVALID_HANDLE));

        NativeException e = assertThrows(NativeException.class, b::detach);

        assertEquals("UnmapViewOfFile", e.function());
        assertEquals("ERROR_INVALID_ADDRESS", e.errorName());
        assertEquals("CloseHandle", ((NativeException) e.getSuppressed()[0]).function());
        verify(api).closeHandle(H);
        assertFalse(b.isAttached());
    }

    // ------------------------------------------------------------------ attach

    @Test
    void attachMapsTheWholeObjectSizesItWithVirtualQueryAndKeepsItsHandle() {
        MemorySegment view = createdElsewhere(MemoryBackend.POSIX_SHM_MMAP, 10_000);
        stubAttach(view, view.byteSize());

        WindowsShmMmap a = WindowsShmMmap.attach(api, "shared-1");

        verify(api).openFileMapping(WinApi.FILE_MAP_ALL_ACCESS, false, "Local\\shared-1");
        verify(api).mapViewOfFile(H2, WinApi.FILE_MAP_ALL_ACCESS, 0, 0, 0L);
        verify(api).virtualQuery(view.address());
        verify(api, never()).closeHandle(anyLong());
        assertFalse(a.isCreator());
        assertEquals(MemoryBackendId.get(5), a.id());
        assertEquals(MemoryBackend.POSIX_SHM_MMAP, a.kind());
        assertEquals(10_000, a.dataSize());
        assertEquals(view.address() + DATA_OFFSET, a.data().address());
        assertEquals(2, BackendHeader.attachCount(view));

        a.detach();

        assertEquals(1, BackendHeader.attachCount(view));
        InOrder order = inOrder(api);
        order.verify(api).unmapViewOfFile(view.address());
        order.verify(api).closeHandle(H2);
    }

    @Test
    void attachingAMissingNameIsNotFound() {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_FILE_NOT_FOUND));

        NotFoundException e = assertThrows(NotFoundException.class, () -> WindowsShmMmap.attach(api, "nobody"));

        assertTrue(e.getMessage().contains("'nobody'"), e.getMessage());
        assertTrue(e.getMessage().contains("creator must stay attached"), e.getMessage());
        NativeException cause = assertInstanceOf(NativeException.class, e.getCause());
        assertEquals("OpenFileMappingW", cause.function());
        assertEquals("ERROR_FILE_NOT_FOUND", cause.errorName());
        verify(api, never()).mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong());
    }

    @Test
    void attachingANameTakenByAnotherKindOfObjectOrAnotherUserSaysWhich() {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_INVALID_HANDLE))
                .thenReturn(WinResult.failure(WinErrors.ERROR_ACCESS_DENIED));

        NativeException other = assertThrows(NativeException.class, () -> WindowsShmMmap.attach(api, "evt"));
        assertEquals("ERROR_INVALID_HANDLE", other.errorName());
        assertTrue(other.getMessage().contains("another kind of kernel object"), other.getMessage());

        NativeException denied = assertThrows(NativeException.class, () -> WindowsShmMmap.attach(api, "theirs"));
        assertEquals("ERROR_ACCESS_DENIED", denied.errorName());
        assertTrue(denied.getMessage().contains("another user"), denied.getMessage());
    }

    @Test
    void aFailedMapViewOnAttachClosesTheHandle() {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString())).thenReturn(WinResult.ok(H2));
        when(api.mapViewOfFile(anyLong(), anyInt(), anyInt(), anyInt(), anyLong()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_NOT_ENOUGH_MEMORY));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));

        NativeException e = assertThrows(NativeException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertEquals("MapViewOfFile", e.function());
        verify(api).closeHandle(H2);
    }

    @Test
    void aFailedVirtualQueryUnmapsAndClosesInOrder() {
        MemorySegment view = createdElsewhere(MemoryBackend.POSIX_SHM_MMAP, 4096);
        stubAttach(view, view.byteSize());
        when(api.virtualQuery(anyLong())).thenReturn(MemoryBasicInformation.failure(WinErrors.ERROR_INVALID_PARAMETER));

        NativeException e = assertThrows(NativeException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertEquals("VirtualQuery", e.function());
        assertEquals("ERROR_INVALID_PARAMETER", e.errorName());
        InOrder order = inOrder(api);
        order.verify(api).unmapViewOfFile(view.address());
        order.verify(api).closeHandle(H2);
        assertEquals(1, BackendHeader.attachCount(view), "a failed attach does not count");
    }

    @Test
    void attachRejectsAForeignObjectAndCleansUp() {
        MemorySegment view = memory(8192);
        view.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L); // somebody else's data
        stubAttach(view, 8192);

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        verify(api).unmapViewOfFile(view.address());
        verify(api).closeHandle(H2);
    }

    @Test
    void attachRejectsAHeaderThatClaimsMoreDataThanTheViewHolds() {
        MemorySegment view = createdElsewhere(MemoryBackend.POSIX_SHM_MMAP, 1 << 20);
        stubAttach(view, 2 * DATA_OFFSET); // VirtualQuery says the view is only two pages

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        verify(api).closeHandle(H2);
    }

    @Test
    void attachReadsNothingFromAViewThatIsNotCommittedMappedMemory() {
        MemorySegment view = createdElsewhere(MemoryBackend.POSIX_SHM_MMAP, 4096);
        stubAttach(view, view.byteSize());
        when(api.virtualQuery(view.address())).thenReturn(new MemoryBasicInformation(view.address(), view.address(),
                view.byteSize(), WinApi.MEM_RESERVE, 0, WinApi.MEM_MAPPED, 0));

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertTrue(e.getMessage().contains("not committed mapped memory"), e.getMessage());
        assertEquals(1, BackendHeader.attachCount(view));
        verify(api).closeHandle(H2);
    }

    @Test
    void attachRejectsAViewTooSmallForAHeader() {
        MemorySegment view = createdElsewhere(MemoryBackend.POSIX_SHM_MMAP, 4096);
        stubAttach(view, 1024);

        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertTrue(e.getMessage().contains("too small for a header"), e.getMessage());
    }

    @Test
    void attachAcceptsGpuKindsAndReportsTheRecordedKindButNotPrivateKinds() {
        MemorySegment cuda = createdElsewhere(MemoryBackend.CUDA_SHM_MMAP, 4096);
        stubAttach(cuda, cuda.byteSize());
        WindowsShmMmap a = WindowsShmMmap.attach(api, "gpu");
        assertEquals(MemoryBackend.CUDA_SHM_MMAP, a.kind());
        a.detach();

        MemorySegment priv = createdElsewhere(MemoryBackend.POSIX_MMAP, 4096);
        when(api.mapViewOfFile(eq(H2), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(WinResult.ok(priv.address()));
        when(api.virtualQuery(priv.address())).thenReturn(new MemoryBasicInformation(priv.address(), priv.address(),
                priv.byteSize(), WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE, WinApi.MEM_MAPPED, 0));
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "p"));
        assertTrue(e.getMessage().contains("kind"), e.getMessage());
    }

    @Test
    void attachDoesNotWaitForAHeaderWhoseCreatorDiedBeforePublishing() {
        MemorySegment view = memory(2 * DATA_OFFSET);
        BackendHeader.format(view, MemoryBackendId.get(1), MemoryBackend.POSIX_SHM_MMAP, DATA_OFFSET, 4096);
        view.set(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET, Integer.MAX_VALUE - 1L); // no such process
        stubAttach(view, view.byteSize());

        long t0 = System.nanoTime();
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> WindowsShmMmap.attach(api, "n"));

        assertTrue(e.getMessage().contains("never published"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "did not wait for the attach timeout");
        verify(api).closeHandle(H2);
    }

    // ------------------------------------------------------------------ unlink

    @Test
    void unlinkSaysWindowsHasNoneAndClosesTheHandleItOpened() {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString())).thenReturn(WinResult.ok(H2));
        when(api.closeHandle(anyLong())).thenReturn(WinResult.ok(1));

        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> WindowsShmMmap.unlink(api, "live"));

        assertTrue(e.getMessage().contains("no unlink"), e.getMessage());
        verify(api).closeHandle(H2);
    }

    @Test
    void unlinkOfAMissingNameIsNotFound() {
        when(api.openFileMapping(anyInt(), anyBoolean(), anyString()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_FILE_NOT_FOUND));

        assertThrows(NotFoundException.class, () -> WindowsShmMmap.unlink(api, "gone"));
        verify(api, never()).closeHandle(anyLong());
    }
}
