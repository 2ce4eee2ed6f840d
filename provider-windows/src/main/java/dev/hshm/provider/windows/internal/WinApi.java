package dev.hshm.provider.windows.internal;

/**
 * The Win32 calls this module's logic makes, as a small Java interface: addresses and handles are
 * {@code long}s, failures come back as values (never as exceptions), and every call that sets the
 * thread's last error returns it captured right after the call ({@link WinResult#error()}).
 *
 * <p>Why an interface: the backends and the thread model are written against it, so that their logic (size
 * splitting, names, error translation, clean-up order on failure, header formatting and verification) runs
 * in unit tests on every OS with a mock or an in-memory double, while {@link NativeWinApi} — the real
 * implementation, which delegates to the FFM binding {@link WinNative} — runs on Windows. The methods mirror
 * the C functions one to one; the constants below are the values from {@code <windows.h>} that the callers
 * pass.
 *
 * <p>Implementations must be safe for use by many threads.
 */
public interface WinApi {

    /** {@code MEM_COMMIT}: charge the pages against the commit limit (they are zero-filled on first touch). */
    int MEM_COMMIT = 0x0000_1000;
    /** {@code MEM_RESERVE}: reserve address space. */
    int MEM_RESERVE = 0x0000_2000;
    /** {@code MEM_RELEASE}: free a whole {@code VirtualAlloc} region (size must be 0). */
    int MEM_RELEASE = 0x0000_8000;
    /** {@code PAGE_READWRITE}. */
    int PAGE_READWRITE = 0x04;
    /** {@code FILE_MAP_ALL_ACCESS} (= {@code SECTION_ALL_ACCESS}): read-write views. */
    int FILE_MAP_ALL_ACCESS = 0x000F_001F;
    /** {@code MEM_MAPPED}: a {@link MemoryBasicInformation#type()} of a view of a section. */
    int MEM_MAPPED = 0x0004_0000;
    /** {@code MEM_PRIVATE}: a {@link MemoryBasicInformation#type()} of {@code VirtualAlloc} memory. */
    int MEM_PRIVATE = 0x0002_0000;
    /** {@code INVALID_HANDLE_VALUE} ({@code (HANDLE) -1}): as {@code hFile}, "backed by the paging file". */
    long INVALID_HANDLE_VALUE = -1L;
    /** {@code INFINITE}: the one {@code Sleep} argument that never returns. */
    int INFINITE = 0xFFFF_FFFF;
    /** {@code WAIT_OBJECT_0}: {@code WaitForSingleObject} took a count of the semaphore. */
    int WAIT_OBJECT_0 = 0;
    /** {@code WAIT_TIMEOUT}: {@code WaitForSingleObject}'s time ran out. */
    int WAIT_TIMEOUT = 0x0000_0102;
    /** {@code WAIT_FAILED}. */
    int WAIT_FAILED = 0xFFFF_FFFF;

    /**
     * {@code VirtualAlloc(lpAddress, dwSize, flAllocationType, flProtect)}.
     *
     * @param address the wanted address, or 0 to let the system choose
     * @param size bytes ({@code SIZE_T})
     * @param allocationType e.g. {@code MEM_RESERVE | MEM_COMMIT}
     * @param protect e.g. {@link #PAGE_READWRITE}
     * @return the base address, or 0 and the error
     */
    WinResult virtualAlloc(long address, long size, int allocationType, int protect);

    /**
     * {@code VirtualFree(lpAddress, dwSize, dwFreeType)}.
     *
     * @param address a base address from {@link #virtualAlloc}
     * @param size 0 with {@link #MEM_RELEASE}
     * @param freeType {@link #MEM_RELEASE}
     * @return non-zero on success, or 0 and the error
     */
    WinResult virtualFree(long address, long size, int freeType);

    /**
     * {@code CreateFileMappingW(hFile, NULL, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow, lpName)} with
     * the default security descriptor. If the name exists already the call succeeds, returns a handle to the
     * existing object and reports {@code ERROR_ALREADY_EXISTS} in {@link WinResult#error()}, so the error is
     * meaningful on success too.
     *
     * @param file a file handle, or {@link #INVALID_HANDLE_VALUE} for the paging file
     * @param protect {@link #PAGE_READWRITE}
     * @param maximumSizeHigh the high 32 bits of the object size
     * @param maximumSizeLow the low 32 bits of the object size
     * @param name the object name, e.g. {@code Local\name}
     * @return the handle, or 0 and the error
     */
    WinResult createFileMapping(long file, int protect, int maximumSizeHigh, int maximumSizeLow, String name);

