package dev.hshm.bench;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import dev.hshm.testkit.ChildJvm;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Aggregate throughput of 1 and of 2 processes allocating in one shared heap (alloc 64 B, write 8 bytes,
 * free), each process one thread. JMH measures inside one JVM, so this is a plain harness: the parent makes
 * the heap, starts the workers (same java, same class path), lets them warm up, starts them together with a
 * flag in the allocator's custom header, and sums the operation counts they leave there.
 *
 * <pre>
 * custom header:  0 GO u64 (0, then 1: release/acquire)   8 READY u64 (getAndAdd)   64 + 64*i: COUNT of worker i
 * </pre>
 */
public final class CrossProcess {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long GO = 0;
    private static final long READY = 8;
    private static final long COUNTS = 64;

    private CrossProcess() {
    }

    /**
     * A result.
     *
     * @param type the allocator type
     * @param processes worker processes
     * @param opsPerSecond aggregate operations per second
     */
    public record Result(String type, int processes, double opsPerSecond) {
    }

    /**
     * Runs one configuration.
     *
     * @param type allocator type
     * @param processes how many worker processes
     * @param seconds measured seconds
     * @return the aggregate throughput
     */
    public static Result run(String type, int processes, int seconds) throws IOException, InterruptedException {
        MemoryManager mm = MemoryManager.get();
        String url = "hshm-xp-" + ProcessHandle.current().pid() + "-" + processes;
        MemoryBackendId bid = MemoryBackendId.get(70 + processes);
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, bid, Units.megabytes(128), url);
        List<ChildJvm> ps = new ArrayList<>();
        try {
            Allocator a = mm.createAllocator(type, bid, AllocatorId.of(70, processes), 4096);
            MemorySegment hdr = a.customHeader();
            for (int i = 0; i < processes; i++) {
                ps.add(ChildJvm.java().likeThisJvm().jvmArgs("-XX:+UseSerialGC").name("worker" + i)
                        .echoTo(System.out).main(CrossProcess.class)
                        .args(url, Integer.toString(processes), Integer.toString(i), Integer.toString(seconds)).start());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((long) LONG.getVolatile(hdr, READY) < processes) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("workers did not get ready");
                }
                Thread.sleep(5);
            }
            LONG.setRelease(hdr, GO, 1L);
            long total = 0;
            for (int i = 0; i < processes; i++) {
                ChildJvm p = ps.get(i);
                if (p.waitFor(seconds + 60L) != 0) {
                    throw new IllegalStateException("worker " + i + " failed:\n" + p.output());
                }
                total += (long) LONG.getVolatile(hdr, COUNTS + 64L * i);
            }
            return new Result(type, processes, (double) total / seconds);
        } finally {
            ps.forEach(ChildJvm::close);
            mm.destroyBackend(bid);
        }
    }

    /**
     * The worker: {@code url allocatorMinor index seconds}.
     *
     * @param args see above
     */
    public static void main(String[] args) {
        String url = args[0];
        int minor = Integer.parseInt(args[1]);
        int index = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url);
        Allocator a = mm.getAllocator(AllocatorId.of(70, minor));
        MemorySegment hdr = a.customHeader();
        MemorySegment mem = a.memory();
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < warm) {
            loop(a, mem, 10_000);
        }
        LONG.getAndAdd(hdr, READY, 1L);
        while ((long) LONG.getAcquire(hdr, GO) == 0) {
            Thread.onSpinWait();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long ops = 0;
        while (System.nanoTime() < end) {
            ops += loop(a, mem, 10_000);
        }
        LONG.setVolatile(hdr, COUNTS + 64L * index, ops);
        a.freeTls(MemContext.DEFAULT);
        System.exit(0);
    }

    private static long loop(Allocator a, MemorySegment mem, int n) {
        for (int i = 0; i < n; i++) {
            long o = a.allocateOffset(MemContext.DEFAULT, 64);
            mem.set(ValueLayout.JAVA_LONG, o, i);
            a.freeOffset(MemContext.DEFAULT, o);
        }
        return n;
    }
}
