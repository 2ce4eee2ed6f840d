package dev.hshm.bench;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The seed's objective, measured: "minimize the number of pages faulted into memory". On a 4 GiB
 * {@code posix_mmap} backend (private memory whose pages fault in on first touch), allocate 64 MiB in sizes
 * drawn log-uniformly from 64 B to 64 KiB, write every byte, and count how many more of the backend's pages
 * are resident ({@code mincore(2)} over the backend's mapping: header, allocator metadata and data). A ratio
 * of 1.0 means no page was touched that a block does not use. The allocator's creation-time metadata is
 * excluded (counted before), which is the "fixed metadata" of the bound; page descriptors it writes as the
 * heap grows are included.
 *
 * <p>Why not the process's resident set ({@code /proc/self/statm}, as the issue suggested): it moves with
 * everything else in the JVM. In one run the JVM gave back tens of MiB while the heap was filled, and VmRSS
 * grew by less than half of what was written. The process-wide growth is still reported, for comparison.
 */
public final class ResidentMemory {

    /** Bytes requested in one measurement. */
    public static final long TARGET = Units.megabytes(64);

    private ResidentMemory() {
    }

    /**
     * A result.
     *
     * @param type the allocator type
     * @param requested bytes asked for
     * @param residentGrowth growth of the backend mapping's resident pages (mincore)
     * @param processGrowth growth of the whole process's resident set (VmRSS), for comparison only
     * @param footprint the allocator's own footprint statistic (pages it ever handed out)
     */
    public record Result(String type, long requested, long residentGrowth, long processGrowth, long footprint) {
        /**
         * Resident growth per byte requested.
         *
         * @return the ratio
         */
        public double ratio() {
            return (double) residentGrowth / requested;
        }
    }

    /**
     * Measures one allocator type. Warms the code up first on a small private heap, so JIT compilation does
     * not count.
     *
     * @param type e.g. {@link Allocator#THREAD_LOCAL}
     * @param backendId a backend id free in this process
     * @return the result
     */
    public static Result measure(String type, int backendId) {
        MemoryManager mm = MemoryManager.get();
        long[] offs = new long[(int) (TARGET / 64) + 1]; // touched now (zeroed), not during the measurement
        warmUp(type, backendId, offs);
        MemoryBackendId bid = MemoryBackendId.get(backendId);
        mm.createBackend(MemoryBackend.POSIX_MMAP, bid, Units.gigabytes(4));
        try {
            Allocator a = mm.createAllocator(type, bid, AllocatorId.of(backendId, 0), 0);
            MemorySegment whole = mm.getBackend(bid).data(); // the allocator's metadata and blocks live here
            System.gc();
            long processBefore = residentBytes();
            long before = Mincore.residentBytes(whole);
            long requested = fill(a, offs, TARGET, 7);
            long after = Mincore.residentBytes(whole);
            long processAfter = residentBytes();
            long footprint = a.stats().footprint();
            return new Result(type, requested, after - before, processAfter - processBefore, footprint);
        } finally {
            mm.destroyBackend(bid);
        }
    }

    private static void warmUp(String type, int backendId, long[] offs) {
        MemoryManager mm = MemoryManager.get();
        MemoryBackendId bid = MemoryBackendId.get(backendId + 1);
        mm.createBackend(MemoryBackend.POSIX_MMAP, bid, Units.megabytes(64));
        try {
            Allocator a = mm.createAllocator(type, bid, AllocatorId.of(backendId + 1, 0), 0);
            for (int round = 0; round < 20; round++) {
                long n = fill(a, offs, Units.megabytes(8), round);
                free(a, offs, n);
            }
        } finally {
            mm.destroyBackend(bid);
        }
    }

    /** Allocates until {@code target} bytes were requested, writing every byte; returns bytes requested. */
    private static long fill(Allocator a, long[] offs, long target, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MemorySegment mem = a.memory();
        long total = 0;
        int n = 0;
        double lo = Math.log(64);
        double hi = Math.log(65536);
        while (total < target) {
            long size = (long) Math.exp(lo + rnd.nextDouble() * (hi - lo));
            long off = a.allocateOffset(MemContext.DEFAULT, size);
            mem.asSlice(off, size).fill((byte) n);
            offs[n++] = off;
            offs[n] = -1;
            total += size;
        }
        return total;
    }

    private static void free(Allocator a, long[] offs, long ignored) {
        for (int i = 0; offs[i] != -1; i++) {
            a.freeOffset(MemContext.DEFAULT, offs[i]);
            offs[i] = -1;
        }
    }

    /** The process's resident set, from {@code /proc/self/status} (Linux). */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no VmRSS line in /proc/self/status");
    }
}
