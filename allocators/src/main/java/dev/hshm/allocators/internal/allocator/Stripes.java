package dev.hshm.allocators.internal.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;

/**
 * The cache slots that virtual threads share ({@code thread_local}): one per processor ({@value #MAX_STRIPES} at
 * most, and at most half the slots), each taken with a process-local try-lock for the length of one call, its
 * slot leased on first use under the stripe's {@linkplain dev.hshm.allocators.internal.heap.OwnerWords#stripe owner
 * word}.
 */
final class Stripes {

    /** What {@link #take} answers when every stripe is busy. */
    static final int NO_STRIPE = -1;
    /** Stripes at most, whatever the processor count. */
    static final int MAX_STRIPES = 16;

    private final int count;
    private final AtomicIntegerArray busy;
    /** The stripes' caches; entry s written only by the holder of stripe s. */
    private final ThreadCache[] caches;

    Stripes(int slotCount) {
        this.count = Math.max(1, Math.min(Math.min(MAX_STRIPES, Runtime.getRuntime().availableProcessors()),
                slotCount / 2));
        this.busy = new AtomicIntegerArray(count);
        this.caches = new ThreadCache[count];
    }

    /** Try-locks a stripe, probing from the calling thread's own; the stripe, or {@link #NO_STRIPE}. */
    int take() {
        int start = Math.floorMod(Thread.currentThread().threadId(), count);
        for (int i = 0; i < count; i++) {
            int s = (start + i) % count;
            if (busy.get(s) == 0 && busy.compareAndSet(s, 0, 1)) {
                return s;
            }
        }
        return NO_STRIPE;
    }

    void release(int s) {
        busy.setRelease(s, 0);
    }

    /** The cache of stripe {@code s} (held by the caller), leased with {@code lease} on first use; null if none. */
    ThreadCache cache(int s, IntFunction<ThreadCache> lease) {
        ThreadCache tc = caches[s];
        if (tc == null) {
            tc = lease.apply(s);
            caches[s] = tc;
        }
        return tc;
    }

    /** The stripes' caches that hold a slot (for closing the allocator). */
    List<ThreadCache> leased() {
        List<ThreadCache> out = new ArrayList<>();
        for (ThreadCache tc : caches) {
            if (tc != null) {
                out.add(tc);
            }
        }
        return out;
    }
}
