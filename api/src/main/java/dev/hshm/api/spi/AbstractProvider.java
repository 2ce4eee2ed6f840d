package dev.hshm.api.spi;

/**
 * What every provider has the same way: a name and a priority fixed at construction, the refusal that names
 * the reason when it is not supported here, and a {@code toString} with its verdict. The verdict itself
 * ({@link #support()}) is each provider's: computed once, on the first call, in a holder class, so that
 * discovery (the no-argument constructor) does no native work.
 */
public abstract class AbstractProvider implements NamedProvider {

    private final String name;
    private final int priority;

    /**
     * For subclasses, whose public no-argument constructor passes their name and priority.
     *
     * @param name the provider's name (a backend kind, allocator type or thread model name)
     * @param priority higher wins among supported providers of the same name or kind
     */
    protected AbstractProvider(String name, int priority) {
        this.name = name;
        this.priority = priority;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int priority() {
        return priority;
    }

    /**
     * What the provider provides, for messages: {@code backend kind 'NAME'}, {@code thread model 'NAME'}.
     *
     * @return the description
     */
    protected abstract String what();

    /**
     * Throws unless the provider is supported here.
     *
     * @throws UnsupportedOperationException {@code "WHAT is not supported here: REASON"}
     */
    protected final void requireSupported() {
        Support s = support();
        if (!s.supported()) {
            throw new UnsupportedOperationException(what() + " is not supported here: " + s.reason());
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + support() + "]";
    }
}
