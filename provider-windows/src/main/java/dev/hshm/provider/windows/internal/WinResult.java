package dev.hshm.provider.windows.internal;

/**
 * What a Win32 call returned and the thread's last error captured right after it (with
 * {@code Linker.Option.captureCallState("GetLastError")}, so nothing the JVM does afterwards can overwrite
 * it).
 *
 * @param value the return value: an address, a handle, or a {@code BOOL} (0 means failure for all the
 *     functions in {@link WinApi})
 * @param error the captured {@code GetLastError()} value; meaningful when {@code value} is 0, and for
 *     {@code CreateFileMappingW} also on success ({@code ERROR_ALREADY_EXISTS})
 */
public record WinResult(long value, int error) {

    /**
     * Tells whether the call failed (returned {@code NULL} or {@code FALSE}).
     *
     * @return {@code value == 0}
     */
    public boolean failed() {
        return value == 0;
    }

    /**
     * A successful result.
     *
     * @param value the non-zero return value
     * @return the result with error 0
     */
    public static WinResult ok(long value) {
        return new WinResult(value, 0);
    }

    /**
     * A failed result.
     *
     * @param error the last error
     * @return the result with value 0
     */
    public static WinResult failure(int error) {
        return new WinResult(0, error);
    }
}
