package dev.hshm.allocators.internal.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.testkit.MemoryBackendContract;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrayBackendTest extends MemoryBackendContract {

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return ArrayBackend.create(id, arena.allocate(size, 4096));
    }

    @Override
    protected String expectedKind() {
        return MemoryBackend.ARRAY;
    }

    @Test
    void theCallerKeepsItsMemoryAfterDetach() {
        MemorySegment mine = arena.allocate(8192, 4096);
        MemoryBackend b = ArrayBackend.create(MemoryBackendId.get(1), mine);
        b.data().set(ValueLayout.JAVA_INT, 0, 5);
        b.destroy();
        assertEquals(5, mine.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void unalignedOrReadOnlyMemoryIsRejected() {
        MemorySegment odd = arena.allocate(8192, 4096).asSlice(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArrayBackend.create(MemoryBackendId.get(1), odd));
        assertEquals(true, e.getMessage().contains("16-byte aligned"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ArrayBackend.create(MemoryBackendId.get(1), arena.allocate(4096, 4096).asReadOnly()));
    }
}
