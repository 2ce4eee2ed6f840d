package dev.hshm.api.spi;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.StateException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bookkeeping every backend shares: identity, the header and data views, the attach count, and a
 * detach/destroy that runs exactly once. A provider maps memory, formats or verifies the header (see
 * {@link BackendHeader}) and passes the views here; it implements only {@link #unmap()} and, for shared
 * kinds, {@link #unlink()}.
 *
 * <p>The views must come from a {@linkplain java.lang.foreign.Arena#ofShared() shared arena} (or an
 * equivalent) whose closing is what {@link #unmap()} does, so that a thread touching the memory after
 * detach gets an {@link IllegalStateException} instead of a crash.
 */
public abstract class AbstractMemoryBackend implements MemoryBackend {

    private static final int ATTACHED = 0;
    private static final int DETACHED = 1;
    private static final int DESTROYED = 2;

    private final MemoryBackendId id;
    private final String kind;
    private final String url;
    private final MemorySegment header;
    private final MemorySegment data;
    private final boolean shared;
    private final boolean creator;
    private final AtomicInteger state = new AtomicInteger(ATTACHED);

    /**
     * Records a mapped backend.
     *
     * @param id the id (as recorded in the header)
     * @param kind the kind name
     * @param url the shared-memory name, or {@code null} for a private backend
     * @param header the header view ({@link BackendHeader#HEADER_BYTES} bytes or more)
     * @param data the data view
     * @param creator {@code true} if this process created it
     */
    protected AbstractMemoryBackend(MemoryBackendId id, String kind, String url, MemorySegment header,
                                    MemorySegment data, boolean creator) {
        this.id = Objects.requireNonNull(id, "id");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.url = url;
        this.header = Objects.requireNonNull(header, "header");
        this.data = Objects.requireNonNull(data, "data");
        this.shared = url != null;
        this.creator = creator;
    }

    @Override
    public final MemoryBackendId id() {
        return id;
    }

    @Override
    public final String kind() {
        return kind;
    }

    @Override
    public final Optional<String> url() {
        return Optional.ofNullable(url);
    }

    @Override
    public final MemorySegment data() {
        requireAttached();
        return data;
    }

    @Override
    public final MemorySegment header() {
        requireAttached();
        return header;
    }

    @Override
    public final long dataSize() {
        return data.byteSize();
    }

    @Override
    public final boolean isShared() {
        return shared;
    }

    @Override
    public final boolean isCreator() {
        return creator;
    }

    @Override
    public final boolean isAttached() {
        return state.get() == ATTACHED;
    }

    @Override
    public final void detach() {
        if (state.compareAndSet(ATTACHED, DETACHED)) {
            release(false);
        }
    }

    @Override
    public final void destroy() {
        int s = state.getAndSet(DESTROYED);
        if (s == ATTACHED) {
            release(true);
        } else if (s == DETACHED && shared) {
            unlink();
        }
    }

    private void release(boolean destroy) {
        Throwable failure = null;
        if (shared) {
            try {
                BackendHeader.addAttachCount(header, -1);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        try {
            unmap();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (destroy && shared) {
            try {
                unlink();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
    }

    /**
     * Throws if the backend was detached.
     *
     * @throws StateException naming the backend
     */
    protected final void requireAttached() {
        if (state.get() != ATTACHED) {
            throw new StateException("backend " + id + " (" + kind + (url != null ? " '" + url + "'" : "")
                    + ") is " + (state.get() == DETACHED ? "detached" : "destroyed"));
        }
    }

    /**
     * For a backend that decorates another one (a GPU registration over a POSIX shared-memory view): releases
     * {@code inner}'s mapping without counting this process out of the segment's header, which this backend's
     * own {@link #detach()} has already done, so each process is counted once. Does nothing when {@code inner}
     * is no longer attached. Call it from {@link #unmap()}; a later {@code inner.destroy()} then only unlinks.
     *
     * @param inner the decorated backend, owned by this one
     */
    protected static void unmapDecorated(AbstractMemoryBackend inner) {
        if (inner.state.compareAndSet(ATTACHED, DETACHED)) {
            inner.unmap();
        }
    }

    /** Unmaps (or frees) this process's view; called once. Must close the arena of the views. */
    protected abstract void unmap();

    /** Removes the shared object's name; called once, after {@link #unmap()}, for shared backends. */
    protected void unlink() {
    }

    @Override
    public String toString() {
        return kind + "[" + id + (url != null ? ", url=" + url : "") + ", size=" + dataSize()
                + (creator ? ", creator" : ", attached") + (isAttached() ? "" : ", detached") + "]";
    }
}
