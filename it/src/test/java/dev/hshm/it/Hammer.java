package dev.hshm.it;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/** A child of {@link KilledProcessTest}: allocates and frees in two threads until it is killed. */
public final class Hammer {

    private Hammer() {
    }

    public static void main(String[] args) throws Exception {
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, args[0]);
        Allocator a = mm.getAllocator(AllocatorId.of(Integer.parseInt(args[1]), Integer.parseInt(args[2])));
        for (int t = 0; t < 2; t++) {
            final int seed = t;
            Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                ArrayDeque<Long> live = new ArrayDeque<>();
                long n = 0;
                while (true) {
                    if (live.size() < 100 && r.nextBoolean()) {
                        live.add(a.allocateOffset(MemContext.DEFAULT, r.nextInt(16, 4000)));
                    } else if (!live.isEmpty()) {
                        a.freeOffset(MemContext.DEFAULT, live.poll());
                    }
                    if (++n == 200_000) {
                        System.out.println("WORKING");
                    }
                }
            });
        }
        Thread.sleep(600_000);
    }
}
