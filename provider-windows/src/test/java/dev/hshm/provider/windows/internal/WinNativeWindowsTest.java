package dev.hshm.provider.windows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real kernel32 calls and the Win32 facts the backends rely on (Windows only): last errors are captured,
 * an existing name reports {@code ERROR_ALREADY_EXISTS}, a name disappears with its last handle, and
 * {@code VirtualQuery} sizes a view in whole pages. Off Windows the same logic runs against mocks and
 * {@code SimulatedWinApi}, which follow these facts.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "real kernel32 calls; off Windows the backends run against mocks"
        + " (WindowsShmMmapTest, WindowsMmapTest) and SimulatedWinApi, which follow the facts checked here")
class WinNativeWindowsTest {

    private final WinApi api = NativeWinApi.INSTANCE;

    private static String uniqueObjectName() {
        return "Local\\" + ShmTestNames.unique("hshmk32");
    }

    @Test
    void kernel32IsBoundAndAgreesWithTheJdkOnThePid() {
        assertTrue(WinNative.support().supported(), WinNative.support().reason());
        assertTrue(WinNative.libraryLoadAttempted());
        assertEquals(ProcessHandle.current().pid(), Integer.toUnsignedLong(api.getCurrentProcessId()));
    }

    @Test
    void openingAMissingNameCapturesErrorFileNotFound() {
        WinResult r = api.openFileMapping(WinApi.FILE_MAP_ALL_ACCESS, false, uniqueObjectName());
        assertTrue(r.failed());
        assertEquals(WinErrors.ERROR_FILE_NOT_FOUND, r.error());
        String text = api.formatMessage(r.error());
        assertNotNull(text);
        assertFalse(text.endsWith("\n"));
    }

    @Test
    void creatingAnExistingNameSucceedsWithErrorAlreadyExistsAndTheNameDiesWithTheLastHandle() {
        String name = uniqueObjectName();
        WinResult first = api.createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE, 0, 65536, name);
        assertFalse(first.failed(), WinErrors.name(first.error()));
        assertEquals(WinErrors.ERROR_SUCCESS, first.error());
        WinResult second = api.createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE, 0, 65536, name);
        assertFalse(second.failed());
        assertEquals(WinErrors.ERROR_ALREADY_EXISTS, second.error());
        assertFalse(api.closeHandle(second.value()).failed());
        assertFalse(api.closeHandle(first.value()).failed());
        assertEquals(WinErrors.ERROR_FILE_NOT_FOUND, api.openFileMapping(WinApi.FILE_MAP_ALL_ACCESS, false, name).error());
    }

    @Test
    void virtualQueryOfAWholeViewReportsTheObjectSizeRoundedToPages() {
        String name = uniqueObjectName();
        long size = 3 * 4096 + 123;
        WinResult h = api.createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE, 0, (int) size, name);
        assertFalse(h.failed());
        WinResult v = api.mapViewOfFile(h.value(), WinApi.FILE_MAP_ALL_ACCESS, 0, 0, 0);
        assertFalse(v.failed(), WinErrors.name(v.error()));
        MemoryBasicInformation info = api.virtualQuery(v.value());
        assertFalse(info.failed());
        assertEquals(v.value(), info.baseAddress());
        assertEquals(v.value(), info.allocationBase());
        assertEquals(4 * 4096, info.regionSize());
        assertEquals(WinApi.MEM_COMMIT, info.state());
        assertEquals(WinApi.MEM_MAPPED, info.type());
        assertEquals(WinApi.PAGE_READWRITE, info.protect());
        assertFalse(api.unmapViewOfFile(v.value()).failed());
        assertFalse(api.closeHandle(h.value()).failed());
    }

    @Test
    void virtualAllocGivesZeroedGranularityAlignedMemoryThatVirtualFreeReleases() {
        WinResult r = api.virtualAlloc(0, 1 << 20, WinApi.MEM_RESERVE | WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE);
        assertFalse(r.failed(), WinErrors.name(r.error()));
        assertEquals(0, r.value() % 65536);
        try (Arena scope = Arena.ofConfined()) {
            MemorySegment s = WinNative.segment(r.value(), 1 << 20, scope);
            assertEquals(0L, s.get(ValueLayout.JAVA_LONG, (1 << 20) - 8));
            s.set(ValueLayout.JAVA_LONG, 0, 99L);
        }
        assertFalse(api.virtualFree(r.value(), 0, WinApi.MEM_RELEASE).failed());
        WinResult twice = api.virtualFree(r.value(), 0, WinApi.MEM_RELEASE);
        assertTrue(twice.failed());
        assertNotEquals(0, twice.error());
    }

    @Test
    void threadsHaveDistinctIdsAndYieldingAndSleepingReturn() throws Exception {
        int mine = api.getCurrentThreadId();
        int[] other = new int[1];
        Thread t = Thread.ofPlatform().start(() -> other[0] = api.getCurrentThreadId());
        t.join();
        assertNotEquals(mine, other[0]);
        api.switchToThread();
        long t0 = System.nanoTime();
        api.sleep(2);
        assertTrue(System.nanoTime() - t0 >= 1_000_000L);
    }
}
