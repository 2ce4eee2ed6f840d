package dev.hshm.allocators.internal.backend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.Support;

/** Provides the {@code malloc} kind. */
public final class MallocBackendProvider implements MemoryBackendProvider {

    @Override
    public String name() {
        return MemoryBackend.MALLOC;
    }

    @Override
    public Support support() {
        return Support.yes("libc malloc");
    }

    @Override
    public boolean isShared() {
        return false;
    }

    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        return MallocBackend.create(id, size);
    }
}
