package dev.hshm.provider.posix;

import dev.hshm.api.spi.AbstractMemoryBackend;

/**
 * A backend that is POSIX shared memory plus a registration of this process's mapping with something else (a
 * GPU runtime): the base of the CUDA and ROCm backends. Detach undoes the registration, then unmaps the POSIX
 * view (if both fail, the first failure is thrown with the second suppressed; the memory is unmapped either
 * way); destroy removes the name through the POSIX backend; the address alignment is the POSIX mapping's.
 * {@link AbstractMemoryBackend} keeps the attach count for this view, so the POSIX view is unmapped without
 * counting this process out a second time.
 */
public abstract class RegisteredPosixShm extends AbstractMemoryBackend {

    private final PosixShmMmap posix;

    /**
     * For subclasses, once the registration succeeded.
     *
     * @param posix the POSIX view, which this backend now owns
     * @param kind this backend's kind
     */
    protected RegisteredPosixShm(PosixShmMmap posix, String kind) {
        super(posix.id(), kind, posix.url().orElseThrow(), posix.header(), posix.data(), posix.isCreator());
        this.posix = posix;
    }

    /**
     * The POSIX view under the registration.
     *
     * @return the view
     */
    protected final PosixShmMmap posix() {
        return posix;
    }

    /** The data starts at a 2 MiB boundary ({@link PosixShmMmap#ADDRESS_ALIGNMENT}), as in every POSIX mapping. */
    @Override
    public final long addressAlignment() {
        return posix.addressAlignment();
    }

    /** Undoes this process's registration; called once, before the memory is unmapped. */
    protected abstract void unregister();

    @Override
    protected final void unmap() {
        RuntimeException failure = null;
        try {
            unregister();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            unmapDecorated(posix); // after this, touching data() throws IllegalStateException
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Removes the name through the POSIX backend (already detached: its destroy only unlinks). */
    @Override
    protected final void unlink() {
        posix.destroy();
    }
}
