package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;

/**
 * The other process of the container tests: attaches to a test heap by url and does one thing to a named
 * container. Arguments: {@code COMMAND URL ALLOCATOR_MAJOR NAME [ARGS...]}. Prints what it did, one line each.
 */
public final class ContainerChild {

    private ContainerChild() {
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
            case "mutex-lock-hang" -> {
                ShmMutex m = ShmMutex.attach(dir, name);
                System.out.println("locked " + m.lock());
                System.out.flush();
                sleepForever();
            }
            case "mutex-lock-unlock" -> {
                ShmMutex m = ShmMutex.attach(dir, name);
                System.out.println("waiting");
                System.out.flush();
                ShmMutex.LockResult r = m.lock();
                System.out.println("acquired " + r);
                m.unlock();
            }
            case "vector-read" -> {
                long target = Long.parseLong(args[4]);
                System.out.println("reading");
                System.out.flush();
                ShmVector v = ShmVector.attach(dir, name);
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
                long checks = 0;
                long grows = v.grows();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline) {
                    long n = v.size();
                    if (n > 0) {
                        long i = rnd.nextLong(n);
                        long got = v.getLong(i);
                        if (got != vectorValue(i)) {
                            throw new AssertionError("element " + i + " of " + n + " is " + got + ", expected "
                                    + vectorValue(i));
                        }
                        checks++;
                    }
                    if (n >= target) {
                        break;
                    }
                }
                System.out.println("checked " + checks + " grows-seen " + (v.grows() - grows) + " size " + v.size());
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
        System.out.flush();
    }

    /** What the vector tests store at index {@code i}. */
    static long vectorValue(long i) {
        return i * 0x9E37_79B9_7F4A_7C15L + 1;
    }

    static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
