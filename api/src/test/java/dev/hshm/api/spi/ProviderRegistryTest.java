package dev.hshm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.hshm.api.Allocator;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.internal.registry.DynamicSources;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private final ProviderRegistry reg = ProviderRegistry.global();

    @Test
    void theBuiltInsAreFoundByName() {
        assertEquals(MemoryBackend.MALLOC, reg.find(MemoryBackendProvider.class, MemoryBackend.MALLOC).name());
        assertEquals(MemoryBackend.ARRAY, reg.find(MemoryBackendProvider.class, MemoryBackend.ARRAY).name());
        for (String type : List.of(Allocator.MALLOC, Allocator.SCALABLE_PAGE, Allocator.THREAD_LOCAL)) {
            assertEquals(type, reg.find(AllocatorProvider.class, type).name());
        }
    }

    @Test
    void aFailedLookupListsWhatExists() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(MemoryBackendProvider.class, "no_such_kind"));
        assertTrue(e.getMessage().contains("no memory backend kind named 'no_such_kind'"), e.getMessage());
        assertTrue(e.getMessage().contains("array") && e.getMessage().contains("malloc"), e.getMessage());
    }

    @Test
    void anUnsupportedProviderIsNamedWithItsReason() {
        MemoryBackendProvider gpu = mock(MemoryBackendProvider.class);
        when(gpu.name()).thenReturn("gpu_thing");
        when(gpu.support()).thenReturn(Support.no("no device"));
        DynamicSources.Source src = new DynamicSources.Source() {
            @Override
            @SuppressWarnings("unchecked")
            public <P> List<P> providers(Class<P> spi) {
                return spi == MemoryBackendProvider.class ? List.of((P) gpu) : List.of();
            }
        };
        AtomicInteger changes = new AtomicInteger();
        Runnable listener = changes::incrementAndGet;
        reg.addChangeListener(listener);
        DynamicSources.add(src);
        try {
            assertEquals(1, changes.get(), "adding a source fires the listeners");
            assertTrue(reg.all(MemoryBackendProvider.class).contains(gpu));
            assertFalse(reg.supported(MemoryBackendProvider.class).contains(gpu));
            ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                    () -> reg.find(MemoryBackendProvider.class, "gpu_thing"));
            assertTrue(e.getMessage().contains("is not supported here") && e.getMessage().contains("no device"),
                    e.getMessage());
        } finally {
            DynamicSources.remove(src);
            reg.removeChangeListener(listener);
        }
        assertFalse(reg.all(MemoryBackendProvider.class).contains(gpu));
    }

    @Test
    void aProviderWhoseSupportCheckThrowsIsUnsupportedNotFatal() {
        MemoryBackendProvider broken = mock(MemoryBackendProvider.class);
        when(broken.support()).thenThrow(new UnsatisfiedLinkError("libfoo.so: cannot open"));
        Support s = ProviderRegistry.safeSupport(broken);
        assertFalse(s.supported());
        assertTrue(s.reason().contains("libfoo.so"), s.reason());
    }

    @Test
    void theHighestPriorityComesFirst() {
        List<AllocatorProvider> all = reg.all(AllocatorProvider.class);
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).priority() >= all.get(i).priority());
        }
    }
}
