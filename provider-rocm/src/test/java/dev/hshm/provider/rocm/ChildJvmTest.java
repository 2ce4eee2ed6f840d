package dev.hshm.provider.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.rocm.internal.HipRuntime;
import dev.hshm.provider.rocm.internal.RocmShmMmapProvider;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What needs another JVM, each a single-file program on the class path (META-INF/services discovery): the
 * library named by {@code -Dhshm.rocm.library} is missing (the "not installed" case, on every machine), native
 * access is denied, the defaults agree with this JVM, and forcing {@code -Dhshm.thread.model=rocm} fails naming
 * the reason.
 */
@EnabledOnOs(OS.LINUX)
class ChildJvmTest {

    private static final String PROBE = """
            import dev.hshm.api.*;
            import dev.hshm.api.spi.*;

            public class Probe {
                public static void main(String[] args) {
                    ProviderRegistry reg = ProviderRegistry.global();
                    for (var p : reg.all(MemoryBackendProvider.class)) {
                        System.out.println("backend " + p.name() + " " + p.getClass().getName() + " "
                                + ProviderRegistry.safeSupport(p));
                    }
                    for (var p : reg.all(ThreadModelProvider.class)) {
                        System.out.println("model " + p.name() + " " + p.getClass().getName() + " "
                                + ProviderRegistry.safeSupport(p));
                    }
                    try {
                        System.out.println("current " + ThreadModel.current().name());
                    } catch (RuntimeException e) {
                        System.out.println("current-failed " + e.getMessage());
                    }
                }
            }
            """;

    @TempDir
    Path tmp;

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private List<String> runProbe(String... jvmFlags) throws Exception {
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String library = System.getProperty(HipRuntime.LIBRARY_PROPERTY);
        if (library != null) {
            cmd.add("-D" + HipRuntime.LIBRARY_PROPERTY + "=" + library); // the child sees what this JVM sees
        }
        cmd.addAll(List.of(jvmFlags)); // a flag given here comes later and wins
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, location(HipRuntime.class), location(PosixShmMmap.class),
                location(BackendHeader.class)));
        cmd.add(probe.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe timed out: " + out);
        assertEquals(0, p.exitValue(), "probe failed: " + cmd + "\n" + out);
        return out.lines().toList();
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + out));
    }

    @Test
    void aLibraryThatIsNotInstalledIsReportedNotFoundOnTheClassPath() throws Exception {
        List<String> out = runProbe("--enable-native-access=ALL-UNNAMED",
                "-D" + HipRuntime.LIBRARY_PROPERTY + "=libamdhip64.so.missing-for-test");
        System.out.println("[ChildJvmTest] missing library: " + line(out, "backend rocm_shm_mmap"));
        for (String prefix : List.of("backend rocm_shm_mmap dev.hshm.provider.rocm.internal.RocmShmMmapProvider",
                "model rocm dev.hshm.provider.rocm.internal.RocmThreadModelProvider")) {
            String l = line(out, prefix);
            assertTrue(l.contains(" unsupported (libamdhip64 not found (install libamdhip64-5 / ROCm): the dynamic"
                    + " loader found none of [libamdhip64.so.missing-for-test]"), l);
        }
        assertEquals("current pthreads", line(out, "current"), "rocm is never chosen while unsupported");
    }

    @Test
    void deniedNativeAccessIsReportedAsUnsupportedWithTheFlagToAdd() throws Exception {
        List<String> out = runProbe("--illegal-native-access=deny");
        for (String prefix : List.of("backend rocm_shm_mmap", "model rocm")) {
            String l = line(out, prefix);
            assertTrue(l.contains("unsupported (native access denied: add --enable-native-access=ALL-UNNAMED"), l);
        }
    }

    @Test
    void anotherJvmWithTheDefaultsReachesTheSameVerdict() throws Exception {
        List<String> out = runProbe("--enable-native-access=ALL-UNNAMED");
        String l = line(out, "backend rocm_shm_mmap");
        String here = new RocmShmMmapProvider().support().toString();
        assertTrue(l.endsWith(" " + here), "child: " + l + "\nhere: " + here);
    }

    @Test
    void forcingTheRocmModelWhereItIsUnsupportedFailsNamingTheReason() throws Exception {
        assumeFalse(HipRuntime.support().supported(), "an AMD GPU is present");
        List<String> out = runProbe("--enable-native-access=ALL-UNNAMED", "-Dhshm.thread.model=rocm");
        String l = line(out, "current-failed ");
        assertTrue(l.contains("-Dhshm.thread.model=rocm could not be used"), l);
        assertTrue(l.contains("thread model 'rocm' is not supported here: "
                + "dev.hshm.provider.rocm.internal.RocmThreadModelProvider: " + HipRuntime.support().reason()), l);
    }
}
