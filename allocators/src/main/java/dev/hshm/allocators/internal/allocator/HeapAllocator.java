package dev.hshm.allocators.internal.allocator;

import dev.hshm.allocators.internal.heap.Heap;
import dev.hshm.allocators.internal.heap.SizeClasses;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.OffsetPointer;
import java.lang.foreign.MemorySegment;

/**
 * What the two heap allocators share: identity, the custom header, aligned allocation, reallocation, usable size
 * and checks. Subclasses decide how a small block is taken and given back; the {@link Heap} does the rest.
 */
abstract sealed class HeapAllocator implements Allocator permits ScalablePageAllocator, ThreadLocalAllocator {

    /** Shards of the span table for a new region: {@code -Dhshm.heap.shards}, else {@value #DEFAULT_SHARDS}. */
    static final int DEFAULT_SHARDS = 8;

    final MemoryBackend backend;
    final Heap heap;
    final MemorySegment seg;
    private final String type;

    HeapAllocator(MemoryBackend backend, Heap heap, String type) {
        this.backend = backend;
        this.heap = heap;
        this.seg = backend.data();
        this.type = type;
    }

    static int defaultShards() {
        String p = System.getProperty("hshm.heap.shards");
        if (p == null) {
            return DEFAULT_SHARDS;
        }
        int n = Integer.parseInt(p.trim());
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("hshm.heap.shards must be 1..64: " + n);
        }
        return n;
    }

    @Override
    public final AllocatorId id() {
        return heap.id();
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final MemoryBackend backend() {
        return backend;
    }

    @Override
    public final MemorySegment memory() {
        return seg;
    }

    @Override
    public final MemorySegment customHeader() {
        return seg.asSlice(heap.geometry().customOffset(), heap.geometry().customSize());
    }

    /** Takes one block of class {@code c}; {@code size} and {@code align} are for messages. */
    abstract long allocateSmall(MemContext ctx, int c, long size, long align);

    static void checkSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: " + size);
        }
    }

    @Override
    public final long alignedAllocateOffset(MemContext ctx, long size, long alignment) {
        checkSize(size);
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        if (alignment <= 16) {
            return allocateOffset(ctx, size);
        }
        int c = SizeClasses.classOf(size, alignment);
        if (c != SizeClasses.NO_CLASS) {
            return allocateSmall(ctx, c, size, alignment);
        }
        return heap.allocateLarge(size, alignment);
    }

    @Override
    public final long reallocateOffset(MemContext ctx, long offset, long newSize) {
        checkSize(newSize);
        if (offset == OffsetPointer.NULL_OFFSET) {
            return allocateOffset(ctx, newSize);
        }
        long loc = heap.locateLive(offset);
        int c = Heap.classOf(loc);
        long usable;
        if (c == Heap.LARGE_CLASS) {
            if (newSize > SizeClasses.MAX_SMALL / 2 && heap.resizeLarge(Heap.headOf(loc), newSize)) {
                return offset;
            }
            usable = heap.usable(loc);
        } else {
            usable = SizeClasses.size(c);
            if (newSize <= usable && (c == 0 || newSize > SizeClasses.size(c - 1))) {
                return offset; // already the right class
            }
        }
        long moved = allocateOffset(ctx, newSize);
        MemorySegment.copy(seg, offset, seg, moved, Math.min(usable, newSize));
        freeOffset(ctx, offset);
        return moved;
    }

    @Override
    public final long usableSize(long offset) {
        return heap.usable(heap.locateLive(offset));
    }

    @Override
    public void check() {
        heap.check();
    }

    @Override
    public String toString() {
        return type + "[" + id() + ", capacity=" + heap.capacity() + ", backend=" + backend.id() + "]";
    }
}
