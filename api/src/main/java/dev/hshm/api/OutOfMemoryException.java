package dev.hshm.api;

/**
 * An allocation that the allocator cannot satisfy: the heap has no free run or size class block
 * large enough. The message gives the requested size, the alignment and the heap's capacity and use.
 */
public final class OutOfMemoryException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public OutOfMemoryException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public OutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
