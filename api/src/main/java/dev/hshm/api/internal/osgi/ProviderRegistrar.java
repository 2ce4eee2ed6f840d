package dev.hshm.api.internal.osgi;

import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ThreadModelProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.BundleTracker;

/**
 * Registers the providers that ACTIVE bundles list in {@code META-INF/services/<SPI>} as OSGi services of
 * that bundle (so they go away when it stops), with {@code service.ranking = priority()},
 * {@code provider.name = name()} and {@code serviceloader.mediator} = the api bundle's id (OSGi Compendium
 * 133). Each class is loaded through its own bundle and must be assignable to our SPI (a provider wired to
 * another api version is skipped with a log line).
 */
final class ProviderRegistrar extends BundleTracker<List<ServiceRegistration<?>>> {

    private static final System.Logger LOG = System.getLogger(ProviderRegistrar.class.getName());
    private static final List<Class<? extends NamedProvider>> SPIS =
            List.of(MemoryBackendProvider.class, AllocatorProvider.class, ThreadModelProvider.class);

    private final long mediator;

    ProviderRegistrar(BundleContext context) {
        super(context, Bundle.ACTIVE, null);
        this.mediator = context.getBundle().getBundleId();
    }

    @Override
    public List<ServiceRegistration<?>> addingBundle(Bundle bundle, BundleEvent event) {
        List<ServiceRegistration<?>> regs = new ArrayList<>();
        BundleContext bc = bundle.getBundleContext();
        if (bc == null) {
            return null;
        }
        for (Class<? extends NamedProvider> spi : SPIS) {
            URL entry = bundle.getEntry("META-INF/services/" + spi.getName());
            if (entry == null) {
                continue;
            }
            for (String cls : read(entry, bundle)) {
                try {
                    Class<?> c = bundle.loadClass(cls);
                    if (!spi.isAssignableFrom(c)) {
                        LOG.log(System.Logger.Level.WARNING, "bundle " + bundle.getSymbolicName() + ": " + cls
                                + " is not a " + spi.getName() + " of this api (wired to another version?); skipped");
                        continue;
                    }
                    NamedProvider p = (NamedProvider) c.getConstructor().newInstance();
                    Hashtable<String, Object> props = new Hashtable<>();
                    props.put("service.ranking", p.priority());
                    props.put("provider.name", p.name());
                    props.put("serviceloader.mediator", mediator);
                    regs.add(bc.registerService(spi.getName(), p, props));
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "bundle " + bundle.getSymbolicName() + ": provider " + cls
                            + " could not be created: " + e, e);
                }
            }
        }
        return regs.isEmpty() ? null : regs;
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, List<ServiceRegistration<?>> regs) {
        for (ServiceRegistration<?> r : regs) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it when the bundle stopped
            }
        }
    }

    private static List<String> read(URL entry, Bundle bundle) {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(entry.openStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bundle " + bundle.getSymbolicName() + ": cannot read " + entry, e);
        }
        return out;
    }
}
