package dev.hshm.allocators.internal.backend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.Support;

/** Provides the {@code array} kind: a backend over the caller's memory ({@link BackendOptions#ofMemory}). */
public final class ArrayBackendProvider implements MemoryBackendProvider {

    @Override
    public String name() {
        return MemoryBackend.ARRAY;
    }

    @Override
    public Support support() {
        return Support.yes("portable");
    }

    @Override
    public boolean isShared() {
        return false;
    }

    @Override
    public MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options) {
        if (options == null || options.memory() == null) {
            throw new IllegalArgumentException("the array backend needs the caller's memory: pass "
                    + "BackendOptions.ofMemory(segment) (or use MemoryManager.createArrayBackend)");
        }
        if (size >= 0 && size != options.memory().byteSize()) {
            throw new IllegalArgumentException("array backend size must equal the memory's size (or be -1): size="
                    + size + ", memory=" + options.memory().byteSize());
        }
        return ArrayBackend.create(id, options.memory());
    }
}
