package dev.hshm.api;

/**
 * An offset or pointer that does not name a live allocation of this allocator: outside its heap, not
 * the start of a block, owned by another allocator, or already free ({@link DoubleFreeException}).
 */
public sealed class InvalidPointerException extends HshmException permits DoubleFreeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public InvalidPointerException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public InvalidPointerException(String message, Throwable cause) {
        super(message, cause);
    }
}
