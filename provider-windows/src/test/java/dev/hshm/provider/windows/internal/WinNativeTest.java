package dev.hshm.provider.windows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.spi.Support;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

/** The binding off Windows: a reason from the system properties, refusals, and no library lookup, ever. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "checks the behaviour off Windows; WinNativeWindowsTest covers Windows")
class WinNativeTest {

    @Test
    void supportSaysNotWindowsAndNamesTheOsVersionAndArchitecture() {
        Support s = WinNative.support();
        assertFalse(s.supported());
        assertEquals("not Windows: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"), s.reason());
        assertFalse(WinNative.isWindows());
        assertFalse(WinNative.libraryLoadAttempted());
    }

    @Test
    void everyCallThrowsTheReasonAndNeverLooksUpKernel32() {
        WinApi api = NativeWinApi.INSTANCE;
        List<Executable> calls = List.of(
                () -> api.virtualAlloc(0, 4096, WinApi.MEM_RESERVE | WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE),
                () -> api.virtualFree(0x10000, 0, WinApi.MEM_RELEASE),
                () -> api.virtualQuery(0x10000),
                () -> api.createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE, 0, 8192, "Local\\x"),
                () -> api.openFileMapping(WinApi.FILE_MAP_ALL_ACCESS, false, "Local\\x"),
                () -> api.mapViewOfFile(4, WinApi.FILE_MAP_ALL_ACCESS, 0, 0, 0),
                () -> api.unmapViewOfFile(0x10000),
                () -> api.closeHandle(4),
                api::getCurrentProcessId,
                api::getCurrentThreadId,
                api::switchToThread,
                () -> api.sleep(1),
                () -> api.formatMessage(2));
        for (Executable call : calls) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call);
            assertTrue(e.getMessage().startsWith("kernel32 is not available: not Windows: "), e.getMessage());
        }
        assertFalse(WinNative.libraryLoadAttempted(), "no call may look up kernel32 off Windows");
    }

    @Test
    void segmentsAreScopedByTheirArenaWithoutAnyNativeLibrary() {
        try (Arena memory = Arena.ofConfined()) {
            MemorySegment block = memory.allocate(64);
            Arena scope = Arena.ofShared();
            MemorySegment s = WinNative.segment(block.address(), 64, scope);
            s.set(ValueLayout.JAVA_LONG, 56, 7L);
            assertEquals(7L, block.get(ValueLayout.JAVA_LONG, 56));
            scope.close();
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(7L, block.get(ValueLayout.JAVA_LONG, 56), "closing the scope does not free the memory");
        }
        assertFalse(WinNative.libraryLoadAttempted());
    }

    @Test
    void theNativeAccessFlagNamesThisModule() {
        Module m = WinNative.class.getModule();
        assertEquals(m.isNamed() ? "dev.hshm.provider.windows" : "ALL-UNNAMED", WinNative.moduleFlag());
    }
}
