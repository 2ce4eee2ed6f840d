package dev.hshm.provider.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.cuda.internal.CudaShmMmapProvider;
import dev.hshm.provider.cuda.internal.CudaThreadModelProvider;
import dev.hshm.provider.cuda.internal.DriverLibrary;
import dev.hshm.provider.posix.PthreadsThreadModelProvider;
import dev.hshm.testkit.ShmTestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Discovery and support on a machine without an NVIDIA driver: both providers are found, say they are unsupported
 * because {@code libcuda.so.1} is missing, never throw while being listed, and refuse every operation with that
 * reason. Plus the module metadata.
 */
class ProvidersTest {

    @BeforeAll
    static void noDriverHere() {
        assumeTrue(DriverLibrary.problem() != null, "libcuda.so.1 is present here: these tests are for a machine without it");
    }

    private static void assertNoDriverReason(Support s) {
        assertFalse(s.supported(), s.toString());
        assertTrue(s.reason().startsWith("libcuda.so.1 not found (no NVIDIA driver): "), s.reason());
    }

    @Test
    void bothProvidersAreUnsupportedBecauseLibcudaIsMissingAndSayItOnce() {
        for (NamedProvider p : List.of(new CudaShmMmapProvider(), new CudaThreadModelProvider())) {
            Support s = p.support();
            assertNoDriverReason(s);
            assertTrue(s == p.support() && s == ProviderRegistry.safeSupport(p), "computed once");
            assertTrue(p.toString().contains("libcuda.so.1"), p.toString());
        }
        assertEquals(MemoryBackend.CUDA_SHM_MMAP, new CudaShmMmapProvider().name());
        assertEquals(ThreadModel.CUDA, new CudaThreadModelProvider().name());
        assertTrue(new CudaShmMmapProvider().isShared());
    }

    @Test
    void theCudaThreadModelRanksBelowPthreads() {
        assertEquals(20, new CudaThreadModelProvider().priority());
        assertTrue(new CudaThreadModelProvider().priority() < new PthreadsThreadModelProvider().priority());
    }

    @Test
    void everyOperationOfTheUnsupportedBackendProviderNamesTheReason() {
        CudaShmMmapProvider p = new CudaShmMmapProvider();
        String url = ShmTestNames.unique("hshm-cuda-t-unsupported");
        List<Runnable> ops = List.of(
                () -> p.create(MemoryBackendId.get(1), 1 << 20, url, BackendOptions.DEFAULT),
                () -> p.attach(url),
                () -> p.unlink(url));
        for (Runnable op : ops) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, op::run);
            assertTrue(e.getMessage().startsWith("backend kind 'cuda_shm_mmap' is not supported here: libcuda.so.1 not"
                    + " found"), e.getMessage());
        }
        assertEquals(List.of(), p.list());
        assertFalse(Files.exists(Path.of("/dev/shm", url)), "nothing was created");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new CudaThreadModelProvider().create());
        assertTrue(e.getMessage().startsWith("thread model 'cuda' is not supported here: libcuda.so.1"), e.getMessage());
    }

    @Test
    void theRegistryListsThemAsUnsupportedAndLookupsExplainWhy() {
        ProviderRegistry reg = ProviderRegistry.global();
        MemoryBackendProvider backend = reg.all(MemoryBackendProvider.class).stream()
                .filter(p -> p instanceof CudaShmMmapProvider).findFirst().orElseThrow();
        assertNoDriverReason(ProviderRegistry.safeSupport(backend));
        ThreadModelProvider model = reg.all(ThreadModelProvider.class).stream()
                .filter(p -> p instanceof CudaThreadModelProvider).findFirst().orElseThrow();
        assertNoDriverReason(ProviderRegistry.safeSupport(model));
        assertTrue(reg.supported(MemoryBackendProvider.class).stream().noneMatch(p -> p instanceof CudaShmMmapProvider));
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(MemoryBackendProvider.class, MemoryBackend.CUDA_SHM_MMAP));
        assertTrue(e.getMessage().contains("'cuda_shm_mmap' is not supported here")
                && e.getMessage().contains("libcuda.so.1 not found"), e.getMessage());
        assertTrue(reg.loadErrors().isEmpty(), reg.loadErrors().toString());
        assertEquals(ThreadModel.PTHREADS, ThreadModel.current().name(), "pthreads wins over an unsupported cuda");
    }

    @Test
    void theMemoryManagerRefusesTheKindWithTheReasonAndCreatesNothing() {
        String url = ShmTestNames.unique("hshm-cuda-t-mm");
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, () -> MemoryManager.get()
                .createBackend(MemoryBackend.CUDA_SHM_MMAP, MemoryBackendId.get(77), 1 << 20, url));
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        assertFalse(Files.exists(Path.of("/dev/shm", url)));
    }
}
