package dev.hshm.api;

/**
 * A backend kind, allocator type or thread model asked for by name that no supported provider offers.
 * The message lists the names that exist and, for unsupported providers, why each is unsupported.
 */
public final class ProviderNotFoundException extends HshmException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the values involved
     */
    public ProviderNotFoundException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure it translates.
     *
     * @param message what was wrong, naming the values involved
     * @param cause the original failure
     */
    public ProviderNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
