package dev.hshm.provider.windows.internal;

import dev.hshm.api.NativeException;
import dev.hshm.api.Units;
import java.util.Map;

/**
 * Win32 error codes: their symbolic names (from {@code winerror.h}) and the translation of a failed call into
 * a {@link NativeException}, done once, here, with advice. The message is the call as written, the system's
 * text ({@code FormatMessageW}) and what to do about it, e.g.
 * <pre>
 * CreateFileMappingW failed: ERROR_COMMITMENT_LIMIT (1455): CreateFileMappingW(INVALID_HANDLE_VALUE, NULL,
 *   PAGE_READWRITE, 0x1, 0x1000, "Local\jobs"): The paging file is too small for this operation to complete.
 *   - the system commit limit (RAM + paging files) cannot cover size=4.0 GiB: ...
 * </pre>
 */
public final class WinErrors {

    /** {@code ERROR_SUCCESS}. */
    public static final int ERROR_SUCCESS = 0;
    /** {@code ERROR_FILE_NOT_FOUND}: {@code OpenFileMappingW} of a name that does not exist. */
    public static final int ERROR_FILE_NOT_FOUND = 2;
    /** {@code ERROR_PATH_NOT_FOUND}. */
    public static final int ERROR_PATH_NOT_FOUND = 3;
    /** {@code ERROR_ACCESS_DENIED}. */
    public static final int ERROR_ACCESS_DENIED = 5;
    /** {@code ERROR_INVALID_HANDLE}: also a name taken by another kind of kernel object. */
    public static final int ERROR_INVALID_HANDLE = 6;
    /** {@code ERROR_NOT_ENOUGH_MEMORY}. */
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    /** {@code ERROR_OUTOFMEMORY}. */
    public static final int ERROR_OUTOFMEMORY = 14;
    /** {@code ERROR_INVALID_PARAMETER}. */
    public static final int ERROR_INVALID_PARAMETER = 87;
    /** {@code ERROR_INVALID_NAME}. */
    public static final int ERROR_INVALID_NAME = 123;
    /** {@code ERROR_ALREADY_EXISTS}: {@code CreateFileMappingW} opened an existing object. */
    public static final int ERROR_ALREADY_EXISTS = 183;
    /** {@code ERROR_INVALID_ADDRESS}. */
    public static final int ERROR_INVALID_ADDRESS = 487;
    /** {@code ERROR_FILE_INVALID}: a paging-file mapping of size 0. */
    public static final int ERROR_FILE_INVALID = 1006;
    /** {@code ERROR_NO_SYSTEM_RESOURCES}. */
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    /** {@code ERROR_PAGEFILE_QUOTA}. */
    public static final int ERROR_PAGEFILE_QUOTA = 1454;
    /** {@code ERROR_COMMITMENT_LIMIT}: the paging file is too small. */
    public static final int ERROR_COMMITMENT_LIMIT = 1455;
    /** {@code ERROR_NOT_ENOUGH_QUOTA}. */
    public static final int ERROR_NOT_ENOUGH_QUOTA = 1816;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(ERROR_SUCCESS, "ERROR_SUCCESS"),
            Map.entry(1, "ERROR_INVALID_FUNCTION"),
            Map.entry(ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND"),
            Map.entry(ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND"),
            Map.entry(4, "ERROR_TOO_MANY_OPEN_FILES"),
            Map.entry(ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED"),
            Map.entry(ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"),
            Map.entry(ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY"),
            Map.entry(12, "ERROR_INVALID_ACCESS"),
            Map.entry(ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY"),
            Map.entry(31, "ERROR_GEN_FAILURE"),
            Map.entry(ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"),
            Map.entry(112, "ERROR_DISK_FULL"),
            Map.entry(ERROR_INVALID_NAME, "ERROR_INVALID_NAME"),
            Map.entry(ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS"),
            Map.entry(206, "ERROR_FILENAME_EXCED_RANGE"),
            Map.entry(ERROR_INVALID_ADDRESS, "ERROR_INVALID_ADDRESS"),
            Map.entry(ERROR_FILE_INVALID, "ERROR_FILE_INVALID"),
            Map.entry(1132, "ERROR_MAPPED_ALIGNMENT"),
            Map.entry(1168, "ERROR_NOT_FOUND"),
            Map.entry(1314, "ERROR_PRIVILEGE_NOT_HELD"),
            Map.entry(ERROR_NO_SYSTEM_RESOURCES, "ERROR_NO_SYSTEM_RESOURCES"),
            Map.entry(1453, "ERROR_WORKING_SET_QUOTA"),
            Map.entry(ERROR_PAGEFILE_QUOTA, "ERROR_PAGEFILE_QUOTA"),
            Map.entry(ERROR_COMMITMENT_LIMIT, "ERROR_COMMITMENT_LIMIT"),
            Map.entry(ERROR_NOT_ENOUGH_QUOTA, "ERROR_NOT_ENOUGH_QUOTA"));

    private WinErrors() {
    }

    /**
     * The symbolic name of a Win32 error code.
     *
     * @param code the code
     * @return e.g. {@code "ERROR_ALREADY_EXISTS"}, or {@code "WIN32_ERROR_<code>"} for codes not in the table
     */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : "WIN32_ERROR_" + Integer.toUnsignedString(code);
    }

    /**
     * Builds the exception for a failed call: the call as written, the system's text for the code (asked of
     * {@code api}) and advice.
     *
     * @param api where to ask for the system's text
     * @param function the Win32 function, e.g. {@code "CreateFileMappingW"}
     * @param code the captured last error
     * @param call the call with its arguments
     * @param objectName the kernel object name involved ({@code Local\...}), or {@code null}
     * @param size the size involved, or 0
     * @return the exception
     */
    public static NativeException fail(WinApi api, String function, int code, String call, String objectName,
                                       long size) {
        String text = systemText(api, code);
        String advice = advice(function, code, objectName, size);
        return new NativeException(function, code, name(code), call + ": "
                + (text != null ? text : "(no system message)") + (advice.isEmpty() ? "" : " - " + advice));
    }

    private static String systemText(WinApi api, int code) {
        try {
            String t = api.formatMessage(code);
            return t == null || t.isBlank() ? null : t.strip();
        } catch (RuntimeException e) {
            return null; // decoration only: the error being reported matters more
        }
    }

    /**
     * What to do about an error, or {@code ""} when there is nothing useful to say.
     *
     * @param function the Win32 function
     * @param code the error code
     * @param objectName the kernel object name, or {@code null}
     * @param size the size involved, or 0
     * @return the advice
     */
    static String advice(String function, int code, String objectName, long size) {
        String obj = objectName == null ? "NAME" : objectName;
        boolean named = function.endsWith("FileMappingW");
        return switch (code) {
            case ERROR_ALREADY_EXISTS -> "a kernel object named '" + obj + "' exists already; attach to it, or detach it"
                    + " in every process that has it (Windows removes a named mapping when its last handle closes;"
                    + " there is no unlink)";
            case ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND -> named
                    ? "no file mapping named '" + obj + "' in this session: the creating process must still have it"
                            + " attached (Windows removes a named mapping when its last handle closes), and both processes"
                            + " must run in the same logon session (the Local\\ namespace is per session)"
                    : "";
            case ERROR_ACCESS_DENIED -> named
                    ? "access to '" + obj + "' was denied: it was created by another user, by a service or at a higher"
                            + " integrity level (named mappings get the default security of their creator's token); run"
                            + " both processes as the same user in the same session"
                    : "access denied";
            case ERROR_INVALID_HANDLE -> named
                    ? "the name '" + obj + "' is taken by another kind of kernel object (events, mutexes, semaphores,"
                            + " waitable timers and jobs share the namespace of file mappings); choose another name"
                    : "the handle is not valid (closed twice?)";
            case ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY -> switch (function) {
                case "VirtualAlloc" -> "not enough memory or address space for a private region of size="
                        + Units.format(size) + "; ask for less";
                case "MapViewOfFile" -> "not enough contiguous address space in this process to map size="
                        + Units.format(size) + "; ask for less, or detach backends this process no longer needs";
                default -> "not enough memory: size=" + Units.format(size) + "; ask for less";
            };
            case ERROR_COMMITMENT_LIMIT, ERROR_PAGEFILE_QUOTA, ERROR_NOT_ENOUGH_QUOTA -> "the system commit limit (RAM +"
                    + " paging files) cannot cover size=" + Units.format(size) + ": Windows charges the whole size when the"
                    + " memory is created, not page by page on first touch as Linux does; ask for less, or enlarge the"
                    + " paging file (System Properties > Advanced > Performance > Virtual memory)";
            case ERROR_NO_SYSTEM_RESOURCES -> "the system ran out of kernel resources for the mapping: size="
                    + Units.format(size) + "; detach backends that are no longer needed, or ask for less";
            case ERROR_INVALID_PARAMETER -> "the arguments were refused: size=" + size
                    + (objectName != null ? ", name='" + objectName + "'" : "");
            case ERROR_INVALID_NAME, 206 -> "the OS rejected the name '" + obj + "'";
            case ERROR_FILE_INVALID -> "a mapping backed by the paging file cannot be empty: size=" + size;
            case ERROR_INVALID_ADDRESS -> "not the start of memory this process mapped (released twice?)";
            case 1314 -> "names in the Global\\ namespace need SeCreateGlobalPrivilege; hshm uses Local\\ names";
            default -> "";
        };
    }
}
