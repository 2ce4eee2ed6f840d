package dev.hshm.provider.rocm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.rocm.RocmBackend;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.mockito.InOrder;

/**
 * The registration logic of {@link RocmShmMmap} over real POSIX shared memory, with only the HIP runtime mocked:
 * what is registered and with which flags, how the device pointer is used, the order of unregister and unmap, and
 * the clean-up after each step that can fail.
 */
@EnabledOnOs(OS.LINUX)
class RocmShmMmapTest {

    private static final long DEVICE_BASE = 0x7F00_0000_0000L;
    private static final int SIZE = 64 * 1024;
    private static final long MAPPING = BackendHeader.DATA_OFFSET + SIZE;

    private final ShmTestNames shm = new ShmTestNames("hshm-rocm-t");
    private HipApi hip;

    @BeforeEach
    void mockHip() {
        hip = mock(HipApi.class);
        when(hip.getDevice()).thenReturn(0);
        when(hip.hostGetDevicePointer(anyLong())).thenReturn(DEVICE_BASE);
    }

    @AfterEach
    void cleanUp() {
        shm.close();
    }

    private static NativeException hipError(String function, int code, String name) {
        return new NativeException(function, code, name, "mocked failure");
    }

    private RocmShmMmap create(String name) {
        return shm.track(RocmShmMmap.create(hip, MemoryBackendId.get(3), SIZE, name, 0600));
    }

    @Test
    void hipFlagsAreTheValuesOfHipRuntimeApiH() {
        assertEquals(0x1, HipApi.HOST_REGISTER_PORTABLE, "hipHostRegisterPortable");
        assertEquals(0x2, HipApi.HOST_REGISTER_MAPPED, "hipHostRegisterMapped");
        assertEquals(0x3, RocmShmMmap.REGISTER_FLAGS);
    }

    @Test
    void createRegistersHeaderAndDataAsOneRangePortableAndMapped() {
        RocmShmMmap b = create(shm.name());
        long base = b.header().address();
        assertEquals(base + BackendHeader.DATA_OFFSET, b.data().address(), "header and data are one mapping");
        InOrder order = inOrder(hip);
        order.verify(hip).getDevice();
        order.verify(hip).hostRegister(base, MAPPING,
                HipApi.HOST_REGISTER_PORTABLE | HipApi.HOST_REGISTER_MAPPED);
        order.verify(hip).hostGetDevicePointer(base);
        verifyNoMoreInteractions(hip);
        assertEquals(base, b.registeredAddress());
        assertEquals(MAPPING, b.registeredBytes());
    }

    @Test
    void createdBackendIsARocmBackendRecordingItsKindInTheHeader() {
        String name = shm.name();
        MemoryBackend b = create(name);
        assertInstanceOf(RocmBackend.class, b);
        assertEquals(MemoryBackend.ROCM_SHM_MMAP, b.kind());
        assertEquals(MemoryBackend.ROCM_SHM_MMAP, BackendHeader.kind(b.header()));
        assertEquals(name, b.url().orElseThrow());
        assertTrue(b.isShared());
        assertTrue(b.isCreator());
        assertEquals(SIZE, b.dataSize());
        assertEquals(3, b.id().value());
    }

    @Test
    void devicePointerIsTheRegisteredRangesDeviceAddressPlusTheHeaderPage() {
        when(hip.getDevice()).thenReturn(1);
        RocmShmMmap b = create(shm.name());
        assertEquals(DEVICE_BASE + BackendHeader.DATA_OFFSET, b.devicePointer());
        assertEquals(1, b.device(), "the calling thread's current device");
        assertEquals(DEVICE_BASE + BackendHeader.DATA_OFFSET + 100, b.deviceAddress(100));
        assertEquals(DEVICE_BASE + BackendHeader.DATA_OFFSET + SIZE, b.deviceAddress(SIZE), "the end, exclusive");
        assertThrows(InvalidPointerException.class, () -> b.deviceAddress(-1));
        InvalidPointerException e = assertThrows(InvalidPointerException.class, () -> b.deviceAddress(SIZE + 1));
        assertTrue(e.getMessage().contains("offset=" + (SIZE + 1)), e.getMessage());
        assertTrue(b.toString().contains("device=1"), b.toString());
    }

