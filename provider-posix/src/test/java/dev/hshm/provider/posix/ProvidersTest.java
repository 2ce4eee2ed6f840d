package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Discovery, support reasons and module metadata (in this JVM; see {@link ChildJvmTest} for other JVMs). */
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

    @Test
    void moduleProvidesExactlyWhatMetaInfServicesLists() throws IOException {
        Module m = PosixShmMmapProvider.class.getModule();
        assumeTrue(m.isNamed(), "tests run on the class path");
        ModuleDescriptor d = m.getDescriptor();
        assertEquals("dev.hshm.provider.posix", d.name());
        assertEquals(Set.of("dev.hshm.provider.posix"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(java.util.stream.Collectors.toSet()),
                "only the backend package is exported (for GPU providers); the bindings are not");
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.api")));
        Set<String> spis = new TreeSet<>();
        for (ModuleDescriptor.Provides p : d.provides()) {
            spis.add(p.service());
            assertEquals(new TreeSet<>(p.providers()), servicesFile(m, p.service()), p.service());
        }
        assertEquals(Set.of(MemoryBackendProvider.class.getName(), ThreadModelProvider.class.getName()), spis);
    }

    private static Set<String> servicesFile(Module m, String spi) throws IOException {
        try (InputStream in = m.getResourceAsStream("META-INF/services/" + spi)) {
            assertTrue(in != null, "META-INF/services/" + spi + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
