package dev.hshm.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A second JVM: the one launcher of child JVMs in hshm-java (tests that need another process, the demo's
 * second JVM, the benchmarks' worker processes). {@link #java()} builds the command; {@link Builder#start()}
 * starts it with stderr merged into stdout, which a daemon thread reads line by line (so the child never
 * blocks on a full pipe), keeps for {@link #await}, {@link #line} and {@link #value}, and echoes with a
 * {@code [name pid N]} prefix if asked.
 *
 * <pre>{@code
 * ChildJvm child = ChildJvm.java().likeThisJvm().main(Worker.class).args("x").run(60);
 * assertEquals("42", child.value("answer"));
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final String name;
    private final List<String> command;
    private final PrintStream echo;
    private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;

    private ChildJvm(Process process, String name, List<String> command, PrintStream echo) {
        this.process = process;
        this.name = name;
        this.command = command;
        this.echo = echo;
        this.pump = Thread.ofPlatform().daemon().name("child-jvm-" + name).start(this::pump);
    }

    /**
     * A command that runs this JVM's {@code java} binary (the same JDK), with nothing else yet.
     *
     * @return a builder
     */
    public static Builder java() {
        return new Builder();
    }

    /**
     * Where a class was loaded from (its jar or class directory), for class and module paths.
     *
     * @param c a class loaded from a file
     * @return the jar or directory
     */
    public static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException(c.getName() + " was not loaded from a file", e);
        }
    }

    /**
     * The entries of this JVM's module path then its class path (every jar and directory it has).
     *
     * @return the entries, module path first
     */
    public static List<String> everything() {
        List<String> out = new ArrayList<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(prop);
            if (v != null && !v.isBlank()) {
                out.addAll(Arrays.asList(v.split(File.pathSeparator)));
            }
        }
        return out;
    }

    /** How a command is put together. */
    public static final class Builder {

        private final List<String> jvm = new ArrayList<>();
        private final List<String> main = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final List<String> unsetEnv = new ArrayList<>();
        private final List<String> wrapper = new ArrayList<>();
        private String shellPrefix;
        private String name = "child";
        private PrintStream echo;

        private Builder() {
        }

        /**
         * Options for the JVM (before the main class), in order; a later one wins where the JVM lets it.
         *
         * @param options for example {@code -Xmx64m}
         * @return this
         */
        public Builder jvmArgs(String... options) {
            return jvmArgs(List.of(options));
        }

        /**
         * Options for the JVM (before the main class), in order.
         *
         * @param options for example {@code -Xmx64m}
         * @return this
         */
        public Builder jvmArgs(List<String> options) {
            jvm.addAll(options);
            return this;
        }

        /**
         * {@code --enable-native-access=} the given modules.
         *
         * @param modules module names, or {@code ALL-UNNAMED}
         * @return this
         */
        public Builder nativeAccess(String... modules) {
            jvm.add("--enable-native-access=" + String.join(",", modules));
            return this;
        }

        /**
         * {@code -cp} with the given entries.
         *
         * @param entries jars and directories
         * @return this
         */
        public Builder classPath(List<String> entries) {
            jvm.add("-cp");
            jvm.add(String.join(File.pathSeparator, entries));
            return this;
        }

        /**
         * {@code -cp} with the jars or directories the given classes came from.
         *
         * @param classes one class of each jar
         * @return this
         */
        public Builder classPathOf(Class<?>... classes) {
            return classPath(Arrays.stream(classes).map(ChildJvm::location).toList());
        }

        /**
         * {@code -p} with the given entries and {@code --add-modules ALL-MODULE-PATH}.
         *
         * @param entries jars and directories
         * @return this
         */
        public Builder modulePath(List<String> entries) {
            jvm.addAll(List.of("-p", String.join(File.pathSeparator, entries), "--add-modules", "ALL-MODULE-PATH"));
            return this;
        }

        /**
         * The paths, modules and native access this JVM was started with: on the module path, the same module
         * path, the same modules resolved ({@code --add-modules}) and the same modules granted native access,
         * and the class path if there is one; on the class path, the same class path, with native access if this
         * JVM's unnamed module has it. Also {@code -ea} if assertions are on here, and every {@code -Dhshm.*}
         * property (so {@code -Dhshm.thread.model=NAME} applies to both processes).
         *
         * @return this
         */
        public Builder likeThisJvm() {
            Map<String, String> hshm = new TreeMap<>();
            System.getProperties().forEach((k, v) -> {
                if (k.toString().startsWith("hshm.")) {
                    hshm.put(k.toString(), v.toString());
                }
            });
            hshm.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
            if (ChildJvm.class.desiredAssertionStatus()) {
                jvm.add("-ea");
            }
            String cp = System.getProperty("java.class.path", "");
            boolean unnamedNative = ChildJvm.class.getClassLoader().getUnnamedModule().isNativeAccessEnabled();
            String modulePath = System.getProperty("jdk.module.path", "");
            if (ChildJvm.class.getModule().isNamed() && !modulePath.isEmpty()) {
                // the boot layer's modules that came from the module path (the JDK's own resolve by themselves)
                Set<String> jdk = ModuleFinder.ofSystem().findAll().stream().map(r -> r.descriptor().name())
                        .collect(Collectors.toSet());
                List<Module> ours = ModuleLayer.boot().modules().stream().filter(m -> !jdk.contains(m.getName()))
                        .sorted(Comparator.comparing(Module::getName)).toList();
                List<String> nativeAccess = new ArrayList<>(ours.stream().filter(Module::isNativeAccessEnabled)
                        .map(Module::getName).toList());
                if (unnamedNative) {
                    nativeAccess.add("ALL-UNNAMED");
                }
                if (!nativeAccess.isEmpty()) {
                    jvm.add("--enable-native-access=" + String.join(",", nativeAccess));
                }
                jvm.addAll(List.of("-p", modulePath, "--add-modules",
                        String.join(",", ours.stream().map(Module::getName).toList())));
            } else if (unnamedNative) {
                jvm.add("--enable-native-access=ALL-UNNAMED");
            }
            if (!cp.isEmpty()) {
                jvm.addAll(List.of("-cp", cp));
            }
            return this;
        }

        /**
         * The main class: {@code -m module/class} if it is in a named module, else its name (on the class path).
         *
         * @param mainClass a class with a {@code main} method
         * @return this
         */
        public Builder main(Class<?> mainClass) {
            main.clear();
            Module m = mainClass.getModule();
            if (m.isNamed()) {
                main.addAll(List.of("-m", m.getName() + "/" + mainClass.getName()));
            } else {
                main.add(mainClass.getName());
            }
            return this;
        }

        /**
         * The main class by name, on the class path (or in a module named by {@code -m} in {@link #jvmArgs}).
         *
         * @param className a class name
         * @return this
         */
        public Builder main(String className) {
            main.clear();
            main.add(className);
            return this;
        }

        /**
         * A single-file source program, run by the source launcher.
         *
         * @param sourceFile a {@code .java} file
         * @return this
         */
        public Builder source(Path sourceFile) {
            main.clear();
            main.add(sourceFile.toString());
            return this;
        }

        /**
         * Arguments of the main method.
         *
         * @param arguments the arguments
         * @return this
         */
        public Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        /**
         * Runs the JVM (and the {@link #shellPrefix}, if any) under {@code command}, a program that runs the rest
         * of its arguments (for example {@code unshare -m}).
         *
         * @param command the program and its options
         * @return this
         */
        public Builder wrapper(List<String> command) {
            wrapper.addAll(command);
            return this;
        }

        /**
         * Runs {@code command} in {@code /bin/sh} first, then the JVM in its place (for limits such as
         * {@code ulimit -v}).
         *
         * @param command a shell command
         * @return this
         */
        public Builder shellPrefix(String command) {
            shellPrefix = command;
            return this;
        }

        /**
         * Removes environment variables the child would inherit (for example {@code JDK_JAVA_OPTIONS}).
         *
         * @param names variable names
         * @return this
         */
        public Builder unsetEnv(String... names) {
            unsetEnv.addAll(List.of(names));
            return this;
        }

        /**
         * The name used in messages and in the echo prefix.
         *
         * @param childName a short name
         * @return this
         */
        public Builder name(String childName) {
            name = childName;
            return this;
        }

        /**
         * Echoes every line of the child to {@code to}, as {@code [name pid N] line}.
         *
         * @param to where, for example {@code System.out}
         * @return this
         */
        public Builder echoTo(PrintStream to) {
            echo = to;
            return this;
        }

        /**
         * The command line. Without {@link #main} the main class or module must be among the {@link #jvmArgs}
         * (for example {@code -m module/class}) or the {@link #args}.
         *
         * @return the command, the java binary first (or {@code /bin/sh} with a shell prefix)
         */
        public List<String> command() {
            List<String> cmd = new ArrayList<>(wrapper);
            if (shellPrefix != null) {
                cmd.addAll(List.of("/bin/sh", "-c", shellPrefix + " && exec \"$0\" \"$@\""));
            }
            cmd.add(javaBinary());
            cmd.addAll(jvm);
            cmd.addAll(main);
            cmd.addAll(args);
            return cmd;
        }

        /**
         * Starts the child with its output kept (and echoed if asked); stdin is closed.
         *
         * @return the running child
         * @throws IOException if it cannot be started
         */
        public ChildJvm start() throws IOException {
            List<String> cmd = command();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            unsetEnv.forEach(pb.environment()::remove);
            Process p = pb.start();
            p.getOutputStream().close();
            return new ChildJvm(p, name, cmd, echo);
        }

        /**
         * Starts the child and leaves its streams to the caller (which must read both, or the child may block).
         *
         * @return the process
         * @throws IOException if it cannot be started
         */
        public Process startProcess() throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command());
            unsetEnv.forEach(pb.environment()::remove);
            Process p = pb.start();
            p.getOutputStream().close();
            return p;
        }

        /**
         * Starts the child, waits for it, and checks that it exited with 0.
         *
         * @param seconds how long it may take
         * @return the finished child, whose output can be read
         * @throws IOException if it cannot be started
         * @throws InterruptedException if interrupted while waiting
         * @throws AssertionError if it timed out (it is killed) or exited with another code, with its output
         */
        public ChildJvm run(long seconds) throws IOException, InterruptedException {
            ChildJvm child = start();
            int rc = child.waitFor(seconds);
            if (rc != 0) {
                throw new AssertionError(child.name + " exited with " + rc + ": " + child.command + "\n"
                        + child.output());
            }
            return child;
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (echo != null) {
                    echo.println("[" + name + " pid " + process.pid() + "] " + line);
                }
                all.add(line);
                pending.add(line);
            }
        } catch (IOException e) {
            all.add("<output closed: " + e + ">");
        }
    }

    /**
     * Waits for the next line that starts with {@code prefix} (lines before it are consumed).
     *
     * @param prefix what the line starts with
     * @param seconds how long to wait
     * @return the line
     * @throws InterruptedException if interrupted
     * @throws AssertionError if none came in time, or the child ended first, with its output
     */
    public String await(String prefix, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = pending.poll(Math.max(1, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))),
                    TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (left <= 0 || (!process.isAlive() && !pump.isAlive() && pending.isEmpty()))) {
                throw new AssertionError(name + ": no line starting with '" + prefix + "' within " + seconds
                        + " s (alive=" + process.isAlive() + "); output so far:\n" + output());
            }
        }
    }

    /**
     * Waits for the child to exit and for its output to be read.
     *
     * @param seconds how long to wait
     * @return the exit code
     * @throws InterruptedException if interrupted
     * @throws AssertionError if it did not exit in time (it is killed), with its output
     */
    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not finish within " + seconds + " s: " + command + "\n" + output());
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /**
     * SIGKILL, then waits for the exit.
     *
     * @throws InterruptedException if interrupted
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * The child's pid.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The process.
     *
     * @return the process (its output stream is read by this class)
     */
    public Process process() {
        return process;
    }

    /**
     * The command line it was started with.
     *
     * @return the command
     */
    public List<String> command() {
        return command;
    }

    /**
     * Every line read so far.
     *
     * @return a copy
     */
    public List<String> lines() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /**
     * Every line read so far, joined.
     *
     * @return the output
     */
    public String output() {
        return String.join("\n", lines());
    }

    /**
     * The first line read so far that starts with {@code prefix}.
     *
     * @param prefix what the line starts with
     * @return the line
     * @throws AssertionError if there is none, with the output
     */
    public String line(String prefix) {
        return lines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " printed no line starting with '" + prefix + "':\n"
                        + output()));
    }

    /**
     * The value of the last {@code key=value} line for {@code key}.
     *
     * @param key the key
     * @return the value
     * @throws AssertionError if there is none, with the output
     */
    public String value(String key) {
        List<String> ls = lines();
        for (int i = ls.size() - 1; i >= 0; i--) {
            if (ls.get(i).startsWith(key + "=")) {
                return ls.get(i).substring(key.length() + 1);
            }
        }
        throw new AssertionError(name + " printed no '" + key + "=':\n" + output());
    }

    /**
     * The name, the pid and the output so far (for assertion messages).
     *
     * @return a description
     */
    @Override
    public String toString() {
        return name + " (pid " + process.pid() + "):\n" + output();
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
