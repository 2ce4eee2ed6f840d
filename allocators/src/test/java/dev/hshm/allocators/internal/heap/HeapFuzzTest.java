package dev.hshm.allocators.internal.heap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hshm.api.Allocator;
import dev.hshm.api.HshmException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzzing of corrupted heaps: an input is a list of edits of a heap's metadata (its header, the page heap,
 * the shards, the slot table, the page descriptors, the words of free blocks); the heap is then attached and used
 * as another process would ({@link CorruptHeaps#use}: reclaim, allocate, verify the live blocks, free, check).
 * Every outcome must be a result or one of the library's exceptions: a JDK exception from an unchecked index or a
 * hang (no result in 20 s) is a finding. A block handed out over a live one (the edit went undetected) is counted
 * and printed, not failed: the hot path checks cheap invariants only (docs/security.md says which).
 *
 * <p>{@code ./mvnw verify} replays the committed corpus ({@code HeapFuzzTestInputs/} in the test resources, where
 * Jazzer also writes the inputs of findings). {@code ./mvnw -pl allocators test -Pfuzz} fuzzes for real
 * ({@code JAZZER_FUZZ=1}, {@code -Dhshm.fuzz.duration}, default 5 minutes).
 *
 * <pre>
 * input: byte 0  the allocator (even: thread_local, odd: scalable_page)
 *        byte 1  the fixture's seed
 *        then up to 16 edits of 12 bytes: region u8, word u16, kind u8, value u64 (big-endian)
 *          region % 3: 0 the heap header, 1 page heap .. descriptors up to the frontier, 2 a free block's 2 words
 *          kind % 8:   0 value, 1 flip bit value%64, 2 add value%7-3, 3 page count + value%3, 4 NO_PAGE, 5 -1,
 *                      6 0, 7 a huge high half
 * </pre>
 */
class HeapFuzzTest {

    private static final int EDIT_BYTES = 12;
    private static final int MAX_EDITS = 16;
    private static final Map<String, Integer> OUTCOMES = new ConcurrentSkipListMap<>();
    private static final ExecutorService EXEC = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-case");
        t.setDaemon(true);
        return t;
    });

    @FuzzTest(maxDuration = "5m")
    void editedMetadataEndsInAResultOrTheLibrarysException(byte[] input) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(input);
        String type = in.hasRemaining() && (in.get() & 1) == 1 ? Allocator.SCALABLE_PAGE : Allocator.THREAD_LOCAL;
        long seed = in.hasRemaining() ? in.get() & 0xFF : 0;
        CorruptHeaps.Fixture f = CorruptHeaps.Fixture.make(type, seed);
        try {
            StringBuilder where = new StringBuilder(type).append(", seed ").append(seed).append(':');
            for (int e = 0; e < MAX_EDITS && in.remaining() >= EDIT_BYTES; e++) {
                edit(f, in.get() & 0xFF, in.getShort() & 0xFFFF, in.get() & 0xFF, in.getLong(), where);
            }
            Future<?> run = EXEC.submit(() -> CorruptHeaps.use(f, type));
            String outcome;
            try {
                run.get(20, TimeUnit.SECONDS);
                outcome = "result";
            } catch (TimeoutException hang) {
                run.cancel(true);
                throw new AssertionError(where + " no result after 20 s (a hang)");
            } catch (ExecutionException ee) {
                Throwable c = ee.getCause();
                if (!(c instanceof HshmException) && !(c instanceof CorruptHeaps.SilentOverlap)) {
                    throw new AssertionError(where + " not one of the library's exceptions: " + c, c);
                }
                outcome = c instanceof CorruptHeaps.SilentOverlap ? "silent overlap" : c.getClass().getSimpleName();
                if (c instanceof CorruptHeaps.SilentOverlap) {
                    System.out.println("heap fuzz: undetected overlap after " + where);
                }
            }
            OUTCOMES.merge(outcome, 1, Integer::sum);
        } finally {
            f.b().destroy();
        }
    }

    private static void edit(CorruptHeaps.Fixture f, int region, int word, int kind, long value, StringBuilder where) {
        HeapHeader.Geometry g = f.h().geometry();
        MemorySegment data = f.b().data();
        long at = switch (region % 3) {
            case 0 -> g.regionOffset() + 8L * (word % (HeapHeader.BYTES / 8));
            case 1 -> {
                long lo = g.pageHeap();
                long hi = g.descTable() + f.h().pages.frontier() * PageDescriptor.BYTES;
                yield lo + 8L * (word % ((hi - lo) / 8));
            }
            default -> f.freed().isEmpty() ? g.pageHeap() : f.freed().get(word % f.freed().size()) + 8L * (word & 1);
        };
        long old = data.get(ValueLayout.JAVA_LONG, at);
        long v = switch (kind % 8) {
            case 0 -> value;
            case 1 -> old ^ (1L << (value & 63));
            case 2 -> old + Math.floorMod(value, 7) - 3;
            case 3 -> g.pageCount() + Math.floorMod(value, 3);
            case 4 -> PageDescriptor.NO_PAGE;
            case 5 -> -1L;
            case 6 -> 0L;
            default -> (old & 0xFFFF_FFFFL) | ((value | 1) << 32);
        };
        data.set(ValueLayout.JAVA_LONG, at, v);
        where.append(new String[] {" header", " page heap", " free block"}[region % 3]).append(" word at ").append(at).append(" 0x").append(Long.toHexString(old)).append(" -> 0x")
                .append(Long.toHexString(v)).append(';');
    }

    @AfterAll
    static void report() {
        EXEC.shutdownNow();
        int cases = OUTCOMES.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("heap fuzz: " + cases + " cases, outcomes " + OUTCOMES
                + " (raw JDK exceptions and hangs fail the test)");
    }
}
