package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.provider.posix.internal.DevShm;
import dev.hshm.provider.posix.internal.PosixNative;
import dev.hshm.testkit.ChildJvm;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What needs another JVM: a second process on the class path (discovery through META-INF/services, memory
 * shared across processes), a JVM that denies native access, and one whose address space is too small to map
 * what it asks for. Each child is a single-file program run by the source launcher (about a second).
 */
@EnabledOnOs(OS.LINUX)
class ChildJvmTest {

    private static final String PROBE = """
            import dev.hshm.api.*;
            import dev.hshm.api.spi.*;
            import java.lang.foreign.ValueLayout;

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
                    MemoryBackendProvider shm = reg.all(MemoryBackendProvider.class).stream()
                            .filter(p -> p.name().equals("posix_shm_mmap")).findFirst().orElseThrow();
                    switch (args[0]) {
                        case "attach" -> {
                            MemoryBackend b = shm.attach(args[1]);
                            System.out.println("read " + b.data().get(ValueLayout.JAVA_LONG, 0));
                            System.out.println("attachCount " + BackendHeader.attachCount(b.header()));
                            b.data().set(ValueLayout.JAVA_LONG, 8, 4242L);
                            b.detach();
                            System.out.println("current " + ThreadModel.current().name() + " tidPid "
                                    + (ThreadModel.current().getTid() >>> 32) + " pid " + ProcessHandle.current().pid());
                        }
                        case "align" -> {
                            MemoryBackend b = shm.attach(args[1]);
                            System.out.println("data " + b.data().address() + " " + b.addressAlignment());
                            b.detach();
                        }
                        case "create" -> {
                            try {
                                shm.create(MemoryBackendId.get(1), Long.parseLong(args[2]), args[1], BackendOptions.DEFAULT);
                                System.out.println("created");
                            } catch (RuntimeException e) {
                                System.out.println("failed " + e);
                            }
                        }
                        default -> { }
                    }
                }
            }
            """;

    private final ShmTestNames segs = new ShmTestNames("hshm-t");

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() {
        segs.close();
    }

    /** Runs Probe.java with the api and this module on the class path; returns the finished child. */
    private ChildJvm runProbe(String shellPrefix, List<String> jvmFlags, String... args) throws Exception {
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        ChildJvm.Builder b = ChildJvm.java().name("probe").jvmArgs(jvmFlags)
                .classPathOf(PosixNative.class, BackendHeader.class).source(probe).args(args);
        if (shellPrefix != null) {
            b.shellPrefix(shellPrefix);
        }
        return b.run(60);
    }


    @Test
    void anotherProcessOnTheClassPathFindsTheProvidersAndSharesTheMemory() throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(4), 4096, name, 0600));
        b.data().set(ValueLayout.JAVA_LONG, 0, 777L);
        ChildJvm out = runProbe(null, List.of("--enable-native-access=ALL-UNNAMED"), "attach", name);
        assertTrue(out.line("backend posix_shm_mmap").contains(PosixShmMmapProvider.class.getName() + " supported"),
                out.output());
        assertTrue(out.line("backend posix_mmap").contains(PosixMmapProvider.class.getName() + " supported"),
                out.output());
        assertTrue(out.line("model pthreads").contains(" supported"), out.output());
        assertEquals("read 777", out.line("read "));
        assertEquals("attachCount 2", out.line("attachCount "));
        String[] current = out.line("current ").split(" ");
        assertEquals("pthreads", current[1]);
        assertEquals(current[5], current[3], "the child's tids carry the child's pid");
        assertNotEquals(Long.toString(ProcessHandle.current().pid()), current[5]);
        assertEquals(4242L, b.data().get(ValueLayout.JAVA_LONG, 8), "the child's write is visible here");
        assertEquals(1, BackendHeader.attachCount(b.header()), "the child detached");
    }

    @Test
    void anotherProcessMapsTheDataAtTheSameAlignmentSoAlignedOffsetsAreAlignedAddressesThere() throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(4), 8L << 20, name, 0600));
        List<Long> theirs = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // two children: two more address space layouts
            String[] data = runProbe(null, List.of("--enable-native-access=ALL-UNNAMED"), "align", name)
                    .line("data ").split(" ");
            assertEquals(Long.toString(PosixShmMmap.ADDRESS_ALIGNMENT), data[2], "the child's view promises the same");
            theirs.add(Long.parseLong(data[1]));
        }
        for (long base : theirs) {
            for (long align : new long[] {8 << 10, 64 << 10, PosixShmMmap.ADDRESS_ALIGNMENT}) {
                long off = 3 * align; // an offset aligned to align, as alignedAllocateOffset returns
                assertEquals(0, (base + off) % align, "child data at 0x" + Long.toHexString(base) + ", alignment "
                        + align);
                assertEquals(0, (b.data().address() + off) % align, "here");
            }
        }
    }

    @Test
    void deniedNativeAccessIsReportedAsUnsupportedWithTheFlagToAdd() throws Exception {
        ChildJvm out = runProbe(null, List.of("--illegal-native-access=deny"), "list");
        for (String prefix : List.of("backend posix_mmap", "backend posix_shm_mmap", "model pthreads")) {
            String l = out.line(prefix);
            assertTrue(l.contains("unsupported (native access denied: add --enable-native-access=ALL-UNNAMED"), l);
        }
    }

    @Test
    void aCreateThatFailsHalfWayRemovesTheObjectItMade() throws Exception {
        long size = 8L << 30; // fits the tmpfs (sparse) but not an address space limited to ~3 GB
        assumeTrue(Files.getFileStore(DevShm.DIR).getTotalSpace() > size + (1L << 20), "/dev/shm smaller than 8 GiB");
        String name = segs.name();
        ChildJvm out = runProbe("ulimit -v 3000000",
                List.of("-Xmx64m", "-Xss512k", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=64m",
                        "-XX:MaxMetaspaceSize=128m", "-XX:+UseSerialGC", "-Xshare:auto",
                        "--enable-native-access=ALL-UNNAMED"),
                "create", name, Long.toString(size));
        String failed = out.line("failed ");
        assertTrue(failed.contains("mmap failed: ENOMEM (12)"), failed);
        assertTrue(failed.contains("ulimit -v"), failed);
        assertTrue(!Files.exists(DevShm.path(name)), "shm_open had created it; the failed create must unlink it");
    }
}
