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
class PosixShmTest {

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
        assertTrue(PosixShm.isAvailable(), PosixShm.support().toString());
        assertTrue(PosixShm.unavailableReason().isEmpty());
        String reason = PosixShm.support().reason();
        assertTrue(reason.startsWith("Linux "), reason);
        assertTrue(reason.contains("glibc ") || reason.contains("not glibc"), reason);
        assertTrue(reason.contains("page size " + PosixShm.pageSize()), reason);
        assertEquals(PosixShm.Os.LINUX, PosixShm.os());
    }

    @Test
    void linuxConstantsAreTheAsmGenericOnes() {
        assertEquals(0100, PosixShm.O_CREAT);
        assertEquals(0200, PosixShm.O_EXCL);
        assertEquals(2, PosixShm.O_RDWR);
        assertEquals(0x20, PosixShm.MAP_ANONYMOUS);
    }

    @Test
    void pageSizeIsAPowerOfTwoOfAtLeast4KiB() {
        int page = PosixShm.pageSize();
        assertEquals(1, Integer.bitCount(page));
        assertTrue(page >= 4096, "page " + page);
    }

    @Test
    void shmOpenOfAMissingNameReportsENOENTWithItsNameAndText() {
        NativeException e = assertThrows(NativeException.class,
                () -> PosixShm.shmOpen("/" + freshName(), PosixShm.O_RDWR, 0));
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
        int fd = PosixShm.shmOpen(path, PosixShm.O_CREAT | PosixShm.O_EXCL | PosixShm.O_RDWR, 0600);
        try {
            NativeException e = assertThrows(NativeException.class,
                    () -> PosixShm.shmOpen(path, PosixShm.O_CREAT | PosixShm.O_EXCL | PosixShm.O_RDWR, 0600));
            assertEquals("EEXIST", e.errorName());
            assertTrue(e.getMessage().contains("O_RDWR|O_CREAT|O_EXCL, 0600"), e.getMessage());
            assertTrue(e.getMessage().contains("attach to it, or remove it with 'hshm rm " + name + "'"), e.getMessage());
        } finally {
            PosixShm.close(fd);
            PosixShm.shmUnlink(path);
        }
    }

    @Test
    void sizeOfAnObjectIsWhatFtruncateSet() {
        String path = "/" + freshName();
        int fd = PosixShm.shmOpen(path, PosixShm.O_CREAT | PosixShm.O_EXCL | PosixShm.O_RDWR, 0600);
        try {
            assertEquals(0, PosixShm.objectSize(fd));
            PosixShm.ftruncate(fd, 12345);
            assertEquals(12345, PosixShm.objectSize(fd));
        } finally {
            PosixShm.close(fd);
            PosixShm.shmUnlink(path);
        }
    }

    @Test
    void sharedMappingsOfOneObjectSeeTheSameBytes() {
        String path = "/" + freshName();
        int fd = PosixShm.shmOpen(path, PosixShm.O_CREAT | PosixShm.O_EXCL | PosixShm.O_RDWR, 0600);
        try (Arena a = Arena.ofShared(); Arena b = Arena.ofShared()) {
            PosixShm.ftruncate(fd, 8192);
            MemorySegment m1 = PosixShm.mmapShared(fd, 8192, a);
            MemorySegment m2 = PosixShm.mmapShared(fd, 8192, b);
            m1.set(ValueLayout.JAVA_LONG, 4096, 42L);
            assertEquals(42L, m2.get(ValueLayout.JAVA_LONG, 4096));
        } finally {
            PosixShm.close(fd);
            PosixShm.shmUnlink(path);
        }
    }

    @Test
    void anonymousMappingIsZeroFilledAndClosingTheArenaUnmapsIt() {
        MemorySegment m;
        try (Arena arena = Arena.ofShared()) {
            m = PosixShm.mmapAnonymous(3 * 4096, arena);
            assertEquals(0, m.address() % PosixShm.pageSize());
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
        NativeException ebadf = assertThrows(NativeException.class, () -> PosixShm.close(-1));
        assertEquals("EBADF", ebadf.errorName());
        assertEquals(9, ebadf.errorCode());
        assertTrue(ebadf.getMessage().contains("Bad file descriptor"), ebadf.getMessage());
        assertEquals("EBADF", assertThrows(NativeException.class, () -> PosixShm.ftruncate(-1, 10)).errorName());
        assertEquals("EBADF", assertThrows(NativeException.class, () -> PosixShm.objectSize(-1)).errorName());
        NativeException einval = assertThrows(NativeException.class, () -> PosixShm.munmap(1, 4096));
        assertEquals("munmap", einval.function());
        assertEquals("EINVAL", einval.errorName());
        assertThrows(IllegalArgumentException.class, () -> PosixShm.mmapAnonymous(0, Arena.global()));
    }

    @Test
    void shmUnlinkOfAMissingNameReportsENOENT() {
        NativeException e = assertThrows(NativeException.class, () -> PosixShm.shmUnlink("/" + freshName()));
        assertEquals("shm_unlink", e.function());
        assertEquals("ENOENT", e.errorName());
    }

    @Test
    void enospcAdviceSaysHowBigDevShmIsAndHowToRaiseIt() {
        NativeException e = PosixShm.fail("ftruncate", Errno.value("ENOSPC"), "ftruncate(fd=3, length=1)", null,
                5L << 30);
        assertEquals("ENOSPC", e.errorName());
        assertTrue(e.getMessage().contains("/dev/shm is too small: size=5"), e.getMessage());
        assertTrue(e.getMessage().contains("free="), e.getMessage());
        assertTrue(e.getMessage().contains("mount -o remount,size="), e.getMessage());
        assertTrue(e.getMessage().contains("or ask for less"), e.getMessage());
        NativeException nomem = PosixShm.fail("mmap", Errno.value("ENOMEM"), "mmap(...)", "anonymous", 1L << 40);
        assertTrue(nomem.getMessage().contains("private mapping"), nomem.getMessage());
    }

    @Test
    void eaccesAdviceExplainsOwnerOnlySegments() {
        NativeException e = PosixShm.fail("shm_open", Errno.value("EACCES"), "shm_open(\"/x\", O_RDWR, 00)", "/x", 0);
        assertEquals("EACCES", e.errorName());
        assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
        assertTrue(e.getMessage().contains("owner-only, 0600"), e.getMessage());
        assertTrue(e.getMessage().contains("withMode(0660)"), e.getMessage());
        NativeException emfile = PosixShm.fail("shm_open", Errno.value("EMFILE"), "shm_open", "/x", 0);
        assertTrue(emfile.getMessage().contains("ulimit -n"), emfile.getMessage());
    }

    @Test
    void strerrorGivesTheCLibrarysText() {
        assertEquals("No such file or directory", PosixShm.strerror(2));
        assertTrue(PosixShm.strerror(28).contains("space"), PosixShm.strerror(28));
    }

    @Test
    void schedYieldReturns() {
        for (int i = 0; i < 100; i++) {
            PosixShm.schedYield();
        }
    }

    @Test
    void allocateGivesTheHeaderRealPages() {
        String path = "/" + freshName();
        int fd = PosixShm.shmOpen(path, PosixShm.O_CREAT | PosixShm.O_EXCL | PosixShm.O_RDWR, 0600);
        try {
            PosixShm.ftruncate(fd, 1 << 20);
            PosixShm.allocate(fd, 4096);
            assertEquals(1 << 20, PosixShm.objectSize(fd), "allocate does not change the size");
        } finally {
            PosixShm.close(fd);
            PosixShm.shmUnlink(path);
        }
    }
}
