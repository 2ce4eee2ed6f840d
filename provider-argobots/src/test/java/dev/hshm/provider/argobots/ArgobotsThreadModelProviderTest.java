package dev.hshm.provider.argobots;

import static dev.hshm.provider.argobots.ChildJvm.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.argobots.ChildJvm.Launch;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider: support, priority, discovery on the module path and the class path, and selection. */
class ArgobotsThreadModelProviderTest {

    private static final String FORCE = "-Dhshm.thread.model=argobots";

    @Test
    void itIsSupportedAndSaysVirtualThreadsAndTheParallelism() {
        Support s = new ArgobotsThreadModelProvider().support();
        assertTrue(s.supported(), s.toString());
        assertEquals("JVM virtual threads as user-level threads (parallelism="
                + ArgobotsThreadModel.executionStreams() + ")", s.reason());
    }

    @Test
    void itsPriorityIsBelowThePlatformModelsAndAboveTheFallback() {
        ArgobotsThreadModelProvider p = new ArgobotsThreadModelProvider();
        assertEquals(ArgobotsThreadModelProvider.PRIORITY, p.priority());
        assertTrue(p.priority() < 50, "pthreads uses 50 and must win when both are present");
        assertTrue(p.priority() > Integer.MIN_VALUE, "the java fallback uses MIN_VALUE");
        assertEquals(ThreadModel.ARGOBOTS, p.name());
    }

    @Test
    void theRegistryFindsItByNameAndItCreatesTheModel() {
        ThreadModelProvider p = ProviderRegistry.global().find(ThreadModelProvider.class, "argobots");
        assertInstanceOf(ArgobotsThreadModelProvider.class, p);
        ThreadModel m = p.create();
        assertInstanceOf(ArgobotsThreadModel.class, m);
        assertEquals("argobots", m.name());
    }

    @Test
    void itIsThisProcessesModelBecauseItIsTheOnlyOnePresent() {
        List<String> present = ProviderRegistry.global().supported(ThreadModelProvider.class).stream()
                .map(NamedProvider::name).toList();
        assertEquals(List.of("argobots"), present);
        assertEquals(null, System.getProperty("hshm.thread.model"), "this JVM does not force a model");
        assertInstanceOf(ArgobotsThreadModel.class, ThreadModel.current());
    }

    @Test
    void theModuleProvidesWhatMetaInfServicesListsAndExportsOnlyItsApiPackage() throws IOException {
        Module m = ArgobotsThreadModelProvider.class.getModule();
        assertTrue(m.isNamed(), "tests run on the module path");
        ModuleDescriptor d = m.getDescriptor();
        assertEquals("dev.hshm.provider.argobots", d.name());
        Map<String, Set<String>> provides = d.provides().stream().collect(Collectors.toMap(
                ModuleDescriptor.Provides::service, p -> Set.copyOf(p.providers())));
        String spi = ThreadModelProvider.class.getName();
        assertEquals(Map.of(spi, Set.of(ArgobotsThreadModelProvider.class.getName())), provides);
        try (InputStream in = m.getResourceAsStream("META-INF/services/" + spi)) {
            assertTrue(in != null, "META-INF/services/" + spi + " is missing");
            Set<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).collect(Collectors.toSet());
            assertEquals(provides.get(spi), listed, "module-info provides vs META-INF/services");
        }
        assertEquals(Set.of("dev.hshm.provider.argobots"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void aChildJvmForcedToArgobotsOnTheModulePathUsesIt() throws Exception {
        Map<String, String> out = ChildJvm.run(Launch.MODULE_PATH, List.of(FORCE), "select");
        assertEquals("argobots", get(out, "model"));
        assertEquals(ArgobotsThreadModel.class.getName(), get(out, "class"));
        assertEquals("dev.hshm.provider.argobots", get(out, "module"));
        assertTrue(get(out, "support").startsWith("supported (JVM virtual threads"), get(out, "support"));
        assertTrue(!get(out, "tidPid").equals(Long.toString(ProcessHandle.current().pid())),
                "the child's tids carry the child's pid");
    }

    @Test
    void aChildJvmForcedToArgobotsOnTheClassPathFindsItThroughMetaInfServices() throws Exception {
        Map<String, String> out = ChildJvm.run(Launch.CLASS_PATH, List.of(FORCE), "select");
        assertEquals("argobots", get(out, "model"));
        assertEquals("unnamed", get(out, "module"));
    }

    @Test
    void aChildJvmWithoutThePropertyChoosesArgobotsAsTheOnlyModelPresent() throws Exception {
        Map<String, String> out = ChildJvm.run(Launch.MODULE_PATH, List.of(), "select");
        assertEquals("argobots", get(out, "model"));
    }

    @Test
    void thePropertyDecides_forcingJavaGivesTheFallbackModel() throws Exception {
        Map<String, String> out = ChildJvm.run(Launch.MODULE_PATH, List.of("-Dhshm.thread.model=java"), "select");
        assertEquals("java", get(out, "model"));
    }

    @Test
    void aBrokenSchedulerSettingMakesItUnsupportedWithTheReason() throws Exception {
        Map<String, String> out = ChildJvm.run(Launch.MODULE_PATH,
                List.of("-Djdk.virtualThreadScheduler.parallelism=lots"), "support");
        String s = get(out, "support");
        assertTrue(s.startsWith("unsupported (") && s.contains("lots"), s);
        assertTrue(s.contains("jdk.virtualThreadScheduler"), s);
    }
}
