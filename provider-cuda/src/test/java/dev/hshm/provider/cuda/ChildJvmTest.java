package dev.hshm.provider.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.provider.cuda.internal.CudaShmMmapProvider;
import dev.hshm.provider.cuda.internal.DriverLibrary;
import dev.hshm.provider.cuda.testprobe.ChildProbe;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.List;
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

    private static ChildJvm onTheClassPath(String... flags) throws Exception {
        return ChildJvm.java().name("probe").jvmArgs(flags).classPath(ChildJvm.everything())
                .main(ChildProbe.class.getName()).run(60);
    }


    @Test
    void onTheClassPathBothProvidersAreFoundAndSayThatLibcudaIsMissing() throws Exception {
        ChildJvm out = onTheClassPath("--enable-native-access=ALL-UNNAMED");
        assertTrue(out.line("backend cuda_shm_mmap").endsWith("CudaShmMmapProvider unsupported (libcuda.so.1 not found"
                + " (no NVIDIA driver): Cannot open library: libcuda.so.1)"), out.output());
        assertTrue(out.line("model cuda").contains("CudaThreadModelProvider unsupported (libcuda.so.1 not found"), out.output());
        assertEquals("current pthreads", out.line("current"));
        assertTrue(out.line("module").startsWith("module unnamed module"), "really on the class path: " + out);
        assertTrue(out.lines().stream().noneMatch(l -> l.contains("LinkageError") || l.contains("UnsatisfiedLink")), out.output());
    }

    @Test
    void forcingTheCudaThreadModelFailsEveryCallWithTheReason() throws Exception {
        ChildJvm out = onTheClassPath("--enable-native-access=ALL-UNNAMED", "-Dhshm.thread.model=cuda");
        String current = out.line("current");
        assertTrue(current.startsWith("current failed StateException: no thread model: -Dhshm.thread.model=cuda could"
                + " not be used: thread model 'cuda' is not supported here"), current);
        assertTrue(current.contains("libcuda.so.1 not found (no NVIDIA driver)"), current);
    }

    @Test
    void deniedNativeAccessIsTheReasonAndNamesTheFlag() throws Exception {
        ChildJvm out = onTheClassPath("--illegal-native-access=deny");
        assertTrue(out.line("backend cuda_shm_mmap").contains("unsupported (native access denied: add"
                + " --enable-native-access=ALL-UNNAMED"), out.output());
    }

    @Test
    void onTheModulePathWithoutJcudaTheModuleStillResolves() throws Exception {
        assertTrue(ChildJvm.everything().stream()
                        .anyMatch(e -> Path.of(e).getFileName().toString().startsWith("jcuda")),
                "this test JVM has jcuda (the child will not)");
        ChildJvm out = ChildJvm.java().name("probe")
                .nativeAccess("dev.hshm.api", "dev.hshm.provider.posix", "dev.hshm.provider.cuda")
                .modulePath(List.of(ChildJvm.location(MemoryBackendProvider.class),
                        ChildJvm.location(PosixShmMmap.class), ChildJvm.location(CudaShmMmapProvider.class)))
                .classPathOf(ChildProbe.class).main(ChildProbe.class.getName()).run(60);
        assertTrue(out.line("backend cuda_shm_mmap").contains("unsupported (libcuda.so.1 not found"), out.output());
        assertEquals("current pthreads", out.line("current"));
        assertTrue(out.line("module").endsWith("/ module dev.hshm.api"), "the api is a named module: " + out);
    }
}
