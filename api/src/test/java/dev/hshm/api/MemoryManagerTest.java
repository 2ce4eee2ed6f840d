package dev.hshm.api;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The manager with no provider at all (the api alone): it names what is missing instead of failing obscurely.
 * With the built-ins it is tested in the allocators module ({@code MemoryManagerWithBuiltInsTest}).
 */
class MemoryManagerTest {

    private final MemoryManager mm = MemoryManager.get();

    @Test
    void withoutTheBuiltInsTheRootAllocatorSaysWhichProviderIsMissing() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class, mm::defaultAllocator);
        assertTrue(e.getMessage().contains("'malloc'") && e.getMessage().contains("no provider of this kind"),
                e.getMessage());
        assertThrows(ProviderNotFoundException.class, () -> mm.getAllocator(AllocatorId.ROOT));
    }

    @Test
    void creatingABackendOfAKindNobodyProvidesListsWhatExists() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> mm.createBackend(MemoryBackend.MALLOC, MemoryBackendId.get(1), 4096));
        assertTrue(e.getMessage().contains("no memory backend kind named 'malloc'"), e.getMessage());
        assertTrue(mm.backends().isEmpty());
    }
}
