package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WindowsMmap} against a Mockito {@link WinApi} whose {@code VirtualAlloc} returns real memory. */
class WindowsMmapTest {

    private static final long DATA_OFFSET = BackendHeader.DATA_OFFSET;

    private final WinApi api = mock(WinApi.class);
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private MemorySegment stubAlloc(long bytes) {
        MemorySegment m = arena.allocate(bytes, 65536);
        when(api.virtualAlloc(anyLong(), anyLong(), anyInt(), anyInt())).thenReturn(WinResult.ok(m.address()));
        when(api.virtualFree(anyLong(), anyLong(), anyInt())).thenReturn(WinResult.ok(1));
        return m;
    }

    @Test
    void createCommitsHeaderPlusDataReadWriteAndPublishesTheHeader() {
        MemorySegment m = stubAlloc(DATA_OFFSET + (1 << 20));

        WindowsMmap b = WindowsMmap.create(api, MemoryBackendId.get(4), 1 << 20);

        verify(api).virtualAlloc(0L, DATA_OFFSET + (1 << 20), WinApi.MEM_RESERVE | WinApi.MEM_COMMIT,
                WinApi.PAGE_READWRITE);
        assertEquals(MemoryBackend.POSIX_MMAP, b.kind());
        assertFalse(b.isShared());
        assertTrue(b.url().isEmpty());
        assertEquals(1 << 20, b.dataSize());
        assertEquals(m.address() + DATA_OFFSET, b.data().address());
        assertEquals(BackendHeader.READY_VALUE, m.get(ValueLayout.JAVA_LONG, BackendHeader.READY_OFFSET));
        assertEquals(MemoryBackend.POSIX_MMAP, BackendHeader.kind(m));
        assertEquals(4, m.get(ValueLayout.JAVA_INT, BackendHeader.BACKEND_ID_OFFSET));
        b.detach();
    }

    @Test
    void sizesAbove4GiBGoToVirtualAllocWhole() {
        MemorySegment m = stubAlloc(2 * DATA_OFFSET); // only the header is touched
        long size = 6L << 30;

        WindowsMmap b = WindowsMmap.create(api, MemoryBackendId.get(1), size);

        verify(api).virtualAlloc(0L, DATA_OFFSET + size, WinApi.MEM_RESERVE | WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE);
        assertEquals(size, b.dataSize());
        assertEquals(size, m.get(ValueLayout.JAVA_LONG, BackendHeader.DATA_SIZE_OFFSET));
        b.detach();
    }

    @Test
    void aFailedVirtualAllocIsANativeExceptionNamingNotEnoughMemory() {
        when(api.virtualAlloc(anyLong(), anyLong(), anyInt(), anyInt()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_NOT_ENOUGH_MEMORY));
        when(api.formatMessage(WinErrors.ERROR_NOT_ENOUGH_MEMORY))
                .thenReturn("Not enough memory resources are available to process this command.");

        NativeException e = assertThrows(NativeException.class, () -> WindowsMmap.create(api, MemoryBackendId.get(1),
                1L << 44));

        assertEquals("VirtualAlloc", e.function());
        assertEquals("ERROR_NOT_ENOUGH_MEMORY", e.errorName());
        assertEquals(8, e.errorCode());
        assertTrue(e.getMessage().contains("VirtualAlloc(NULL, " + (DATA_OFFSET + (1L << 44))), e.getMessage());
        assertTrue(e.getMessage().contains("Not enough memory resources"), e.getMessage());
        assertTrue(e.getMessage().contains("ask for less"), e.getMessage());
    }

    @Test
    void aCommitLimitFailureAdvisesOnThePagingFile() {
        when(api.virtualAlloc(anyLong(), anyLong(), anyInt(), anyInt()))
                .thenReturn(WinResult.failure(WinErrors.ERROR_COMMITMENT_LIMIT));

        NativeException e = assertThrows(NativeException.class, () -> WindowsMmap.create(api, MemoryBackendId.get(1),
                64L << 30));

        assertEquals("ERROR_COMMITMENT_LIMIT", e.errorName());
        assertTrue(e.getMessage().contains("paging file"), e.getMessage());
        assertTrue(e.getMessage().contains("(no system message)"), "formatMessage had nothing: " + e.getMessage());
    }

    @Test
    void detachClosesTheViewsThenReleasesTheWholeBlock() {
        MemorySegment m = stubAlloc(DATA_OFFSET + 4096);
        WindowsMmap b = WindowsMmap.create(api, MemoryBackendId.get(1), 4096);
        MemorySegment data = b.data();
        AtomicBoolean aliveAtFree = new AtomicBoolean(true);
        when(api.virtualFree(m.address(), 0, WinApi.MEM_RELEASE)).thenAnswer(inv -> {
            aliveAtFree.set(data.scope().isAlive());
            return WinResult.ok(1);
        });

        b.destroy();

        verify(api).virtualFree(m.address(), 0L, WinApi.MEM_RELEASE);
        assertFalse(aliveAtFree.get(), "Java views must be closed before the memory is freed");
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void aFailedReleaseIsReported() {
        stubAlloc(DATA_OFFSET + 4096);
        WindowsMmap b = WindowsMmap.create(api, MemoryBackendId.get(1), 4096);
        when(api.virtualFree(anyLong(), anyLong(), anyInt())).thenReturn(WinResult.failure(WinErrors.ERROR_INVALID_ADDRESS));

        NativeException e = assertThrows(NativeException.class, b::detach);

        assertEquals("VirtualFree", e.function());
        assertEquals("ERROR_INVALID_ADDRESS", e.errorName());
        assertTrue(e.getMessage().contains("MEM_RELEASE"), e.getMessage());
    }

    @Test
    void nonPositiveSizesAreRefusedBeforeAnyCall() {
        assertThrows(IllegalArgumentException.class, () -> WindowsMmap.create(api, MemoryBackendId.get(1), 0));
        assertThrows(IllegalArgumentException.class, () -> WindowsMmap.create(api, MemoryBackendId.get(1), -1));
        assertThrows(IllegalArgumentException.class, () -> WindowsMmap.create(api, MemoryBackendId.get(1), Long.MAX_VALUE));
        verifyNoInteractions(api);
    }
}
