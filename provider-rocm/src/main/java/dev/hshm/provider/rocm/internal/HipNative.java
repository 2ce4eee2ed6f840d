package dev.hshm.provider.rocm.internal;

import dev.hshm.api.NativeException;
import dev.hshm.api.spi.NativeAccess;
import dev.hshm.api.spi.Support;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The HIP runtime functions this module calls, bound through {@code java.lang.foreign} on {@code libamdhip64}:
 * the one place in the module where native functions are bound. The downcall handles are resolved once and
 * named after their C symbols: {@code hipGetDeviceCount}, {@code hipGetDevice}, {@code hipSetDevice},
 * {@code hipHostRegister}, {@code hipHostUnregister}, {@code hipHostGetDevicePointer}, {@code hipStreamCreate},
 * {@code hipStreamDestroy}, {@code hipRuntimeGetVersion} (to describe what was found), {@code hipGetErrorName}
 * and {@code hipGetErrorString}.
 *
 * <p><b>Finding the library.</b> {@code SymbolLookup.libraryLookup} (the dynamic loader's search: {@code
 * LD_LIBRARY_PATH}, {@code ld.so.cache}) tries, in order, {@link #DEFAULT_LIBRARIES}: {@code libamdhip64.so.5}
 * (Debian and Ubuntu's {@code libamdhip64-5}, HIP 5.x), {@code libamdhip64.so} (a development symlink, or a ROCm
 * install on the loader's path), {@code libamdhip64.so.6} and {@code .so.7} (ROCm 6 and 7), and
 * {@code /opt/rocm/lib/libamdhip64.so} (ROCm's default prefix, often not on the loader's path). The C
 * signatures of the functions above are the same in all of them. {@code -Dhshm.rocm.library=NAME[,NAME...]}
 * replaces that list (a soname or an absolute path), for a ROCm installed elsewhere. The library is loaded into
 * the global arena and never unloaded.
 *
 * <p><b>Support.</b> {@link #support()} is computed once, on first use: the library is missing
 * ({@value #NOT_FOUND}), or native access is denied ({@code --enable-native-access=dev.hshm.provider.rocm}),
 * or the runtime sees no device ({@code "no AMD GPU: hipGetDeviceCount returned hipErrorNoDevice (100) ..."}: the
 * code and name the library reported), or it describes what was found ({@code "libamdhip64.so.5 (HIP
 * 5.2.21153), 2 devices"}). Nothing here throws a linkage error: every failure to load or bind ends up in that
 * reason.
 *
 * <p><b>Errors</b> are translated once, here: a call that returns anything but {@code hipSuccess} throws
 * {@link NativeException} with the function, the {@code hipError_t} code, the name {@code hipGetErrorName} gives
 * it, the call with its arguments, {@code hipGetErrorString}'s text when it says more than the name, and advice
 * ({@link HipErrors#advice}).
 */
@SuppressWarnings("restricted")
public final class HipNative implements HipApi {

    /** The system property that replaces {@link #DEFAULT_LIBRARIES}: comma-separated sonames or paths. */
    public static final String LIBRARY_PROPERTY = "hshm.rocm.library";

    /** The libraries tried, in order, when {@link #LIBRARY_PROPERTY} is not set. */
    public static final List<String> DEFAULT_LIBRARIES = List.of("libamdhip64.so.5", "libamdhip64.so",
            "libamdhip64.so.6", "libamdhip64.so.7", "/opt/rocm/lib/libamdhip64.so");

    /** The start of the reason when no library could be loaded. */
    public static final String NOT_FOUND = "libamdhip64 not found (install libamdhip64-5 / ROCm)";

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final AddressLayout ADDRESS = ValueLayout.ADDRESS;
    /** The longest error name or text read back from the runtime. */
    private static final long MAX_MESSAGE_BYTES = 4096;

    /** The bound functions; a record so that its fields are trusted as constants. */
    private record Handles(MethodHandle hipGetDeviceCount, MethodHandle hipGetDevice, MethodHandle hipSetDevice,
                           MethodHandle hipHostRegister, MethodHandle hipHostUnregister,
                           MethodHandle hipHostGetDevicePointer, MethodHandle hipStreamCreate,
                           MethodHandle hipStreamDestroy, MethodHandle hipRuntimeGetVersion,
                           MethodHandle hipGetErrorName, MethodHandle hipGetErrorString) {
    }

    /**
     * What probing for the runtime found.
     *
     * @param runtime the bound library, or {@code null} if none could be loaded
     * @param support whether the ROCm providers work here, and why not
     * @param deviceCount devices the runtime reported (0 when it reported none, or an error)
     */
    record Probe(HipNative runtime, Support support, int deviceCount) {
        Probe {
            Objects.requireNonNull(support, "support");
        }
    }

    private static final class Default {
        static final Probe PROBE = probe(configuredLibraries());
    }

    private final Handles h;
    private final String library;

    private HipNative(Handles h, String library) {
        this.h = h;
        this.library = library;
    }

    // ------------------------------------------------------------------ availability

    /**
     * Whether the ROCm providers work in this process, and if not why. Computed once (the first call loads the
     * library and asks it for its devices).
     *
     * @return the support
     */
    public static Support support() {
        return Default.PROBE.support();
    }

    /**
     * The bound runtime, if {@code libamdhip64} could be loaded, even when it sees no device (its calls then
     * fail with the runtime's own errors).
     *
     * @return the runtime, or empty if the library is missing or native access is denied
     */
    public static Optional<HipNative> loaded() {
        return Optional.ofNullable(Default.PROBE.runtime());
    }

    /**
     * The runtime, for providers that checked {@link #support()}.
     *
     * @return the runtime
     * @throws UnsupportedOperationException with the reason if ROCm is not usable here
     */
    public static HipNative require() {
        Probe p = Default.PROBE;
        if (!p.support().supported() || p.runtime() == null) {
            throw new UnsupportedOperationException("ROCm is not usable here: " + p.support().reason());
        }
        return p.runtime();
    }

    /**
     * The libraries {@link #probe} tries by default: {@link #LIBRARY_PROPERTY} if set, else
     * {@link #DEFAULT_LIBRARIES}.
     *
     * @return the names, in order
     */
    static List<String> configuredLibraries() {
        String prop = System.getProperty(LIBRARY_PROPERTY);
        if (prop == null || prop.isBlank()) {
            return DEFAULT_LIBRARIES;
        }
        List<String> names = Arrays.stream(prop.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return names.isEmpty() ? DEFAULT_LIBRARIES : names;
    }

    /**
     * Loads the first of {@code candidates} that the dynamic loader can open, binds the functions and asks for
     * the devices. Never throws (bar a {@link VirtualMachineError}): every failure becomes the reason.
     *
     * @param candidates sonames or paths, tried in order
     * @return what was found
     */
    static Probe probe(List<String> candidates) {
        try {
            String platform = unsupportedPlatform();
            if (platform != null) {
                return new Probe(null, Support.no(platform), 0);
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup lookup = null;
            String found = null;
            List<String> failures = new ArrayList<>();
            for (String name : candidates) {
                try {
                    lookup = SymbolLookup.libraryLookup(name, Arena.global());
                    found = name;
                    break;
                } catch (IllegalArgumentException e) {
                    failures.add(name);
                }
            }
            if (lookup == null) {
                return new Probe(null, Support.no(NOT_FOUND + ": the dynamic loader found none of " + failures
                        + " (-D" + LIBRARY_PROPERTY + "=PATH names another)"), 0);
            }
            HipNative rt;
            try {
                rt = new HipNative(bindAll(linker, lookup, found), found);
            } catch (MissingSymbolException e) {
                return new Probe(null, Support.no(found + " was loaded but is not a HIP runtime this provider can use: "
                        + e.getMessage()), 0);
            }
            return probeDevices(rt);
        } catch (IllegalCallerException e) {
            return new Probe(null, Support.no(NativeAccess.denied(HipNative.class, e)), 0);
        } catch (Throwable t) {
            NativeAccess.rethrowIfFatal(t);
            return new Probe(null, Support.no("the HIP runtime could not be bound: " + t), 0);
        }
    }

    private static Probe probeDevices(HipNative rt) {
        String what = rt.library + " (" + rt.describeVersion() + ")";
        int count;
        try {
            count = rt.deviceCount();
        } catch (NativeException e) {
            String reason = e.errorCode() == HipErrors.NO_DEVICE
                    ? "no AMD GPU: hipGetDeviceCount returned " + e.errorName() + " (" + e.errorCode() + ") - " + what
                            + " is installed, but no device is visible to this process; " + HipErrors.NO_DEVICE_ADVICE
                    : "the HIP runtime cannot be used: hipGetDeviceCount returned " + e.errorName() + " ("
                            + e.errorCode() + ") - " + what + ": " + e.getMessage();
            return new Probe(rt, Support.no(reason), 0);
        }
        if (count <= 0) {
            return new Probe(rt, Support.no("no AMD GPU: hipGetDeviceCount reported " + count + " devices - " + what
                    + " is installed; " + HipErrors.NO_DEVICE_ADVICE), 0);
        }
        return new Probe(rt, Support.yes(what + ", " + count + (count == 1 ? " device" : " devices")
                + NativeAccess.note(HipNative.class)), count);
    }

    private String describeVersion() {
        try {
            int v = runtimeVersion();
            return "HIP " + (v / 10_000_000) + "." + (v / 100_000 % 100) + "." + (v % 100_000);
        } catch (NativeException e) {
            return "HIP version unknown: " + e.errorName();
        }
    }

    private static String unsupportedPlatform() {
        String os = System.getProperty("os.name", "unknown");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "ROCm shared memory is supported on Linux only (this is " + os + ")";
        }
        if (ADDRESS.byteSize() != 8) {
            return "32-bit JVM: ROCm needs a 64-bit process";
        }
        return null;
    }

    /**
     * The {@code --enable-native-access} value that names this module: its name on the module path,
     * {@code ALL-UNNAMED} on the class path and in OSGi bundles.
     *
     * @return the flag's value
     */
    public static String moduleFlag() {
        return NativeAccess.moduleFlag(HipNative.class);
    }


    /** A function the loaded library lacks. */
    private static final class MissingSymbolException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingSymbolException(String message) {
            super(message, null, false, false);
        }
    }

    private static Handles bindAll(Linker linker, SymbolLookup lib, String name) throws MissingSymbolException {
        return new Handles(
                bind(linker, lib, name, "hipGetDeviceCount", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipGetDevice", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipSetDevice", FunctionDescriptor.of(INT, INT)),
                bind(linker, lib, name, "hipHostRegister", FunctionDescriptor.of(INT, ADDRESS, LONG, INT)),
                bind(linker, lib, name, "hipHostUnregister", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipHostGetDevicePointer", FunctionDescriptor.of(INT, ADDRESS, ADDRESS, INT)),
                bind(linker, lib, name, "hipStreamCreate", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipStreamDestroy", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipRuntimeGetVersion", FunctionDescriptor.of(INT, ADDRESS)),
                bind(linker, lib, name, "hipGetErrorName", FunctionDescriptor.of(ADDRESS, INT)),
                bind(linker, lib, name, "hipGetErrorString", FunctionDescriptor.of(ADDRESS, INT)));
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String library, String symbol,
                                     FunctionDescriptor fd) throws MissingSymbolException {
        MemorySegment address = lib.find(symbol)
                .orElseThrow(() -> new MissingSymbolException("symbol " + symbol + " is missing from " + library));
        return linker.downcallHandle(address, fd);
    }

    // ------------------------------------------------------------------ the calls

    /**
     * The library this runtime was loaded from, as it was named.
     *
     * @return e.g. {@code libamdhip64.so.5}
     */
    public String library() {
        return library;
    }

    @Override
    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(INT);
            int rc = (int) h.hipGetDeviceCount().invokeExact(count);
            check(rc, "hipGetDeviceCount", "hipGetDeviceCount(&count)", 0);
            return count.get(INT, 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public int getDevice() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment device = a.allocate(INT);
            int rc = (int) h.hipGetDevice().invokeExact(device);
            check(rc, "hipGetDevice", "hipGetDevice(&device)", 0);
            return device.get(INT, 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public void setDevice(int device) {
        try {
            int rc = (int) h.hipSetDevice().invokeExact(device);
            check(rc, "hipSetDevice", "hipSetDevice(" + device + ")", 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public void hostRegister(long address, long bytes, int flags) {
        try {
            int rc = (int) h.hipHostRegister().invokeExact(MemorySegment.ofAddress(address), bytes, flags);
            check(rc, "hipHostRegister", "hipHostRegister(0x" + Long.toHexString(address) + ", " + bytes + ", "
                    + registerFlags(flags) + ")", bytes);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public void hostUnregister(long address) {
        try {
            int rc = (int) h.hipHostUnregister().invokeExact(MemorySegment.ofAddress(address));
            check(rc, "hipHostUnregister", "hipHostUnregister(0x" + Long.toHexString(address) + ")", 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public long hostGetDevicePointer(long address) {
        String call = "hipHostGetDevicePointer(&devicePointer, 0x" + Long.toHexString(address) + ", 0)";
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) h.hipHostGetDevicePointer().invokeExact(out, MemorySegment.ofAddress(address), 0);
            check(rc, "hipHostGetDevicePointer", call, 0);
            long device = out.get(ADDRESS, 0).address();
            if (device == 0) {
                throw new NativeException("hipHostGetDevicePointer", rc, errorName(rc), call
                        + " succeeded but returned a NULL device pointer (was the range registered with"
                        + " hipHostRegisterMapped?)");
            }
            return device;
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public long streamCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) h.hipStreamCreate().invokeExact(out);
            check(rc, "hipStreamCreate", "hipStreamCreate(&stream)", 0);
            long stream = out.get(ADDRESS, 0).address();
            if (stream == 0) {
                throw new NativeException("hipStreamCreate", rc, errorName(rc),
                        "hipStreamCreate(&stream) succeeded but returned a NULL stream");
            }
            return stream;
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public void streamDestroy(long stream) {
        try {
            int rc = (int) h.hipStreamDestroy().invokeExact(MemorySegment.ofAddress(stream));
            check(rc, "hipStreamDestroy", "hipStreamDestroy(0x" + Long.toHexString(stream) + ")", 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public int runtimeVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment version = a.allocate(INT);
            int rc = (int) h.hipRuntimeGetVersion().invokeExact(version);
            check(rc, "hipRuntimeGetVersion", "hipRuntimeGetVersion(&version)", 0);
            return version.get(INT, 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    @Override
    public String errorName(int code) {
        return text(h.hipGetErrorName(), code, "hipError" + code);
    }

    /**
     * {@code hipGetErrorString(code)}.
     *
     * @param code a {@code hipError_t}
     * @return the runtime's description (HIP 5 returns the name again)
     */
    public String errorString(int code) {
        return text(h.hipGetErrorString(), code, "");
    }

    private static String text(MethodHandle fn, int code, String fallback) {
        try {
            MemorySegment p = (MemorySegment) fn.invokeExact(code);
            if (p.address() == 0) {
                return fallback;
            }
            return p.reinterpret(MAX_MESSAGE_BYTES).getString(0);
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            return fallback; // no NUL within MAX_MESSAGE_BYTES: not a string the runtime could mean
        }
    }

    @Override
    public String toString() {
        return "HipNative[" + library + "]";
    }

    // ------------------------------------------------------------------ errors

    private void check(int rc, String function, String call, long bytes) {
        if (rc != HipErrors.SUCCESS) {
            throw fail(function, rc, call, bytes);
        }
    }

    /**
     * Builds the exception for a failed call: the call as written, the runtime's text when it says more than the
     * name, and advice.
     *
     * @param function the C function
     * @param code the {@code hipError_t} it returned
     * @param call the call with its arguments
     * @param bytes the size involved, or 0
     * @return the exception
     */
    NativeException fail(String function, int code, String call, long bytes) {
        String name = errorName(code);
        String text = errorString(code);
        String advice = HipErrors.advice(function, code, bytes);
        return new NativeException(function, code, name, call + (text.isEmpty() || text.equals(name) ? "" : ": " + text)
                + (advice.isEmpty() ? "" : " - " + advice));
    }

    /**
     * Spells {@code hipHostRegister} flags the way the header does.
     *
     * @param flags the flags
     * @return e.g. {@code hipHostRegisterPortable|hipHostRegisterMapped}
     */
    static String registerFlags(int flags) {
        if (flags == 0) {
            return "hipHostRegisterDefault";
        }
        List<String> parts = new ArrayList<>();
        int rest = flags;
        if ((rest & HOST_REGISTER_PORTABLE) != 0) {
            parts.add("hipHostRegisterPortable");
            rest &= ~HOST_REGISTER_PORTABLE;
        }
        if ((rest & HOST_REGISTER_MAPPED) != 0) {
            parts.add("hipHostRegisterMapped");
            rest &= ~HOST_REGISTER_MAPPED;
        }
        if (rest != 0) {
            parts.add("0x" + Integer.toHexString(rest));
        }
        return String.join("|", parts);
    }

}
