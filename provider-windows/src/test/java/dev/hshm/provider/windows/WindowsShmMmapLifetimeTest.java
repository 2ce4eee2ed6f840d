package dev.hshm.provider.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Windows lifetime rules through {@link WindowsShmMmap} over {@link SimulatedWinApi}: a name lives while any
 * backend holds it, dies with the last one, and is never reused by a second create.
 * {@code WinNativeWindowsTest} checks the underlying facts against the real kernel32.
 */
class WindowsShmMmapLifetimeTest {

    private final SimulatedWinApi api = new SimulatedWinApi();

    @AfterEach
    void nothingLeaks() {
        api.assertNothingLeaked();
    }

    @Test
    void theNameLivesWhileAnyBackendHoldsItAndDiesWithTheLast() {
        String name = ShmTestNames.unique("hshmwin");
        WindowsShmMmap creator = WindowsShmMmap.create(api, MemoryBackendId.get(2), 1 << 16, name, 0600);
        creator.data().set(ValueLayout.JAVA_LONG, 0, 31L);
        WindowsShmMmap first = WindowsShmMmap.attach(api, name);

        creator.destroy(); // no unlink on Windows: the attached backend keeps the name alive
        assertTrue(api.nameExists("Local\\" + name));
        WindowsShmMmap second = WindowsShmMmap.attach(api, name);
        assertEquals(31L, second.data().get(ValueLayout.JAVA_LONG, 0));
        assertEquals(2, BackendHeader.attachCount(second.header()));

        first.detach();
        second.detach();
        assertFalse(api.nameExists("Local\\" + name));
        assertThrows(NotFoundException.class, () -> WindowsShmMmap.attach(api, name));
    }

    @Test
    void aSecondCreateOfTheSameNameFailsAndLeavesTheFirstIntact() {
        String name = ShmTestNames.unique("hshmwin");
        WindowsShmMmap b = WindowsShmMmap.create(api, MemoryBackendId.get(2), 1 << 16, name, 0600);
        b.data().set(ValueLayout.JAVA_INT, 4, 5);

        assertThrows(AlreadyExistsException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(3), 1 << 20, name, 0600));

        assertEquals(1, api.openHandles(), "the handle to the existing object was closed");
        assertEquals(5, b.data().get(ValueLayout.JAVA_INT, 4));
        assertEquals(1, BackendHeader.attachCount(b.header()));
        b.destroy();
    }

    @Test
    void aSizeBeyondTheCommitLimitFailsWithAdviceAndLeavesNothing() {
        api.commitLimit(1L << 30);
        NativeException e = assertThrows(NativeException.class,
                () -> WindowsShmMmap.create(api, MemoryBackendId.get(2), 2L << 30, ShmTestNames.unique("hshmwin"), 0600));
        assertEquals("ERROR_COMMITMENT_LIMIT", e.errorName());
        assertTrue(e.getMessage().contains("The paging file is too small"), e.getMessage());
        assertEquals(0, api.liveSections());
    }
}
