package com.example.hshm.filebackend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.Support;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Provides the {@value #KIND} backend kind: shared memory backed by a regular file, so a heap and its
 * contents survive every process detaching, and the machine restarting. The url is the file's path.
 *
 * <p>A provider needs a public no-argument constructor (the class path and OSGi create it with it) and a
 * cheap, never-throwing {@link #support()}.
 */
public final class FileMmapProvider implements MemoryBackendProvider {

    /** The kind name. */
    public static final String KIND = "file_mmap";

    /** Creates the provider; does nothing else. */
    public FileMmapProvider() {
    }

    @Override
    public String name() {
        return KIND;
    }

    @Override
    public Support support() {
        return Support.yes("FileChannel.map (any OS)");
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean isShared() {
        return true;
    }

    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        return FileMmapBackend.create(id, size, Path.of(url), options.mode());
    }

    @Override
    public MemoryBackend attach(String url) {
        return FileMmapBackend.attach(Path.of(url));
    }

    @Override
    public void unlink(String url) {
        FileMmapBackend.delete(Path.of(url));
    }

    @Override
    public List<String> list() {
        return List.of(); // files can live anywhere; there is no directory of them to list
    }

    /**
     * Tells whether {@code path} holds a file_mmap backend (a quick look at its first bytes).
     *
     * @param path a file
     * @return {@code true} if its magic matches
     */
    public static boolean looksLikeOurs(Path path) {
        return Files.isRegularFile(path) && FileMmapBackend.hasMagic(path);
    }
}
