package dev.hshm.api;

/**
 * A block freed twice: the second {@code free} finds it already on a free list.
 */
public final class DoubleFreeException extends InvalidPointerException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public DoubleFreeException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public DoubleFreeException(String message, Throwable cause) {
        super(message, cause);
    }
}
