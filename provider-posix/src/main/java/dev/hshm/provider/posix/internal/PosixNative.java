package dev.hshm.provider.posix.internal;

import dev.hshm.api.NativeException;
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
import java.util.Locale;
import java.util.Optional;

/**
 * The POSIX functions this module calls, bound through {@code java.lang.foreign}: the one place in the
 * module where native functions are bound. Each downcall handle is resolved once, when this class
 * initializes, and is named after its C symbol: {@code shm_open}, {@code shm_unlink}, {@code ftruncate},
 * {@code lseek} (Linux) or {@code fstat} (macOS), {@code fchmod} and {@code posix_fallocate} (Linux),
 * {@code mmap}, {@code munmap}, {@code close}, {@code getpagesize}, {@code geteuid}, {@code sched_yield}, {@code strerror},
 * {@code syscall} (Linux, for {@code futex} only) and {@code gnu_get_libc_version} (only to describe the libc).
 *
 * <p><b>Platforms.</b> Linux and macOS on 64-bit JVMs. Their constants differ ({@code O_CREAT} is
 * {@code 0100} on Linux and {@code 0x200} on macOS, {@code MAP_ANONYMOUS} {@code 0x20} and {@code 0x1000});
 * the right set is picked from {@code os.name}. On macOS {@code shm_open} is variadic
 * ({@code int shm_open(const char *, int, ...)}), so its mode is passed as a variadic {@code int}
 * ({@link Linker.Option#firstVariadicArg}): on Apple silicon variadic arguments go on the stack, and
 * passing it in a register would hand the kernel garbage permissions. On Linux glibc 2.34 and later
 * {@code shm_open} is in libc (the linker's default lookup); older glibc keeps it in {@code librt.so.1},
 * which is loaded as a fallback. The object size comes from {@code lseek(fd, 0, SEEK_END)} on Linux,
 * whose result does not depend on a {@code struct stat} layout; macOS refuses {@code lseek} on shared
 * memory ({@code ESPIPE}), so there {@code fstat} is used with the 64-bit-inode {@code struct stat}
 * ({@code st_size} at byte 96; symbol {@code fstat$INODE64} on x86-64).
 *
 * <p><b>Unsupported platforms.</b> Nothing here throws a linkage error: if the OS is not one of the
 * above (Windows, say), or a symbol is missing, or native access is denied
 * ({@code --illegal-native-access=deny} without {@code --enable-native-access}), {@link #support()} says
 * so and every call throws {@link UnsupportedOperationException} with the same reason.
 *
 * <p><b>Errors</b> are translated once, here: a failing call throws {@link NativeException} with the C
 * function, the {@code errno} value (captured with {@link Linker.Option#captureCallState}) and its name
 * ({@link PosixErrors}), the arguments, {@code strerror}'s text and advice ({@code ENOSPC} on {@code /dev/shm}
 * says how big the tmpfs is and how to raise it; {@code EEXIST} says how to remove the old segment).
 */
@SuppressWarnings("restricted")
public final class PosixNative {

    /** The operating systems this class knows the constants of. */
    public enum Os {
        /** Linux (glibc or another libc with {@code shm_open}). */
        LINUX,
        /** macOS. */
        MACOS,
        /** Anything else: Windows, the BSDs, ... (unsupported). */
        OTHER
    }

    private static final Os OS = detectOs();

    /** {@code O_RDWR}. */
    public static final int O_RDWR = 2;
    /** {@code O_CREAT}. */
    public static final int O_CREAT = OS == Os.MACOS ? 0x200 : 0100;
    /** {@code O_EXCL}. */
    public static final int O_EXCL = OS == Os.MACOS ? 0x800 : 0200;
    /** {@code PROT_READ}. */
    public static final int PROT_READ = 1;
    /** {@code PROT_WRITE}. */
    public static final int PROT_WRITE = 2;
    /** {@code PROT_NONE}: an address-space reservation nothing may touch. */
    public static final int PROT_NONE = 0;
    /** {@code MAP_FIXED} (the same on Linux and macOS): map exactly here, replacing what was reserved. */
    public static final int MAP_FIXED = 0x10;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 1;
    /** {@code MAP_PRIVATE}. */
    public static final int MAP_PRIVATE = 2;
    /** {@code MAP_ANONYMOUS} ({@code MAP_ANON} on macOS). */
    public static final int MAP_ANONYMOUS = OS == Os.MACOS ? 0x1000 : 0x20;
    private static final int SEEK_END = 2;
    private static final long MAP_FAILED = -1L;
    /** {@code sizeof(struct stat)} and {@code offsetof(struct stat, st_size)} on 64-bit macOS. */
    private static final long MACOS_STAT_BYTES = 144;
    private static final long MACOS_ST_SIZE_OFFSET = 96;

