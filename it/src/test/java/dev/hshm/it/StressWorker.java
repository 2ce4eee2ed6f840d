package dev.hshm.it;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child process of {@link MultiProcessStressTest}: attaches to the heap, waits for GO, then runs
 * {@code threads} threads that allocate, write checksummed blocks, verify and free them, and hand some
 * blocks to other workers (any process) through the exchange, for {@code seconds}.
 */
public final class StressWorker {

    private StressWorker() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        AllocatorId id = AllocatorId.of(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        int threads = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        int worker = Integer.parseInt(args[5]);
        MemoryManager mm = MemoryManager.get();
        MemoryBackend b = mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url);
        Allocator a = mm.getAllocator(id);
        MemorySegment hdr = a.customHeader();
        System.out.println("ATTACHED " + a);
        while ((long) StressLayout.LONG.getAcquire(hdr, StressLayout.GO) == 0) {
            Thread.sleep(1);
        }
        AtomicLong allocs = new AtomicLong();
        AtomicLong crossFrees = new AtomicLong();
        AtomicLong verified = new AtomicLong();
        Thread[] ts = new Thread[threads];
        Throwable[] failure = new Throwable[1];
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int t = 0; t < threads; t++) {
            final long seedBase = ((long) worker << 40) | ((long) t << 32);
            ts[t] = Thread.ofPlatform().name("w" + worker + "t" + t).start(() -> {
                try {
                    run(a, hdr, seedBase, end, allocs, crossFrees, verified);
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    e.printStackTrace(System.out);
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            System.out.println("FAILED " + failure[0]);
            System.exit(3);
        }
        System.out.println("DONE allocs=" + allocs + " crossProcessOrThreadFrees=" + crossFrees
                + " verifiedBytes=" + verified);
        mm.detachBackend(b.id());
        System.exit(0);
    }

    private static void run(Allocator a, MemorySegment hdr, long seedBase, long end, AtomicLong allocs,
                            AtomicLong crossFrees, AtomicLong verified) {
        SplittableRandom rnd = new SplittableRandom(seedBase ^ System.nanoTime());
        MemorySegment mem = a.memory();
        ArrayDeque<Long> live = new ArrayDeque<>();
        String who = Thread.currentThread().getName();
        long seq = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 256; i++) {
                int pick = rnd.nextInt(100);
                if (live.size() < 64 && pick < 55) {
                    long size = pick < 40 ? rnd.nextInt(32, 513) : pick < 53 ? rnd.nextInt(513, 16_385)
                            : rnd.nextInt(16_385, 262_145);
                    long off = rnd.nextInt(8) == 0
                            ? a.alignedAllocateOffset(MemContext.DEFAULT, size, 1L << rnd.nextInt(5, 13))
                            : a.allocateOffset(MemContext.DEFAULT, size);
                    StressLayout.write(mem, off, size, seedBase + seq++);
                    live.add(off);
                    allocs.incrementAndGet();
                } else if (!live.isEmpty() && pick < 85) {
                    long off = live.poll();
                    verified.addAndGet(StressLayout.verify(mem, off, who));
                    a.freeOffset(MemContext.DEFAULT, off);
                } else if (!live.isEmpty() && pick < 93) {
                    // hand a block to whoever takes it: another thread or another process frees it
                    long off = live.poll();
                    int slot = rnd.nextInt(StressLayout.SLOTS);
                    long at = StressLayout.EXCHANGE + slot * 8L;
                    if (!StressLayout.LONG.compareAndSet(hdr, at, 0L, off)) {
                        live.add(off);
                    }
                } else {
                    int slot = rnd.nextInt(StressLayout.SLOTS);
                    long off = (long) StressLayout.LONG.getAndSet(hdr, StressLayout.EXCHANGE + slot * 8L, 0L);
                    if (off != 0) {
                        verified.addAndGet(StressLayout.verify(mem, off, who + " (taken)"));
                        a.freeOffset(MemContext.DEFAULT, off);
                        crossFrees.incrementAndGet();
                    }
                }
            }
        }
        while (!live.isEmpty()) {
            long off = live.poll();
            verified.addAndGet(StressLayout.verify(mem, off, who));
            a.freeOffset(MemContext.DEFAULT, off);
        }
        a.freeTls(MemContext.DEFAULT);
    }
}
