package dev.hshm.provider.rocm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.NativeException;
import dev.hshm.api.spi.Support;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link HipNative} against the real {@code libamdhip64}: loaded and called where it is installed (Debian's
 * {@code libamdhip64-5} here and in CI; with no AMD GPU it answers that there is no device), reported missing with
 * the install advice where it is not. Which case ran is printed. Whether the library is present is decided here
 * independently of {@code HipNative}, by asking the dynamic loader directly.
 */
@EnabledOnOs(OS.LINUX)
class HipNativeTest {

    /** The library as the dynamic loader finds it, independently of HipNative; empty if none loads. */
    private static Optional<String> installedLibrary() {
        for (String name : HipNative.configuredLibraries()) {
            try {
                SymbolLookup.libraryLookup(name, Arena.global()); // never unloaded: HipNative shares it
                return Optional.of(name);
            } catch (IllegalArgumentException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static boolean kfdExists() {
        return Files.exists(Path.of("/dev/kfd"));
    }

    @Test
    void theRealLibraryIsCalledWhereInstalledAndReportedMissingWhereNot() {
        Optional<String> installed = installedLibrary();
        Support s = HipNative.support();
        if (installed.isEmpty()) {
            System.out.println("[HipNativeTest] case: libamdhip64 NOT installed -> " + s);
            assertFalse(s.supported());
            assertTrue(s.reason().startsWith("libamdhip64 not found (install libamdhip64-5 / ROCm)"), s.reason());
            assertTrue(HipNative.loaded().isEmpty());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, HipNative::require);
            assertTrue(e.getMessage().contains(s.reason()), e.getMessage());
            return;
        }
        HipNative rt = HipNative.loaded().orElseThrow(
                () -> new AssertionError(installed.get() + " loads, but HipNative did not bind it: " + s));
        assertEquals(installed.get(), rt.library());
        int count;
        try {
            count = rt.deviceCount();
        } catch (NativeException e) {
            System.out.println("[HipNativeTest] case: " + rt.library() + " installed, no usable device: "
                    + e.getMessage() + " -> " + s);
            assertEquals("hipGetDeviceCount", e.function());
            if (!kfdExists()) {
                assertEquals(100, e.errorCode(), "without /dev/kfd there is no AMD GPU");
                assertEquals("hipErrorNoDevice", e.errorName(), "the name the library gives code 100");
            }
            assertFalse(s.supported());
            String expected = e.errorCode() == 100
                    ? "no AMD GPU: hipGetDeviceCount returned " + e.errorName() + " (100) - " + rt.library()
                    : "the HIP runtime cannot be used: hipGetDeviceCount returned " + e.errorName();
            assertTrue(s.reason().startsWith(expected), s.reason());
            assertThrows(UnsupportedOperationException.class, HipNative::require);
            return;
        }
        System.out.println("[HipNativeTest] case: " + rt.library() + " installed, " + count + " device(s) -> " + s);
        assertTrue(count > 0);
        assertTrue(s.supported(), s.reason());
        assertTrue(s.reason().contains(count + (count == 1 ? " device" : " devices")), s.reason());
        assertSame(rt, HipNative.require());
    }

    @Test
    void supportIsComputedOnce() {
        assertSame(HipNative.support(), HipNative.support());
    }

    @Test
    void aMissingLibraryIsReportedNotFoundWithTheInstallAdvice() {
        HipNative.Probe p = HipNative.probe(List.of("libamdhip64.so.missing-for-test", "/nonexistent/libamdhip64.so"));
        System.out.println("[HipNativeTest] missing library -> " + p.support());
        assertNull(p.runtime());
        assertFalse(p.support().supported());
        String r = p.support().reason();
        assertTrue(r.startsWith("libamdhip64 not found (install libamdhip64-5 / ROCm)"), r);
        assertTrue(r.contains("libamdhip64.so.missing-for-test") && r.contains("/nonexistent/libamdhip64.so"), r);
        assertTrue(r.contains("-Dhshm.rocm.library"), r);
    }

    @Test
    void aLibraryWithoutTheHipFunctionsIsRejectedNamingTheMissingSymbol() {
        HipNative.Probe p = HipNative.probe(List.of("libamdhip64.so.missing-for-test", "libc.so.6"));
        assertNull(p.runtime());
        assertFalse(p.support().supported());
        assertEquals("libc.so.6 was loaded but is not a HIP runtime this provider can use: symbol hipGetDeviceCount"
                + " is missing from libc.so.6", p.support().reason());
    }

    @Test
    void thePropertyReplacesTheDefaultLibraryList() {
        String old = System.getProperty(HipNative.LIBRARY_PROPERTY);
        try {
            System.setProperty(HipNative.LIBRARY_PROPERTY, " /opt/x/libamdhip64.so , libamdhip64.so.9 ,");
            assertEquals(List.of("/opt/x/libamdhip64.so", "libamdhip64.so.9"), HipNative.configuredLibraries());
            System.setProperty(HipNative.LIBRARY_PROPERTY, " ");
            assertEquals(HipNative.DEFAULT_LIBRARIES, HipNative.configuredLibraries());
        } finally {
            if (old == null) {
                System.clearProperty(HipNative.LIBRARY_PROPERTY);
            } else {
                System.setProperty(HipNative.LIBRARY_PROPERTY, old);
            }
        }
        assertEquals("libamdhip64.so.5", HipNative.DEFAULT_LIBRARIES.getFirst(), "Debian's libamdhip64-5 first");
    }

    @Test
    void theAdviceConstantsAreTheCodesTheLibraryNames() {
        HipNative rt = loadedOrSkip();
        Map<Integer, String> expected = Map.of(
                HipErrors.SUCCESS, "hipSuccess",
                HipErrors.INVALID_VALUE, "hipErrorInvalidValue",
                HipErrors.OUT_OF_MEMORY, "hipErrorOutOfMemory",
                HipErrors.NOT_INITIALIZED, "hipErrorNotInitialized",
                HipErrors.INSUFFICIENT_DRIVER, "hipErrorInsufficientDriver",
                HipErrors.NO_DEVICE, "hipErrorNoDevice",
                HipErrors.INVALID_DEVICE, "hipErrorInvalidDevice",
                HipErrors.HOST_MEMORY_ALREADY_REGISTERED, "hipErrorHostMemoryAlreadyRegistered",
                HipErrors.HOST_MEMORY_NOT_REGISTERED, "hipErrorHostMemoryNotRegistered",
                HipErrors.NOT_SUPPORTED, "hipErrorNotSupported");
        expected.forEach((code, name) -> assertEquals(name, rt.errorName(code), "hipGetErrorName(" + code + ")"));
    }

    @Test
    void theRuntimeVersionIsReadAndNamedInTheReason() {
        HipNative rt = loadedOrSkip();
        int v = rt.runtimeVersion();
        assertTrue(v > 0, "hipRuntimeGetVersion: " + v);
        String version = "HIP " + (v / 10_000_000) + "." + (v / 100_000 % 100) + "." + (v % 100_000);
        assertTrue(HipNative.support().reason().contains(rt.library() + " (" + version + ")"),
                HipNative.support().reason());
    }

    @Test
    void withoutADeviceEveryCallFailsWithTheLibrarysOwnErrorAndNoCrash() {
        HipNative rt = loadedOrSkip();
        assumeFalse(HipNative.support().supported(), "a device is present");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pages = arena.allocate(8192, 4096);
            long a = pages.address();
            NativeException reg = expectHipError("hipHostRegister", rt,
                    () -> rt.hostRegister(a, 8192, RocmShmMmap.REGISTER_FLAGS));
            assertTrue(reg.getMessage().contains("hipHostRegister(0x" + Long.toHexString(a)
                    + ", 8192, hipHostRegisterPortable|hipHostRegisterMapped)"), reg.getMessage());
            if (reg.errorCode() == HipErrors.INVALID_DEVICE) {
                assertTrue(reg.getMessage().contains("no such device"), "advice: " + reg.getMessage());
            }
            expectHipError("hipHostGetDevicePointer", rt, () -> rt.hostGetDevicePointer(a));
            expectHipError("hipHostUnregister", rt, () -> rt.hostUnregister(a));
            pages.set(ValueLayout.JAVA_LONG, 0, 42L); // the memory is untouched and ours
            assertEquals(42L, pages.get(ValueLayout.JAVA_LONG, 0));
        }
        expectHipError("hipSetDevice", rt, () -> rt.setDevice(0));
        expectHipError("hipGetDevice", rt, rt::getDevice);
        expectHipError("hipStreamCreate", rt, rt::streamCreate);
    }

    @Test
    void registerFlagsAreSpelledAsInTheHeader() {
        assertEquals("hipHostRegisterPortable|hipHostRegisterMapped", HipNative.registerFlags(3));
        assertEquals("hipHostRegisterDefault", HipNative.registerFlags(0));
        assertEquals("hipHostRegisterMapped|0x10", HipNative.registerFlags(0x12));
    }

    private static NativeException expectHipError(String function, HipNative rt, Executable call) {
        NativeException e = assertThrows(NativeException.class, call, function);
        assertEquals(function, e.function());
        assertTrue(e.errorCode() != 0, e.getMessage());
        assertEquals(rt.errorName(e.errorCode()), e.errorName());
        assertTrue(e.errorName().startsWith("hipError"), e.errorName());
        assertTrue(e.getMessage().startsWith(function + " failed: " + e.errorName() + " (" + e.errorCode() + "): "),
                e.getMessage());
        return e;
    }

    private static HipNative loadedOrSkip() {
        Optional<HipNative> rt = HipNative.loaded();
        assumeTrue(rt.isPresent(), "libamdhip64 is not installed: " + HipNative.support().reason());
        return rt.get();
    }
}
