package dev.hshm.nativeclient;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import java.lang.foreign.MemorySegment;

/**
 * An {@link Allocator} whose allocate, free, reallocate, usable size and bytes in use are the C client's (through
 * {@link CHeap}), over a heap that a Java allocator created in the same segment. The rest (its memory as the JVM
 * maps it, statistics, the heap check) is the Java allocator's view of that same heap, so {@link #check()} walks
 * what the C code wrote.
 */
final class CAllocator implements Allocator {

    private final Allocator java;
    private final CHeap c;

    CAllocator(Allocator java, CHeap c) {
        this.java = java;
        this.c = c;
    }

    Allocator java() {
        return java;
    }

    CHeap c() {
        return c;
    }

    @Override
    public AllocatorId id() {
        return java.id();
    }

    @Override
    public String type() {
        return java.type();
    }

    @Override
    public MemoryBackend backend() {
        return java.backend();
    }

    @Override
    public MemorySegment memory() {
        return java.memory();
    }

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: " + size);
        }
        return c.alloc(size);
    }

    @Override
    public long alignedAllocateOffset(MemContext ctx, long size, long alignment) {
        if (size < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: " + size);
        }
        return c.allocAligned(size, alignment);
    }

    @Override
    public long reallocateOffset(MemContext ctx, long offset, long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: " + newSize);
        }
        return c.realloc(offset, newSize);
    }

    @Override
    public void freeOffset(MemContext ctx, long offset) {
        c.free(offset);
    }

    @Override
    public MemContext createTls(MemContext ctx) {
        return ctx; // the C client keeps no per-thread state
    }

    @Override
    public void freeTls(MemContext ctx) {
    }

    @Override
    public long usableSize(long offset) {
        return c.usableSize(offset);
    }

    @Override
    public MemorySegment customHeader() {
        return java.customHeader();
    }

    @Override
    public long bytesInUse() {
        return c.bytesInUse();
    }

    @Override
    public AllocatorStats stats() {
        return java.stats();
    }

    @Override
    public void check() {
        java.check();
    }
}
