package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.OffsetPointer;
import dev.hshm.allocators.internal.nativ.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed's {@code MallocAllocator}: libc {@code malloc}/{@code realloc}/{@code free} through FFM. It
 * ignores its backend, so its memory is private to this process, and its offsets are addresses
 * ({@link #memory()} is the whole address space).
 *
 * <p>Unlike a bare {@code free}, a bad pointer never reaches libc: live blocks are kept in a map, so a
 * double free or a pointer this allocator did not return is an {@link InvalidPointerException}, not a
 * crash. That map costs a hash-map update per call; this allocator is the private-memory baseline, not the
 * fast path. Blocks still live when the allocator is unregistered stay allocated (the caller may still be
 * using them). It keeps no per-thread state (libc has its own thread caches).
 */
public final class MallocAllocator implements NoThreadState {

    private record Block(long raw, long size) {
    }

    private final AllocatorId id;
    private final MemoryBackend backend;
    private final ConcurrentHashMap<Long, Block> live = new ConcurrentHashMap<>();
    private final LongAdder bytes = new LongAdder();
    private final MemorySegment everything = Libc.everything();
    private final Arena customArena = Arena.ofShared();
    private final MemorySegment custom;

    /**
     * Creates the allocator.
     *
     * @param id its id
     * @param backend the backend it is registered with (ignored for memory)
     * @param customHeaderSize bytes of process-local custom header
     */
    public MallocAllocator(AllocatorId id, MemoryBackend backend, long customHeaderSize) {
        this.id = id;
        this.backend = backend;
        this.custom = customHeaderSize > 0 ? customArena.allocate(customHeaderSize, 64) : MemorySegment.NULL;
    }

    @Override
    public AllocatorId id() {
        return id;
    }

    @Override
    public String type() {
        return Allocator.MALLOC;
    }

    @Override
    public MemoryBackend backend() {
        return backend;
    }

    @Override
    public MemorySegment memory() {
        return everything;
    }

    @Override
    public long allocateOffset(MemContext ctx, long size) {
        HeapAllocator.checkSize(size);
        long p = Libc.malloc(Math.max(1, size));
        return track(p, p, size);
    }

    /** Records a block handed out at {@code p} (from libc's {@code raw}) and returns {@code p}. */
    private long track(long raw, long p, long size) {
        live.put(p, new Block(raw, size));
        bytes.add(size);
        return p;
    }

    @Override
    public long alignedAllocateOffset(MemContext ctx, long size, long alignment) {
        HeapAllocator.checkSize(size);
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        if (alignment <= 16) {
            return allocateOffset(ctx, size);
        }
        long raw = Libc.malloc(Math.addExact(Math.max(1, size), alignment));
        return track(raw, (raw + alignment - 1) & -alignment, size);
    }

    @Override
    public long reallocateOffset(MemContext ctx, long offset, long newSize) {
        HeapAllocator.checkSize(newSize);
        if (offset == OffsetPointer.NULL_OFFSET) {
            return allocateOffset(ctx, newSize);
        }
        Block b = live.remove(offset);
        if (b == null) {
            throw notLive(offset);
        }
        long p;
        if (b.raw() == offset) {
            try {
                p = Libc.realloc(offset, Math.max(1, newSize));
            } catch (RuntimeException e) {
                live.put(offset, b);
                throw e;
            }
        } else {
            try {
                p = Libc.malloc(Math.max(1, newSize));
            } catch (RuntimeException e) {
                live.put(offset, b);
                throw e;
            }
            MemorySegment.copy(everything, offset, everything, p, Math.min(b.size(), newSize));
            Libc.free(b.raw());
        }
        live.put(p, new Block(p, newSize));
        bytes.add(newSize - b.size());
        return p;
    }

    @Override
    public void freeOffset(MemContext ctx, long offset) {
        Block b = live.remove(offset);
        if (b == null) {
            throw notLive(offset);
        }
        bytes.add(-b.size());
        Libc.free(b.raw());
    }

    private InvalidPointerException notLive(long offset) {
        return new InvalidPointerException("not a live block of malloc allocator " + id + ": address=0x"
                + Long.toHexString(offset) + " (freed already, or not returned by this allocator)");
    }

    @Override
    public long usableSize(long offset) {
        Block b = live.get(offset);
        if (b == null) {
            throw notLive(offset);
        }
        return b.size();
    }

    @Override
    public MemorySegment customHeader() {
        return custom;
    }

    @Override
    public long bytesInUse() {
        return bytes.sum();
    }

    @Override
    public AllocatorStats stats() {
        return new AllocatorStats(id, type(), -1, bytes.sum(), live.size(), -1, 0, 0, List.of());
    }

    /** Frees the custom header; live blocks stay allocated. */
    void close() {
        customArena.close();
    }

    @Override
    public String toString() {
        return "malloc[" + id + "]";
    }
}
