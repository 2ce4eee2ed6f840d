package dev.hshm.api;

/**
 * A shared-memory url that cannot be used: empty, too long, with a {@code /} inside, {@code ..}, or
 * characters outside the portable set. The message says which rule it broke.
 */
public final class InvalidNameException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public InvalidNameException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public InvalidNameException(String message, Throwable cause) {
        super(message, cause);
    }
}
