package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    static String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), "exit code of " + cmd + "; output:\n" + out);
        return out;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
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
        List<String> cmd = new ArrayList<>(List.of(java(), NATIVE, "-p", Jars.pathOf(Jars.everything()),
                "--add-modules", "ALL-MODULE-PATH", "-m", "dev.hshm.cli/dev.hshm.cli.Main", "info"));
        String out = run(cmd);
        assertInfoListsEverything(out);
        assertTrue(out.contains("dev.hshm.provider.posix"), "providers are reported with their module:\n" + out);
        assertTrue(out.matches("(?s).*thread_local +\\d+ +supported +dev\\.hshm\\.allocators.*"),
                "the built-in allocators come from their own module:\n" + out);
    }

    @Test
    void onTheClassPath() throws Exception {
        String out = run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", Jars.pathOf(Jars.everything()),
                "dev.hshm.cli.Main", "info"));
        assertInfoListsEverything(out);
    }

    @Test
    void theDemoRunsOnTheModulePath() throws Exception {
        String out = run(List.of(java(), NATIVE, "-p", Jars.pathOf(Jars.everything()), "--add-modules",
                "ALL-MODULE-PATH", "-m", "dev.hshm.cli/dev.hshm.cli.Main", "demo"));
        assertTrue(out.toLowerCase().contains("verified"), out);
    }

    static Path jarOf(String shortName) {
        return Jars.jar(shortName);
    }
}
