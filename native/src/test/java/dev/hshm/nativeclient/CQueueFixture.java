package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.spi.Processes;
import dev.hshm.structures.NamedObjects;
import dev.hshm.testkit.ShmTestNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One POSIX shared-memory segment with a scalable_page allocator whose custom header holds a named-object directory,
 * for the C queue tests, plus what those tests share: running the C programs as processes, the offsets of
 * {@code include/hshm_structures.h} (read from the generated header, not typed again) and owner words.
 */
final class CQueueFixture implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger(60);

    final ShmTestNames names = new ShmTestNames("hshm-cq");
    final String url;
    final MemoryBackendId backendId;
    final AllocatorId allocatorId;
    final MemoryBackend backend;
    final Allocator allocator;

    CQueueFixture() {
        this(16L << 20);
    }

    CQueueFixture(long bytes) {
        int n = IDS.incrementAndGet();
        url = names.name();
        backendId = MemoryBackendId.get(n);
        allocatorId = AllocatorId.of(n, 1);
        MemoryManager mm = MemoryManager.get();
        backend = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, bytes, url);
        allocator = mm.createAllocator(Allocator.SCALABLE_PAGE, backendId, allocatorId,
                NamedObjects.CUSTOM_HEADER_BYTES + 64);
    }

    /** The directory (made on first use). */
    NamedObjects dir() {
        return NamedObjects.of(allocator);
    }

    /** {@code -a MAJOR,MINOR} of the C programs. */
    String id() {
        return allocatorId.major() + "," + allocatorId.minor();
    }

    /** The allocator's custom header: its word 0 is the directory's root (offset plus one). */
    MemorySegment customHeader() {
        return allocator.customHeader();
    }

    /** The directory block, as this process maps it. */
    MemorySegment directory() {
        long root = customHeader().get(ValueLayout.JAVA_LONG, 0);
        return allocator.resolve(root - 1, define("HSHM_ND_BYTES"));
    }

    @Override
    public void close() {
        try {
            MemoryManager.get().destroyBackend(backendId);
        } finally {
            names.close();
        }
    }

    // ------------------------------------------------------------------ the generated header

    /** The value of {@code #define NAME <integer>} in the generated headers ({@link CDefines}). */
    static long define(String name) {
        return CDefines.of(name);
    }

    // ------------------------------------------------------------------ owner words

    /** A structures owner word of a process that has exited (its pid, a start second of now). */
    static long deadOwner() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        long pid = p.pid();
        assertTrue(!Processes.isAlive(pid, 0), "pid " + pid + " still runs");
        return pid << 32 | (System.currentTimeMillis() / 1000);
    }

    /** This JVM's structures owner word (Owner.CURRENT). */
    static long myOwner() {
        return Processes.currentPid() << 32 | (Processes.currentStartMillis() / 1000);
    }

    // ------------------------------------------------------------------ C programs

    /** A running C program whose output (stdout and stderr) is collected line by line as it comes. */
    static final class CProcess implements AutoCloseable {
        final Process process;
        final String what;
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        CProcess(List<String> command, Map<String, String> env) throws IOException {
            what = String.join(" ", command);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(l);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
        }

        /** Waits for a line that starts with {@code prefix}. */
        String await(String prefix, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (lines) {
                while (true) {
                    for (String l : lines) {
                        if (l.startsWith(prefix)) {
                            return l;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                        return fail(what + ": no line '" + prefix + "...' in " + seconds + " s; output:\n" + output());
                    }
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        /** Waits for the exit and the last line of output; the exit status. */
        int waitFor(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(what + " did not finish in " + seconds + " s; output:\n" + output());
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        }

        /** Waits for an exit status of 0 and returns the output. */
        String success(long seconds) throws InterruptedException {
            int rc = waitFor(seconds);
            assertEquals(0, rc, what + " failed; output:\n" + output());
            return output();
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        String output() {
            return String.join("\n", lines());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    static Path program(String name) {
        return NativeBuild.program(name);
    }

    static CProcess start(String program, String... args) throws IOException {
        return start(Map.of(), program, args);
    }

    static CProcess start(Map<String, String> env, String program, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(program(program).toString());
        cmd.addAll(List.of(args));
        return new CProcess(cmd, env);
    }

    /** Runs hshm_queue_check on this segment: {@code OP ARGS}; its output (exit status 0 or 4 expected). */
    String check(String... opAndArgs) throws IOException, InterruptedException {
        return check(Map.of(), opAndArgs);
    }

    /** {@link #check(String...)} with environment variables. */
    String check(Map<String, String> env, String... opAndArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(url, id()));
        args.addAll(List.of(opAndArgs));
        try (CProcess p = start(env, "hshm_queue_check", args.toArray(String[]::new))) {
            int rc = p.waitFor(30);
            assertTrue(rc == 0 || rc == 4, p.what + " exited with " + rc + " (a crash is 128 + signal); output:\n"
                    + p.output());
            return p.output();
        }
    }

    /** Runs hshm_queue_check expecting a failure: the "error CODE: message" line. */
    String checkFails(String... opAndArgs) throws IOException, InterruptedException {
        String out = check(opAndArgs);
        assertTrue(out.startsWith("error "), String.join(" ", opAndArgs) + ": expected an error; got:\n" + out);
        return out;
    }

    /** The numbers after {@code key} on {@code line}, e.g. {@code value("cpu 3.1", "cpu") = 3.1}. */
    static double value(String line, String key) {
        Matcher m = Pattern.compile("(?:^|\\s|,)" + Pattern.quote(key) + " (-?[0-9.]+)").matcher(line);
        if (!m.find()) {
            throw new AssertionError("no '" + key + " N' in: " + line);
        }
        return Double.parseDouble(m.group(1));
    }
}
