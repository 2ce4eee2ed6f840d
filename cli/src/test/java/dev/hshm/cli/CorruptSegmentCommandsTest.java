package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code ls}, {@code stat} and {@code check} on segments whose metadata a stray write changed: for each seeded
 * case, 1 to 6 words of the backend header, the allocator directory or the first 64 KiB of the heap's metadata
 * (heap header, page heap, shards, slot table, descriptors) get random values, then the three commands run. Every
 * outcome must be exit code 0 or 1 with a message: never "hshm: unexpected error" (a JDK exception that reached
 * the user), never a hang (30 s per command). {@code -Dhshm.cli.corrupt.cases=N} runs more cases (default 60).
 */
class CorruptSegmentCommandsTest {

    private static final String PREFIX = "hshm-clix-" + ProcessHandle.current().pid() + "-";
    private static final int CASES = Integer.getInteger("hshm.cli.corrupt.cases", 60);

    @Test
    void corruptMetadataIsReportedNeverARawExceptionOrAHang() throws Exception {
        MemoryManager mm = MemoryManager.get();
        SplittableRandom rnd = new SplittableRandom(20261204);
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < CASES; i++) {
                String name = PREFIX + i;
                String type = i % 2 == 0 ? Allocator.THREAD_LOCAL : Allocator.SCALABLE_PAGE;
                MemoryBackend b = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(70), 4L << 20,
                        name);
                StringBuilder edits = new StringBuilder();
                try {
                    Allocator a = mm.createAllocator(type, b.id(), AllocatorId.of(70, i), 0);
                    for (int k = 0; k < 20; k++) {
                        a.allocateOffset(MemContext.DEFAULT, 16 + rnd.nextInt(70_000));
                    }
                    long region = BackendHeader.directory(b.header(), b.dataSize()).getFirst().regionOffset();
                    int n = 1 + rnd.nextInt(6);
                    for (int e = 0; e < n; e++) {
                        boolean inHeader = rnd.nextInt(4) == 0;
                        MemorySegment seg = inHeader ? b.header() : b.data();
                        long at = inHeader ? 8L * rnd.nextInt(BackendHeader.HEADER_BYTES / 8)
                                : region + 8L * rnd.nextInt(65536 / 8);
                        long v = switch (rnd.nextInt(4)) {
                            case 0 -> 0L;
                            case 1 -> -1L;
                            case 2 -> rnd.nextLong(1 << 20);
                            default -> rnd.nextLong();
                        };
                        seg.set(ValueLayout.JAVA_LONG, at, v);
                        edits.append(inHeader ? " header+" : " data+").append(at).append("=0x")
                                .append(Long.toHexString(v));
                    }
                    for (String cmd : new String[] {"ls", "stat", "check"}) {
                        String[] args = cmd.equals("ls") ? new String[] {"ls"} : new String[] {cmd, name};
                        Future<Hshm.Result> f = runner.submit(() -> Hshm.run(args));
                        Hshm.Result r;
                        try {
                            r = f.get(30, TimeUnit.SECONDS);
                        } catch (TimeoutException hang) {
                            throw new AssertionError("hshm " + String.join(" ", args) + " hung on case " + i + " ("
                                    + type + "):" + edits);
                        }
                        String where = "hshm " + String.join(" ", args) + ", case " + i + " (" + type + "):" + edits
                                + "\n" + r.all();
                        assertTrue(r.rc() == 0 || r.rc() == 1, where);
                        assertFalse(r.err().contains("unexpected error"), where);
                        if (r.rc() == 1) {
                            // a message: "hshm: ..." on stderr, or check's verdict ("NAME: CORRUPT: why", "N not OK")
                            assertTrue(r.err().startsWith("hshm: ") || r.out().contains(" not OK")
                                    || r.out().contains(": CORRUPT: "), where);
                        }
                        outcomes.merge(cmd + " exit " + r.rc(), 1, Integer::sum);
                    }
                } finally {
                    try {
                        mm.destroyBackend(b.id());
                    } catch (RuntimeException corruptOrGone) {
                        // releasing an allocator over corrupted metadata may fail; the name goes below
                    }
                    Hshm.run("rm", name);
                }
            }
        } finally {
            runner.shutdownNow();
        }
        System.out.println("corrupt segments: " + CASES + " cases, outcomes " + outcomes);
        assertTrue(outcomes.getOrDefault("check exit 1", 0) > 0, "some corruption was found by check: " + outcomes);
    }
}
