package dev.hshm.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reactor's jars, as failsafe passes them (see it/pom.xml), keyed by short name. */
final class Jars {

    /** Our main modules: short name -> JPMS module name (= Bundle-SymbolicName). */
    static final Map<String, String> OURS = new LinkedHashMap<>();

    static {
        OURS.put("api", "dev.hshm.api");
        OURS.put("allocators", "dev.hshm.allocators");
        OURS.put("structures", "dev.hshm.structures");
        OURS.put("testkit", "dev.hshm.testkit");
        OURS.put("posix", "dev.hshm.provider.posix");
        OURS.put("windows", "dev.hshm.provider.windows");
        OURS.put("cuda", "dev.hshm.provider.cuda");
        OURS.put("rocm", "dev.hshm.provider.rocm");
        OURS.put("argobots", "dev.hshm.provider.argobots");
        OURS.put("cli", "dev.hshm.cli");
    }

    private Jars() {
    }

    static Path jar(String shortName) {
        String p = System.getProperty("hshm.jar." + shortName);
        if (p == null || !p.endsWith(".jar") || !Files.isRegularFile(Path.of(p))) {
            throw new AssertionError("jar of '" + shortName + "' not available (" + p + "): run ./mvnw verify, "
                    + "which packages every module before the integration tests");
        }
        return Path.of(p);
    }

    static List<Path> ours() {
        List<Path> out = new ArrayList<>();
        for (String k : OURS.keySet()) {
            out.add(jar(k));
        }
        return out;
    }

    /** Ours, the example provider and picocli: everything a full installation has. */
    static List<Path> everything() {
        List<Path> out = ours();
        out.add(jar("example"));
        out.add(jar("picocli"));
        return out;
    }

    static String pathOf(List<Path> jars) {
        return String.join(java.io.File.pathSeparator, jars.stream().map(Path::toString).toList());
    }
}
