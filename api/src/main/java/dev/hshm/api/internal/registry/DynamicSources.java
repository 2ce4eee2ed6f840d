package dev.hshm.api.internal.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Provider sources besides {@link java.util.ServiceLoader} that come and go at run time: today the OSGi
 * service trackers, which the api bundle's activator adds when it starts inside a framework. Empty on the
 * module path and the class path. Not exported.
 */
public final class DynamicSources {

    /** A live view of providers from one source. */
    public interface Source {
        /**
         * The providers of {@code spi} this source sees now.
         *
         * @param spi the service interface
         * @param <P> its type
         * @return the providers, highest service ranking first
         */
        <P> List<P> providers(Class<P> spi);
    }

    private static final List<Source> SOURCES = new CopyOnWriteArrayList<>();
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();

    private DynamicSources() {
    }

    /**
     * Adds a source.
     *
     * @param source the source
     */
    public static void add(Source source) {
        SOURCES.add(source);
        changed();
    }

    /**
     * Removes a source.
     *
     * @param source the source
     */
    public static void remove(Source source) {
        SOURCES.remove(source);
        changed();
    }

    /**
     * The current sources.
     *
     * @return a snapshot
     */
    public static List<Source> sources() {
        return List.copyOf(SOURCES);
    }

    /**
     * Adds a listener fired when a source's providers change.
     *
     * @param listener the listener
     */
    public static void addListener(Runnable listener) {
        LISTENERS.add(listener);
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener
     */
    public static void removeListener(Runnable listener) {
        LISTENERS.remove(listener);
    }

    /** Tells the listeners that some source's providers changed. */
    public static void changed() {
        for (Runnable r : LISTENERS) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.getLogger(DynamicSources.class.getName())
                        .log(System.Logger.Level.WARNING, "provider change listener failed", e);
            }
        }
    }
}
