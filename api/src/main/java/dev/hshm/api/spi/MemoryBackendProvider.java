package dev.hshm.api.spi;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import java.util.List;

/**
 * Creates and attaches backends of one kind. Register an implementation with {@code provides ... with}
 * in {@code module-info.java} and in {@code META-INF/services/dev.hshm.api.spi.MemoryBackendProvider};
 * in OSGi the api bundle registers it from the latter when the bundle starts.
 *
 * <p>Shared backends write a {@link BackendHeader} at the start of the mapping and publish it last;
 * {@link AbstractMemoryBackend} does the bookkeeping.
 */
public interface MemoryBackendProvider extends NamedProvider {

    /**
     * Tells whether backends of this kind can be attached from other processes.
     *
     * @return {@code true} for shared kinds
     */
    boolean isShared();

    /**
     * Creates a backend. A shared kind fails if {@code url} exists already (it never replaces it).
     *
     * @param id the id to record in the header
     * @param size bytes of data the allocators may use
     * @param url the shared-memory name for shared kinds; ignored ({@code null}) for private ones
     * @param options creation options
     * @return the backend, attached, owned by this process
     */
    MemoryBackend create(MemoryBackendId id, long size, String url, BackendOptions options);

    /**
     * Attaches to a backend another process created, verifying its header.
     *
     * @param url the shared-memory name
     * @return the backend, attached, not owned
     * @throws dev.hshm.api.CorruptSegmentException if the object is not a valid backend of this kind
     * @throws UnsupportedOperationException for private kinds
     */
    default MemoryBackend attach(String url) {
        throw new UnsupportedOperationException("backend kind '" + name() + "' is private; it cannot be attached");
    }

    /**
     * The names of the shared objects this provider can attach that exist now (for {@code hshm ls}). Several
     * providers may list the same name (POSIX shared memory holds every kind built on it); callers
     * de-duplicate.
     *
     * @return the names, possibly empty
     */
    default List<String> list() {
        return List.of();
    }

    /**
     * Removes the shared object named {@code url} without attaching to it (for {@code hshm rm}).
     * Processes that map it keep their view. A provider may refuse an object that is clearly not one of ours
     * (its first bytes are neither our magic nor zero), naming why.
     *
     * @param url the shared-memory name
     * @throws UnsupportedOperationException for private kinds
     */
    default void unlink(String url) {
        throw new UnsupportedOperationException("backend kind '" + name() + "' is private; nothing to unlink");
    }
}
