package dev.hshm.allocators.internal.testing;

import dev.hshm.api.Allocator;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starts a child JVM running a {@code main} of the test classes: the same {@code java}, a class path made of
 * where the test classes, the allocators' classes and the api come from (the child runs on the class path, so
 * the heap's package-private classes are reachable from a test class in the same package), native access on.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** The class path of a child: the code sources of the test classes, the module's classes and the api. */
    public static String classPath() {
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : List.of(ChildJvm.class, dev.hshm.allocators.internal.heap.Heap.class, Allocator.class)) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    /**
     * A process builder for {@code main} with {@code args}, JVM options {@code jvmOptions} first.
     *
     * @param main the class whose main runs
     * @param jvmOptions e.g. {@code -Dhshm.heap.crashPoints=true}
     * @param args the program's arguments
     * @return the builder (stderr merged into stdout)
     */
    public static ProcessBuilder builder(Class<?> main, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx256m");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(main.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    /** The pid of a process that has already exited (for owner words of a dead process). */
    public static long deadPid() {
        try {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            return p.pid();
        } catch (Exception e) {
            throw new IllegalStateException("cannot run 'true' for a dead pid", e);
        }
    }
}
