package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.allocators.internal.testing.ChildJvm;
import dev.hshm.allocators.internal.testing.MappedFileBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.MemoryBackendId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash-point enumeration: every heap operation of {@link CrashScenarios} dies at each of its stores in turn, and
 * another process recovers what it left ({@link CrashScenarios#verify}: recovery, {@code check()}, the held blocks
 * intact and never handed out again, the bytes in use equal to what is held plus at most the block the operation
 * was moving, no slot left leased).
 *
 * <p><b>How every k is covered in seconds.</b> One child JVM records each operation once: the bytes before it and
 * the log of its stores ({@link CrashPoints#record}). A death before the k-th store leaves exactly the image plus
 * the first k - 1 stores, so after the child has exited (its owner words now name a dead process) this JVM
 * replays k = 1 .. N + 1 into a fresh backend and checks each. Replay is exact for the heap's state because
 * every heap store goes through {@link Words}; what it does not reproduce is a death's timing relative to other
 * processes, which the soak covers. A sample of crash points (the middle and the last store of each operation)
 * is also run as real deaths: a child that halts there ({@link CrashPoints#arm}) on a mapped file.
 */
@EnabledOnOs(OS.LINUX)
class CrashPointTest {

    @TempDir
    static Path tempDir;
    /** Where the recordings go: a temporary directory, or {@code -Dhshm.crash.keep=DIR} to keep them. */
    private static Path dir;
    private static final Map<String, Integer> STORES = new LinkedHashMap<>();

    private static List<String> jvmOptions() {
        return List.of("-Dhshm.heap.crashPoints=true", "-Dhshm.heap.shards=2");
    }

    private static String run(ProcessBuilder pb, int expectStatus, String what) throws Exception {
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + " did not end");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(expectStatus, p.exitValue(), what + " exited " + p.exitValue() + ":\n" + text);
        return text;
    }

    @BeforeAll
    static void recordEveryOperation() throws Exception {
        String keep = System.getProperty("hshm.crash.keep");
        dir = keep == null ? tempDir : Files.createDirectories(Path.of(keep));
        String out = run(ChildJvm.builder(CrashScenarios.class, jvmOptions(), List.of("record", dir.toString())), 0,
                "the recording child");
        for (String line : out.split("\n")) {
            if (line.startsWith("recorded ")) {
                String[] f = line.split(" ");
                STORES.put(f[1], Integer.parseInt(f[2].substring("stores=".length())));
            }
        }
        assertEquals(CrashScenarios.ALL.size(), STORES.size(), out);
    }

    @Test
    void aDeathAtEveryStoreOfEveryOperationIsRecovered() throws IOException {
        StringBuilder table = new StringBuilder("crash points per operation (stores; worst bytes lost):\n");
        int total = 0;
        try (MallocBackend b = MallocBackend.create(MemoryBackendId.get(4), CrashScenarios.DATA_SIZE)) {
            for (CrashScenarios.Scenario s : CrashScenarios.ALL) {
                CrashScenarios.Recording r = CrashScenarios.Recording.read(dir.resolve(s.name() + ".meta"),
                        dir.resolve(s.name() + ".data"));
                int n = r.stores().size();
                assertTrue(n > 0, s.name() + " made no store");
                long worst = 0;
                for (int k = 0; k <= n; k++) {
                    r.replay(b.data(), k);
                    String where = s.name() + ": death before store " + (k + 1) + " of " + n
                            + (k == n ? " (completed)" : "");
                    Allocator a = CrashScenarios.provider(s.type()).attach(b, CrashScenarios.ID, 0, b.dataSize());
                    try {
                        worst = Math.max(worst, CrashScenarios.verify(a, r.meta(), where));
                    } catch (RuntimeException | AssertionError e) {
                        throw new AssertionError(where + ": " + e, e);
                    }
                }
                total += n;
                table.append(String.format("  %-34s %5d  %6d B%n", s.name(), n, worst));
            }
        }
        table.append("  total ").append(total).append(" crash points");
        System.out.println(table);
    }

    @Test
    void realDeathsAtASampleOfThoseStoresAreRecoveredToo() throws Exception {
        List<String> lines = new ArrayList<>();
        for (CrashScenarios.Scenario s : CrashScenarios.ALL) {
            int n = STORES.get(s.name());
            for (int k : new int[] {Math.max(1, n / 2), n}) {
                Path file = MappedFileBackend.directory().resolve("hshm-crash-" + ProcessHandle.current().pid() + "-"
                        + s.name());
                try {
                    Process p = ChildJvm.builder(CrashScenarios.class, jvmOptions(),
                            List.of("halt", s.name(), Integer.toString(k), file.toString())).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                    // 86: halted at store k; 0: this run's operation made fewer stores (another slot, another shard)
                    assertTrue(p.exitValue() == CrashPoints.HALT_STATUS || p.exitValue() == 0,
                            s.name() + " k=" + k + " exited " + p.exitValue() + ":\n" + out);
                    CrashScenarios.Meta m = CrashScenarios.Meta.read(Path.of(file + ".meta"));
                    try (MappedFileBackend b = MappedFileBackend.attach(MemoryBackendId.get(3), file)) {
                        Allocator a = CrashScenarios.provider(s.type()).attach(b, CrashScenarios.ID, 0, b.dataSize());
                        CrashScenarios.verify(a, m, s.name() + ": real death before store " + k);
                    }
                    lines.add(s.name() + " k=" + k + (p.exitValue() == 0 ? " (completed)" : " (halted)"));
                } finally {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(Path.of(file + ".meta"));
                }
            }
        }
        System.out.println("real deaths checked: " + lines);
        assertEquals(2 * CrashScenarios.ALL.size(), lines.size());
    }
}
