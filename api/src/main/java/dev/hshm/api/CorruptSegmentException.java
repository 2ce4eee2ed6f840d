package dev.hshm.api;

/**
 * Shared memory that is not what it claims to be: a foreign or truncated segment, a wrong magic or
 * layout version, a header that was never published, or an offset read from shared memory that points
 * outside the region. Nothing read from shared memory is trusted; this is what distrust reports.
 */
public final class CorruptSegmentException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public CorruptSegmentException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public CorruptSegmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
