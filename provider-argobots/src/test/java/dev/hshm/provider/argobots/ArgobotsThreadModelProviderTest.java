package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.argobots.ArgobotsChild.Launch;
import dev.hshm.testkit.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provider: support, priority, discovery on the module path and the class path, and selection (the module
 * metadata: {@link ArgobotsProviderContractTest}).
 */
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
    void aChildJvmForcedToArgobotsOnTheModulePathUsesIt() throws Exception {
        ChildJvm out = ArgobotsChild.run(Launch.MODULE_PATH, List.of(FORCE), "select");
        assertEquals("argobots", out.value("model"));
        assertEquals(ArgobotsThreadModel.class.getName(), out.value("class"));
        assertEquals("dev.hshm.provider.argobots", out.value("module"));
        assertTrue(out.value("support").startsWith("supported (JVM virtual threads"), out.value("support"));
        assertTrue(!out.value("tidPid").equals(Long.toString(ProcessHandle.current().pid())),
                "the child's tids carry the child's pid");
    }

    @Test
    void aChildJvmForcedToArgobotsOnTheClassPathFindsItThroughMetaInfServices() throws Exception {
        ChildJvm out = ArgobotsChild.run(Launch.CLASS_PATH, List.of(FORCE), "select");
        assertEquals("argobots", out.value("model"));
        assertEquals("unnamed", out.value("module"));
    }

    @Test
    void aChildJvmWithoutThePropertyChoosesArgobotsAsTheOnlyModelPresent() throws Exception {
        ChildJvm out = ArgobotsChild.run(Launch.MODULE_PATH, List.of(), "select");
        assertEquals("argobots", out.value("model"));
    }

    @Test
    void thePropertyDecides_forcingJavaGivesTheFallbackModel() throws Exception {
        ChildJvm out = ArgobotsChild.run(Launch.MODULE_PATH, List.of("-Dhshm.thread.model=java"), "select");
        assertEquals("java", out.value("model"));
    }

    @Test
    void aBrokenSchedulerSettingMakesItUnsupportedWithTheReason() throws Exception {
        ChildJvm out = ArgobotsChild.run(Launch.MODULE_PATH,
                List.of("-Djdk.virtualThreadScheduler.parallelism=lots"), "support");
        String s = out.value("support");
        assertTrue(s.startsWith("unsupported (") && s.contains("lots"), s);
        assertTrue(s.contains("jdk.virtualThreadScheduler"), s);
    }
}
