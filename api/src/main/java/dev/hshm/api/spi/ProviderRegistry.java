package dev.hshm.api.spi;

import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.internal.registry.DynamicSources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Finds providers by name. One registry merges three sources, which third-party providers use too:
 * <ol>
 *   <li>{@link ServiceLoader} on the module path ({@code provides ... with} in {@code module-info.java});</li>
 *   <li>{@link ServiceLoader} on the class path ({@code META-INF/services});</li>
 *   <li>inside an OSGi framework, providers that bundles register as services, tracked as bundles start
 *       and stop (the api bundle's activator adds this source; it is empty elsewhere).</li>
 * </ol>
 * Module layers created at run time (a plugins directory) are added with {@link #addModuleLayer}.
 *
 * <p>A provider that fails to load ({@link ServiceConfigurationError}, {@link LinkageError}) is skipped and
 * remembered with its error, so one broken plugin cannot hide the others. Duplicates (the same class seen
 * through two sources) appear once. Lookups that fail list what exists, and why each unsupported provider is
 * unsupported.
 */
public final class ProviderRegistry {

    private static final System.Logger LOG = System.getLogger(ProviderRegistry.class.getName());
    private static final ProviderRegistry GLOBAL = new ProviderRegistry();

    private final Map<Class<?>, List<?>> loaded = new ConcurrentHashMap<>();
    private final List<ModuleLayer> layers = new CopyOnWriteArrayList<>();
    private final List<String> loadErrors = new CopyOnWriteArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private ProviderRegistry() {
        DynamicSources.addListener(this::fireChanged);
    }

    /**
     * The process-wide registry.
     *
     * @return the registry
     */
    public static ProviderRegistry global() {
        return GLOBAL;
    }

    /**
     * Every provider of {@code spi} found, supported or not, highest priority first.
     *
     * @param spi one of the provider interfaces
     * @param <P> its type
     * @return the providers
     */
    public <P extends NamedProvider> List<P> all(Class<P> spi) {
        Map<Class<?>, P> byClass = new LinkedHashMap<>();
        for (P p : serviceLoaded(spi)) {
            byClass.putIfAbsent(p.getClass(), p);
        }
        for (DynamicSources.Source s : DynamicSources.sources()) {
            for (P p : s.providers(spi)) {
                byClass.putIfAbsent(p.getClass(), p);
            }
        }
        List<P> out = new ArrayList<>(byClass.values());
        out.sort(Comparator.comparingInt((P p) -> p.priority()).reversed()
                .thenComparing(p -> p.name()).thenComparing(p -> p.getClass().getName()));
        return List.copyOf(out);
    }

    /**
     * The supported providers of {@code spi}, highest priority first.
     *
     * @param spi one of the provider interfaces
     * @param <P> its type
     * @return the supported providers
     */
    public <P extends NamedProvider> List<P> supported(Class<P> spi) {
        return all(spi).stream().filter(p -> safeSupport(p).supported()).toList();
    }

    /**
     * The supported provider named {@code name} with the highest priority.
     *
     * @param spi one of the provider interfaces
     * @param name the kind, type or model name
     * @param <P> its type
     * @return the provider
     * @throws ProviderNotFoundException listing the names that exist and why unsupported ones are
     */
    public <P extends NamedProvider> P find(Class<P> spi, String name) {
        List<P> all = all(spi);
        for (P p : all) {
            if (p.name().equals(name) && safeSupport(p).supported()) {
                return p;
            }
        }
        throw new ProviderNotFoundException(describeMissing(spi, name, all));
    }

    private <P extends NamedProvider> String describeMissing(Class<P> spi, String name, List<P> all) {
        String what = switch (spi.getSimpleName()) {
            case "MemoryBackendProvider" -> "memory backend kind";
            case "AllocatorProvider" -> "allocator type";
            case "ThreadModelProvider" -> "thread model";
            default -> spi.getSimpleName();
        };
        StringBuilder sb = new StringBuilder();
        List<P> same = all.stream().filter(p -> p.name().equals(name)).toList();
        if (same.isEmpty()) {
            sb.append("no ").append(what).append(" named '").append(name).append("'");
        } else {
            sb.append(what).append(" '").append(name).append("' is not supported here: ")
                    .append(same.stream().map(p -> p.getClass().getName() + ": " + safeSupport(p).reason())
                            .collect(Collectors.joining("; ")));
        }
        String supported = all.stream().filter(p -> safeSupport(p).supported()).map(NamedProvider::name)
                .distinct().collect(Collectors.joining(", "));
        String unsupported = all.stream().filter(p -> !safeSupport(p).supported() && !p.name().equals(name))
                .map(p -> p.name() + " (" + safeSupport(p).reason() + ")").distinct()
                .collect(Collectors.joining(", "));
        sb.append(". Available: [").append(supported).append("]");
        if (!unsupported.isEmpty()) {
            sb.append("; present but unsupported: [").append(unsupported).append("]");
        }
        if (!loadErrors.isEmpty()) {
            sb.append("; failed to load: ").append(loadErrors);
        }
        if (all.isEmpty()) {
            sb.append(" (no provider of this kind was found: is the provider module on the module path,"
                    + " its jar on the class path, or its bundle started?)");
        }
        return sb.toString();
    }

    /**
     * The provider's support, with anything it throws turned into an unsupported result.
     *
     * @param p a provider
     * @return its support
     */
    public static Support safeSupport(NamedProvider p) {
        return Support.evaluate(p::support);
    }

    /**
     * Adds a module layer whose modules' providers should be found (e.g. a plugins directory loaded with
     * {@link ModuleLayer#defineModulesWithOneLoader}).
     *
     * @param layer the layer
     */
    public void addModuleLayer(ModuleLayer layer) {
        layers.add(layer);
        reload();
    }

    /** Forgets what {@link ServiceLoader} found, so the next lookup loads again. */
    public void reload() {
        loaded.clear();
        loadErrors.clear();
        fireChanged();
    }

    /**
     * Problems met while loading providers (a provider class that failed to link, say).
     *
     * @return one line per failure
     */
    public List<String> loadErrors() {
        return List.copyOf(loadErrors);
    }

    /**
     * Adds a listener fired when the set of providers may have changed (an OSGi bundle started or
     * stopped, a layer was added, {@link #reload()}). Outside OSGi the set is fixed at startup.
     *
     * @param listener the listener
     */
    public void addChangeListener(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener
     */
    public void removeChangeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void fireChanged() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "provider change listener failed", e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <P> List<P> serviceLoaded(Class<P> spi) {
        return (List<P>) loaded.computeIfAbsent(spi, this::load);
    }

    private <P> List<P> load(Class<P> spi) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<P> out = new ArrayList<>();
        loadInto(ServiceLoader.load(spi, ProviderRegistry.class.getClassLoader()), spi, out, seen);
        for (ModuleLayer layer : layers) {
            loadInto(ServiceLoader.load(layer, spi), spi, out, seen);
        }
        return List.copyOf(out);
    }

    private <P> void loadInto(ServiceLoader<P> loader, Class<P> spi, List<P> out, Map<Object, Boolean> seen) {
        var it = loader.iterator();
        for (int errors = 0; errors < 100; ) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                P p = it.next();
                if (seen.put(p.getClass(), Boolean.TRUE) == null) {
                    out.add(p);
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                errors++;
                String line = spi.getSimpleName() + ": " + e;
                loadErrors.add(line);
                LOG.log(System.Logger.Level.WARNING, "skipping a provider that failed to load: " + line, e);
            }
        }
        loadErrors.add(spi.getSimpleName() + ": stopped after 100 provider load errors");
    }
}
