package dev.hshm.api.internal.osgi;

import dev.hshm.api.internal.registry.DynamicSources;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ThreadModelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The OSGi provider source: one {@link ServiceTracker} per SPI on the api bundle's context. Services of our
 * class space only ({@code spi.isInstance}); highest service ranking first. Registered however their bundle
 * chose: by the {@link ProviderRegistrar}, an activator of their own, Declarative Services or SPI Fly.
 */
final class OsgiServiceSource implements DynamicSources.Source {

    private static final List<Class<?>> SPIS =
            List.of(MemoryBackendProvider.class, AllocatorProvider.class, ThreadModelProvider.class);

    private final Map<Class<?>, ServiceTracker<Object, Object>> trackers = new LinkedHashMap<>();

    OsgiServiceSource(BundleContext context) {
        for (Class<?> spi : SPIS) {
            trackers.put(spi, new ServiceTracker<>(context, spi.getName(), new Customizer(context)));
        }
    }

    void open() {
        trackers.values().forEach(t -> t.open(true));
    }

    void close() {
        trackers.values().forEach(ServiceTracker::close);
    }

    @Override
    public <P> List<P> providers(Class<P> spi) {
        ServiceTracker<Object, Object> t = trackers.get(spi);
        if (t == null) {
            return List.of();
        }
        ServiceReference<Object>[] refs = t.getServiceReferences();
        if (refs == null) {
            return List.of();
        }
        ServiceReference<?>[] sorted = refs.clone();
        Arrays.sort(sorted, (a, b) -> b.compareTo(a)); // highest ranking first
        List<P> out = new ArrayList<>();
        for (ServiceReference<?> ref : sorted) {
            @SuppressWarnings("unchecked")
            Object s = t.getService((ServiceReference<Object>) ref);
            if (spi.isInstance(s)) {
                out.add(spi.cast(s));
            }
        }
        return out;
    }

    /** Fires the registry's change listeners as provider services come and go. */
    private static final class Customizer implements ServiceTrackerCustomizer<Object, Object> {
        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public Object addingService(ServiceReference<Object> reference) {
            Object s = context.getService(reference);
            DynamicSources.changed();
            return s;
        }

        @Override
        public void modifiedService(ServiceReference<Object> reference, Object service) {
            DynamicSources.changed();
        }

        @Override
        public void removedService(ServiceReference<Object> reference, Object service) {
            try {
                context.ungetService(reference);
            } catch (IllegalStateException stopping) {
                // the api bundle is stopping
            }
            DynamicSources.changed();
        }
    }
}
