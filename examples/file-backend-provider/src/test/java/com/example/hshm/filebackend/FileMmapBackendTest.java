package com.example.hshm.filebackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.BackendOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to files (the backend contract: {@link FileMmapBackendContractTest}). */
class FileMmapBackendTest {

    @TempDir
    Path dir;
    private final FileMmapProvider provider = new FileMmapProvider();

    @Test
    void theFileIsOwnerOnlyAndRefusesToBeCreatedTwice() throws IOException {
        Path p = dir.resolve("once");
        MemoryBackend b = provider.create(MemoryBackendId.get(1), 1 << 16, p.toString(), BackendOptions.DEFAULT);
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            assertThrows(AlreadyExistsException.class,
                    () -> provider.create(MemoryBackendId.get(2), 1 << 16, p.toString(), BackendOptions.DEFAULT));
        } finally {
            b.destroy();
        }
        assertFalse(Files.exists(p), "destroy deletes the file");
    }

    @Test
    void attachRejectsAMissingAForeignAndATruncatedFile() throws IOException {
        assertThrows(NotFoundException.class, () -> provider.attach(dir.resolve("missing").toString()));
        Path foreign = Files.write(dir.resolve("foreign"), new byte[8192]);
        assertTrue(assertThrows(CorruptSegmentException.class, () -> provider.attach(foreign.toString()))
                .getMessage().contains("bad magic"));
        Path p = dir.resolve("cut");
        provider.create(MemoryBackendId.get(1), 1 << 20, p.toString(), BackendOptions.DEFAULT).detach();
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(8192);
        }
        assertTrue(assertThrows(CorruptSegmentException.class, () -> provider.attach(p.toString()))
                .getMessage().contains("truncated"));
    }
}
