package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.Allocator;
import dev.hshm.api.MemContext;

/** An allocator that keeps no per-thread state: {@code createTls} returns the context, {@code freeTls} does nothing. */
interface NoThreadState extends Allocator {

    @Override
    default MemContext createTls(MemContext ctx) {
        return ctx;
    }

    @Override
    default void freeTls(MemContext ctx) {
        // nothing per thread
    }
}
