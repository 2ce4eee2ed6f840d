package dev.hshm.api.spi;

import dev.hshm.api.ThreadModel;

/**
 * Offers a {@link ThreadModel}. The process uses exactly one, chosen once at startup: the one named by
 * {@code -Dhshm.thread.model}, else the supported provider with the highest {@link #priority()}.
 */
public interface ThreadModelProvider extends NamedProvider {

    /**
     * Creates the model. Called at most once per process, and only if this provider was chosen.
     *
     * @return the thread model
     */
    ThreadModel create();
}
