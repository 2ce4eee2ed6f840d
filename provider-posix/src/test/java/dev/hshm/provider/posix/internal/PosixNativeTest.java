package dev.hshm.provider.posix.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.NativeException;
import dev.hshm.testkit.ShmTestNames;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The native layer: real calls, errno capture, names and advice. */
@EnabledOnOs(OS.LINUX)
class PosixNativeTest {

    private String name;

    private String freshName() {
        name = ShmTestNames.unique("hshm-n");
        return name;
    }

    @AfterEach
    void removeName() throws IOException {
        if (name != null) {
            Files.deleteIfExists(DevShm.path(name));
        }
    }

    @Test
    void bindsOnLinuxAndSaysWhatItFound() {
        assertTrue(PosixNative.isAvailable(), PosixNative.support().toString());
        assertTrue(PosixNative.unavailableReason().isEmpty());
        String reason = PosixNative.support().reason();
        assertTrue(reason.startsWith("Linux "), reason);
        assertTrue(reason.contains("glibc ") || reason.contains("not glibc"), reason);
        assertTrue(reason.contains("page size " + PosixNative.pageSize()), reason);
        assertEquals(PosixNative.Os.LINUX, PosixNative.os());
    }

    @Test
    void linuxConstantsAreTheAsmGenericOnes() {
        assertEquals(0100, PosixNative.O_CREAT);
        assertEquals(0200, PosixNative.O_EXCL);
        assertEquals(2, PosixNative.O_RDWR);
        assertEquals(0x20, PosixNative.MAP_ANONYMOUS);
    }

    @Test
    void pageSizeIsAPowerOfTwoOfAtLeast4KiB() {
        int page = PosixNative.pageSize();
        assertEquals(1, Integer.bitCount(page));
        assertTrue(page >= 4096, "page " + page);
    }

    @Test
    void shmOpenOfAMissingNameReportsENOENTWithItsNameAndText() {
        NativeException e = assertThrows(NativeException.class,
                () -> PosixNative.shmOpen("/" + freshName(), PosixNative.O_RDWR, 0));
        assertEquals("shm_open", e.function());
        assertEquals(2, e.errorCode());
        assertEquals("ENOENT", e.errorName());
        assertTrue(e.getMessage().startsWith("shm_open failed: ENOENT (2): shm_open(\"/" + name + "\", O_RDWR, 00)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertTrue(e.getMessage().contains("no shared memory named '" + name + "'"), e.getMessage());
    }

    @Test
    void exclusiveCreateOfAnExistingNameReportsEEXISTWithAdvice() {
        String path = "/" + freshName();
        int fd = PosixNative.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, 0600);
        try {
            NativeException e = assertThrows(NativeException.class,
                    () -> PosixNative.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, 0600));
            assertEquals("EEXIST", e.errorName());
            assertTrue(e.getMessage().contains("O_RDWR|O_CREAT|O_EXCL, 0600"), e.getMessage());
            assertTrue(e.getMessage().contains("attach to it, or remove it with 'hshm rm " + name + "'"), e.getMessage());
        } finally {
            PosixNative.close(fd);
            PosixNative.shmUnlink(path);
        }
    }

