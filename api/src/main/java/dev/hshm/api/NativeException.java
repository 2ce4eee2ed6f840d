package dev.hshm.api;

/**
 * An operating-system or driver call that failed. It names the function, the error number and its
 * symbolic name ({@code ENOSPC}, {@code cudaErrorNoDevice}, ...), what the call was for, and advice
 * where there is some (for {@code ENOSPC} on {@code shm_open}: {@code /dev/shm} is too small).
 */
public final class NativeException extends HshmException {

    private static final long serialVersionUID = 1L;

    private final String function;
    private final int errorCode;
    private final String errorName;

    /**
     * Creates the exception.
     *
     * @param function the C function that failed, e.g. {@code shm_open}
     * @param errorCode the error number it reported ({@code errno}, a driver status)
     * @param errorName the symbolic name of the error, e.g. {@code ENOSPC}
     * @param message what the call was for, the values involved and advice
     */
    public NativeException(String function, int errorCode, String errorName, String message) {
        super(function + " failed: " + errorName + " (" + errorCode + "): " + message);
        this.function = function;
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    /**
     * Creates the exception, keeping the failure it translates.
     *
     * @param function the C function that failed
     * @param errorCode the error number it reported
     * @param errorName the symbolic name of the error
     * @param message what the call was for, the values involved and advice
     * @param cause the original failure
     */
    public NativeException(String function, int errorCode, String errorName, String message, Throwable cause) {
        super(function + " failed: " + errorName + " (" + errorCode + "): " + message, cause);
        this.function = function;
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    /**
     * The C function that failed.
     *
     * @return the function name
     */
    public String function() {
        return function;
    }

    /**
     * The error number.
     *
     * @return {@code errno} or the driver's status code
     */
    public int errorCode() {
        return errorCode;
    }

    /**
     * The symbolic error name.
     *
     * @return e.g. {@code ENOENT}
     */
    public String errorName() {
        return errorName;
    }
}
