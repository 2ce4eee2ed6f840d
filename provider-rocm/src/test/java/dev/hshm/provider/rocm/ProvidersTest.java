package dev.hshm.provider.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.posix.PthreadsThreadModelProvider;
import dev.hshm.provider.rocm.internal.HipNative;
import dev.hshm.provider.rocm.internal.RocmShmMmapProvider;
import dev.hshm.provider.rocm.internal.RocmThreadModelProvider;
import dev.hshm.testkit.ShmTestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The two providers as the registry sees them in this JVM: listed, unsupported here (no AMD GPU) with the HIP
 * runtime's reason, lookups that fail naming it, and module metadata that matches {@code META-INF/services}.
 */
@EnabledOnOs(OS.LINUX)
class ProvidersTest {

    private static <P extends NamedProvider> P listed(Class<P> spi, Class<? extends P> type) {
        List<P> all = ProviderRegistry.global().all(spi);
        return all.stream().filter(type::isInstance).findFirst()
                .orElseThrow(() -> new AssertionError(type.getName() + " is not listed: " + all));
    }

    @Test
    void bothProvidersAreListedByTheRegistryUnderTheirNames() {
        MemoryBackendProvider backend = listed(MemoryBackendProvider.class, RocmShmMmapProvider.class);
        assertEquals(MemoryBackend.ROCM_SHM_MMAP, backend.name());
        assertTrue(backend.isShared());
        assertEquals(50, backend.priority());
        ThreadModelProvider model = listed(ThreadModelProvider.class, RocmThreadModelProvider.class);
        assertEquals(ThreadModel.ROCM, model.name());
        assertEquals(20, model.priority());
        assertTrue(model.priority() < PthreadsThreadModelProvider.PRIORITY, "below pthreads");
    }

    @Test
    void supportIsComputedOnceAndNeverThrows() {
        for (NamedProvider p : List.of(new RocmShmMmapProvider(), new RocmThreadModelProvider())) {
            Support s = p.support();
            assertSame(s, p.support());
            assertFalse(s.reason().isBlank(), p.toString());
        }
    }

    @Test
    void withoutAnAmdGpuBothAreUnsupportedWithTheRuntimesReason() {
        Support hip = HipNative.support();
        assumeFalse(hip.supported(), "an AMD GPU is present: " + hip.reason());
        System.out.println("[ProvidersTest] rocm providers unsupported here: " + hip.reason());
        assertTrue(hip.reason().startsWith("libamdhip64 not found (install libamdhip64-5 / ROCm)")
                || hip.reason().startsWith("no AMD GPU: hipGetDeviceCount returned")
                || hip.reason().startsWith("the HIP runtime cannot be used"), hip.reason());
        for (NamedProvider p : List.of(listed(MemoryBackendProvider.class, RocmShmMmapProvider.class),
                listed(ThreadModelProvider.class, RocmThreadModelProvider.class))) {
            Support s = ProviderRegistry.safeSupport(p);
            assertFalse(s.supported(), p.toString());
            assertEquals(hip.reason(), s.reason(), p.toString());
        }
        assertTrue(ProviderRegistry.global().supported(MemoryBackendProvider.class).stream()
                .noneMatch(p -> p.name().equals(MemoryBackend.ROCM_SHM_MMAP)));
        assertTrue(ProviderRegistry.global().supported(ThreadModelProvider.class).stream()
                .noneMatch(p -> p.name().equals(ThreadModel.ROCM)));
    }

    @Test
    void lookupsFailWithAMessageNamingTheReason() {
        Support hip = HipNative.support();
        assumeFalse(hip.supported(), "an AMD GPU is present");
        ProviderRegistry reg = ProviderRegistry.global();
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(MemoryBackendProvider.class, MemoryBackend.ROCM_SHM_MMAP));
        assertTrue(e.getMessage().contains("memory backend kind 'rocm_shm_mmap' is not supported here: "
                + RocmShmMmapProvider.class.getName() + ": " + hip.reason()), e.getMessage());
        assertTrue(e.getMessage().contains("posix_shm_mmap"), "lists what is available: " + e.getMessage());
        ProviderNotFoundException m = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(ThreadModelProvider.class, ThreadModel.ROCM));
        assertTrue(m.getMessage().contains("thread model 'rocm' is not supported here: "
                + RocmThreadModelProvider.class.getName() + ": " + hip.reason()), m.getMessage());
    }

    @Test
    void pthreadsIsChosenOverRocmWhenBothCouldRun() {
        List<ThreadModelProvider> supported = ProviderRegistry.global().supported(ThreadModelProvider.class);
        assumeTrue(!supported.isEmpty(), "no supported thread model");
        assertNotEquals(ThreadModel.ROCM, supported.getFirst().name());
    }

    @Test
    void unsupportedProvidersRefuseToCreateNamingTheReason() {
        Support hip = HipNative.support();
        assumeFalse(hip.supported(), "an AMD GPU is present");
        RocmShmMmapProvider backends = new RocmShmMmapProvider();
        UnsupportedOperationException c = assertThrows(UnsupportedOperationException.class,
                () -> backends.create(MemoryBackendId.get(1), 4096, "hshm-rocm-never-made", BackendOptions.DEFAULT));
        assertTrue(c.getMessage().contains("'rocm_shm_mmap' is not supported here: " + hip.reason()), c.getMessage());
        assertFalse(Files.exists(Path.of("/dev/shm/hshm-rocm-never-made")), "nothing was created");
        UnsupportedOperationException a = assertThrows(UnsupportedOperationException.class,
                () -> backends.attach("hshm-rocm-never-made"));
        assertTrue(a.getMessage().contains(hip.reason()), a.getMessage());
        assertEquals(List.of(), backends.list(), "attaches nothing, so lists nothing");
        UnsupportedOperationException t = assertThrows(UnsupportedOperationException.class,
                () -> new RocmThreadModelProvider().create());
        assertTrue(t.getMessage().contains("thread model 'rocm' is not supported here: " + hip.reason()),
                t.getMessage());
    }

    @Test
    void unlinkNeedsNoGpu() {
        String name = ShmTestNames.unique("hshm-rocm-t-unlink");
        PosixShmMmap b = PosixShmMmap.create(MemoryBackendId.get(1), 4096, name, 0600);
        try {
            new RocmShmMmapProvider().unlink(name);
            assertFalse(Files.exists(Path.of("/dev/shm", name)));
        } finally {
            b.destroy();
        }
    }
}
