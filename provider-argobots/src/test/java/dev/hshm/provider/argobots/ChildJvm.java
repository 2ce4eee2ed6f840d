package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadModel;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link ChildMain} in a fresh JVM, with this module and the api either on the module path (the test
 * classes patched into {@code dev.hshm.provider.argobots}, as surefire does) or on the class path, and returns
 * its {@code key=value} lines.
 */
final class ChildJvm {

    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z][A-Za-z.]*)=(.*)");

    /** How the child finds the jars. */
    enum Launch { MODULE_PATH, CLASS_PATH }

    private ChildJvm() {
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String testClasses() {
        String dir = System.getProperty("argobots.testClasses");
        assertTrue(dir != null && !dir.isBlank(), "surefire must set -Dargobots.testClasses (see pom.xml)");
        return dir;
    }

    static Map<String, String> run(Launch launch, List<String> jvmFlags, String scenario) throws Exception {
        String api = location(ThreadModel.class);
        String main = location(ArgobotsThreadModel.class);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmFlags);
        if (launch == Launch.MODULE_PATH) {
            cmd.addAll(List.of("--module-path", api + File.pathSeparator + main,
                    "--patch-module", "dev.hshm.provider.argobots=" + testClasses(),
                    "--module", "dev.hshm.provider.argobots/" + ChildMain.class.getName()));
        } else {
            cmd.addAll(List.of("-cp", api + File.pathSeparator + main + File.pathSeparator + testClasses(),
                    ChildMain.class.getName()));
        }
        cmd.add(scenario);
        Path log = Files.createTempFile("argobots-child-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(exited, "child JVM timed out: " + cmd + "\n" + out);
            assertEquals(0, p.exitValue(), "child JVM failed: " + cmd + "\n" + out);
            Map<String, String> kv = new LinkedHashMap<>();
            for (String line : out.lines().toList()) {
                Matcher m = KEY_VALUE.matcher(line);
                if (m.matches()) {
                    kv.put(m.group(1), m.group(2));
                }
            }
            kv.put("#output", out);
            return kv;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The value of {@code key}, failing with the child's whole output if it is missing. */
    static String get(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new AssertionError("child printed no '" + key + "=': \n" + kv.get("#output"));
        }
        return v;
    }
}
