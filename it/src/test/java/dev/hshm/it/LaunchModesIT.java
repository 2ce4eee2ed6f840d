package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same program ({@code hshm info}, then {@code hshm demo}) launched with every jar on the module path and
 * an empty class path, and with every jar on the class path; the third-party example provider is found both
 * ways.
 */
class LaunchModesIT {

    private static final String NATIVE = "--enable-native-access=dev.hshm.allocators,dev.hshm.provider.posix,"
            + "dev.hshm.provider.windows,dev.hshm.provider.cuda,dev.hshm.provider.rocm,dev.hshm.provider.argobots,"
            + "dev.hshm.cli";

    /** Runs {@code java} with the given options (no CLASSPATH or JDK_JAVA_OPTIONS from the environment). */
    static String run(String... options) throws IOException, InterruptedException {
        return ChildJvm.java().jvmArgs(options).unsetEnv("CLASSPATH", "JDK_JAVA_OPTIONS").name("hshm").run(120).output();
    }

    static void assertInfoListsEverything(String out) {
        for (String name : List.of("posix_shm_mmap", "posix_mmap", "malloc", "array", "thread_local",
                "scalable_page", "pthreads", "file_mmap", "argobots", "windows", "cuda", "rocm")) {
            assertTrue(out.contains(name), "hshm info does not mention " + name + ":\n" + out);
        }
        assertTrue(out.contains("pthreads") && out.matches("(?s).*thread model.*pthreads.*"),
                "pthreads should be the chosen thread model:\n" + out);
    }

    @Test
    void onTheModulePathWithAnEmptyClassPath() throws Exception {
        String out = run(NATIVE, "-p", Jars.pathOf(Jars.everything()), "--add-modules", "ALL-MODULE-PATH", "-m",
                "dev.hshm.cli/dev.hshm.cli.Main", "info");
        assertInfoListsEverything(out);
        assertTrue(out.contains("dev.hshm.provider.posix"), "providers are reported with their module:\n" + out);
        assertTrue(out.matches("(?s).*thread_local +\\d+ +supported +dev\\.hshm\\.allocators.*"),
                "the built-in allocators come from their own module:\n" + out);
    }

    @Test
    void onTheClassPath() throws Exception {
        String out = run("--enable-native-access=ALL-UNNAMED", "-cp", Jars.pathOf(Jars.everything()), "dev.hshm.cli.Main",
                "info");
        assertInfoListsEverything(out);
    }

    @Test
    void theDemoRunsOnTheModulePath() throws Exception {
        String out = run(NATIVE, "-p", Jars.pathOf(Jars.everything()), "--add-modules", "ALL-MODULE-PATH", "-m",
                "dev.hshm.cli/dev.hshm.cli.Main", "demo");
        assertTrue(out.toLowerCase().contains("verified"), out);
    }

    static Path jarOf(String shortName) {
        return Jars.jar(shortName);
    }
}
