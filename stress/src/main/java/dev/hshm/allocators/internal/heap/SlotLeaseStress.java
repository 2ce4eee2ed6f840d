package dev.hshm.allocators.internal.heap;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.Arena;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The slot lease of {@code thread_local}'s thread-cache slot table ({@link Slots#tryLease}: opaque look, CAS
 * FREE-&gt;owner): two owners lease at once from a fresh table of two slots. Their owner words are picked so
 * that both probe the same slot first (found by leasing on a scratch table, not by copying the probe hash), so
 * every sample races for one lease word and the loser must move on to the other slot. r1, r2: the slots they
 * got; r3: 1 if, afterwards, each slot's lease word names the owner that got it.
 */
@JCStressTest
@Outcome(id = {"0, 1, 1", "1, 0, 1"}, expect = Expect.ACCEPTABLE, desc = "two slots, one each, each lease naming its owner")
@Outcome(expect = Expect.FORBIDDEN, desc = "one slot leased twice, a slot refused while one was free, or a lease word wrong")
@State
public class SlotLeaseStress {

    static final AllocatorId ID = AllocatorId.of(91, 0);
    static final int SLOTS = 2;
    /** The smallest region the planner accepts for one shard and two slots (16 pages). */
    static final long REGION = smallestRegion(1, SLOTS);
    /** Two owner words (virtual-thread stripes of this process) whose probes start at the same slot. */
    static final long OWNER_A;
    static final long OWNER_B;

    static {
        Slots scratch = new Slots(freshHeap(REGION, 1, SLOTS));
        long a = OwnerWords.stripe(0);
        int first = scratch.tryLease(a);
        scratch.release(first, a);
        long b = 0;
        for (int s = 1; s < 0x10000 && b == 0; s++) {
            long candidate = OwnerWords.stripe(s);
            int got = scratch.tryLease(candidate);
            scratch.release(got, candidate);
            if (got == first) {
                b = candidate;
            }
        }
        if (b == 0) {
            throw new ExceptionInInitializerError("no two stripes probe the same slot first");
        }
        OWNER_A = a;
        OWNER_B = b;
    }

    /** The smallest region (a multiple of 4 KiB) that {@link Heap#plan} accepts. */
    static long smallestRegion(int shards, int slots) {
        for (long size = 64 << 10; ; size += 4096) {
            try {
                Heap.plan(0, size, 0, shards, slots);
                return size;
            } catch (IllegalArgumentException tooSmall) {
                // try a page more
            }
        }
    }

    /** A freshly formatted heap of its own. */
    static Heap freshHeap(long region, int shards, int slots) {
        Heap h = Heap.format(Arena.ofAuto().allocate(region, 4096), Heap.plan(0, region, 0, shards, slots), ID,
                HeapHeader.TYPE_THREAD_LOCAL, ThreadModel.current());
        h.publish();
        return h;
    }

    private final Slots slots = new Slots(freshHeap(REGION, 1, SLOTS));

    @Actor
    public void first(III_Result r) {
        r.r1 = slots.tryLease(OWNER_A);
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = slots.tryLease(OWNER_B);
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = slots.isLeasedBy(r.r1, OWNER_A) && slots.isLeasedBy(r.r2, OWNER_B) ? 1 : 0;
    }
}
