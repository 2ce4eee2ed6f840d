package dev.hshm.stress;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.Arena;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The free-tag claim of {@code thread_local}'s lock-free free path: two threads free the same live block at once.
 * Exactly one may succeed; the other must be refused: a {@link DoubleFreeException}, or an
 * {@link InvalidPointerException} when the block has already gone back to its span and the span to the page heap. Both succeeding would put one block on
 * two cache lists (handed out twice later); neither succeeding would lose it.
 */
@JCStressTest
@Outcome(id = {"1, 0", "0, 1"}, expect = Expect.ACCEPTABLE, desc = "one free won, the other was told it is a double free")
@Outcome(id = "1, 1", expect = Expect.FORBIDDEN, desc = "both frees succeeded: the block is on two lists")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "neither succeeded")
@State
public class FreeTagClaimTest {

    private static final Allocator HEAP;

    static {
        MemoryManager mm = MemoryManager.get();
        MemoryBackend b = mm.createArrayBackend(MemoryBackendId.get(90), Arena.global().allocate(256L << 20, 4096));
        HEAP = mm.createAllocator(Allocator.THREAD_LOCAL, b.id(), AllocatorId.of(90, 0), 0);
    }

    private final long block = HEAP.allocateOffset(MemContext.DEFAULT, 48);

    private static int free(long off) {
        try {
            HEAP.freeOffset(MemContext.DEFAULT, off);
            return 1;
        } catch (InvalidPointerException e) {
            // DoubleFreeException (the block carries its free tag), or, when the winner's cache already gave the
            // block back and its span went back to the page heap, "not a live block": both are a refused free
            return 0;
        }
    }

    @Actor
    public void first(II_Result r) {
        r.r1 = free(block);
    }

    @Actor
    public void second(II_Result r) {
        r.r2 = free(block);
    }
}
