package dev.hshm.api.spi;

/** A {@link MemoryBackendProvider} on {@link AbstractProvider}: shared or private fixed at construction. */
public abstract class AbstractMemoryBackendProvider extends AbstractProvider implements MemoryBackendProvider {

    private final boolean shared;

    /**
     * For subclasses.
     *
     * @param kind the backend kind
     * @param priority higher wins among supported providers of the kind
     * @param shared whether other processes can attach its backends
     */
    protected AbstractMemoryBackendProvider(String kind, int priority, boolean shared) {
        super(kind, priority);
        this.shared = shared;
    }

    @Override
    public final boolean isShared() {
        return shared;
    }

    @Override
    protected final String what() {
        return "backend kind '" + name() + "'";
    }

    /**
     * The permission bits asked for, {@link BackendOptions#DEFAULT}'s if none.
     *
     * @param options the options given to {@code create}, or {@code null}
     * @return the mode
     */
    protected static int mode(BackendOptions options) {
        return (options != null ? options : BackendOptions.DEFAULT).mode();
    }
}
