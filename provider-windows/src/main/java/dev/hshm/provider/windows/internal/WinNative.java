package dev.hshm.provider.windows.internal;

import dev.hshm.api.spi.NativeAccess;
import dev.hshm.api.spi.Support;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code kernel32.dll} functions this module calls, bound through {@code java.lang.foreign}: the one
 * place in the module where native functions are bound and restricted methods are used. Each downcall
 * handle is resolved once and named after its C symbol: {@code VirtualAlloc}, {@code VirtualFree},
 * {@code VirtualQuery}, {@code CreateFileMappingW}, {@code OpenFileMappingW}, {@code MapViewOfFile},
 * {@code UnmapViewOfFile}, {@code CloseHandle}, {@code GetCurrentProcessId}, {@code GetCurrentThreadId},
 * {@code SwitchToThread}, {@code Sleep} and {@code FormatMessageW}.
 *
 * <p><b>{@code GetLastError}</b> is not bound as a function: calling it in a second downcall would read
 * whatever the JVM's own Win32 calls left behind in between. Every call that reports errors is bound with
 * {@link Linker.Option#captureCallState(String...) captureCallState("GetLastError")} instead, which saves
 * the thread's last error immediately after the call into a capture segment; the value comes back in
 * {@link WinResult#error()}.
 *
 * <p><b>Only on Windows.</b> {@code kernel32} is looked up ({@link SymbolLookup#libraryLookup(String,
 * Arena)}, global arena; it is never unloaded) the first time a call is made or {@link #support()} is asked
 * on Windows, and never on any other OS: there {@link #support()} answers {@code "not Windows: <os.name>
 * ..."} from the system properties alone, every call throws {@link UnsupportedOperationException} with that
 * reason, and no {@link UnsatisfiedLinkError} can escape. The same holds on Windows when binding fails (a
 * 32-bit JVM, native access denied with {@code --illegal-native-access=deny}): the reason says which, with
 * the {@code --enable-native-access} flag to add.
 *
 * <p>64-bit Windows only: {@code SIZE_T} is bound as a 64-bit {@code long}, handles and pointers as
 * addresses, {@code DWORD} and {@code BOOL} as {@code int}.
 */
@SuppressWarnings("restricted")
public final class WinNative {

    private static final String OS_NAME = System.getProperty("os.name", "unknown");
    private static final boolean WINDOWS = OS_NAME.toLowerCase(Locale.ROOT).startsWith("windows");
    private static final Support NOT_WINDOWS = Support.no("not Windows: " + osDescription());
    private static final AtomicBoolean LOAD_ATTEMPTED = new AtomicBoolean();

    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private static final int FORMAT_MESSAGE_IGNORE_INSERTS = 0x0000_0200;
    private static final int FORMAT_MESSAGE_FROM_SYSTEM = 0x0000_1000;
    private static final int FORMAT_MESSAGE_CHARS = 1024;

    private WinNative() {
    }

    /** Everything bound; a record so that the JIT trusts its fields as constants. */
    private record Handles(MethodHandle virtualAlloc, MethodHandle virtualFree, MethodHandle virtualQuery,
                           MethodHandle createFileMappingW, MethodHandle openFileMappingW,
                           MethodHandle mapViewOfFile, MethodHandle unmapViewOfFile, MethodHandle closeHandle,
                           MethodHandle getCurrentProcessId, MethodHandle getCurrentThreadId,
                           MethodHandle switchToThread, MethodHandle sleep, MethodHandle formatMessageW,
                           MethodHandle createSemaphoreW, MethodHandle releaseSemaphore,
                           MethodHandle waitForSingleObject,
                           StructLayout captureLayout, VarHandle lastError, String description) {
    }

    /**
     * The bound handles, or why not. Initialized on first use, and only ever used after {@link #WINDOWS} was
     * checked, so on other OSes this class is never initialized and no library is looked up.
     */
    private static final class Bound {
        static final Handles H;
        static final String WHY;
        static final Support SUPPORT;

        static {
            Handles h = null;
            String why = null;
            try {
                h = bindAll();
            } catch (IllegalCallerException e) {
                why = NativeAccess.denied(WinNative.class, e);
            } catch (Throwable t) {
                NativeAccess.rethrowIfFatal(t);
                why = "kernel32 functions could not be bound on " + osDescription() + ": " + t;
            }
            H = h;
            WHY = why;
            SUPPORT = h != null ? Support.yes(h.description() + NativeAccess.note(WinNative.class)) : Support.no(why);
        }

        private Bound() {
        }
    }

    // ------------------------------------------------------------------ availability

    /**
     * Whether this JVM runs on Windows ({@code os.name} starts with "Windows").
     *
     * @return {@code true} on Windows
     */
    public static boolean isWindows() {
        return WINDOWS;
    }

    /**
     * Whether the functions can be called here, and if not why: {@code "not Windows: Linux 6.8.0 amd64"},
     * {@code "native access denied: add --enable-native-access=dev.hshm.provider.windows"}, ... Off Windows
     * this reads system properties only; on Windows the first call binds {@code kernel32} and makes one
     * real downcall ({@code GetCurrentProcessId}) to prove the binding works.
     *
     * @return the support, computed once
     */
    public static Support support() {
        return WINDOWS ? Bound.SUPPORT : NOT_WINDOWS;
    }

    /**
     * Tells whether this process ever tried to look up {@code kernel32} (for tests: never off Windows).
     *
     * @return {@code true} once a lookup was attempted
     */
    public static boolean libraryLoadAttempted() {
        return LOAD_ATTEMPTED.get();
    }

    /**
     * The {@code --enable-native-access} value that names this module: its name on the module path,
     * {@code ALL-UNNAMED} on the class path and in OSGi bundles.
     *
     * @return the flag's value
     */
    public static String moduleFlag() {
        return NativeAccess.moduleFlag(WinNative.class);
    }

    /**
     * A segment of {@code size} bytes at {@code address} owned by {@code arena}, so that closing the arena
     * makes every later access throw {@link IllegalStateException} (the caller releases the memory itself
     * after closing the arena, and so sees release errors). No native call; works on every OS.
     *
     * @param address the start of memory this process owns (a view, a {@code VirtualAlloc} block)
     * @param size bytes
     * @param arena the arena that scopes the segment (a shared one, for many threads)
     * @return the segment
     */
    public static MemorySegment segment(long address, long size, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    private static Handles h() {
        if (!WINDOWS) {
            throw new UnsupportedOperationException("kernel32 is not available: " + NOT_WINDOWS.reason());
        }
        Handles h = Bound.H;
        if (h == null) {
            throw new UnsupportedOperationException("kernel32 is not available: " + Bound.WHY);
        }
        return h;
    }

    private static String osDescription() {
        return OS_NAME + " " + System.getProperty("os.version", "?") + " " + System.getProperty("os.arch", "?");
    }


    // ------------------------------------------------------------------ binding

    private static Handles bindAll() {
        if (ADDRESS.byteSize() != 8) {
            throw new UnsupportedOperationException("32-bit JVM: only 64-bit Windows is supported (SIZE_T is bound as"
                    + " 64-bit)");
        }
        LOAD_ATTEMPTED.set(true);
        Linker linker = Linker.nativeLinker();
        SymbolLookup k32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
        Linker.Option gle = Linker.Option.captureCallState("GetLastError");
        StructLayout capture = Linker.Option.captureStateLayout();
        VarHandle lastError = capture.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
        Linker.Option trivial = Linker.Option.critical(false);

        MethodHandle virtualAlloc = bind(linker, k32, "VirtualAlloc",
                FunctionDescriptor.of(ADDRESS, ADDRESS, LONG, INT, INT), gle);
        MethodHandle virtualFree = bind(linker, k32, "VirtualFree",
                FunctionDescriptor.of(INT, ADDRESS, LONG, INT), gle);
        MethodHandle virtualQuery = bind(linker, k32, "VirtualQuery",
                FunctionDescriptor.of(LONG, ADDRESS, ADDRESS, LONG), gle);
        MethodHandle createFileMappingW = bind(linker, k32, "CreateFileMappingW",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, INT, INT, INT, ADDRESS), gle);
        MethodHandle openFileMappingW = bind(linker, k32, "OpenFileMappingW",
                FunctionDescriptor.of(ADDRESS, INT, INT, ADDRESS), gle);
        MethodHandle mapViewOfFile = bind(linker, k32, "MapViewOfFile",
                FunctionDescriptor.of(ADDRESS, ADDRESS, INT, INT, INT, LONG), gle);
        MethodHandle unmapViewOfFile = bind(linker, k32, "UnmapViewOfFile",
                FunctionDescriptor.of(INT, ADDRESS), gle);
        MethodHandle closeHandle = bind(linker, k32, "CloseHandle",
                FunctionDescriptor.of(INT, ADDRESS), gle);
        // cannot fail, block or call back: no thread-state transition needed
        MethodHandle getCurrentProcessId = bind(linker, k32, "GetCurrentProcessId", FunctionDescriptor.of(INT), trivial);
        MethodHandle getCurrentThreadId = bind(linker, k32, "GetCurrentThreadId", FunctionDescriptor.of(INT), trivial);
        MethodHandle switchToThread = bind(linker, k32, "SwitchToThread", FunctionDescriptor.of(INT));
        MethodHandle sleep = bind(linker, k32, "Sleep", FunctionDescriptor.ofVoid(INT));
        MethodHandle formatMessageW = bind(linker, k32, "FormatMessageW",
                FunctionDescriptor.of(INT, INT, ADDRESS, INT, INT, ADDRESS, INT, ADDRESS));
        // HANDLE CreateSemaphoreW(LPSECURITY_ATTRIBUTES, LONG, LONG, LPCWSTR)
        MethodHandle createSemaphoreW = bind(linker, k32, "CreateSemaphoreW",
                FunctionDescriptor.of(ADDRESS, ADDRESS, INT, INT, ADDRESS), gle);
        // BOOL ReleaseSemaphore(HANDLE, LONG, LPLONG)
        MethodHandle releaseSemaphore = bind(linker, k32, "ReleaseSemaphore",
                FunctionDescriptor.of(INT, ADDRESS, INT, ADDRESS), gle);
        // DWORD WaitForSingleObject(HANDLE, DWORD): blocks, so no critical option
        MethodHandle waitForSingleObject = bind(linker, k32, "WaitForSingleObject",
                FunctionDescriptor.of(INT, ADDRESS, INT), gle);

        int pid;
        try {
            pid = (int) getCurrentProcessId.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("GetCurrentProcessId failed", t);
        }
        long expected = ProcessHandle.current().pid();
        if (Integer.toUnsignedLong(pid) != expected) {
            throw new IllegalStateException("GetCurrentProcessId()=" + Integer.toUnsignedLong(pid)
                    + " but the JDK says pid=" + expected + ": kernel32 is not the one this process runs on");
        }
        String description = osDescription() + ", kernel32 bound (GetCurrentProcessId()=" + expected + ")";
        return new Handles(virtualAlloc, virtualFree, virtualQuery, createFileMappingW, openFileMappingW,
                mapViewOfFile, unmapViewOfFile, closeHandle, getCurrentProcessId, getCurrentThreadId, switchToThread,
                sleep, formatMessageW, createSemaphoreW, releaseSemaphore, waitForSingleObject, capture, lastError,
                description);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd,
                                     Linker.Option... options) {
        MemorySegment sym = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("kernel32 symbol not found: " + name));
        return linker.downcallHandle(sym, fd, options);
    }

    // ------------------------------------------------------------------ calls

    /**
     * {@code VirtualAlloc(address, size, allocationType, protect)}.
     *
     * @param address wanted address or 0
     * @param size bytes
     * @param allocationType {@code MEM_*} flags
     * @param protect {@code PAGE_*} protection
     * @return the address or 0, and the last error
     */
    public static WinResult virtualAlloc(long address, long size, int allocationType, int protect) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.virtualAlloc().invokeExact(cs, MemorySegment.ofAddress(address), size,
                    allocationType, protect);
            return result(p.address(), h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code VirtualFree(address, size, freeType)}.
     *
     * @param address a base address from {@code VirtualAlloc}
     * @param size 0 with {@code MEM_RELEASE}
     * @param freeType {@code MEM_RELEASE}
     * @return non-zero or 0, and the last error
     */
    public static WinResult virtualFree(long address, long size, int freeType) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.virtualFree().invokeExact(cs, MemorySegment.ofAddress(address), size, freeType);
            return result(rc, h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code VirtualQuery(address, &info, sizeof info)}.
     *
     * @param address an address
     * @return the region's information, or a failure with the last error
     */
    public static MemoryBasicInformation virtualQuery(long address) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment info = a.allocate(MemoryBasicInformation.BYTES, 8);
            long n = (long) h.virtualQuery().invokeExact(cs, MemorySegment.ofAddress(address), info,
                    MemoryBasicInformation.BYTES);
            if (n == 0) {
                return MemoryBasicInformation.failure(lastError(h, cs));
            }
            return new MemoryBasicInformation(info.get(LONG, MemoryBasicInformation.BASE_ADDRESS_OFFSET),
                    info.get(LONG, MemoryBasicInformation.ALLOCATION_BASE_OFFSET),
                    info.get(LONG, MemoryBasicInformation.REGION_SIZE_OFFSET),
                    info.get(INT, MemoryBasicInformation.STATE_OFFSET),
                    info.get(INT, MemoryBasicInformation.PROTECT_OFFSET),
                    info.get(INT, MemoryBasicInformation.TYPE_OFFSET), 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code CreateFileMappingW(file, NULL, protect, maximumSizeHigh, maximumSizeLow, name)}; the last error
     * is captured on success too ({@code ERROR_ALREADY_EXISTS}).
     *
     * @param file a file handle or {@code INVALID_HANDLE_VALUE}
     * @param protect {@code PAGE_*} protection
     * @param maximumSizeHigh high 32 bits of the size
     * @param maximumSizeLow low 32 bits of the size
     * @param name the object name
     * @return the handle or 0, and the last error
     */
    public static WinResult createFileMappingW(long file, int protect, int maximumSizeHigh, int maximumSizeLow,
                                               String name) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.createFileMappingW().invokeExact(cs, MemorySegment.ofAddress(file),
                    MemorySegment.NULL, protect, maximumSizeHigh, maximumSizeLow, wide(a, name));
            return new WinResult(p.address(), lastError(h, cs));
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code OpenFileMappingW(desiredAccess, inheritHandle, name)}.
     *
     * @param desiredAccess {@code FILE_MAP_*} access
     * @param inheritHandle whether children inherit the handle
     * @param name the object name
     * @return the handle or 0, and the last error
     */
    public static WinResult openFileMappingW(int desiredAccess, boolean inheritHandle, String name) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.openFileMappingW().invokeExact(cs, desiredAccess, inheritHandle ? 1 : 0,
                    wide(a, name));
            return result(p.address(), h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code MapViewOfFile(mapping, desiredAccess, offsetHigh, offsetLow, bytesToMap)}.
     *
     * @param mapping a file-mapping handle
     * @param desiredAccess {@code FILE_MAP_*} access
     * @param offsetHigh high 32 bits of the offset
     * @param offsetLow low 32 bits of the offset
     * @param bytesToMap bytes, 0 for the whole object
     * @return the view's address or 0, and the last error
     */
    public static WinResult mapViewOfFile(long mapping, int desiredAccess, int offsetHigh, int offsetLow,
                                          long bytesToMap) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.mapViewOfFile().invokeExact(cs, MemorySegment.ofAddress(mapping),
                    desiredAccess, offsetHigh, offsetLow, bytesToMap);
            return result(p.address(), h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code UnmapViewOfFile(address)}.
     *
     * @param address a view's address
     * @return non-zero or 0, and the last error
     */
    public static WinResult unmapViewOfFile(long address) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.unmapViewOfFile().invokeExact(cs, MemorySegment.ofAddress(address));
            return result(rc, h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code CloseHandle(handle)}.
     *
     * @param handle a handle
     * @return non-zero or 0, and the last error
     */
    public static WinResult closeHandle(long handle) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.closeHandle().invokeExact(cs, MemorySegment.ofAddress(handle));
            return result(rc, h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code GetCurrentProcessId()}.
     *
     * @return the process id (unsigned)
     */
    public static int getCurrentProcessId() {
        try {
            return (int) h().getCurrentProcessId().invokeExact();
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code GetCurrentThreadId()}.
     *
     * @return the calling OS thread's id (unsigned)
     */
    public static int getCurrentThreadId() {
        try {
            return (int) h().getCurrentThreadId().invokeExact();
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code SwitchToThread()}.
     *
     * @return {@code true} if another thread ran
     */
    public static boolean switchToThread() {
        try {
            return (int) h().switchToThread().invokeExact() != 0;
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code Sleep(millis)}.
     *
     * @param millis milliseconds (unsigned; {@code INFINITE} is refused)
     */
    public static void sleep(int millis) {
        if (millis == WinApi.INFINITE) {
            throw new IllegalArgumentException("Sleep(INFINITE) would never return");
        }
        try {
            h().sleep().invokeExact(millis);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, error, 0, buf,
     * 1024, NULL)}, decoded from UTF-16 and stripped of its trailing line break.
     *
     * @param error a Win32 error code
     * @return the system's text, or {@code null} if it has none
     */
    public static String formatMessageW(int error) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(FORMAT_MESSAGE_CHARS * 2L, 2);
            int n = (int) h.formatMessageW().invokeExact(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                    MemorySegment.NULL, error, 0, buf, FORMAT_MESSAGE_CHARS, MemorySegment.NULL);
            if (n <= 0) {
                return null;
            }
            String s = new String(buf.asSlice(0, Math.min(n, FORMAT_MESSAGE_CHARS) * 2L).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_16LE).strip();
            return s.isEmpty() ? null : s;
        } catch (Throwable t) {
            return null; // only used to decorate messages: never hide the original error behind this one
        }
    }

    // ------------------------------------------------------------------ helpers

    private static MemorySegment wide(Arena a, String s) {
        return a.allocateFrom(s, StandardCharsets.UTF_16LE); // NUL-terminated with a 2-byte NUL
    }

    /**
     * {@code CreateSemaphoreW(NULL, initialCount, maximumCount, name)}.
     *
     * @param initialCount the count of a new semaphore
     * @param maximumCount its largest count
     * @param name the object name
     * @return the handle or 0, and the last error ({@code ERROR_ALREADY_EXISTS} when it opened one)
     */
    public static WinResult createSemaphoreW(int initialCount, int maximumCount, String name) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.createSemaphoreW().invokeExact(cs, MemorySegment.NULL, initialCount,
                    maximumCount, wide(a, name));
            return new WinResult(p.address(), lastError(h, cs));
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code ReleaseSemaphore(handle, count, NULL)}.
     *
     * @param handle the semaphore
     * @param count how many
     * @return non-zero or 0, and the last error
     */
    public static WinResult releaseSemaphore(long handle, int count) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.releaseSemaphore().invokeExact(cs, MemorySegment.ofAddress(handle), count,
                    MemorySegment.NULL);
            return result(rc, h, cs);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * {@code WaitForSingleObject(handle, millis)}.
     *
     * @param handle the semaphore
     * @param millis milliseconds or {@code INFINITE}
     * @return the wait code as the value (0 is {@code WAIT_OBJECT_0}, a success here), and the last error
     */
    public static WinResult waitForSingleObject(long handle, int millis) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.waitForSingleObject().invokeExact(cs, MemorySegment.ofAddress(handle), millis);
            return new WinResult(Integer.toUnsignedLong(rc), lastError(h, cs));
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    private static WinResult result(long value, Handles h, MemorySegment cs) {
        return value != 0 ? WinResult.ok(value) : WinResult.failure(lastError(h, cs));
    }

    private static int lastError(Handles h, MemorySegment cs) {
        return (int) h.lastError().get(cs, 0L);
    }

}