    /**
     * {@code OpenFileMappingW(dwDesiredAccess, bInheritHandle, lpName)}.
     *
     * @param desiredAccess {@link #FILE_MAP_ALL_ACCESS}
     * @param inheritHandle whether child processes inherit the handle
     * @param name the object name
     * @return the handle, or 0 and the error ({@code ERROR_FILE_NOT_FOUND} when there is no such name)
     */
    WinResult openFileMapping(int desiredAccess, boolean inheritHandle, String name);

    /**
     * {@code MapViewOfFile(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow,
     * dwNumberOfBytesToMap)}.
     *
     * @param mapping a file-mapping handle
     * @param desiredAccess {@link #FILE_MAP_ALL_ACCESS}
     * @param offsetHigh high 32 bits of the offset
     * @param offsetLow low 32 bits of the offset
     * @param bytesToMap bytes, or 0 for "to the end of the object"
     * @return the view's address, or 0 and the error
     */
    WinResult mapViewOfFile(long mapping, int desiredAccess, int offsetHigh, int offsetLow, long bytesToMap);

    /**
     * {@code UnmapViewOfFile(lpBaseAddress)}.
     *
     * @param address a view's address
     * @return non-zero on success, or 0 and the error
     */
    WinResult unmapViewOfFile(long address);

    /**
     * {@code CloseHandle(hObject)}.
     *
     * @param handle a handle
     * @return non-zero on success, or 0 and the error
     */
    WinResult closeHandle(long handle);

    /**
     * {@code VirtualQuery(lpAddress, &info, sizeof info)}: the region of pages that starts at the page of
     * {@code address} and shares its attributes.
     *
     * @param address an address
     * @return the information, or one whose {@link MemoryBasicInformation#error()} says why not
     */
    MemoryBasicInformation virtualQuery(long address);

    /**
     * {@code GetCurrentProcessId()}.
     *
     * @return the process id (a {@code DWORD}, as an unsigned value in an {@code int})
     */
    int getCurrentProcessId();

    /**
     * {@code GetCurrentThreadId()}: the OS thread id of the calling (platform) thread.
     *
     * @return the thread id (a {@code DWORD}, as an unsigned value in an {@code int})
     */
    int getCurrentThreadId();

    /**
     * {@code SwitchToThread()}.
     *
     * @return {@code true} if another thread was scheduled
     */
    boolean switchToThread();

    /**
     * {@code Sleep(dwMilliseconds)}: suspends the calling OS thread; not interruptible.
     *
     * @param millis milliseconds (unsigned; never {@link #INFINITE})
     */
    void sleep(int millis);

    /**
     * {@code CreateSemaphoreW(NULL, initialCount, maximumCount, name)}: creates the named semaphore, or opens the
     * one of that name that exists (then {@link WinResult#error()} is {@code ERROR_ALREADY_EXISTS} and the counts
     * are ignored). Cross-process: every process of the session that names it gets the same kernel object.
     *
     * @param initialCount the count of a new semaphore
     * @param maximumCount its largest count
     * @param name the object name ({@code Local\...})
     * @return the handle or 0, and the last error
     */
    WinResult createSemaphore(int initialCount, int maximumCount, String name);

    /**
     * {@code ReleaseSemaphore(handle, count, NULL)}: adds {@code count} to the semaphore, waking as many waiters.
     *
     * @param handle the semaphore
     * @param count how many, {@code >= 1}
     * @return non-zero on success; 0 and {@code ERROR_TOO_MANY_POSTS} past the maximum count
     */
    WinResult releaseSemaphore(long handle, int count);

    /**
     * {@code WaitForSingleObject(handle, millis)}: sleeps in the kernel until the semaphore has a count (and takes
     * one) or the time runs out.
     *
     * @param handle the semaphore
     * @param millis milliseconds, or {@link #INFINITE}
     * @return the code ({@link #WAIT_OBJECT_0}, {@link #WAIT_TIMEOUT} or {@link #WAIT_FAILED}) as the value, and
     *     the last error (meaningful for {@code WAIT_FAILED})
     */
    WinResult waitForSingleObject(long handle, int millis);

    /**
     * {@code FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, ...)}: the system's
     * text for an error code.
     *
     * @param error a Win32 error code
     * @return the text without the trailing line break, or {@code null} if the system has none
     */
    String formatMessage(int error);
}
