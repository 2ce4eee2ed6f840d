package dev.hshm.allocators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.allocator.AllocatorProviders;
import dev.hshm.allocators.internal.heap.SizeClasses;
import dev.hshm.allocators.internal.testing.ChildJvm;
import dev.hshm.allocators.internal.testing.MappedFileBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIGKILL soak: three child JVMs ({@link SoakChild}) x two threads share one heap on a mapped file; every
 * few hundred milliseconds one child is killed with SIGKILL ({@link Process#destroyForcibly}), the survivors and
 * this process call {@code reclaimDeadProcesses()}, and a new child takes its place. Blocks are pattern-checked
 * before every free, reallocate and hand-over; blocks move between processes through a mailbox, so frees cross
 * processes. At the end every child is stopped, and this process checks that {@code check()} passes, that no
 * cache slot stays leased, and that the bytes in use are explained block by block: the blocks the ledger says are
 * held (verified, then freed) plus, at most, the block each killed thread was inside a call for.
 *
 * <p>{@code ./mvnw verify} runs {@value #SHORT_KILLS} kills per allocator; {@code -Psoak} sets
 * {@code -Dhshm.soak.kills=100} (or more).
 */
@EnabledOnOs(OS.LINUX)
class SoakTest {

    static final int SHORT_KILLS = 10;
    private static final int CHILDREN = 3;
    private static final long HEAP_BYTES = 64L << 20;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    @TempDir
    Path logs;

    static AllocatorProvider provider(String type) {
        return type.equals(Allocator.THREAD_LOCAL) ? new AllocatorProviders.ThreadLocal()
                : new AllocatorProviders.ScalablePage();
    }

    private record Child(Process p, int firstWorker, File log) {
    }

    @ParameterizedTest
    @ValueSource(strings = {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE})
    void killedProcessesCostNothingButTheBlockInTheirHands(String type) throws Exception {
        int kills = Integer.getInteger("hshm.soak.kills", SHORT_KILLS);
        int maxWorkers = 2 * (CHILDREN + kills);
        String tag = "hshm-soak-" + ProcessHandle.current().pid() + "-" + type;
        Path heapFile = MappedFileBackend.directory().resolve(tag);
        Path ledgerFile = MappedFileBackend.directory().resolve(tag + ".ledger");
        Random rnd = new Random(kills * 7919L + type.length());
        try (MappedFileBackend b = MappedFileBackend.create(MemoryBackendId.get(5), heapFile, HEAP_BYTES);
             Arena arena = Arena.ofShared()) {
            Allocator a = provider(type).create(b, SoakChild.ID, 0, b.dataSize(), 0);
            Files.deleteIfExists(ledgerFile);
            MemorySegment ledger = SoakChild.mapLedger(ledgerFile, SoakChild.ledgerBytes(maxWorkers), arena);
            Child[] kids = new Child[CHILDREN];
            int nextWorker = 0;
            for (int i = 0; i < CHILDREN; i++) {
                kids[i] = start(type, heapFile, ledgerFile, nextWorker, maxWorkers, rnd);
                nextWorker += 2;
            }
            List<Integer> killedWorkers = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                int victim = rnd.nextInt(CHILDREN);
                Child c = kids[victim];
                waitUntilWorking(ledger, c, 5_000);
                Thread.sleep(100 + rnd.nextInt(250));
                assertAlive(c);
                c.p().destroyForcibly(); // SIGKILL
                assertTrue(c.p().waitFor(10, TimeUnit.SECONDS));
                killedWorkers.add(c.firstWorker());
                killedWorkers.add(c.firstWorker() + 1);
                LONG.getAndAdd(ledger, SoakChild.KILL_EPOCH, 1L);
                a.reclaimDeadProcesses();
                kids[victim] = start(type, heapFile, ledgerFile, nextWorker, maxWorkers, rnd);
                nextWorker += 2;
            }
            for (Child c : kids) {
                waitUntilWorking(ledger, c, 5_000);
            }
            LONG.setRelease(ledger, SoakChild.STOP, 1L);
            for (Child c : kids) {
                assertTrue(c.p().waitFor(60, TimeUnit.SECONDS), "a child did not stop: " + Files.readString(c.log().toPath()));
                assertEquals(0, c.p().exitValue(), "child failed:\n" + Files.readString(c.log().toPath()));
            }
            a.reclaimDeadProcesses();
            a.check();
            assertEquals(0, a.stats().threadSlotsInUse(), "slots still leased after every child stopped or was reclaimed");
            long inUse = a.bytesInUse();
            // explain the bytes in use: the blocks the ledger holds, verified then freed
            Set<Long> strict = new LinkedHashSet<>();
            Set<Long> tolerant = new LinkedHashSet<>();
            long allowance = 0;
            for (int w = 0; w < nextWorker; w++) {
                long at = SoakChild.worker(w);
                long op = ledger.get(ValueLayout.JAVA_LONG, at + SoakChild.OP);
                long x = ledger.get(ValueLayout.JAVA_LONG, at + SoakChild.A);
                long y = ledger.get(ValueLayout.JAVA_LONG, at + SoakChild.B);
                long z = ledger.get(ValueLayout.JAVA_LONG, at + SoakChild.C);
                for (int i = 0; i < SoakChild.HELD_SLOTS; i++) {
                    long off = ledger.get(ValueLayout.JAVA_LONG, at + SoakChild.HELD + 8L * i);
                    if (off != 0) {
                        (op == SoakChild.OP_REALLOC && off == x ? tolerant : strict).add(off);
                    }
                }
                if (op == SoakChild.OP_IDLE) {
                    continue;
                }
                assertTrue(killedWorkers.contains(w), "worker " + w + " stopped inside call " + op);
                if (op == SoakChild.OP_ALLOCATING) {
                    allowance += mostUsable(x, y); // the block it was allocating
                } else if (op == SoakChild.OP_FREEING) {
                    allowance += y;
                    tolerant.add(x);
                } else if (op == SoakChild.OP_REALLOC) {
                    allowance += z + mostUsable(y, 0); // the old block and the new one
                    tolerant.add(x);
                } else {
                    tolerant.add(x); // handing over or taking: the block is held by the ledger or the mailbox
                }
            }
            for (int m = 0; m < SoakChild.MAILBOX_SLOTS; m++) {
                long off = ledger.get(ValueLayout.JAVA_LONG, SoakChild.MAILBOX + 8L * m);
                if (off != 0) {
                    strict.add(off);
                }
            }
            tolerant.removeAll(strict);
            long explained = 0;
            for (long off : strict) {
                long size = a.usableSize(off);
                long bad = SoakChild.mismatch(a.memory(), off, size);
                assertEquals(-1, bad, "held block at " + off + " (" + size + " B) overwritten at +" + bad);
                explained += size;
            }
            for (long off : strict) {
                a.freeOffset(MemContext.DEFAULT, off);
            }
            for (long off : tolerant) {
                try {
                    long size = a.usableSize(off);
                    a.freeOffset(MemContext.DEFAULT, off);
                    explained += size;
                } catch (InvalidPointerException alreadyFreed) {
                    // the killed thread's free or reallocate had committed
                }
            }
            a.freeTls(MemContext.DEFAULT);
            long lost = a.bytesInUse();
            long stall = 0;
            long ops = 0;
            for (int w = 0; w < nextWorker; w++) {
                stall = Math.max(stall, ledger.get(ValueLayout.JAVA_LONG, SoakChild.worker(w) + SoakChild.MAX_STALL));
                ops += ledger.get(ValueLayout.JAVA_LONG, SoakChild.worker(w) + SoakChild.OPS);
            }
            System.out.printf("soak %s: kills=%d, ops=%d, bytes in use at the end=%d, explained by held blocks=%d,"
                            + " lost=%d (allowed: the killed threads' blocks in transit, %d), longest stall of a"
                            + " thread=%.1f ms%n", type, kills, ops, inUse, explained, lost, allowance, stall / 1e6);
            assertTrue(lost <= allowance, "lost " + lost + " B, more than the blocks killed threads were inside a call"
                    + " for (" + allowance + " B): " + a.stats());
            a.check();
            assertEquals(0, a.stats().threadSlotsInUse());
        } finally {
            Files.deleteIfExists(heapFile);
            Files.deleteIfExists(ledgerFile);
        }
    }

    /**
     * The most a request of {@code size} bytes at {@code alignment} can take: its size class (up to 25% more than
     * the request, and more than the request rounded to a page: 33,000 B is a 40,960 B block), or its page run,
     * plus the alignment for an aligned large one.
     */
    static long mostUsable(long size, long alignment) {
        int c = alignment == 0 ? SizeClasses.classOf(size) : SizeClasses.classOf(size, alignment);
        if (c != SizeClasses.NO_CLASS) {
            return SizeClasses.size(c);
        }
        return ((size + SizeClasses.PAGE - 1) & -(long) SizeClasses.PAGE) + alignment;
    }

    private Child start(String type, Path heap, Path ledger, int firstWorker, int workers, Random rnd) throws Exception {
        File log = logs.resolve("child-" + firstWorker + ".log").toFile();
        Process p = ChildJvm.builder(SoakChild.class, List.of(), List.of(type, heap.toString(), ledger.toString(),
                Integer.toString(firstWorker), Integer.toString(workers), Long.toString(rnd.nextLong())))
                .redirectOutput(log).start();
        return new Child(p, firstWorker, log);
    }

    private static void assertAlive(Child c) throws Exception {
        assertTrue(c.p().isAlive(), "child died on its own:\n" + Files.readString(c.log().toPath()));
    }

    private static void waitUntilWorking(MemorySegment ledger, Child c, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            assertAlive(c);
            if ((long) LONG.getAcquire(ledger, SoakChild.worker(c.firstWorker()) + SoakChild.OPS) > 10
                    && (long) LONG.getAcquire(ledger, SoakChild.worker(c.firstWorker() + 1) + SoakChild.OPS) > 10) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("child of workers " + c.firstWorker() + " did not start working:\n"
                + Files.readString(c.log().toPath()));
    }
}
