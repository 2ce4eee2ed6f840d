package dev.hshm.api.spi;

import dev.hshm.api.ThreadModel;

/**
 * A {@link ThreadModelProvider} on {@link AbstractProvider}: {@link #create()} refuses, naming the reason,
 * unless supported.
 */
public abstract class AbstractThreadModelProvider extends AbstractProvider implements ThreadModelProvider {

    /**
     * For subclasses.
     *
     * @param model the thread model's name
     * @param priority higher wins among supported models
     */
    protected AbstractThreadModelProvider(String model, int priority) {
        super(model, priority);
    }

    @Override
    protected final String what() {
        return "thread model '" + name() + "'";
    }

    @Override
    public final ThreadModel create() {
        requireSupported();
        return newModel();
    }

    /**
     * Makes the model; called only when supported.
     *
     * @return the model
     */
    protected abstract ThreadModel newModel();
}
