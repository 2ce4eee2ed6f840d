package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.internal.PosixApi;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * Create and attach failing at each step, through a mocked {@link PosixApi} (no OS call is made): every
 * failure is the call's own exception, and what the steps before it made is undone (the descriptor closed,
 * a created name unlinked), never left behind.
 */
class PosixShmMmapFailureTest {

    private static final int FD = 42;
    private final PosixApi api = mock(PosixApi.class);

    private static NativeException enospc() {
        return new NativeException("ftruncate", 28, "ENOSPC", "ftruncate(fd=42, 8192): No space left on device");
    }

    @Test
    void aFailedResizeClosesTheDescriptorAndUnlinksTheNameItCreated() {
        when(api.shmOpen(eq("/hshm-mock-a"), anyInt(), anyInt())).thenReturn(FD);
        NativeException e = enospc();
        doThrow(e).when(api).ftruncate(eq(FD), anyLong());
        NativeException thrown = assertThrows(NativeException.class, () -> PosixShmMmap.create(api,
                MemoryBackendId.get(1), 4096, "hshm-mock-a", 0600, MemoryBackend.POSIX_SHM_MMAP, true));
        assertSame(e, thrown, "the call's own exception");
        InOrder order = inOrder(api);
        order.verify(api).fchmod(FD, 0600);
        order.verify(api).ftruncate(FD, BackendHeader.DATA_OFFSET + 4096);
        order.verify(api).close(FD);
        order.verify(api).shmUnlink("/hshm-mock-a");
        verify(api, never()).mmapShared(anyInt(), anyLong(), anyLong(), anyLong(), any(Arena.class));
    }

    @Test
    void aFailedMappingAlsoUndoesTheCreate() {
        when(api.shmOpen(anyString(), anyInt(), anyInt())).thenReturn(FD);
        NativeException e = new NativeException("mmap", 12, "ENOMEM", "mmap(NULL, 8192, PROT_NONE, ...)");
        when(api.mmapShared(eq(FD), anyLong(), eq(PosixShmMmap.ADDRESS_ALIGNMENT), eq((long) BackendHeader.DATA_OFFSET),
                any(Arena.class))).thenThrow(e);
        assertSame(e, assertThrows(NativeException.class, () -> PosixShmMmap.create(api, MemoryBackendId.get(1),
                4096, "hshm-mock-b", 0600, MemoryBackend.POSIX_SHM_MMAP, true)));
        verify(api).close(FD);
        verify(api).shmUnlink("/hshm-mock-b");
    }

    @Test
    void aNameThatExistsIsNeitherTouchedNorUnlinked() {
        when(api.shmOpen(anyString(), anyInt(), anyInt()))
                .thenThrow(new NativeException("shm_open", 17, "EEXIST", "shm_open(/hshm-mock-c): File exists"));
        RuntimeException e = assertThrows(RuntimeException.class, () -> PosixShmMmap.create(api,
                MemoryBackendId.get(1), 4096, "hshm-mock-c", 0600, MemoryBackend.POSIX_SHM_MMAP, true));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        verify(api, never()).shmUnlink(anyString());
        verify(api, never()).close(anyInt());
    }

    @Test
    void attachingAnObjectTooSmallForAHeaderClosesTheDescriptorAndMapsNothing() {
        when(api.shmOpen(anyString(), anyInt(), anyInt())).thenReturn(FD);
        when(api.objectSize(FD)).thenReturn(100L);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> PosixShmMmap.attach(api, "hshm-mock-d"));
        assertTrue(e.getMessage().contains("too small for a header") && e.getMessage().contains("size=100"),
                e.getMessage());
        verify(api).close(FD);
        verify(api, never()).mmapShared(anyInt(), anyLong(), anyLong(), anyLong(), any(Arena.class));
        verify(api, never()).shmUnlink(anyString());
    }

    @Test
    void aFailedPrivateMappingIsTheCallsOwnException() {
        when(api.pageSize()).thenReturn(4096);
        NativeException e = new NativeException("mmap", 12, "ENOMEM", "mmap(NULL, ...)");
        when(api.mmapAnonymous(anyLong(), anyLong(), anyLong(), any(Arena.class))).thenThrow(e);
        assertSame(e, assertThrows(NativeException.class, () -> PosixMmap.create(api, MemoryBackendId.get(1), 4096)));
        assertEquals(1, org.mockito.Mockito.mockingDetails(api).getInvocations().stream()
                .filter(i -> i.getMethod().getName().equals("mmapAnonymous")).count());
    }
}
