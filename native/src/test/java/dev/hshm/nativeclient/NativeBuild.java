package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds the C client once per test JVM with the directory's own {@code Makefile} ({@code make OUT=target/c}), so
 * the tests run exactly what a user builds. Without {@code make} or a C compiler on the PATH the C tests are
 * skipped and the reason is printed (the Java build stays green); a compiler that rejects the code fails them.
 */
final class NativeBuild {

    /** The module's directory (surefire runs in it). */
    static final Path DIR = Path.of("").toAbsolutePath();
    /** Where {@code make} puts the library and the programs. */
    static final Path OUT = DIR.resolve("target").resolve("c");

    private static String skipReason;
    private static boolean built;

    private NativeBuild() {
    }

    /** Builds (once) and returns the output directory, or aborts the calling test with the printed reason. */
    static synchronized Path out() {
        if (!built && skipReason == null) {
            build();
        }
        if (skipReason != null) {
            System.out.println("C client tests skipped: " + skipReason);
            Assumptions.abort(skipReason);
        }
        return OUT;
    }

    static Path library() {
        return out().resolve("libhshm.so");
    }

    static Path program(String name) {
        return out().resolve(name);
    }

    private static void build() {
        String cc = System.getenv().getOrDefault("CC", "cc");
        if (!onPath("make") || !onPath(cc)) {
            skipReason = "no " + (onPath("make") ? "C compiler ('" + cc + "')" : "'make'") + " on the PATH; install"
                    + " gcc and make (Debian: apt-get install gcc make) to build and test the C client";
            return;
        }
        try {
            Path log = Files.createTempFile("hshm-make", ".log");
            Process p = new ProcessBuilder(List.of("make", "-C", DIR.toString(), "OUT=" + OUT, "CC=" + cc))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("make of the C client did not finish in 300 s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (p.exitValue() != 0) {
                fail("make of the C client failed (exit " + p.exitValue() + "):\n" + out);
            }
            built = true;
        } catch (IOException e) {
            fail("could not run make: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while building the C client");
        }
    }

    private static boolean onPath(String exe) {
        if (exe.contains(File.separator)) {
            return Files.isExecutable(Path.of(exe));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
