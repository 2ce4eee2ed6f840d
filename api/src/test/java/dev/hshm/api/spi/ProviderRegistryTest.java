package dev.hshm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.internal.registry.DynamicSources;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private final ProviderRegistry reg = ProviderRegistry.global();

    @Test
    void theApiAloneShipsNoBackendOrAllocator() {
        // the built-ins are a module of their own (hshm-allocators), a provider like any other
        assertEquals(List.of(), reg.all(MemoryBackendProvider.class));
        assertEquals(List.of(), reg.all(AllocatorProvider.class));
    }

    @Test
    void aFailedLookupListsWhatExists() {
        ProviderNotFoundException e = assertThrows(ProviderNotFoundException.class,
                () -> reg.find(MemoryBackendProvider.class, "no_such_kind"));
        assertTrue(e.getMessage().contains("no memory backend kind named 'no_such_kind'"), e.getMessage());
        assertTrue(e.getMessage().contains("Available: []"), e.getMessage());
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
}
