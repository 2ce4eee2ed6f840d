package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The other process of the cross-process tests: attaches to a test heap by url and does one thing to a named
 * structure. Arguments: {@code COMMAND URL ALLOCATOR_MAJOR NAME [ARGS...]}. Prints what it did, one line each.
 */
public final class ChildMain {

    private ChildMain() {
    }

    /**
     * Entry point.
     *
     * @param args the command
     * @throws Exception on failure (the exit code is then 1)
     */
    public static void main(String[] args) throws Exception {
        String cmd = args[0];
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, args[1]);
        Allocator a = mm.getAllocator(AllocatorId.of(Integer.parseInt(args[2]), 0));
        NamedObjects dir = NamedObjects.of(a);
        String name = args[3];
        switch (cmd) {
            case "create-and-hang" -> dir.create(name, 4096, m -> {
                System.out.println("initializing");
                System.out.flush();
                sleepForever();
            });
            case "open-or-create" -> {
                MemorySegment go = mm.getAllocator(AllocatorId.of(Integer.parseInt(args[2]), 0)).customHeader();
                // a start line: every racer spins on a word of the custom header until the parent sets it
                System.out.println("ready");
                System.out.flush();
                while (go.get(ValueLayout.JAVA_LONG, NamedObjects.CUSTOM_HEADER_BYTES) == 0) {
                    Thread.onSpinWait();
                }
                NamedObject o = dir.openOrCreate(name, 256, m -> m.set(ValueLayout.JAVA_LONG, 0, ProcessHandle.current().pid()));
                System.out.println("created=" + o.created() + " owner=" + o.memory().get(ValueLayout.JAVA_LONG, 0));
            }
            case "claim-and-hang" -> {
                MpscRing r = MpscRing.attach(dir, name);
                long at = r.tryClaim(1, 64);
                System.out.println("claimed " + at);
                System.out.flush();
                sleepForever();
            }
            case "spsc-consumer-hang" -> {
                SpscRing r = SpscRing.attach(dir, name);
                r.pollLong(); // registers this process as the consumer
                System.out.println("consumer registered");
                System.out.flush();
                sleepForever();
            }
            case "spsc-take" -> {
                SpscRing r = SpscRing.attach(dir, name);
                r.pollLong(); // registers as the consumer (the ring is empty)
                System.out.println("taking");
                System.out.flush();
                OptionalLong v = r.takeLong(TimeUnit.SECONDS.toNanos(60));
                System.out.println("took " + (v.isPresent() ? v.getAsLong() : "nothing"));
            }
            case "mpsc-produce" -> produce(MpscRing.attach(dir, name), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]));
            case "mpmc-produce" -> produceMpmc(MpmcQueue.attach(dir, name), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]));
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
        System.out.flush();
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The record the stress tests send: producer id, sequence, checksum of both. */
    static long checksum(long producer, long seq) {
        CRC32C c = new CRC32C();
        for (int i = 0; i < 8; i++) {
            c.update((int) (producer >>> (8 * i)));
        }
        for (int i = 0; i < 8; i++) {
            c.update((int) (seq >>> (8 * i)));
        }
        return c.getValue();
    }

    /** Two threads, each producing checksummed records for {@code millis}; prints each thread's count. */
    private static void produce(MpscRing r, int base, long millis) throws Exception {
        AtomicLong total = new AtomicLong();
        Thread[] ts = new Thread[2];
        for (int k = 0; k < ts.length; k++) {
            long producer = base + k;
            ts[k] = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                long seq = 0;
                try {
                    while (System.nanoTime() < end) {
                        long at = r.claim(7, 24, TimeUnit.SECONDS.toNanos(10));
                        if (at < 0) {
                            throw new IllegalStateException("no room for 10 s");
                        }
                        MemorySegment b = r.buffer();
                        b.set(ValueLayout.JAVA_LONG_UNALIGNED, at, producer);
                        b.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, seq);
                        b.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 16, checksum(producer, seq));
                        r.commit(at);
                        seq++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("sent " + producer + " " + seq);
                total.addAndGet(seq);
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        System.out.println("done " + total.get());
    }

    private static void produceMpmc(MpmcQueue q, int base, long millis) throws Exception {
        Thread[] ts = new Thread[2];
        for (int k = 0; k < ts.length; k++) {
            long producer = base + k;
            ts[k] = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                long seq = 0;
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                    MemorySegment e = arena.allocate(q.elementSize(), 8);
                    while (System.nanoTime() < end) {
                        e.set(ValueLayout.JAVA_LONG, 0, producer);
                        e.set(ValueLayout.JAVA_LONG, 8, seq);
                        e.set(ValueLayout.JAVA_LONG, 16, checksum(producer, seq));
                        if (!q.put(e, TimeUnit.SECONDS.toNanos(10))) {
                            throw new IllegalStateException("no room for 10 s");
                        }
                        seq++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("sent " + producer + " " + seq);
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        System.out.println("done");
    }
}
