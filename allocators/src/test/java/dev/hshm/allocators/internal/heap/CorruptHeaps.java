package dev.hshm.allocators.internal.heap;

import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ThreadModel;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The corruption tests' fixture ({@link CorruptionTest}, {@link HeapFuzzTest}): a small heap with live, free and
 * cached blocks, and the use another process would make of it after its metadata was edited.
 */
final class CorruptHeaps {

    static final AllocatorId ID = AllocatorId.of(8, 3);
    private static final MemContext CTX = MemContext.DEFAULT;

    private CorruptHeaps() {
    }

    /** A heap with live, free and cached blocks; the held ones are pattern-filled. */
    record Fixture(MallocBackend b, Allocator a, Heap h, List<Long> held, List<Long> freed) {
        static Fixture make(String type, long seed) {
            MallocBackend b = MallocBackend.create(MemoryBackendId.get(13), 2L << 20);
            Allocator a = CrashScenarios.provider(type).create(b, ID, 0, b.dataSize(), 0);
            Heap h = Heap.attach(b.data(), 0, b.dataSize(), ID, CrashScenarios.typeCode(type), type,
                    ThreadModel.current());
            SplittableRandom r = new SplittableRandom(seed);
            List<Long> held = new ArrayList<>();
            List<Long> freed = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long size = i % 13 == 0 ? 70_000 : r.nextLong(1, 6000);
                long off = a.allocateOffset(CTX, size);
                if (i % 2 == 0) {
                    a.freeOffset(CTX, off);
                    freed.add(off);
                } else {
                    a.memory().asSlice(off, a.usableSize(off)).fill((byte) off);
                    held.add(off);
                }
            }
            // a freed block may have been handed out again to a later held one: it is a live block's bytes
            // then, not a free block's words, and an edit there is not a corruption of the heap's metadata
            freed.removeIf(off -> held.stream().anyMatch(o -> off + FreeBlock.BYTES > o && off < o + a.usableSize(o)));
            return new Fixture(b, a, h, held, freed);
        }
    }

    /** Attaches a second allocator and allocates, frees and checks; throws what the heap throws. */
    static void use(Fixture f, String type) {
        Allocator a = CrashScenarios.provider(type).attach(f.b(), ID, 0, f.b().dataSize());
        a.reclaimDeadProcesses();
        List<Long> mine = new ArrayList<>();
        for (long size : new long[] {16, 100, 700, 3000, 20_000, 70_000, 48, 5000}) {
            long off = a.allocateOffset(CTX, size);
            a.memory().asSlice(off, size).fill((byte) 0x11);
            mine.add(off);
        }
        for (long off : f.held()) {
            long size = f.a().usableSize(off);
            for (long i = 0; i < size; i++) {
                if (a.memory().get(ValueLayout.JAVA_BYTE, off + i) != (byte) off) {
                    throw new SilentOverlap();
                }
            }
        }
        for (long off : mine) {
            a.freeOffset(CTX, off);
        }
        for (long off : f.held()) {
            a.freeOffset(CTX, off);
        }
        a.freeTls(CTX);
        a.check();
    }

    /** A block handed out over a live one: the corruption went undetected. */
    static final class SilentOverlap extends RuntimeException {
        SilentOverlap() {
            super("a block was handed out over a live one", null, false, false);
        }
    }
}
