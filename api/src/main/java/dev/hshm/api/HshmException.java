package dev.hshm.api;

/**
 * The root of every exception this library throws on purpose. Each subclass names one kind of fault;
 * its message names the thing that was wrong ({@code key=value} pairs) and, where there is one, what to
 * do about it.
 */
public sealed class HshmException extends RuntimeException
        permits OutOfMemoryException, InvalidPointerException, CorruptSegmentException,
                ProviderNotFoundException, NativeException, NotFoundException, AlreadyExistsException,
                InvalidNameException, StateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what was wrong
     */
    public HshmException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it translates.
     *
     * @param message what was wrong
     * @param cause the original failure, kept for its stack trace
     */
    public HshmException(String message, Throwable cause) {
        super(message, cause);
    }
}
