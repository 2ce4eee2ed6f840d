package dev.hshm.api.spi;

/**
 * What every provider says about itself. Implementations need a public no-argument constructor (the
 * class path and OSGi create them with it) and must keep it and {@link #support()} cheap: they run at
 * discovery time. {@link #support()} must not throw; {@link Support#evaluate} helps.
 */
public interface NamedProvider {

    /**
     * The name users ask for: a backend kind, an allocator type or a thread-model name.
     *
     * @return the name
     */
    String name();

    /**
     * Whether it works in this process, and why not.
     *
     * @return the support result, ideally computed once
     */
    Support support();

    /**
     * Among supported providers of the same name (or, for thread models, of any name), the highest
     * priority wins. Built-ins use 0 to 100; the fallback {@code java} thread model uses
     * {@link Integer#MIN_VALUE}.
     *
     * @return the priority
     */
    default int priority() {
        return 0;
    }
}
