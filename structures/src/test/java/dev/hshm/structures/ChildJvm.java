package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryManager;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running {@link ChildMain} with this module, its tests, the api, the built-in allocators and
 * the POSIX provider on the class path (found where this JVM loaded them from); its output lines are
 * collected as they come.
 */
final class ChildJvm implements AutoCloseable {

    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process p) {
        this.process = p;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    all.add(l);
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        }, "child-" + p.pid());
        t.setDaemon(true);
        t.start();
    }

    static ChildJvm start(String... args) {
        return startMain(ChildMain.class, args);
    }

    /** A child running {@code main} (a class of this module's tests) instead of {@link ChildMain}. */
    static ChildJvm startMain(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, location(ChildMain.class), location(NamedObjects.class),
                location(MemoryManager.class), module("dev.hshm.allocators"), module("dev.hshm.provider.posix")));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String module(String name) {
        return ModuleLayer.boot().configuration().findModule(name)
                .flatMap(m -> m.reference().location()).map(u -> Path.of(u).toString())
                .orElseGet(() -> {
                    // class-path run of the tests: every jar is on java.class.path already
                    return System.getProperty("java.class.path");
                });
    }

    /** Waits for a line that starts with {@code prefix}; returns it. */
    String await(String prefix, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (l == null) {
                throw new AssertionError("child " + process.pid() + " printed no line starting with '" + prefix
                        + "' within " + timeoutSeconds + " s (alive=" + process.isAlive() + "); it printed: " + all);
            }
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    int waitFor(long timeoutSeconds) throws InterruptedException {
        assertTrue(process.waitFor(timeoutSeconds, TimeUnit.SECONDS), "child did not exit: " + all);
        return process.exitValue();
    }

    List<String> output() {
        return List.copyOf(all);
    }

    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
