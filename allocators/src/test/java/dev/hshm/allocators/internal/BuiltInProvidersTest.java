package dev.hshm.allocators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-ins are found through the registry like any third-party provider. */
class BuiltInProvidersTest {

    private final ProviderRegistry reg = ProviderRegistry.global();

    @Test
    void theBuiltInsAreFoundByName() {
        assertEquals(MemoryBackend.MALLOC, reg.find(MemoryBackendProvider.class, MemoryBackend.MALLOC).name());
        assertEquals(MemoryBackend.ARRAY, reg.find(MemoryBackendProvider.class, MemoryBackend.ARRAY).name());
        for (String type : List.of(Allocator.MALLOC, Allocator.SCALABLE_PAGE, Allocator.THREAD_LOCAL)) {
            AllocatorProvider p = reg.find(AllocatorProvider.class, type);
            assertEquals(type, p.name());
            assertEquals("dev.hshm.allocators", p.getClass().getModule().getName(), "served by this module");
        }
    }

    @Test
    void aFailedLookupListsTheBuiltIns() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(MemoryBackendProvider.class, "no_such_kind"));
        assertTrue(e.getMessage().contains("array") && e.getMessage().contains("malloc"), e.getMessage());
    }

    @Test
    void theHighestPriorityComesFirst() {
        List<AllocatorProvider> all = reg.all(AllocatorProvider.class);
        assertTrue(all.size() >= 3, "the three built-in allocator types: " + all);
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).priority() >= all.get(i).priority());
        }
    }
}
