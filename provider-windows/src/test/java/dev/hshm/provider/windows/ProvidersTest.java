package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.windows.internal.WinNative;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

/** Discovery, support reasons, refusal off Windows and module metadata. */
class ProvidersTest {

    private static List<NamedProvider> providers() {
        return List.of(new WindowsMmapProvider(), new WindowsShmMmapProvider(), new WindowsThreadModelProvider());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void offWindowsEveryProviderIsUnsupportedNamingTheOsAndNothingIsLoaded() {
        String os = System.getProperty("os.name");
        for (NamedProvider p : providers()) {
            Support s = p.support();
            assertFalse(s.supported(), p + ": " + s);
            assertTrue(s.reason().startsWith("not Windows: " + os), s.reason());
            assertSame(s, p.support(), "computed once");
            assertEquals(WinNative.support().reason(), s.reason(), "the binding's reason, unchanged");
            assertEquals(50, p.priority());
        }
        assertFalse(WinNative.libraryLoadAttempted(), "support() must not look up kernel32 off Windows");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void usingAProviderOffWindowsThrowsTheReasonInsteadOfALinkageError() {
        WindowsShmMmapProvider shm = new WindowsShmMmapProvider();
        WindowsMmapProvider mmap = new WindowsMmapProvider();
        WindowsThreadModelProvider threads = new WindowsThreadModelProvider();
        List<Executable> uses = List.of(
                () -> shm.create(MemoryBackendId.get(1), 4096, "n", BackendOptions.DEFAULT),
                () -> shm.attach("n"),
                () -> shm.unlink("n"),
                () -> mmap.create(MemoryBackendId.get(1), 4096, null, BackendOptions.DEFAULT),
                threads::create);
        for (Executable use : uses) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, use);
            assertTrue(e.getMessage().contains("not Windows: " + System.getProperty("os.name")), e.getMessage());
        }
        assertTrue(shm.list().isEmpty());
        assertFalse(WinNative.libraryLoadAttempted(), "no call may look up kernel32 off Windows");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void theRegistryListsThemAsPresentButUnsupportedAndSaysWhy() {
        ProviderRegistry reg = ProviderRegistry.global();
        assertTrue(reg.all(MemoryBackendProvider.class).stream().anyMatch(p -> p instanceof WindowsShmMmapProvider));
        assertTrue(reg.all(MemoryBackendProvider.class).stream().anyMatch(p -> p instanceof WindowsMmapProvider));
        assertTrue(reg.all(ThreadModelProvider.class).stream().anyMatch(p -> p instanceof WindowsThreadModelProvider));
        assertFalse(reg.supported(MemoryBackendProvider.class).stream()
                .anyMatch(p -> p.getClass().getModule() == WindowsShmMmapProvider.class.getModule()));
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(ThreadModelProvider.class, ThreadModel.WINDOWS));
        assertTrue(e.getMessage().contains("not Windows"), e.getMessage());
    }

    @Test
    @EnabledOnOs(value = OS.WINDOWS, disabledReason = "kernel32 exists only on Windows; off Windows the"
            + " providers must be unsupported, which the tests above check")
    void onWindowsEveryProviderIsSupportedAndTheRegistryPicksThem() {
        for (NamedProvider p : providers()) {
            Support s = p.support();
            assertTrue(s.supported(), p + ": " + s);
            assertTrue(s.reason().contains("Windows"), s.reason());
            assertTrue(s.reason().contains("GetCurrentProcessId()=" + ProcessHandle.current().pid()), s.reason());
        }
        ProviderRegistry reg = ProviderRegistry.global();
        assertTrue(reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP) instanceof WindowsShmMmapProvider);
        assertTrue(reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_MMAP) instanceof WindowsMmapProvider);
        assertEquals(ThreadModel.WINDOWS, reg.supported(ThreadModelProvider.class).getFirst().name());
        ThreadModel m = new WindowsThreadModelProvider().create();
        assertEquals(ProcessHandle.current().pid(), m.getTid() >>> 32);
    }
}
