package dev.hshm.provider.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.provider.cuda.internal.CudaShmMmapProvider;
import dev.hshm.provider.cuda.internal.DriverLibrary;
import dev.hshm.provider.cuda.testprobe.ChildProbe;
import dev.hshm.provider.posix.PosixShmMmap;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Other JVMs on a machine without an NVIDIA driver: on the class path (discovery through META-INF/services), with
 * the cuda thread model forced, with native access denied, and on the module path without jcuda at all (as an
 * application that does not ship it would run). None of them may fail to start or see a linkage error; each says
 * why CUDA is unsupported.
 */
@EnabledOnOs(OS.LINUX)
class ChildJvmTest {

    @BeforeAll
    static void noDriverHere() {
        assumeTrue(DriverLibrary.problem() != null, "libcuda.so.1 is present here: these tests are for a machine without it");
    }

    /** Every jar and class directory this test JVM has, module path first. */
    static List<String> everything() {
        List<String> out = new ArrayList<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(prop);
            if (v != null && !v.isBlank()) {
                out.addAll(Arrays.asList(v.split(File.pathSeparator)));
            }
        }
        return out;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child timed out: " + out);
        assertEquals(0, p.exitValue(), "child failed: " + cmd + "\n" + out);
        return out.lines().toList();
    }

    private static List<String> onTheClassPath(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, everything()), ChildProbe.class.getName()));
        return run(cmd);
    }

    static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + out));
    }

    @Test
    void onTheClassPathBothProvidersAreFoundAndSayThatLibcudaIsMissing() throws Exception {
        List<String> out = onTheClassPath("--enable-native-access=ALL-UNNAMED");
        assertTrue(line(out, "backend cuda_shm_mmap").endsWith("CudaShmMmapProvider unsupported (libcuda.so.1 not found"
                + " (no NVIDIA driver): Cannot open library: libcuda.so.1)"), out.toString());
        assertTrue(line(out, "model cuda").contains("CudaThreadModelProvider unsupported (libcuda.so.1 not found"), out.toString());
        assertEquals("current pthreads", line(out, "current"));
        assertTrue(line(out, "module").startsWith("module unnamed module"), "really on the class path: " + out);
        assertTrue(out.stream().noneMatch(l -> l.contains("LinkageError") || l.contains("UnsatisfiedLink")), out.toString());
    }

    @Test
    void forcingTheCudaThreadModelFailsEveryCallWithTheReason() throws Exception {
        List<String> out = onTheClassPath("--enable-native-access=ALL-UNNAMED", "-Dhshm.thread.model=cuda");
        String current = line(out, "current");
        assertTrue(current.startsWith("current failed StateException: no thread model: -Dhshm.thread.model=cuda could"
                + " not be used: thread model 'cuda' is not supported here"), current);
        assertTrue(current.contains("libcuda.so.1 not found (no NVIDIA driver)"), current);
    }

    @Test
    void deniedNativeAccessIsTheReasonAndNamesTheFlag() throws Exception {
        List<String> out = onTheClassPath("--illegal-native-access=deny");
        assertTrue(line(out, "backend cuda_shm_mmap").contains("unsupported (native access denied: add"
                + " --enable-native-access=ALL-UNNAMED"), out.toString());
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void onTheModulePathWithoutJcudaTheModuleStillResolves() throws Exception {
        assertTrue(everything().stream().anyMatch(e -> Path.of(e).getFileName().toString().startsWith("jcuda")),
                "this test JVM has jcuda (the child will not)");
        String modulePath = String.join(File.pathSeparator, location(MemoryBackendProvider.class),
                location(PosixShmMmap.class), location(CudaShmMmapProvider.class));
        List<String> out = run(List.of(java(), "--enable-native-access=dev.hshm.api,dev.hshm.provider.posix,"
                + "dev.hshm.provider.cuda", "-p", modulePath, "--add-modules", "ALL-MODULE-PATH", "-cp",
                location(ChildProbe.class), ChildProbe.class.getName()));
        assertTrue(line(out, "backend cuda_shm_mmap").contains("unsupported (libcuda.so.1 not found"), out.toString());
        assertEquals("current pthreads", line(out, "current"));
        assertTrue(line(out, "module").endsWith("/ module dev.hshm.api"), "the api is a named module: " + out);
    }
}