    @Test
    void detachUnregistersWhileTheMemoryIsStillMappedThenUnmaps() {
        String name = shm.name();
        RocmShmMmap b = create(name);
        MemorySegment data = b.data();
        data.set(ValueLayout.JAVA_LONG, 0, 0x1234L);
        long base = b.registeredAddress();
        AtomicBoolean mappedDuringUnregister = new AtomicBoolean();
        doAnswer(inv -> {
            // throws IllegalStateException if the POSIX view were unmapped already
            mappedDuringUnregister.set(data.get(ValueLayout.JAVA_LONG, 0) == 0x1234L);
            return null;
        }).when(hip).hostUnregister(base);

        b.detach();

        verify(hip).hostUnregister(base);
        assertTrue(mappedDuringUnregister.get(), "hipHostUnregister ran before the unmap");
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_LONG, 0), "unmapped after");
        assertThrows(StateException.class, b::devicePointer);
        assertFalse(b.isAttached());
        assertTrue(Files.exists(ShmTestNames.path(name)), "detach never removes the name");
        b.detach();
        verify(hip, times(1)).hostUnregister(anyLong());
    }

    @Test
    void destroyUnregistersUnmapsAndRemovesTheName() {
        String name = shm.name();
        RocmShmMmap b = create(name);
        MemorySegment data = b.data();
        AtomicBoolean nameExistedDuringUnregister = new AtomicBoolean();
        doAnswer(inv -> {
            nameExistedDuringUnregister.set(Files.exists(ShmTestNames.path(name)));
            return null;
        }).when(hip).hostUnregister(anyLong());

        b.destroy();

        verify(hip).hostUnregister(b.registeredAddress());
        assertTrue(nameExistedDuringUnregister.get());
        assertFalse(Files.exists(ShmTestNames.path(name)), "destroy unlinks");
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
        b.destroy();
        verify(hip, times(1)).hostUnregister(anyLong());
    }

    @Test
    void everyAttachRegistersItsOwnMappingAndDetachUnregistersOnlyThat() {
        String name = shm.name();
        List<Long> registered = new ArrayList<>();
        doAnswer(inv -> registered.add(inv.getArgument(0))).when(hip).hostRegister(anyLong(), anyLong(), anyInt());
        when(hip.hostGetDevicePointer(anyLong())).thenReturn(DEVICE_BASE, DEVICE_BASE + (1L << 32));
        RocmShmMmap creator = create(name);
        creator.data().set(ValueLayout.JAVA_LONG, 8, 99L);

        RocmShmMmap other = shm.track(RocmShmMmap.attach(hip, name));

        assertEquals(List.of(creator.header().address(), other.header().address()), registered);
        assertNotEquals(creator.header().address(), other.header().address(), "two mappings of one object");
        verify(hip).hostRegister(other.header().address(), MAPPING, RocmShmMmap.REGISTER_FLAGS);
        verify(hip).hostGetDevicePointer(other.header().address());
        assertEquals(DEVICE_BASE + (1L << 32) + BackendHeader.DATA_OFFSET, other.devicePointer(),
                "each view has the device pointer of its own registration");
        assertFalse(other.isCreator());
        assertEquals(MemoryBackend.ROCM_SHM_MMAP, other.kind());
        assertEquals(99L, other.data().get(ValueLayout.JAVA_LONG, 8));
        assertEquals(2, BackendHeader.attachCount(creator.header()));

        other.detach();

        verify(hip).hostUnregister(other.registeredAddress());
        verify(hip, never()).hostUnregister(creator.registeredAddress());
        assertEquals(1, BackendHeader.attachCount(creator.header()));
        assertEquals(99L, creator.data().get(ValueLayout.JAVA_LONG, 8));
    }

    @Test
    void attachRegistersPlainPosixSharedMemoryToo() {
        String name = shm.name();
        PosixShmMmap plain = shm.track(PosixShmMmap.create(MemoryBackendId.get(5), SIZE, name, 0600));
        plain.data().set(ValueLayout.JAVA_INT, 0, 7);

        RocmShmMmap b = shm.track(RocmShmMmap.attach(hip, name));

        verify(hip).hostRegister(b.header().address(), MAPPING, RocmShmMmap.REGISTER_FLAGS);
        assertEquals(MemoryBackend.ROCM_SHM_MMAP, b.kind(), "the kind of this view");
        assertEquals(MemoryBackend.POSIX_SHM_MMAP, BackendHeader.kind(b.header()), "the creator's kind stays");
        assertEquals(5, b.id().value());
        assertEquals(7, b.data().get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void attachCountCountsEachRocmViewOnce() {
        String name = shm.name();
        RocmShmMmap creator = create(name);
        PosixShmMmap observer = shm.track(PosixShmMmap.attach(name));
        RocmShmMmap other = shm.track(RocmShmMmap.attach(hip, name));
        assertEquals(3, BackendHeader.attachCount(observer.header()));
        other.detach();
        assertEquals(2, BackendHeader.attachCount(observer.header()));
        creator.detach();
        assertEquals(1, BackendHeader.attachCount(observer.header()), "only the observer maps it now");
    }

    @Test
    void aNameThatExistsFailsBeforeAnyHipCall() {
        String name = shm.name();
        create(name);
        HipApi second = mock(HipApi.class);
        assertThrows(AlreadyExistsException.class,
                () -> RocmShmMmap.create(second, MemoryBackendId.get(1), SIZE, name, 0600));
        verifyNoInteractions(second);
    }

    @Test
    void whenGetDeviceFailsTheCreatedObjectIsRemovedAndNothingIsRegistered() {
        String name = shm.name();
        NativeException boom = hipError("hipGetDevice", 101, "hipErrorInvalidDevice");
        when(hip.getDevice()).thenThrow(boom);
        NativeException e = assertThrows(NativeException.class,
                () -> RocmShmMmap.create(hip, MemoryBackendId.get(1), SIZE, name, 0600));
        assertSame(boom, e);
        verify(hip, never()).hostRegister(anyLong(), anyLong(), anyInt());
        assertFalse(Files.exists(ShmTestNames.path(name)), "the half-made object is unlinked");
    }

    @Test
    void whenRegisterFailsTheCreatedObjectIsRemovedAndNotUnregistered() {
        String name = shm.name();
        NativeException boom = hipError("hipHostRegister", 2, "hipErrorOutOfMemory");
        doThrow(boom).when(hip).hostRegister(anyLong(), anyLong(), anyInt());
        NativeException e = assertThrows(NativeException.class,
                () -> RocmShmMmap.create(hip, MemoryBackendId.get(1), SIZE, name, 0600));
        assertSame(boom, e);
        verify(hip, never()).hostUnregister(anyLong());
        verify(hip, never()).hostGetDevicePointer(anyLong());
        assertFalse(Files.exists(ShmTestNames.path(name)));
    }

    @Test
    void whenTheDevicePointerFailsTheRangeIsUnregisteredBeforeTheObjectIsRemoved() {
        String name = shm.name();
        List<Long> registered = new ArrayList<>();
        doAnswer(inv -> registered.add(inv.getArgument(0))).when(hip).hostRegister(anyLong(), anyLong(), anyInt());
        AtomicBoolean nameExistedDuringUnregister = new AtomicBoolean();
        doAnswer(inv -> {
            nameExistedDuringUnregister.set(Files.exists(ShmTestNames.path(name)));
            return null;
        }).when(hip).hostUnregister(anyLong());
        NativeException boom = hipError("hipHostGetDevicePointer", 1, "hipErrorInvalidValue");
        when(hip.hostGetDevicePointer(anyLong())).thenThrow(boom);

        NativeException e = assertThrows(NativeException.class,
                () -> RocmShmMmap.create(hip, MemoryBackendId.get(1), SIZE, name, 0600));

        assertSame(boom, e);
        assertEquals(1, registered.size());
        InOrder order = inOrder(hip);
        order.verify(hip).hostRegister(registered.getFirst(), MAPPING, RocmShmMmap.REGISTER_FLAGS);
        order.verify(hip).hostGetDevicePointer(registered.getFirst());
        order.verify(hip).hostUnregister(registered.getFirst());
        assertTrue(nameExistedDuringUnregister.get(), "unregistered before the POSIX clean-up");
        assertFalse(Files.exists(ShmTestNames.path(name)));
    }

    @Test
    void aFailingCleanUpIsSuppressedInTheFirstFailureAndTheObjectIsStillRemoved() {
        String name = shm.name();
        NativeException first = hipError("hipHostGetDevicePointer", 801, "hipErrorNotSupported");
        NativeException second = hipError("hipHostUnregister", 713, "hipErrorHostMemoryNotRegistered");
        when(hip.hostGetDevicePointer(anyLong())).thenThrow(first);
        doThrow(second).when(hip).hostUnregister(anyLong());

        NativeException e = assertThrows(NativeException.class,
                () -> RocmShmMmap.create(hip, MemoryBackendId.get(1), SIZE, name, 0600));

        assertSame(first, e);
        assertEquals(List.of(second), List.of(e.getSuppressed()));
        assertFalse(Files.exists(ShmTestNames.path(name)));
    }

    @Test
    void whenAnAttachFailsToRegisterItsViewIsDetachedAndTheObjectKept() {
        String name = shm.name();
        PosixShmMmap creator = shm.track(PosixShmMmap.create(MemoryBackendId.get(5), SIZE, name, 0600));
        doThrow(hipError("hipHostRegister", 712, "hipErrorHostMemoryAlreadyRegistered"))
                .when(hip).hostRegister(anyLong(), anyLong(), anyInt());

        assertThrows(NativeException.class, () -> RocmShmMmap.attach(hip, name));

        assertTrue(Files.exists(ShmTestNames.path(name)), "an attacher never removes the name");
        assertEquals(1, BackendHeader.attachCount(creator.header()), "the failed view detached again");
        verify(hip, never()).hostUnregister(anyLong());
    }

    @Test
    void whenAnAttachFailsToGetTheDevicePointerItUnregistersAndDetaches() {
        String name = shm.name();
        PosixShmMmap creator = shm.track(PosixShmMmap.create(MemoryBackendId.get(5), SIZE, name, 0600));
        List<Long> registered = new ArrayList<>();
        doAnswer(inv -> registered.add(inv.getArgument(0))).when(hip).hostRegister(anyLong(), anyLong(), anyInt());
        when(hip.hostGetDevicePointer(anyLong())).thenThrow(hipError("hipHostGetDevicePointer", 1, "hipErrorInvalidValue"));

        assertThrows(NativeException.class, () -> RocmShmMmap.attach(hip, name));

        verify(hip).hostUnregister(registered.getFirst());
        assertNotEquals(creator.header().address(), (long) registered.getFirst(), "the attacher's own mapping");
        assertEquals(1, BackendHeader.attachCount(creator.header()));
        assertTrue(Files.exists(ShmTestNames.path(name)));
    }

    @Test
    void aFailingUnregisterOnDetachStillUnmapsAndIsReported() {
        String name = shm.name();
        RocmShmMmap b = create(name);
        PosixShmMmap observer = shm.track(PosixShmMmap.attach(name));
        MemorySegment data = b.data();
        NativeException boom = hipError("hipHostUnregister", 713, "hipErrorHostMemoryNotRegistered");
        doThrow(boom).when(hip).hostUnregister(anyLong());

        NativeException e = assertThrows(NativeException.class, b::detach);

        assertSame(boom, e);
        assertFalse(b.isAttached());
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0), "unmapped anyway");
        assertEquals(1, BackendHeader.attachCount(observer.header()));
        assertTrue(Files.exists(ShmTestNames.path(name)));
    }

    @Test
    void aFailingUnregisterOnDestroyStillRemovesTheName() {
        String name = shm.name();
        RocmShmMmap b = create(name);
        doThrow(hipError("hipHostUnregister", 713, "hipErrorHostMemoryNotRegistered"))
                .when(hip).hostUnregister(anyLong());

        assertThrows(NativeException.class, b::destroy);

        assertFalse(Files.exists(ShmTestNames.path(name)));
    }
}
