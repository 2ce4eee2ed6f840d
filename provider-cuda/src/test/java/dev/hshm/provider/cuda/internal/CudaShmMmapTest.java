package dev.hshm.provider.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.cuda.CudaBackend;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.mockito.InOrder;

/**
 * The backend's logic over real POSIX shared memory in /dev/shm, with only the CUDA calls mocked: what is
 * registered, in which order things happen, what is left behind when a step fails.
 */
@EnabledOnOs(OS.LINUX)
class CudaShmMmapTest {

    private static final long SIZE = 1 << 20;
    private static final long DEVICE_OFFSET = 0x40_0000_0000L; // a device address space distinct from the host's

    private final ShmTestNames segs = new ShmTestNames("hshm-cuda-t");
    private final CudaApi api = FakeDevice.working(DEVICE_OFFSET);

    @AfterEach
    void cleanUp() {
        segs.close();
    }

    @Test
    void createRegistersHeaderAndDataAsOneRangeAndKeepsTheDevicePointerOfTheData() {
        String name = segs.name();
        CudaShmMmap b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        long base = b.header().address();
        verify(api).hostRegister(base, BackendHeader.DATA_OFFSET + SIZE, HostRegistration.FLAGS);
        verify(api).hostGetDevicePointer(eq(base), any());
        assertEquals(b.data().address(), base + BackendHeader.DATA_OFFSET, "header and data are one mapping");
        assertEquals(base + DEVICE_OFFSET + BackendHeader.DATA_OFFSET, b.devicePointer());
        assertEquals(b.devicePointer() + 4096, b.devicePointer(4096));
        assertEquals(b.devicePointer() + SIZE, b.devicePointer(SIZE), "one past the end is a valid bound");
        assertEquals(0, b.device());
        assertEquals(MemoryBackend.CUDA_SHM_MMAP, b.kind());
        assertEquals(MemoryBackend.CUDA_SHM_MMAP, BackendHeader.kind(b.header()), "the header records the CUDA kind");
        assertTrue(b.isCreator() && b.isShared() && b.isAttached());
        assertEquals(name, b.url().orElseThrow());
        assertTrue(b.registration().isRegistered());
    }

