package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import dev.hshm.provider.posix.internal.PosixShm;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, support reasons and module metadata; two tests start a second JVM on the class path. */
@EnabledOnOs(OS.LINUX)
class ProvidersTest {

    private final Segments segs = new Segments();

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() {
        segs.close();
    }

    @Test
    void providersReportSupportedNamingTheOsAndLibc() {
        for (NamedProvider p : List.of(new PosixMmapProvider(), new PosixShmMmapProvider(),
                new PthreadsThreadModelProvider())) {
            Support s = p.support();
            assertTrue(s.supported(), p + ": " + s);
            assertTrue(s.reason().contains("Linux"), s.reason());
            assertTrue(s.reason().contains("glibc") || s.reason().contains("libc"), s.reason());
            assertSame(s, p.support(), "computed once");
            assertEquals(50, p.priority());
        }
    }

    @Test
    void registryFindsTheProvidersByName() {
        ProviderRegistry reg = ProviderRegistry.global();
        assertInstanceOf(PosixMmapProvider.class, reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_MMAP));
        assertInstanceOf(PosixShmMmapProvider.class, reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP));
        assertInstanceOf(PthreadsThreadModelProvider.class, reg.find(ThreadModelProvider.class, ThreadModel.PTHREADS));
        assertEquals(ThreadModel.PTHREADS, reg.supported(ThreadModelProvider.class).getFirst().name(),
                "the highest-priority supported model");
    }

    @Test
    void moduleProvidesExactlyWhatMetaInfServicesLists() throws IOException {
        Module m = PosixShmMmapProvider.class.getModule();
        assumeTrue(m.isNamed(), "tests run on the class path");
        ModuleDescriptor d = m.getDescriptor();
        assertEquals("dev.hshm.provider.posix", d.name());
        assertTrue(d.exports().isEmpty(), "implementation packages are not exported: " + d.exports());
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("dev.hshm.api")));
        Set<String> spis = new TreeSet<>();
        for (ModuleDescriptor.Provides p : d.provides()) {
            spis.add(p.service());
            assertEquals(new TreeSet<>(p.providers()), servicesFile(m, p.service()), p.service());
        }
        assertEquals(Set.of(MemoryBackendProvider.class.getName(), ThreadModelProvider.class.getName()), spis);
    }

    private static Set<String> servicesFile(Module m, String spi) throws IOException {
        try (InputStream in = m.getResourceAsStream("META-INF/services/" + spi)) {
            assertTrue(in != null, "META-INF/services/" + spi + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    // ------------------------------------------------------------------ a second JVM

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
                    if (args[0].equals("attach")) {
                        MemoryBackend b = reg.find(MemoryBackendProvider.class, "posix_shm_mmap").attach(args[1]);
                        System.out.println("read " + b.data().get(ValueLayout.JAVA_LONG, 0));
                        System.out.println("attachCount " + BackendHeader.attachCount(b.header()));
                        b.data().set(ValueLayout.JAVA_LONG, 8, 4242L);
                        b.detach();
                        System.out.println("current " + ThreadModel.current().name() + " tidPid "
                                + (ThreadModel.current().getTid() >>> 32) + " pid " + ProcessHandle.current().pid());
                    }
                }
            }
            """;

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private List<String> runProbe(List<String> jvmFlags, String... args) throws Exception {
        Path probe = tmp.resolve("Probe.java");
        Files.writeString(probe, PROBE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(location(PosixShm.class) + java.io.File.pathSeparator + location(BackendHeader.class));
        cmd.add(probe.toString());
        cmd.addAll(Arrays.asList(args));
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
    void anotherProcessOnTheClassPathFindsTheProvidersAndSharesTheMemory() throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(dev.hshm.api.MemoryBackendId.get(4), 4096, name, 0600));
        b.data().set(ValueLayout.JAVA_LONG, 0, 777L);
        List<String> out = runProbe(List.of("--enable-native-access=ALL-UNNAMED"), "attach", name);
        assertTrue(line(out, "backend posix_shm_mmap").contains(PosixShmMmapProvider.class.getName() + " supported"),
                out.toString());
        assertTrue(line(out, "model pthreads").contains(" supported"), out.toString());
        assertEquals("read 777", line(out, "read "));
        assertEquals("attachCount 2", line(out, "attachCount "));
        String[] current = line(out, "current ").split(" ");
        assertEquals("pthreads", current[1]);
        assertEquals(current[5], current[3], "the child's tids carry the child's pid");
        assertTrue(!current[5].equals(Long.toString(ProcessHandle.current().pid())));
        assertEquals(4242L, b.data().get(ValueLayout.JAVA_LONG, 8), "the child's write is visible here");
        assertEquals(1, BackendHeader.attachCount(b.header()), "the child detached");
    }

    @Test
    void deniedNativeAccessIsReportedAsUnsupportedWithTheFlagToAdd() throws Exception {
        List<String> out = runProbe(List.of("--illegal-native-access=deny"), "list");
        for (String prefix : List.of("backend posix_mmap", "backend posix_shm_mmap", "model pthreads")) {
            String l = line(out, prefix);
            assertTrue(l.contains("unsupported (native access denied: add --enable-native-access=ALL-UNNAMED"), l);
        }
    }
}
