package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Discovery, support reasons and module metadata (in this JVM; see {@link ChildJvmTest} for other JVMs, {@link PosixProviderContractTest} for the module metadata). */
@EnabledOnOs(OS.LINUX)
class ProvidersTest {

    @Test
    void providersReportSupportedNamingTheOsAndLibc() {
        for (NamedProvider p : List.of(new PosixMmapProvider(), new PosixShmMmapProvider(),
                new PthreadsThreadModelProvider())) {
            Support s = p.support();
            assertTrue(s.supported(), p + ": " + s);
            assertTrue(s.reason().contains("Linux"), s.reason());
            assertTrue(s.reason().contains("glibc") || s.reason().contains("libc"), s.reason());
            assertSame(s, p.support(), "computed once");
            assertEquals(50, p.priority());
        }
    }

    @Test
    void registryFindsTheProvidersByName() {
        ProviderRegistry reg = ProviderRegistry.global();
        assertInstanceOf(PosixMmapProvider.class, reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_MMAP));
        assertInstanceOf(PosixShmMmapProvider.class, reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP));
        assertInstanceOf(PthreadsThreadModelProvider.class, reg.find(ThreadModelProvider.class, ThreadModel.PTHREADS));
        assertEquals(ThreadModel.PTHREADS, reg.supported(ThreadModelProvider.class).getFirst().name(),
                "the highest-priority supported model");
    }
}
