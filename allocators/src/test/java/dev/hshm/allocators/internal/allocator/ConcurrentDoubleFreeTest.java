package dev.hshm.allocators.internal.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two threads free the same thread_local block at the same moment, round after round: the free tag is claimed
 * with a CAS, so exactly one free wins and the other throws {@link DoubleFreeException}; the heap stays sound.
 */
class ConcurrentDoubleFreeTest {

    private static final int ROUNDS = 2_000;

    @Test
    void ofTwoRacingFreesExactlyOneWins() throws Exception {
        try (MallocBackend backend = MallocBackend.create(MemoryBackendId.get(12), 16L << 20)) {
            ThreadLocalAllocator tla = ThreadLocalAllocator.create(backend, AllocatorId.of(6, 0), 0, backend.dataSize(), 0);
            AtomicLong block = new AtomicLong();
            AtomicInteger wins = new AtomicInteger();
            AtomicInteger doubles = new AtomicInteger();
            AtomicReference<Throwable> other = new AtomicReference<>();
            // the allocating thread sets the next block up between the two waits of each round
            CyclicBarrier go = new CyclicBarrier(2, () -> { });
            CyclicBarrier done = new CyclicBarrier(2, () -> block.set(tla.allocateOffset(MemContext.DEFAULT,
                    16 + (wins.get() % 8) * 16)));
            block.set(tla.allocateOffset(MemContext.DEFAULT, 16));
            Runnable freer = () -> {
                try {
                    for (int r = 0; r < ROUNDS; r++) {
                        go.await(30, TimeUnit.SECONDS);
                        try {
                            tla.freeOffset(MemContext.DEFAULT, block.get());
                            wins.incrementAndGet();
                        } catch (DoubleFreeException expected) {
                            doubles.incrementAndGet();
                        }
                        done.await(30, TimeUnit.SECONDS);
                    }
                    tla.freeTls(MemContext.DEFAULT);
                } catch (Throwable t) {
                    other.compareAndSet(null, t);
                    go.reset(); // the other thread stops waiting
                    done.reset();
                }
            };
            Thread a = Thread.ofPlatform().start(freer);
            Thread b = Thread.ofPlatform().start(freer);
            a.join();
            b.join();
            if (other.get() != null) {
                throw new AssertionError("a free failed otherwise", other.get());
            }
            assertEquals(ROUNDS, wins.get(), "exactly one free per round wins");
            assertEquals(ROUNDS, doubles.get(), "and the other is a DoubleFreeException");
            tla.freeOffset(MemContext.DEFAULT, block.get()); // the block the last round set up
            tla.freeTls(MemContext.DEFAULT);
            tla.check();
            assertEquals(0, tla.bytesInUse());
            assertTrue(tla.stats().threadSlotsInUse() == 0, tla.stats().toString());
            tla.close();
        }
    }
}