    @Test
    void sizeOfAnObjectIsWhatFtruncateSet() {
        String path = "/" + freshName();
        int fd = PosixNative.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, 0600);
        try {
            assertEquals(0, PosixNative.objectSize(fd));
            PosixNative.ftruncate(fd, 12345);
            assertEquals(12345, PosixNative.objectSize(fd));
        } finally {
            PosixNative.close(fd);
            PosixNative.shmUnlink(path);
        }
    }

    @Test
    void sharedMappingsOfOneObjectSeeTheSameBytes() {
        String path = "/" + freshName();
        int fd = PosixNative.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, 0600);
        try (Arena a = Arena.ofShared(); Arena b = Arena.ofShared()) {
            PosixNative.ftruncate(fd, 8192);
            MemorySegment m1 = PosixNative.mmapShared(fd, 8192, a);
            MemorySegment m2 = PosixNative.mmapShared(fd, 8192, b);
            m1.set(ValueLayout.JAVA_LONG, 4096, 42L);
            assertEquals(42L, m2.get(ValueLayout.JAVA_LONG, 4096));
        } finally {
            PosixNative.close(fd);
            PosixNative.shmUnlink(path);
        }
    }

    @Test
    void anonymousMappingIsZeroFilledAndClosingTheArenaUnmapsIt() {
        MemorySegment m;
        try (Arena arena = Arena.ofShared()) {
            m = PosixNative.mmapAnonymous(3 * 4096, arena);
            assertEquals(0, m.address() % PosixNative.pageSize());
            for (long i = 0; i < m.byteSize(); i += 512) {
                assertEquals(0L, m.get(ValueLayout.JAVA_LONG, i));
            }
            m.set(ValueLayout.JAVA_LONG, 8, 1L);
        }
        MemorySegment closed = m;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_LONG, 8));
    }

    @Test
    void badArgumentsBecomeNativeExceptionsWithErrnoNames() {
        NativeException ebadf = assertThrows(NativeException.class, () -> PosixNative.close(-1));
        assertEquals("EBADF", ebadf.errorName());
        assertEquals(9, ebadf.errorCode());
        assertTrue(ebadf.getMessage().contains("Bad file descriptor"), ebadf.getMessage());
        assertEquals("EBADF", assertThrows(NativeException.class, () -> PosixNative.ftruncate(-1, 10)).errorName());
        assertEquals("EBADF", assertThrows(NativeException.class, () -> PosixNative.objectSize(-1)).errorName());
        NativeException einval = assertThrows(NativeException.class, () -> PosixNative.munmap(1, 4096));
        assertEquals("munmap", einval.function());
        assertEquals("EINVAL", einval.errorName());
        assertThrows(IllegalArgumentException.class, () -> PosixNative.mmapAnonymous(0, Arena.global()));
    }

    @Test
    void shmUnlinkOfAMissingNameReportsENOENT() {
        NativeException e = assertThrows(NativeException.class, () -> PosixNative.shmUnlink("/" + freshName()));
        assertEquals("shm_unlink", e.function());
        assertEquals("ENOENT", e.errorName());
    }

    @Test
    void enospcAdviceSaysHowBigDevShmIsAndHowToRaiseIt() {
        NativeException e = PosixNative.fail("ftruncate", PosixErrors.value("ENOSPC"), "ftruncate(fd=3, length=1)", null,
                5L << 30);
        assertEquals("ENOSPC", e.errorName());
        assertTrue(e.getMessage().contains("/dev/shm is too small: size=5"), e.getMessage());
        assertTrue(e.getMessage().contains("free="), e.getMessage());
        assertTrue(e.getMessage().contains("mount -o remount,size="), e.getMessage());
        assertTrue(e.getMessage().contains("or ask for less"), e.getMessage());
        NativeException nomem = PosixNative.fail("mmap", PosixErrors.value("ENOMEM"), "mmap(...)", "anonymous", 1L << 40);
        assertTrue(nomem.getMessage().contains("private mapping"), nomem.getMessage());
    }

    @Test
    void eaccesAdviceExplainsOwnerOnlySegments() {
        NativeException e = PosixNative.fail("shm_open", PosixErrors.value("EACCES"), "shm_open(\"/x\", O_RDWR, 00)", "/x", 0);
        assertEquals("EACCES", e.errorName());
        assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
        assertTrue(e.getMessage().contains("owner-only, 0600"), e.getMessage());
        assertTrue(e.getMessage().contains("withMode(0660)"), e.getMessage());
        NativeException emfile = PosixNative.fail("shm_open", PosixErrors.value("EMFILE"), "shm_open", "/x", 0);
        assertTrue(emfile.getMessage().contains("ulimit -n"), emfile.getMessage());
    }

    @Test
    void strerrorGivesTheCLibrarysText() {
        assertEquals("No such file or directory", PosixNative.strerror(2));
        assertTrue(PosixNative.strerror(28).contains("space"), PosixNative.strerror(28));
    }

    @Test
    void schedYieldReturns() {
        for (int i = 0; i < 100; i++) {
            PosixNative.schedYield();
        }
    }

    @Test
    void allocateGivesTheHeaderRealPages() {
        String path = "/" + freshName();
        int fd = PosixNative.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, 0600);
        try {
            PosixNative.ftruncate(fd, 1 << 20);
            PosixNative.allocate(fd, 4096);
            assertEquals(1 << 20, PosixNative.objectSize(fd), "allocate does not change the size");
        } finally {
            PosixNative.close(fd);
            PosixNative.shmUnlink(path);
        }
    }
}
