package dev.hshm.provider.windows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Windows-only binding path where it fails, run here: a child JVM is told it runs on Windows
 * ({@code -Dos.name="Windows 11"}), so {@link Kernel32} really tries to look up {@code kernel32}. Whether the
 * lookup fails (no such library) or native access is denied, the providers' reason says which, calls throw
 * {@link UnsupportedOperationException} with it, and no {@link UnsatisfiedLinkError} or other linkage error
 * escapes.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "on Windows the lookup succeeds; Kernel32WindowsTest covers it")
class Kernel32BindingFailureTest {

    private static Map<String, String> probe(String... jvmFlags) throws IOException, InterruptedException {
        Module m = Kernel32.class.getModule();
        assumeTrue(m.isNamed(), "needs the module path (tests run on the class path)");
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null, "no jdk.module.path");
        Path testClasses;
        try {
            testClasses = Path.of(BindingProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dos.name=Windows 11");
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--module-path", modulePath,
                "--patch-module", m.getName() + "=" + testClasses,
                "-m", m.getName() + "/" + BindingProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, p.exitValue(), out);
        Map<String, String> kv = new HashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        kv.put("output", out);
        return kv;
    }

    @Test
    void aKernel32ThatCannotBeFoundIsAReasonNotALinkageError() throws Exception {
        Map<String, String> r = probe("--enable-native-access=dev.hshm.api,dev.hshm.provider.windows");
        String out = r.get("output");
        assertEquals("true", r.get("windows"), out);
        assertTrue(r.get("support").startsWith("unsupported (kernel32 functions could not be bound on Windows 11"), out);
        assertTrue(r.get("support").contains("kernel32"), out);
        assertEquals("true", r.get("loadAttempted"), out);
        assertTrue(r.get("call").startsWith(UnsupportedOperationException.class.getName()
                + ": kernel32 is not available: kernel32 functions could not be bound"), out);
    }

    @Test
    void deniedNativeAccessNamesTheFlagToAdd() throws Exception {
        Map<String, String> r = probe("--illegal-native-access=deny", "--enable-native-access=dev.hshm.api");
        String out = r.get("output");
        assertTrue(r.get("support").startsWith("unsupported (native access denied: add"
                + " --enable-native-access=dev.hshm.provider.windows"), out);
        assertTrue(r.get("call").startsWith(UnsupportedOperationException.class.getName()
                + ": kernel32 is not available: native access denied"), out);
    }
}
