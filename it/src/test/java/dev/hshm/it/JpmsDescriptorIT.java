package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Reads every jar we build and checks that its three descriptions of itself agree: the JPMS module
 * descriptor (javac's, hand-written), {@code META-INF/services}, and the OSGi manifest (bnd's).
 */
class JpmsDescriptorIT {

    private static final Set<String> SPIS = Set.of("dev.hshm.api.spi.MemoryBackendProvider",
            "dev.hshm.api.spi.AllocatorProvider", "dev.hshm.api.spi.ThreadModelProvider");

    @Test
    void everyJarOfOursIsANamedModuleAndABundleOfTheSameName() throws IOException {
        for (Map.Entry<String, String> e : Jars.OURS.entrySet()) {
            Path jar = Jars.jar(e.getKey());
            ModuleDescriptor d = descriptor(jar);
            assertFalse(d.isAutomatic(), jar + " is an automatic module: it needs a module-info.class");
            assertEquals(e.getValue(), d.name(), jar.toString());
            Manifest mf = manifest(jar);
            assertEquals(e.getValue(), mf.getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim(),
                    jar + ": Bundle-SymbolicName differs from the module name");
            Set<String> osgiExports = packages(mf.getMainAttributes().getValue("Export-Package"));
            Set<String> jpmsExports = d.exports().stream().filter(x -> !x.isQualified())
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(jpmsExports, osgiExports, jar + ": OSGi Export-Package differs from the JPMS exports");
            assertTrue(mf.getMainAttributes().getValue("Require-Capability").contains("(version=25)"),
                    jar + ": no osgi.ee requirement for Java 25");
        }
    }

    @Test
    void theApiUsesTheThreeSpisAndExportsOnlyItsPublicPackages() throws IOException {
        ModuleDescriptor d = descriptor(Jars.jar("api"));
        assertEquals(SPIS, d.uses());
        assertEquals(Set.of("dev.hshm.api", "dev.hshm.api.spi"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        for (ModuleDescriptor.Requires r : d.requires()) {
            if (r.name().startsWith("org.osgi")) {
                assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                        "OSGi must be optional for the api: " + r);
            }
        }
    }

    @Test
    void theApiProvidesNothingAndTheBuiltInsAreAProviderModuleOfTheirOwn() throws IOException {
        assertEquals(Set.of(), descriptor(Jars.jar("api")).provides(), "the api holds no backend or allocator");
        ModuleDescriptor d = descriptor(Jars.jar("allocators"));
        Map<String, Set<String>> provided = new TreeMap<>();
        for (ModuleDescriptor.Provides p : d.provides()) {
            provided.put(p.service().substring(p.service().lastIndexOf('.') + 1), new TreeSet<>(p.providers()));
        }
        assertEquals(Set.of("AllocatorProvider", "MemoryBackendProvider"), provided.keySet());
        assertEquals(3, provided.get("AllocatorProvider").size(), "malloc, scalable_page, thread_local");
        assertEquals(2, provided.get("MemoryBackendProvider").size(), "array, malloc");
        assertEquals(Set.of(), d.exports(), "reached through the SPIs only");
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.api")));
    }

    @Test
    void everyProvidesClauseMatchesMetaInfServices() throws IOException {
        int providers = 0;
        for (Path jar : Jars.everything()) {
            if (jar.toString().contains("picocli")) {
                continue;
            }
            ModuleDescriptor d = descriptor(jar);
            Map<String, Set<String>> fromModule = new TreeMap<>();
            for (ModuleDescriptor.Provides p : d.provides()) {
                fromModule.put(p.service(), new TreeSet<>(p.providers()));
            }
            Map<String, Set<String>> fromServices = new TreeMap<>();
            try (JarFile jf = new JarFile(jar.toFile())) {
                for (String spi : SPIS) {
                    var entry = jf.getJarEntry("META-INF/services/" + spi);
                    if (entry != null) {
                        try (InputStream in = jf.getInputStream(entry)) {
                            Set<String> names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                                    .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty())
                                    .collect(Collectors.toCollection(TreeSet::new));
                            fromServices.put(spi, names);
                        }
                    }
                }
            }
            assertEquals(fromModule, fromServices, jar + ": module-info provides vs META-INF/services");
            providers += fromModule.values().stream().mapToInt(Set::size).sum();
        }
        assertTrue(providers >= 10, "found " + providers + " providers in all jars");
    }

    private static ModuleDescriptor descriptor(Path jar) {
        Set<ModuleReference> refs = ModuleFinder.of(jar).findAll();
        assertEquals(1, refs.size(), jar.toString());
        return refs.iterator().next().descriptor();
    }

    private static Manifest manifest(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getManifest();
        }
    }

    /** Package names of an OSGi header, ignoring attributes and directives (commas inside quotes too). */
    static Set<String> packages(String header) {
        Set<String> out = new TreeSet<>();
        if (header == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : (header + ",").toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                String clause = cur.toString().trim();
                if (!clause.isEmpty()) {
                    out.add(clause.split(";")[0].trim());
                }
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        return out;
    }
}
