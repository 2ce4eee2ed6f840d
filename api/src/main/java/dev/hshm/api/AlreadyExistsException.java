package dev.hshm.api;

/**
 * An id that is already registered in this process, or a shared-memory name that already exists
 * (this library never silently replaces an existing segment).
 */
public final class AlreadyExistsException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public AlreadyExistsException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public AlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
