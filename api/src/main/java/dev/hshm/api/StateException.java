package dev.hshm.api;

/**
 * An operation on an object in the wrong state, such as a backend that was already detached or an
 * allocator that was unregistered.
 */
public final class StateException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public StateException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
