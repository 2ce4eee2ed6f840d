package dev.hshm.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running one of this module's test mains on the same class path, with its output echoed
 * (prefixed) and kept for assertions.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final String name;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;

    private ChildJvm(Process process, String name) {
        this.process = process;
        this.name = name;
        this.pump = Thread.ofPlatform().daemon().name("pump-" + name).start(this::pump);
    }

    /** Starts {@code mainClass} with {@code args} and the given system properties ({@code -Dk=v} strings). */
    static ChildJvm start(String name, Class<?> mainClass, List<String> jvmArgs, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(jvmArgs);
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        return new ChildJvm(pb.start(), name);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[" + name + " pid " + process.pid() + "] " + line);
                all.add(line);
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("<output closed: " + e + ">");
        }
    }

    /** Waits for a line that starts with {@code prefix}; returns it. */
    String await(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(1, left), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (left <= 0 || !process.isAlive())) {
                throw new AssertionError(name + ": no line starting with '" + prefix + "' within " + seconds
                        + " s (alive=" + process.isAlive() + "); output so far: " + output());
            }
        }
    }

    /** Waits for the exit and returns the exit code. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within " + seconds + " s; output: " + output());
        }
        pump.join(5000);
        return process.exitValue();
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    long pid() {
        return process.pid();
    }

    String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
