package dev.hshm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The contract every provider module must meet, whatever it provides: each provider has a name and a
 * support verdict with a reason, computed once and never thrown; the registry lists it under its name; an
 * unsupported provider refuses to create, naming its reason, instead of failing with a linkage error; and the
 * module (on the module path) provides exactly what {@code META-INF/services} lists (the class path and OSGi
 * find providers there) and exports only what it says. Extend it, passing the module's providers.
 */
public abstract class ProviderContract {

    /** The SPIs a provider may implement. */
    private static final List<Class<? extends NamedProvider>> SPIS =
            List.of(MemoryBackendProvider.class, AllocatorProvider.class, ThreadModelProvider.class);

    private final String moduleName;
    private final Set<String> exportedPackages;
    private final List<NamedProvider> providers;

    /**
     * The module and what it ships (JUnit makes a new instance, so fresh providers, for every test).
     *
     * @param moduleName the module's JPMS name, for example {@code com.example.hshm.filebackend}
     * @param exportedPackages the packages it exports (none for a module reached only through its providers)
     * @param providers one instance of every provider the module ships
     */
    protected ProviderContract(String moduleName, Set<String> exportedPackages, NamedProvider... providers) {
        this.moduleName = moduleName;
        this.exportedPackages = Set.copyOf(exportedPackages);
        this.providers = List.of(providers);
    }

    private List<NamedProvider> providers() {
        return providers;
    }

    private static List<Class<? extends NamedProvider>> spisOf(NamedProvider p) {
        return SPIS.stream().filter(s -> s.isInstance(p)).toList();
    }

    @Test
    void everyProviderHasANameAndASupportVerdictWithAReasonThatDoesNotChange() {
        assertFalse(providers().isEmpty(), "the module ships at least one provider");
        for (NamedProvider p : providers()) {
            assertFalse(spisOf(p).isEmpty(), p + " implements none of " + SPIS);
            assertTrue(p.name() != null && !p.name().isBlank(), p.getClass().getName() + " has no name");
            Support s = p.support();
            assertNotNull(s, p.name());
            assertFalse(s.reason().isBlank(), p.name() + ": a verdict says why");
            assertEquals(s, p.support(), p.name() + ": the verdict does not change from call to call");
        }
    }

    @Test
    void theRegistryListsEveryProviderUnderItsName() {
        ProviderRegistry reg = ProviderRegistry.global();
        for (NamedProvider p : providers()) {
            for (Class<? extends NamedProvider> spi : spisOf(p)) {
                List<? extends NamedProvider> all = reg.all(spi);
                assertTrue(all.stream().anyMatch(q -> q.getClass() == p.getClass() && q.name().equals(p.name())),
                        p.getClass().getName() + " is not listed as " + spi.getSimpleName() + " '" + p.name()
                                + "': " + all);
            }
        }
    }

    @Test
    void anUnsupportedProviderRefusesToCreateNamingItsReason() {
        for (NamedProvider p : providers()) {
            Support s = p.support();
            if (s.supported()) {
                continue;
            }
            for (Class<? extends NamedProvider> spi : spisOf(p)) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> {
                    if (spi == MemoryBackendProvider.class) {
                        ((MemoryBackendProvider) p).create(MemoryBackendId.get(1), 4096,
                                "hshm-contract-" + ProcessHandle.current().pid(), BackendOptions.DEFAULT);
                    } else if (spi == ThreadModelProvider.class) {
                        ((ThreadModelProvider) p).create();
                    } else {
                        ((AllocatorProvider) p).create(null, null, 0, 4096, 0);
                    }
                }, p.name() + " is unsupported and must refuse");
                assertTrue(e.getMessage() != null && e.getMessage().contains(s.reason()),
                        p.name() + ": the refusal names the reason '" + s.reason() + "': " + e);
            }
        }
    }

    @Test
    void theModuleProvidesWhatMetaInfServicesListsAndExportsOnlyItsApi() throws IOException {
        Class<?> any = providers().getFirst().getClass();
        Module m = any.getModule();
        for (Class<? extends NamedProvider> spi : SPIS) {
            Set<String> expected = providers().stream().filter(spi::isInstance).map(p -> p.getClass().getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> listed = servicesFile(any, spi.getName());
            assertEquals(expected, listed, "META-INF/services/" + spi.getName());
            if (m.isNamed()) {
                Set<String> provided = m.getDescriptor().provides().stream()
                        .filter(p -> p.service().equals(spi.getName())).flatMap(p -> p.providers().stream())
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(expected, provided, "module-info provides " + spi.getName());
            }
        }
        if (m.isNamed()) {
            ModuleDescriptor d = m.getDescriptor();
            assertEquals(moduleName, d.name());
            assertEquals(exportedPackages, d.exports().stream().map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toSet()), "exported packages");
            assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.api")), "requires dev.hshm.api");
        } else {
            System.out.println("[ProviderContract] " + moduleName + " runs on the class path: the module"
                    + " descriptor is not checked here, META-INF/services is");
        }
    }

    /** The providers {@code META-INF/services/spi} of the jar or directory that holds {@code c} lists. */
    private static Set<String> servicesFile(Class<?> c, String spi) throws IOException {
        String name = "META-INF/services/" + spi;
        Set<String> out = new TreeSet<>();
        if (c.getModule().isNamed()) {
            try (InputStream in = c.getModule().getResourceAsStream(name)) {
                if (in != null) {
                    addLines(in, out);
                }
            }
            return out;
        }
        String home = ChildJvm.location(c);
        Enumeration<URL> urls = c.getClassLoader().getResources(name);
        while (urls.hasMoreElements()) {
            URL u = urls.nextElement();
            if (u.toString().contains(java.nio.file.Path.of(home).toUri().toString())
                    || u.toString().contains(java.nio.file.Path.of(home).toUri().getRawPath())) {
                try (InputStream in = u.openStream()) {
                    addLines(in, out);
                }
            }
        }
        return out;
    }

    private static void addLines(InputStream in, Set<String> out) throws IOException {
        new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> l.replaceAll("#.*", "").trim())
                .filter(l -> !l.isEmpty()).forEach(out::add);
    }
}
