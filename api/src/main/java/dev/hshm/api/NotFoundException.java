package dev.hshm.api;

/**
 * An id or name that is not registered: an unknown backend or allocator id in the {@link MemoryManager},
 * or a shared-memory name that does not exist.
 */
public final class NotFoundException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public NotFoundException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