    /** {@code SYS_futex}: 202 on x86-64, 98 on AArch64 and RISC-V; 0 where this class does not know it. */
    private static final long SYS_FUTEX = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> 202;
        case "aarch64", "riscv64" -> 98;
        default -> 0;
    };
    /** {@code FUTEX_WAIT} and {@code FUTEX_WAKE}, without {@code FUTEX_PRIVATE_FLAG}: shared across processes. */
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int ETIMEDOUT = 110;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    /** Everything bound, or why not; a record so that the JIT trusts its fields as constants. */
    private record Handles(MethodHandle shmOpen, MethodHandle shmUnlink, MethodHandle ftruncate,
                           MethodHandle lseek, MethodHandle fstat, MethodHandle fchmod,
                           MethodHandle posixFallocate, MethodHandle mmap, MethodHandle munmap,
                           MethodHandle close, MethodHandle schedYield, MethodHandle strerror,
                           MethodHandle futex, MacWaits macWaits, StructLayout captureLayout, VarHandle errno,
                           int pageSize, int euid, String description) {
    }

    /**
     * macOS 14.4's {@code os_sync_wait_on_address} family ({@code <os/os_sync_wait_on_address.h>}), bound when
     * libSystem has it: the wait with and without a timeout, and the wakes of one and of all waiters.
     */
    private record MacWaits(MethodHandle waitForever, MethodHandle waitWithTimeout, MethodHandle wakeAny,
                            MethodHandle wakeAll) {
    }

    private static final Handles H;
    private static final String UNAVAILABLE;
    private static final Support SUPPORT;

    static {
        Handles h = null;
        String why;
        try {
            why = unsupportedPlatform();
            if (why == null) {
                h = bindAll();
            }
        } catch (IllegalCallerException e) {
            why = NativeAccess.denied(PosixNative.class, e);
        } catch (Throwable t) {
            NativeAccess.rethrowIfFatal(t);
            why = "POSIX functions could not be bound: " + t;
        }
        H = h;
        UNAVAILABLE = h == null ? why : null;
        SUPPORT = h != null ? Support.yes(h.description() + NativeAccess.note(PosixNative.class)) : Support.no(why);
    }

    private PosixNative() {
    }

    // ------------------------------------------------------------------ availability

    /**
     * The OS this JVM runs on, as far as this class's constants are concerned.
     *
     * @return the OS
     */
    public static Os os() {
        return OS;
    }

    /**
     * Whether the functions are bound here, and if not why: {@code "not a POSIX OS: Windows 11"},
     * {@code "native access denied: add --enable-native-access=dev.hshm.provider.posix"}, ... When supported,
     * the reason describes what was found (OS, architecture, libc, page size).
     *
     * @return the support, computed once
     */
    public static Support support() {
        return SUPPORT;
    }

    /**
     * Tells whether the functions are bound.
     *
     * @return {@code true} on Linux and macOS with native access
     */
    public static boolean isAvailable() {
        return H != null;
    }

    /**
     * Why the functions are not bound.
     *
     * @return the reason, empty if they are
     */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    private static Handles h() {
        Handles h = H;
        if (h == null) {
            throw new UnsupportedOperationException("POSIX shared memory is not available here: " + UNAVAILABLE);
        }
        return h;
    }

    /**
     * The {@code --enable-native-access} value that names this module: its name on the module path,
     * {@code ALL-UNNAMED} on the class path and in OSGi bundles.
     *
     * @return the flag's value
     */
    public static String moduleFlag() {
        return NativeAccess.moduleFlag(PosixNative.class);
    }


    private static Os detectOs() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return Os.LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return Os.MACOS;
        }
        return Os.OTHER;
    }

    private static String osDescription() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
    }

    private static String unsupportedPlatform() {
        String osName = System.getProperty("os.name", "unknown");
        if (OS == Os.OTHER) {
            return osName.toLowerCase(Locale.ROOT).startsWith("windows")
                    ? "not a POSIX OS: " + osName
                    : "POSIX OS whose constants this provider does not know: " + osName
                            + " (supported: Linux, macOS)";
        }
        if (ADDRESS.byteSize() != 8) {
            return "32-bit JVM on " + osName + ": only 64-bit JVMs are supported (off_t and size_t are bound as 64-bit)";
        }
        return null;
    }

    // ------------------------------------------------------------------ binding

    private static Handles bindAll() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        StructLayout capture = Linker.Option.captureStateLayout();
        VarHandle errnoHandle = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        String shmOpenFrom = "libc";
        SymbolLookup shmLookup = libc;
        if (libc.find("shm_open").isEmpty() && OS == Os.LINUX) {
            // glibc before 2.34 keeps shm_open/shm_unlink in librt
            shmLookup = SymbolLookup.libraryLookup("librt.so.1", Arena.global());
            shmOpenFrom = "librt.so.1";
        }
        FunctionDescriptor shmOpenFd = FunctionDescriptor.of(INT, ADDRESS, INT, INT);
        MethodHandle shmOpen = OS == Os.MACOS
                ? bind(linker, shmLookup, "shm_open", shmOpenFd, errno, Linker.Option.firstVariadicArg(2))
                : bind(linker, shmLookup, "shm_open", shmOpenFd, errno);
        MethodHandle shmUnlink = bind(linker, shmLookup, "shm_unlink", FunctionDescriptor.of(INT, ADDRESS), errno);
        MethodHandle ftruncate = bind(linker, libc, "ftruncate", FunctionDescriptor.of(INT, INT, LONG), errno);
        MethodHandle lseek = null;
        MethodHandle fstat = null;
        MethodHandle fchmod = null;
        MethodHandle posixFallocate = null;
        if (OS == Os.MACOS) {
            String sym = "x86_64".equals(System.getProperty("os.arch")) || "amd64".equals(System.getProperty("os.arch"))
                    ? "fstat$INODE64" : "fstat";
            fstat = bind(linker, libc, sym, FunctionDescriptor.of(INT, INT, ADDRESS), errno);
        } else {
            lseek = bind(linker, libc, "lseek", FunctionDescriptor.of(LONG, INT, LONG, INT), errno);
            fchmod = bind(linker, libc, "fchmod", FunctionDescriptor.of(INT, INT, INT), errno);
            // returns the error number instead of setting errno
            posixFallocate = bind(linker, libc, "posix_fallocate", FunctionDescriptor.of(INT, INT, LONG, LONG));
        }
        MethodHandle mmap = bind(linker, libc, "mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, LONG, INT, INT, INT, LONG), errno);
        MethodHandle munmap = bind(linker, libc, "munmap", FunctionDescriptor.of(INT, ADDRESS, LONG), errno);
        MethodHandle close = bind(linker, libc, "close", FunctionDescriptor.of(INT, INT), errno);
        MethodHandle schedYield = bind(linker, libc, "sched_yield", FunctionDescriptor.of(INT));
        MethodHandle strerror = bind(linker, libc, "strerror", FunctionDescriptor.of(ADDRESS, INT));
        MacWaits macWaits = null;
        if (OS == Os.MACOS && libc.find("os_sync_wait_on_address_with_timeout").isPresent()) {
            // int os_sync_wait_on_address(void *addr, uint64_t value, size_t size, uint32_t flags) and
            // ..._with_timeout(..., os_clockid_t clockid, uint64_t timeout_ns): the timeout is relative;
            // int os_sync_wake_by_address_any/all(void *addr, size_t size, uint32_t flags). The address is passed
            // as a long, as for the futex, so a call allocates no MemorySegment.
            macWaits = new MacWaits(
                    bind(linker, libc, "os_sync_wait_on_address", FunctionDescriptor.of(INT, LONG, LONG, LONG, INT),
                            errno),
                    bind(linker, libc, "os_sync_wait_on_address_with_timeout",
                            FunctionDescriptor.of(INT, LONG, LONG, LONG, INT, INT, LONG), errno),
                    bind(linker, libc, "os_sync_wake_by_address_any", FunctionDescriptor.of(INT, LONG, LONG, INT),
                            errno),
                    bind(linker, libc, "os_sync_wake_by_address_all", FunctionDescriptor.of(INT, LONG, LONG, INT),
                            errno));
        }
        MethodHandle futex = null;
        if (OS == Os.LINUX && SYS_FUTEX > 0) {
            // long syscall(long number, ...): the futex arguments are variadic. The word's address and the
            // timespec pointer are passed as longs so that a call allocates no MemorySegment.
            futex = bind(linker, libc, "syscall",
                    FunctionDescriptor.of(LONG, LONG, LONG, INT, INT, LONG, LONG, INT), errno,
                    Linker.Option.firstVariadicArg(1));
        }
        MethodHandle getpagesize = bind(linker, libc, "getpagesize", FunctionDescriptor.of(INT));
        MethodHandle geteuid = bind(linker, libc, "geteuid", FunctionDescriptor.of(INT));
        int pageSize;
        int euid;
        try {
            pageSize = (int) getpagesize.invokeExact();
            euid = (int) geteuid.invokeExact(); // cannot fail
        } catch (Throwable t) {
            throw new IllegalStateException("getpagesize failed", t);
        }
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalStateException("getpagesize returned " + pageSize);
        }
        String libcName = OS == Os.MACOS ? "libSystem" : glibcVersion(linker, libc);
        String description = osDescription() + ", " + libcName + ", shm_open from " + shmOpenFrom
                + ", page size " + pageSize;
        return new Handles(shmOpen, shmUnlink, ftruncate, lseek, fstat, fchmod, posixFallocate, mmap, munmap, close,
                schedYield, strerror, futex, macWaits, capture, errnoHandle, pageSize, euid, description);
    }

    private static String glibcVersion(Linker linker, SymbolLookup libc) {
        Optional<MemorySegment> sym = libc.find("gnu_get_libc_version");
        if (sym.isEmpty()) {
            return "a libc that is not glibc (no gnu_get_libc_version; musl?)";
        }
        try {
            MethodHandle mh = linker.downcallHandle(sym.get(), FunctionDescriptor.of(ADDRESS));
            MemorySegment p = (MemorySegment) mh.invokeExact();
            return "glibc " + p.reinterpret(64).getString(0);
        } catch (Throwable t) {
            return "glibc (version unknown: " + t + ")";
        }
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd,
                                     Linker.Option... options) {
        MemorySegment sym = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C symbol not found: " + name));
        return linker.downcallHandle(sym, fd, options);
    }

    // ------------------------------------------------------------------ calls

    /**
     * The system page size ({@code getpagesize()}); 4 KiB on x86-64 Linux, 16 KiB on Apple silicon.
     *
     * @return bytes
     */
    public static int pageSize() {
        return h().pageSize();
    }

    /**
     * {@code geteuid()}, read once when this class initialized: the user this process acts as.
     *
     * @return the effective user id
     */
    public static int effectiveUid() {
        return h().euid();
    }

    /**
     * {@code shm_open(name, oflag, mode)}.
     *
     * @param name the POSIX name, with its leading {@code /}
     * @param oflag {@link #O_RDWR}, optionally with {@link #O_CREAT} and {@link #O_EXCL}
     * @param mode permission bits for a new object (the process umask applies)
     * @return the file descriptor
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static int shmOpen(String name, int oflag, int mode) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int fd = (int) h.shmOpen().invokeExact(cs, a.allocateFrom(name), oflag, mode);
            if (fd < 0) {
                throw fail("shm_open", errno(h, cs), "shm_open(\"" + name + "\", " + oflagString(oflag) + ", 0"
                        + Integer.toOctalString(mode) + ")", name, 0);
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code shm_unlink(name)}.
     *
     * @param name the POSIX name, with its leading {@code /}
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static void shmUnlink(String name) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.shmUnlink().invokeExact(cs, a.allocateFrom(name));
            if (rc != 0) {
                throw fail("shm_unlink", errno(h, cs), "shm_unlink(\"" + name + "\")", name, 0);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code ftruncate(fd, length)}, retried on {@code EINTR}.
     *
     * @param fd a descriptor
     * @param length the new size
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static void ftruncate(int fd, long length) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            while (true) {
                int rc = (int) h.ftruncate().invokeExact(cs, fd, length);
                if (rc == 0) {
                    return;
                }
                int e = errno(h, cs);
                if (!"EINTR".equals(PosixErrors.name(e))) {
                    throw fail("ftruncate", e, "ftruncate(fd=" + fd + ", length=" + length + ")", null, length);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Gives a shared-memory object real pages for {@code [0, length)} now ({@code posix_fallocate}), so
     * that writing there later cannot fault for lack of space: the failure comes back as {@code ENOSPC}
     * here instead of as a {@code SIGBUS} on first touch. Linux only; on macOS shared memory is wired
     * when it is truncated, and this does nothing.
     *
     * @param fd a descriptor of a shared-memory object
     * @param length bytes from the start to allocate
     * @throws NativeException with the error and advice
     */
    public static void allocate(int fd, long length) {
        Handles h = h();
        if (h.posixFallocate() == null) {
            return;
        }
        try {
            while (true) {
                int rc = (int) h.posixFallocate().invokeExact(fd, 0L, length);
                if (rc == 0) {
                    return;
                }
                if ("EOPNOTSUPP".equals(PosixErrors.name(rc))) {
                    return; // a file system without fallocate: pages come on first touch, as without this call
                }
                if (!"EINTR".equals(PosixErrors.name(rc))) {
                    throw fail("posix_fallocate", rc, "posix_fallocate(fd=" + fd + ", 0, " + length + ")", null, length);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code fchmod(fd, mode)}: sets the exact permission bits of a new object, which {@code shm_open}
     * filtered through the process umask. Linux only; on macOS does nothing (the umask applies there).
     *
     * @param fd a descriptor
     * @param mode permission bits
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static void fchmod(int fd, int mode) {
        Handles h = h();
        if (h.fchmod() == null) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.fchmod().invokeExact(cs, fd, mode);
            if (rc != 0) {
                throw fail("fchmod", errno(h, cs), "fchmod(fd=" + fd + ", 0" + Integer.toOctalString(mode) + ")", null, 0);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The size of the object behind {@code fd}: {@code lseek(fd, 0, SEEK_END)} on Linux, {@code fstat} on
     * macOS (where the size is rounded up to the page size).
     *
     * @param fd a descriptor
     * @return bytes
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static long objectSize(int fd) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            if (h.lseek() != null) {
                long size = (long) h.lseek().invokeExact(cs, fd, 0L, SEEK_END);
                if (size < 0) {
                    throw fail("lseek", errno(h, cs), "lseek(fd=" + fd + ", 0, SEEK_END)", null, 0);
                }
                return size;
            }
            MemorySegment st = a.allocate(MACOS_STAT_BYTES, 8);
            int rc = (int) h.fstat().invokeExact(cs, fd, st);
            if (rc != 0) {
                throw fail("fstat", errno(h, cs), "fstat(fd=" + fd + ")", null, 0);
            }
            return st.get(LONG, MACOS_ST_SIZE_OFFSET);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Maps {@code length} bytes of a shared-memory object, read-write and shared
     * ({@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)}). The segment belongs to
     * {@code arena}; closing the arena unmaps it, after which accesses throw {@link IllegalStateException}.
     *
     * @param fd a descriptor (may be closed right after)
     * @param length bytes, from offset 0
     * @param arena the arena that owns the mapping (a shared one, for many threads)
     * @return the mapping
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static MemorySegment mmapShared(int fd, long length, Arena arena) {
        return mmap(length, MAP_SHARED, fd, arena);
    }

    /**
     * Maps {@code length} bytes of a shared-memory object like {@link #mmapShared(int, long, Arena)}, placed so
     * that the byte at {@code skew} in the mapping lies at an address that is a multiple of {@code alignment}
     * (say, the backend's data after its header page at a 2 MiB boundary, in every process that maps it).
     * How: reserve {@code length + alignment} bytes of address space ({@code mmap(NULL, ..., PROT_NONE,
     * MAP_PRIVATE|MAP_ANONYMOUS)}), map the object in place at the aligned address inside the reservation
     * ({@code MAP_FIXED}), and give back the head and tail of the reservation ({@code munmap}). A failure at any
     * step unmaps what this call mapped; nothing is shared until it returns.
     *
     * @param fd a descriptor (may be closed right after)
     * @param length bytes, from offset 0
     * @param alignment a power of two, at least the page size
     * @param skew the offset in the mapping that must be aligned, {@code >= 0}
     * @param arena the arena that owns the mapping
     * @return the mapping
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static MemorySegment mmapShared(int fd, long length, long alignment, long skew, Arena arena) {
        return mmapAligned(length, alignment, skew, MAP_SHARED, fd, arena);
    }

    /**
     * Maps private anonymous memory like {@link #mmapAnonymous(long, Arena)}, placed as
     * {@link #mmapShared(int, long, long, long, Arena)} places a shared one.
     *
     * @param length bytes
     * @param alignment a power of two, at least the page size
     * @param skew the offset in the mapping that must be aligned, {@code >= 0}
     * @param arena the owning arena
     * @return the mapping
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static MemorySegment mmapAnonymous(long length, long alignment, long skew, Arena arena) {
        return mmapAligned(length, alignment, skew, MAP_PRIVATE | MAP_ANONYMOUS, -1, arena);
    }

    /**
     * Maps {@code length} bytes of private, zero-filled, anonymous memory
     * ({@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)}); pages fault in
     * on first touch. Closing {@code arena} unmaps it.
     *
     * @param length bytes
     * @param arena the owning arena
     * @return the mapping
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static MemorySegment mmapAnonymous(long length, Arena arena) {
        return mmap(length, MAP_PRIVATE | MAP_ANONYMOUS, -1, arena);
    }

    private static MemorySegment mmap(long length, int flags, int fd, Arena arena) {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length must be > 0: length=" + length);
        }
        long address = mmapAt(0, length, PROT_READ | PROT_WRITE, flags, fd);
        return own(address, length, arena);
    }

    private static MemorySegment mmapAligned(long length, long alignment, long skew, int flags, int fd, Arena arena) {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length must be > 0: length=" + length);
        }
        long page = pageSize();
        if (alignment < page || Long.bitCount(alignment) != 1 || skew < 0 || skew >= length) {
            throw new IllegalArgumentException("alignment must be a power of two >= the page size " + page
                    + " and skew inside the mapping: alignment=" + alignment + ", skew=" + skew + ", length=" + length);
        }
        long reserveLength = Math.addExact(Math.addExact(length, alignment), page - 1) & -page;
        long reserve = mmapAt(0, reserveLength, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
        long start = ((reserve + skew + alignment - 1) & -alignment) - skew; // reserve <= start < reserve + alignment
        long mapped;
        try {
            mapped = mmapAt(start, length, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd);
        } catch (RuntimeException | Error e) {
            munmapQuietly(reserve, reserveLength, e);
            throw e;
        }
        // MAP_FIXED replaced [start, start+length) of the reservation; the head and tail are still PROT_NONE
        long end = (start + length + page - 1) & -page;
        try {
            if (start > reserve) {
                munmap(reserve, start - reserve);
            }
            if (reserve + reserveLength > end) {
                munmap(end, reserve + reserveLength - end);
            }
        } catch (RuntimeException | Error e) {
            munmapQuietly(reserve, reserveLength, e); // the whole range: the mapping and what is left reserved
            throw e;
        }
        return own(mapped, length, arena);
    }

    private static void munmapQuietly(long address, long length, Throwable primary) {
        try {
            munmap(address, length);
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    /** {@code mmap(addr, length, prot, flags, fd, 0)}; returns the address, or throws with errno and advice. */
    private static long mmapAt(long addr, long length, int prot, int flags, int fd) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            MemorySegment p = (MemorySegment) h.mmap().invokeExact(cs, MemorySegment.ofAddress(addr), length, prot,
                    flags, fd, 0L);
            if (p.address() == MAP_FAILED || p.address() == 0) {
                throw fail("mmap", errno(h, cs), "mmap(" + (addr == 0 ? "NULL" : "0x" + Long.toHexString(addr)) + ", "
                        + length + ", " + (prot == PROT_NONE ? "PROT_NONE" : "PROT_READ|PROT_WRITE") + ", "
                        + ((flags & MAP_SHARED) != 0 ? "MAP_SHARED" : "MAP_PRIVATE|MAP_ANONYMOUS")
                        + ((flags & MAP_FIXED) != 0 ? "|MAP_FIXED" : "") + ", " + (fd < 0 ? "-1" : "fd=" + fd) + ", 0)",
                        fd < 0 ? "anonymous" : null, length);
            }
            return p.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The mapping at {@code address} as a segment of {@code arena}, which unmaps it when it closes. */
    private static MemorySegment own(long address, long length, Arena arena) {
        boolean success = false;
        try {
            MemorySegment m = MemorySegment.ofAddress(address).reinterpret(length, arena, s -> munmap(address, length));
            success = true;
            return m;
        } finally {
            if (!success) {
                munmap(address, length); // the arena was already closed: do not leak the mapping
            }
        }
    }

    /**
     * {@code munmap(address, length)}. Normally called by the arena that owns a mapping when it closes.
     *
     * @param address the mapping's start
     * @param length its length
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static void munmap(long address, long length) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.munmap().invokeExact(cs, MemorySegment.ofAddress(address), length);
            if (rc != 0) {
                throw fail("munmap", errno(h, cs), "munmap(0x" + Long.toHexString(address) + ", " + length + ")", null, 0);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code close(fd)}. Not retried on {@code EINTR}: on Linux and macOS the descriptor is released anyway.
     *
     * @param fd a descriptor
     * @throws NativeException with {@code errno}, its name and advice
     */
    public static void close(int fd) {
        Handles h = h();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(h.captureLayout());
            int rc = (int) h.close().invokeExact(cs, fd);
            if (rc != 0 && !"EINTR".equals(PosixErrors.name(errno(h, cs)))) {
                throw fail("close", errno(h, cs), "close(fd=" + fd + ")", null, 0);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code sched_yield()}: gives up the calling OS thread's time slice.
     */
    public static void schedYield() {
        try {
            int rc = (int) h().schedYield().invokeExact();
            assert rc == 0 : "sched_yield returned " + rc; // cannot fail on Linux or macOS
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Tells whether {@link #futexWait} and {@link #futexWake} are bound: Linux on x86-64, AArch64 and RISC-V.
     *
     * @return {@code true} if the futex system call can be made
     */
    public static boolean hasFutex() {
        Handles h = H;
        return h != null && h.futex() != null;
    }

    /**
     * Tells whether {@link #wordWait} and {@link #wordWake} sleep in the kernel, shared across processes: the futex
     * on Linux, {@code os_sync_wait_on_address} with {@code OS_SYNC_WAIT_ON_ADDRESS_SHARED} on macOS 14.4 and later.
     *
     * @return {@code true} if one of them is bound
     */
    public static boolean hasWordWait() {
        Handles h = H;
        return h != null && (h.futex() != null || h.macWaits() != null);
    }

    /**
     * Sleeps while the 32-bit word at {@code address} holds {@code expected}, until a {@link #wordWake} on it from
     * any process, a signal or the timeout: {@link #futexWait} on Linux, {@code os_sync_wait_on_address} on macOS.
     *
     * @param address the word's address, 4-aligned, inside a live shared mapping
     * @param expected the value to sleep on
     * @param timeoutNanos relative timeout; {@code Long.MAX_VALUE} sleeps without one
     * @return {@code false} if the timeout passed, else {@code true} (woken, the word changed, or a signal)
     * @throws NativeException for an error that is not one of those
     */
    public static boolean wordWait(long address, int expected, long timeoutNanos) {
        MacWaits mac = h().macWaits();
        return mac == null ? futexWait(address, expected, timeoutNanos) : macWait(mac, address, expected, timeoutNanos);
    }

    /**
     * Wakes up to {@code count} threads of any process sleeping in {@link #wordWait} on the word at {@code address}
     * (on macOS one or all: a count above 1 wakes all).
     *
     * @param address the word's address, 4-aligned
     * @param count how many to wake, {@code >= 1}
     * @throws NativeException if the call fails
     */
    public static void wordWake(long address, int count) {
        MacWaits mac = h().macWaits();
        if (mac == null) {
            futexWake(address, count);
        } else {
            macWake(mac, address, count);
        }
    }

    /** macOS errno values where they differ from Linux's. */
    private static final int MAC_ETIMEDOUT = 60;
    private static final int ENOENT = 2;
    private static final int EFAULT = 14;
    /** {@code OS_SYNC_WAIT_ON_ADDRESS_SHARED}, {@code OS_SYNC_WAKE_BY_ADDRESS_SHARED}: across processes. */
    private static final int OS_SYNC_SHARED = 1;
    /** {@code OS_CLOCK_MACH_ABSOLUTE_TIME}, the one clock the timeout takes. */
    private static final int OS_CLOCK_MACH_ABSOLUTE_TIME = 32;

    private static boolean macWait(MacWaits mac, long address, int expected, long timeoutNanos) {
        Handles h = h();
        MemorySegment cs = FUTEX_SCRATCH.get().capture();
        try {
            long value = expected & 0xFFFF_FFFFL;
            int rc = timeoutNanos == Long.MAX_VALUE
                    ? (int) mac.waitForever().invokeExact(cs, address, value, 4L, OS_SYNC_SHARED)
                    : (int) mac.waitWithTimeout().invokeExact(cs, address, value, 4L, OS_SYNC_SHARED,
                            OS_CLOCK_MACH_ABSOLUTE_TIME, Math.max(1L, timeoutNanos));
            if (rc >= 0) {
                return true;
            }
            int err = errno(h, cs);
            if (err == MAC_ETIMEDOUT) {
                return false;
            }
            if (err == EFAULT) {
                throw fail("os_sync_wait_on_address", err, "os_sync_wait_on_address(0x" + Long.toHexString(address)
                        + ", " + expected + ", 4, SHARED)", null, 0);
            }
            // EINTR, and anything else (a word that changed before the call is not an error to the caller): it
            // re-checks its word, so the worst a wrong answer here costs is a wait that polls
            return true;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void macWake(MacWaits mac, long address, int count) {
        Handles h = h();
        MemorySegment cs = FUTEX_SCRATCH.get().capture();
        try {
            int rc = count == 1
                    ? (int) mac.wakeAny().invokeExact(cs, address, 4L, OS_SYNC_SHARED)
                    : (int) mac.wakeAll().invokeExact(cs, address, 4L, OS_SYNC_SHARED);
            if (rc < 0) {
                int err = errno(h, cs);
                if (err != ENOENT) { // ENOENT: nobody was waiting
                    throw fail("os_sync_wake_by_address", err, "os_sync_wake_by_address(0x"
                            + Long.toHexString(address) + ", 4, SHARED)", null, 0);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A thread's scratch for futex calls, made once per thread so that a call allocates nothing. */
    private record FutexScratch(MemorySegment timespec, MemorySegment capture) {
        static FutexScratch create() {
            Arena arena = Arena.ofAuto();
            return new FutexScratch(arena.allocate(16, 8), arena.allocate(h().captureLayout()));
        }
    }

    private static final ThreadLocal<FutexScratch> FUTEX_SCRATCH = ThreadLocal.withInitial(FutexScratch::create);

    /**
     * {@code futex(addr, FUTEX_WAIT, expected, timeout)} on a shared (not process-private) futex: sleeps in
     * the kernel while the 32-bit word at {@code address} holds {@code expected}, until a
     * {@link #futexWake} on the same word from any process that maps it, a signal, or the timeout. The
     * kernel keys a shared futex by the page's file and offset, so two mappings of one segment at different
     * addresses meet on the same futex.
     *
     * @param address the word's address, 4-aligned, inside a live mapping
     * @param expected the value to sleep on
     * @param timeoutNanos relative timeout; {@code Long.MAX_VALUE} sleeps without one
     * @return {@code false} if the timeout passed; {@code true} if woken, if the word did not hold
     *         {@code expected} ({@code EAGAIN}) or on a signal ({@code EINTR})
     * @throws NativeException for any other error ({@code EFAULT} for an address that is not mapped)
     */
    public static boolean futexWait(long address, int expected, long timeoutNanos) {
        Handles h = h();
        FutexScratch scratch = FUTEX_SCRATCH.get();
        long ts = 0;
        if (timeoutNanos != Long.MAX_VALUE) {
            scratch.timespec().set(LONG, 0, timeoutNanos / 1_000_000_000L);
            scratch.timespec().set(LONG, 8, timeoutNanos % 1_000_000_000L);
            ts = scratch.timespec().address();
        }
        MemorySegment cs = scratch.capture();
        try {
            long rc = (long) h.futex().invokeExact(cs, SYS_FUTEX, address, FUTEX_WAIT, expected, ts, 0L, 0);
            if (rc == 0) {
                return true;
            }
            int err = errno(h, cs);
            if (err == ETIMEDOUT) {
                return false;
            }
            if (err == EAGAIN || err == EINTR) {
                return true;
            }
            throw fail("futex", err, "futex(0x" + Long.toHexString(address) + ", FUTEX_WAIT, " + expected + ")", null, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code futex(addr, FUTEX_WAKE, count)}: wakes up to {@code count} threads of any process sleeping in
     * {@link #futexWait} on the word at {@code address}.
     *
     * @param address the word's address, 4-aligned
     * @param count how many to wake, {@code >= 1}
     * @return how many were woken
     * @throws NativeException if the call fails
     */
    public static int futexWake(long address, int count) {
        Handles h = h();
        MemorySegment cs = FUTEX_SCRATCH.get().capture();
        try {
            long rc = (long) h.futex().invokeExact(cs, SYS_FUTEX, address, FUTEX_WAKE, count, 0L, 0L, 0);
            if (rc < 0) {
                int err = errno(h, cs);
                throw fail("futex", err, "futex(0x" + Long.toHexString(address) + ", FUTEX_WAKE, " + count + ")", null, 0);
            }
            return (int) rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code strerror(errno)}, copied at once (the buffer may be reused).
     *
     * @param errno an error number
     * @return the C library's text
     */
    public static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) h().strerror().invokeExact(errno);
            if (p.address() == 0) {
                return "unknown error " + errno;
            }
            return p.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "unknown error " + errno + " (strerror failed: " + t + ")";
        }
    }

    private static int errno(Handles h, MemorySegment capture) {
        return (int) h.errno().get(capture, 0L);
    }

    private static String oflagString(int oflag) {
        StringBuilder sb = new StringBuilder((oflag & O_RDWR) != 0 ? "O_RDWR" : "O_RDONLY");
        if ((oflag & O_CREAT) != 0) {
            sb.append("|O_CREAT");
        }
        if ((oflag & O_EXCL) != 0) {
            sb.append("|O_EXCL");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ errors

    /**
     * Builds the exception for a failed call: the call as written, {@code strerror}'s text and advice.
     *
     * @param function the C function
     * @param errno the error number
     * @param call the call with its arguments
     * @param name the shared-memory name involved (with its slash), {@code "anonymous"} for private
     *     mappings, or {@code null}
     * @param size the size involved, or 0
     * @return the exception
     */
    static NativeException fail(String function, int errno, String call, String name, long size) {
        String errName = PosixErrors.name(errno);
        String advice = PosixErrors.advice(function, errName, name, size);
        return new NativeException(function, errno, errName, call + ": " + strerror(errno)
                + (advice.isEmpty() ? "" : " - " + advice));
    }

    private static RuntimeException rethrow(Throwable t) {
        return NativeAccess.rethrow(t);
    }
}
