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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
                        case "create", "createSparse" -> {
                            try {
                                shm.create(MemoryBackendId.get(1), Long.parseLong(args[2]), args[1],
                                        BackendOptions.DEFAULT.withReserve(args[0].equals("create")));
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

    /** Runs Probe.java with the api and this module on the class path; returns its output lines. */
    private List<String> runProbe(String shellPrefix, List<String> jvmFlags, String... args) throws Exception {
        return runProbe(List.of(), shellPrefix, jvmFlags, args);
    }

    /** Runs Probe.java under {@code wrapper} (a command that runs the rest, e.g. {@code unshare -m}). */
    private List<String> runProbe(List<String> wrapper, String shellPrefix, List<String> jvmFlags, String... args)
            throws Exception {
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        ChildJvm.Builder b = ChildJvm.java().name("probe").wrapper(wrapper).jvmArgs(jvmFlags)
                .classPathOf(PosixNative.class, BackendHeader.class).source(probe).args(args);
        if (shellPrefix != null) {
            b.shellPrefix(shellPrefix);
        }
        return b.run(60).lines();
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in " + out));
    }

    @Test
    void anotherProcessOnTheClassPathFindsTheProvidersAndSharesTheMemory() throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(4), 4096, name, 0600));
        b.data().set(ValueLayout.JAVA_LONG, 0, 777L);
        List<String> out = runProbe(null, List.of("--enable-native-access=ALL-UNNAMED"), "attach", name);
        assertTrue(line(out, "backend posix_shm_mmap").contains(PosixShmMmapProvider.class.getName() + " supported"),
                out.toString());
        assertTrue(line(out, "backend posix_mmap").contains(PosixMmapProvider.class.getName() + " supported"),
                out.toString());
        assertTrue(line(out, "model pthreads").contains(" supported"), out.toString());
        assertEquals("read 777", line(out, "read "));
        assertEquals("attachCount 2", line(out, "attachCount "));
        String[] current = line(out, "current ").split(" ");
        assertEquals("pthreads", current[1]);
        assertEquals(current[5], current[3], "the child's tids carry the child's pid");
        assertNotEquals(Long.toString(ProcessHandle.current().pid()), current[5]);
        assertEquals(4242L, b.data().get(ValueLayout.JAVA_LONG, 8), "the child's write is visible here");
        assertEquals(1, BackendHeader.attachCount(b.header()), "the child detached");
    }

    /**
     * A create on a {@code /dev/shm} without room for it: the JVM runs in a private mount namespace
     * ({@code unshare -m}, which needs root or CAP_SYS_ADMIN) over an 8 MiB tmpfs with 6 MiB taken, and creates
     * 4 MiB. Reserved (the default), the create fails with the size and the free space; sparse, it succeeds
     * (and would die of SIGBUS at the first page the tmpfs cannot supply, which is why reserving is the default).
     */
    @Test
    void aCreateThatDoesNotFitInDevShmFailsAtCreateNamingTheSpace() throws Exception {
        Process probe = new ProcessBuilder("unshare", "-m", "true").redirectErrorStream(true).start();
        String why = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean canUnshare = probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        if (!canUnshare) {
            System.out.println("ChildJvmTest: skipping the full-/dev/shm create: 'unshare -m' is not allowed here ("
                    + why + "); the reservation itself is covered by PosixShmMmapTest");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(canUnshare, "unshare -m not allowed: " + why);
        String fill = "mount -t tmpfs -o size=8M tmpfs /dev/shm && head -c 6291456 /dev/zero > /dev/shm/filler";
        List<String> reserved = runProbe(List.of("unshare", "-m"), fill, List.of("--enable-native-access=ALL-UNNAMED"),
                "create", "hshm-full", Long.toString(4L << 20));
        String failed = line(reserved, "failed ");
        assertTrue(failed.contains("OutOfMemoryException: cannot reserve shared memory 'hshm-full' of 4198400 bytes"),
                failed);
        assertTrue(failed.contains("/dev/shm is too small: size=") && failed.contains("free="), failed);
        List<String> sparse = runProbe(List.of("unshare", "-m"), fill, List.of("--enable-native-access=ALL-UNNAMED"),
                "createSparse", "hshm-full", Long.toString(4L << 20));
        assertEquals("created", line(sparse, "created"));
    }

    @Test
    void anotherProcessMapsTheDataAtTheSameAlignmentSoAlignedOffsetsAreAlignedAddressesThere() throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(4), 8L << 20, name, 0600));
        List<Long> theirs = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // two children: two more address space layouts
            String[] data = line(runProbe(null, List.of("--enable-native-access=ALL-UNNAMED"), "align", name),
                    "data ").split(" ");
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
        List<String> out = runProbe(null, List.of("--illegal-native-access=deny"), "list");
        for (String prefix : List.of("backend posix_mmap", "backend posix_shm_mmap", "model pthreads")) {
            String l = line(out, prefix);
            assertTrue(l.contains("unsupported (native access denied: add --enable-native-access=ALL-UNNAMED"), l);
        }
    }

    @Test
    void aCreateThatFailsHalfWayRemovesTheObjectItMade() throws Exception {
        long size = 8L << 30; // fits the tmpfs (sparse) but not an address space limited to ~3 GB
        assumeTrue(Files.getFileStore(DevShm.DIR).getTotalSpace() > size + (1L << 20), "/dev/shm smaller than 8 GiB");
        String name = segs.name();
        List<String> out = runProbe("ulimit -v 3000000",
                List.of("-Xmx64m", "-Xss512k", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=64m",
                        "-XX:MaxMetaspaceSize=128m", "-XX:+UseSerialGC", "-Xshare:auto",
                        "--enable-native-access=ALL-UNNAMED"),
                "create", name, Long.toString(size));
        String failed = line(out, "failed ");
        assertTrue(failed.contains("mmap failed: ENOMEM (12)"), failed);
        assertTrue(failed.contains("ulimit -v"), failed);
        assertTrue(!Files.exists(DevShm.path(name)), "shm_open had created it; the failed create must unlink it");
    }
}