    @Test
    void anOffsetOutsideTheDataIsRejectedNamingIt() {
        CudaShmMmap b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, segs.name(), 0600));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> b.devicePointer(SIZE + 1));
        assertTrue(e.getMessage().contains("offset=" + (SIZE + 1)) && e.getMessage().contains("dataSize=" + SIZE),
                e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> b.devicePointer(-8));
    }

    @Test
    void detachUnregistersWhileTheMemoryIsStillMappedAndThenUnmaps() {
        String name = segs.name();
        CudaShmMmap b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        MemorySegment data = b.data();
        data.set(ValueLayout.JAVA_LONG, 0, 42L);
        long base = b.header().address();
        List<String> seen = new ArrayList<>();
        doAnswer(inv -> {
            seen.add("unregister sees " + data.get(ValueLayout.JAVA_LONG, 0)); // throws if already unmapped
            return CudaApi.SUCCESS;
        }).when(api).hostUnregister(base);
        b.detach();
        assertEquals(List.of("unregister sees 42"), seen);
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_LONG, 0), "unmapped afterwards");
        assertFalse(b.isAttached());
        assertTrue(ShmTestNames.exists(name), "detach never removes the name");
        b.detach();
        verify(api, times(1)).hostUnregister(base);
    }

    @Test
    void destroyUnregistersUnmapsAndRemovesTheName() {
        String name = segs.name();
        CudaShmMmap b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        long base = b.header().address();
        b.destroy();
        verify(api).hostUnregister(base);
        assertFalse(ShmTestNames.exists(name));
        b.destroy();
        verify(api, times(1)).hostUnregister(base);
    }

    @Test
    void destroyAfterDetachOnlyRemovesTheName() {
        String name = segs.name();
        CudaShmMmap b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        b.detach();
        b.destroy();
        assertFalse(ShmTestNames.exists(name));
        verify(api, times(1)).hostUnregister(anyLong());
    }

    @Test
    void anAttachingProcessRegistersItsOwnMappingAndGetsItsOwnDevicePointer() {
        String name = segs.name();
        CudaShmMmap creator = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(5), SIZE, name, 0600));
        creator.data().set(ValueLayout.JAVA_LONG, 64, 0x600DL);
        CudaApi other = FakeDevice.working(DEVICE_OFFSET * 2); // the attacher's own CUDA: another process
        CudaShmMmap attached = segs.track(CudaShmMmap.attach(other, name));
        long base = attached.header().address();
        assertNotEquals(creator.header().address(), base, "a second mapping of the same object");
        verify(other).hostRegister(base, BackendHeader.DATA_OFFSET + SIZE, HostRegistration.FLAGS);
        assertEquals(base + 2 * DEVICE_OFFSET + BackendHeader.DATA_OFFSET, attached.devicePointer());
        assertEquals(0x600DL, attached.data().get(ValueLayout.JAVA_LONG, 64));
        assertFalse(attached.isCreator());
        assertEquals(MemoryBackendId.get(5), attached.id());
        assertEquals(2, BackendHeader.attachCount(creator.header()));
        attached.detach();
        verify(other).hostUnregister(base);
        verify(api, never()).hostUnregister(anyLong());
        assertEquals(1, BackendHeader.attachCount(creator.header()), "each process counts once, and once only");
        assertEquals(0x600DL, creator.data().get(ValueLayout.JAVA_LONG, 64));
    }

    @Test
    void aPlainPosixHeapCanBeAttachedAndRegistered() {
        String name = segs.name();
        PosixShmMmap cpu = segs.track(PosixShmMmap.create(MemoryBackendId.get(6), SIZE, name, 0600));
        cpu.data().set(ValueLayout.JAVA_INT, 0, 7);
        CudaShmMmap gpu = segs.track(CudaShmMmap.attach(api, name));
        assertEquals(MemoryBackend.CUDA_SHM_MMAP, gpu.kind(), "the kind of this view");
        assertEquals(MemoryBackend.POSIX_SHM_MMAP, BackendHeader.kind(gpu.header()), "the creator's kind stays");
        assertEquals(7, gpu.data().get(ValueLayout.JAVA_INT, 0));
        verify(api).hostRegister(eq(gpu.header().address()), eq(BackendHeader.DATA_OFFSET + SIZE), anyInt());
    }

    @Test
    void aCreateWhoseRegistrationFailsRemovesTheObjectItMade() {
        when(api.hostRegister(anyLong(), anyLong(), anyInt())).thenReturn(CudaErrors.MEMORY_ALLOCATION);
        String name = segs.name();
        NativeException e = assertThrows(NativeException.class,
                () -> CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        assertEquals("cudaHostRegister", e.function());
        assertTrue(e.getMessage().contains("cuda_shm_mmap '" + name + "'"), e.getMessage());
        assertFalse(ShmTestNames.exists(name), "the half-made object is unlinked");
        verify(api, never()).hostUnregister(anyLong());
    }

    @Test
    void aCreateWhoseDevicePointerFailsUnregistersAndRemovesTheObject() {
        doReturn(CudaErrors.NOT_SUPPORTED).when(api).hostGetDevicePointer(anyLong(), any());
        String name = segs.name();
        NativeException e = assertThrows(NativeException.class,
                () -> CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        assertEquals("cudaHostGetDevicePointer", e.function());
        InOrder order = inOrder(api);
        order.verify(api).hostRegister(anyLong(), anyLong(), anyInt());
        order.verify(api).hostUnregister(anyLong());
        assertFalse(ShmTestNames.exists(name));
    }

    @Test
    void anAttachThatFailsToRegisterDetachesButLeavesTheObject() {
        String name = segs.name();
        CudaShmMmap creator = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        CudaApi failing = FakeDevice.working();
        when(failing.hostRegister(anyLong(), anyLong(), anyInt())).thenReturn(CudaErrors.HOST_MEMORY_ALREADY_REGISTERED);
        NativeException e = assertThrows(NativeException.class, () -> CudaShmMmap.attach(failing, name));
        assertTrue(e.getMessage().contains("once per process"), e.getMessage());
        assertTrue(ShmTestNames.exists(name), "another process's object is never removed by a failed attach");
        assertEquals(1, BackendHeader.attachCount(creator.header()), "the failed attach left no count behind");
        assertTrue(creator.isAttached());
    }

    @Test
    void aFailedUnregisterStillUnmapsAndIsThrownAfterwards() {
        String name = segs.name();
        CudaShmMmap creator = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(3), SIZE, name, 0600));
        CudaApi other = FakeDevice.working();
        CudaShmMmap attached = CudaShmMmap.attach(other, name);
        MemorySegment data = attached.data();
        when(other.hostUnregister(anyLong())).thenReturn(CudaErrors.HOST_MEMORY_NOT_REGISTERED);
        NativeException e = assertThrows(NativeException.class, attached::detach);
        assertEquals("cudaHostUnregister", e.function());
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_LONG, 0), "unmapped anyway");
        assertFalse(attached.isAttached());
        assertEquals(1, BackendHeader.attachCount(creator.header()));
        assertTrue(ShmTestNames.exists(name));
    }

    @Test
    void aMissingNameIsReportedByThePosixLayerAndNoCudaCallIsMade() {
        CudaApi untouched = FakeDevice.working();
        RuntimeException e = assertThrows(RuntimeException.class, () -> CudaShmMmap.attach(untouched, segs.name()));
        assertEquals("NotFoundException", e.getClass().getSimpleName());
        verifyNoInteractions(untouched);
    }

    @Test
    void allocatorOffsetsBecomeDevicePointersByAddition() {
        CudaBackend b = segs.track(CudaShmMmap.create(api, MemoryBackendId.get(4), 8 << 20, segs.name(), 0600));
        AllocatorId id = AllocatorId.of(4, 0);
        AllocatorProvider p = ProviderRegistry.global().find(AllocatorProvider.class, Allocator.THREAD_LOCAL);
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id, p.name(), -1);
        Allocator a = p.create(b, id, e.regionOffset(), e.regionSize(), 64);
        BackendHeader.publishAllocator(b.header(), e);
        try {
            long off = a.allocateOffset(MemContext.DEFAULT, 256);
            a.memory().set(ValueLayout.JAVA_LONG, off, 99L);
            assertEquals(99L, b.data().get(ValueLayout.JAVA_LONG, off), "allocator offsets are offsets into data()");
            assertEquals(b.devicePointer() + off, b.devicePointer(off));
            assertEquals(b.data().address() + off + DEVICE_OFFSET, b.devicePointer(off),
                    "with this mock's addressing, the kernel sees the very block the host wrote");
            a.freeOffset(MemContext.DEFAULT, off);
        } finally {
            p.release(a);
        }
    }
}
