package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.OffsetPointer;
import java.lang.foreign.MemorySegment;

/**
 * What the two heap allocators share: identity, the custom header, aligned allocation, reallocation,
 * usable size and checks. Subclasses decide how a small block is taken and given back.
 */
abstract sealed class HeapAllocator implements Allocator permits ScalablePageAllocator, ThreadLocalAllocator {

    final MemoryBackend backend;
    final Heap heap;
    final MemorySegment seg;
    private final String type;

    HeapAllocator(MemoryBackend backend, Heap heap, String type) {
        this.backend = backend;
        this.heap = heap;
        this.seg = heap.seg;
        this.type = type;
    }

    @Override
    public final AllocatorId id() {
        return heap.id;
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
        return seg.asSlice(heap.geo.customOffset(), heap.geo.customSize());
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
        if (c >= 0) {
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
        long loc = heap.locate(offset);
        int c = Heap.classOf(loc);
        long usable;
        if (c == Heap.LARGE_CLASS) {
            if (newSize > SizeClasses.MAX_SMALL / 2 && heap.resizeLargeInPlace(Heap.headOf(loc), newSize)) {
                return offset;
            }
            usable = heap.usable(loc);
        } else {
            if (heap.hasFreeTag(offset)) {
                throw new InvalidPointerException("reallocate of a free block: allocator " + id() + ", offset=" + offset);
            }
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
        long loc = heap.locate(offset);
        if (Heap.classOf(loc) != Heap.LARGE_CLASS && heap.hasFreeTag(offset)) {
            throw new InvalidPointerException("not a live block (it is free): allocator " + id() + ", offset=" + offset);
        }
        return heap.usable(loc);
    }

    @Override
    public void check() {
        heap.check();
    }

    @Override
    public String toString() {
        return type + "[" + id() + ", capacity=" + (heap.pageCount << SizeClasses.PAGE_SHIFT) + ", backend="
                + backend.id() + "]";
    }
}
