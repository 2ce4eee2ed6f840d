package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.BackendOptions;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The {@code posix_mmap} backend's own behaviour, beyond the backend contract. */
@EnabledOnOs(OS.LINUX)
class PosixMmapTest {

    private static long residentBytes() throws IOException {
        // /proc/self/statm: size resident shared text lib data dt, in pages
        String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
        return Long.parseLong(f[1]) * 4096;
    }

    @Test
    void isPrivateWithAHeaderInFrontOfTheData() {
        MemoryBackend b = new PosixMmapProvider().create(MemoryBackendId.get(3), 1 << 16, "ignored",
                BackendOptions.DEFAULT);
        try {
            assertFalse(b.isShared());
            assertTrue(b.url().isEmpty());
            assertEquals(MemoryBackend.POSIX_MMAP, b.kind());
            assertEquals(BackendHeader.DATA_OFFSET, b.data().address() - b.header().address());
            assertEquals(0L, b.data().get(ValueLayout.JAVA_LONG, 0), "fresh anonymous memory is zero");
        } finally {
            b.destroy();
        }
    }

    @Test
    void cannotBeAttachedOrUnlinked() {
        PosixMmapProvider p = new PosixMmapProvider();
        assertFalse(p.isShared());
        assertThrows(UnsupportedOperationException.class, () -> p.attach("anything"));
        assertThrows(UnsupportedOperationException.class, () -> p.unlink("anything"));
        assertTrue(p.list().isEmpty());
    }

    @Test
    void pagesFaultInLazily() throws IOException {
        long before = residentBytes();
        PosixMmap b = PosixMmap.create(MemoryBackendId.get(1), 2L << 30);
        try {
            long mapped = residentBytes() - before;
            assertTrue(mapped < (64L << 20), "a 2 GiB mapping made " + mapped + " bytes resident at once");
            for (long i = 0; i < (64L << 20); i += 4096) {
                b.data().set(ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
            long touched = residentBytes() - before;
            assertTrue(touched >= (48L << 20), "touching 64 MiB made only " + touched + " bytes resident");
        } finally {
            b.destroy();
        }
    }

    @Test
    void impossibleSizesAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PosixMmap.create(MemoryBackendId.get(1), 0))
                .getMessage().contains("size=0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PosixMmap.create(MemoryBackendId.get(1), Long.MAX_VALUE)).getMessage().contains("too large"));
    }
}
