package dev.hshm.api.internal.osgi;

import dev.hshm.api.internal.registry.DynamicSources;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The api bundle's activator: only an OSGi framework ever loads this class (through
 * {@code Bundle-Activator}), so the api needs no OSGi classes on the module path or the class path.
 *
 * <p>On start it (1) adds a provider source that tracks every OSGi service of the three SPI types, and
 * (2) starts the {@link ProviderRegistrar}, which registers as services the providers that bundles list in
 * {@code META-INF/services} — so provider bundles need no OSGi code. On stop it undoes both.
 */
public final class Activator implements BundleActivator {

    private OsgiServiceSource source;
    private ProviderRegistrar registrar;

    @Override
    public void start(BundleContext context) {
        source = new OsgiServiceSource(context);
        source.open();
        DynamicSources.add(source);
        registrar = new ProviderRegistrar(context);
        registrar.open();
    }

    @Override
    public void stop(BundleContext context) {
        if (registrar != null) {
            registrar.close();
        }
        if (source != null) {
            DynamicSources.remove(source);
            source.close();
        }
    }
}
