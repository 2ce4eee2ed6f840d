package dev.hshm.allocators.internal.heap;

import dev.hshm.api.CorruptSegmentException;
import java.util.HashSet;
import java.util.Set;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The remote-free push. In {@code thread_local} a block freed by a thread that does not own the block's cache
 * joins the freeing thread's own cache list (claimed by the free tag, {@code FreeTagClaimTest}; no other
 * thread's list is touched); the shared list such a free reaches is the block's span's free list, pushed by
 * {@link Heap#free} (threads without a cache slot, {@code scalable_page}) and by the overflow batch of a cache
 * ({@link Heap#giveBatch}), under the shard's {@link RobustLock}, while the span's other blocks' users free and
 * its cache owners drain it ({@link Heap#takeBatch}). Each state is a fresh heap of one shard (16 pages, one
 * span in use), so both actors always meet on the same span's list.
 */
public final class RemoteFreeStress {

    static final int SLOTS = 1;
    static final long REGION = SlotLeaseStress.smallestRegion(1, SLOTS);
    static final int C = SizeClasses.classOf(64);

    private RemoteFreeStress() {
    }

    static long allocate(Heap h) {
        return h.allocateSmall(C, 64, 16);
    }

    static int checked(Heap h) {
        try {
            h.check();
            return 1;
        } catch (CorruptSegmentException e) {
            return 0;
        }
    }

    /**
     * Two threads free a block each of one span at once (a third block stays live, so the span stays). Then the
     * arbiter allocates two blocks, which must be the two freed ones (the span's free list is LIFO and comes
     * before carving): r1 = 1 if they were, distinct; r2 = the shard's live count of the class (3); r3 = 1 if
     * the heap's walk finds it consistent. A lost push shows as a block carved instead (r1 = 0), a block pushed
     * twice as the same block handed out twice.
     */
    @JCStressTest
    @Outcome(id = "1, 3, 1", expect = Expect.ACCEPTABLE, desc = "both pushed once: both handed out again, counts right")
    @Outcome(expect = Expect.FORBIDDEN, desc = "a free lost or applied twice, a count lost, or an inconsistent heap")
    @State
    public static class TwoFrees {
        private final Heap heap = SlotLeaseStress.freshHeap(REGION, 1, SLOTS);
        private final long a = allocate(heap);
        private final long b = allocate(heap);
        private final long kept = allocate(heap);

        @Actor
        public void first() {
            heap.free(a);
        }

        @Actor
        public void second() {
            heap.free(b);
        }

        @Arbiter
        public void after(III_Result r) {
            long x = allocate(heap);
            long y = allocate(heap);
            r.r1 = x != y && (x == a || x == b) && (y == a || y == b) ? 1 : 0;
            r.r2 = (int) heap.shards[0].live(C);
            r.r3 = checked(heap);
        }
    }

    /**
     * A remote free while the owner drains: the span's free list holds two free blocks and a third block is live;
     * one thread frees that block (the push) while another takes a batch of three into its cache list (the pop,
     * {@link Heap#takeBatch}: the free list first, then a carved block). The freed block must end up in exactly
     * one place: in the batch (the push came first), or on the span's list, where the arbiter's next allocation
     * finds it (it came after). r1 = 1 if it is on the cache list; r2 = 1 if the next allocation returns it;
     * r3 = 1 if the cache list holds three distinct blocks and the heap's walk finds it consistent.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = Expect.ACCEPTABLE, desc = "the free came first: the batch took it")
    @Outcome(id = "0, 1, 1", expect = Expect.ACCEPTABLE, desc = "the batch came first: the block waits on its span")
    @Outcome(id = "1, 1, .", expect = Expect.FORBIDDEN, desc = "the block is in two places (handed out twice)")
    @Outcome(id = "0, 0, .", expect = Expect.FORBIDDEN, desc = "the block is lost")
    @Outcome(expect = Expect.FORBIDDEN, desc = "a wrong batch or an inconsistent heap")
    @State
    public static class FreeWhileDrain {
        private final Heap heap = SlotLeaseStress.freshHeap(REGION, 1, SLOTS);
        private final long listAt;
        private final long remote;

        public FreeWhileDrain() {
            remote = allocate(heap);
            long f1 = allocate(heap);
            long f2 = allocate(heap);
            heap.free(f1);
            heap.free(f2);
            Slots slots = new Slots(heap);
            int slot = slots.tryLease(OwnerWords.stripe(0));
            listAt = SlotTable.head(slots.record(slot), C);
        }

        @Actor
        public void remoteFree() {
            heap.free(remote);
        }

        @Actor
        public void ownerDrains() {
            heap.takeBatch(0, C, listAt, 3);
        }

        @Arbiter
        public void after(III_Result r) {
            Set<Long> list = new HashSet<>();
            int n = 0;
            for (long b = heap.caches.head(listAt); b != Heap.NO_OFFSET && n < 8; b = heap.w.get(b + FreeBlock.NEXT)) {
                list.add(b);
                n++;
            }
            r.r1 = list.contains(remote) ? 1 : 0;
            int consistent = n == 3 && list.size() == 3 ? checked(heap) : 0;
            r.r2 = allocate(heap) == remote ? 1 : 0;
            r.r3 = consistent;
        }
    }
}
