package dev.hshm.provider.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.provider.rocm.internal.HipNative;
import dev.hshm.provider.rocm.internal.RocmShmMmapProvider;
import dev.hshm.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    private ChildJvm runProbe(String... jvmFlags) throws Exception {
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        ChildJvm.Builder b = ChildJvm.java().name("probe");
        String library = System.getProperty(HipNative.LIBRARY_PROPERTY);
        if (library != null) {
            b.jvmArgs("-D" + HipNative.LIBRARY_PROPERTY + "=" + library); // the child sees what this JVM sees
        }
        return b.jvmArgs(jvmFlags) // a flag given here comes later and wins
                .classPathOf(HipNative.class, PosixShmMmap.class, BackendHeader.class).source(probe).run(60);
    }


    @Test
    void aLibraryThatIsNotInstalledIsReportedNotFoundOnTheClassPath() throws Exception {
        ChildJvm out = runProbe("--enable-native-access=ALL-UNNAMED",
                "-D" + HipNative.LIBRARY_PROPERTY + "=libamdhip64.so.missing-for-test");
        System.out.println("[ChildJvmTest] missing library: " + out.line("backend rocm_shm_mmap"));
        for (String prefix : List.of("backend rocm_shm_mmap dev.hshm.provider.rocm.internal.RocmShmMmapProvider",
                "model rocm dev.hshm.provider.rocm.internal.RocmThreadModelProvider")) {
            String l = out.line(prefix);
            assertTrue(l.contains(" unsupported (libamdhip64 not found (install libamdhip64-5 / ROCm): the dynamic"
                    + " loader found none of [libamdhip64.so.missing-for-test]"), l);
        }
        assertEquals("current pthreads", out.line("current"), "rocm is never chosen while unsupported");
    }

    @Test
    void deniedNativeAccessIsReportedAsUnsupportedWithTheFlagToAdd() throws Exception {
        ChildJvm out = runProbe("--illegal-native-access=deny");
        for (String prefix : List.of("backend rocm_shm_mmap", "model rocm")) {
            String l = out.line(prefix);
            assertTrue(l.contains("unsupported (native access denied: add --enable-native-access=ALL-UNNAMED"), l);
        }
    }

    @Test
    void anotherJvmWithTheDefaultsReachesTheSameVerdict() throws Exception {
        ChildJvm out = runProbe("--enable-native-access=ALL-UNNAMED");
        String l = out.line("backend rocm_shm_mmap");
        String here = new RocmShmMmapProvider().support().toString();
        assertTrue(l.endsWith(" " + here), "child: " + l + "\nhere: " + here);
    }

    @Test
    void forcingTheRocmModelWhereItIsUnsupportedFailsNamingTheReason() throws Exception {
        assumeFalse(HipNative.support().supported(), "an AMD GPU is present");
        ChildJvm out = runProbe("--enable-native-access=ALL-UNNAMED", "-Dhshm.thread.model=rocm");
        String l = out.line("current-failed ");
        assertTrue(l.contains("-Dhshm.thread.model=rocm could not be used"), l);
        assertTrue(l.contains("thread model 'rocm' is not supported here: "
                + "dev.hshm.provider.rocm.internal.RocmThreadModelProvider: " + HipNative.support().reason()), l);
    }
}
