package dev.hshm.api;

/**
 * A thread-local storage key made by a {@link ThreadModel}; pass it back to the same model's
 * {@link ThreadModel#getTls} and {@link ThreadModel#setTls}. Thread models implement it; callers treat it
 * as opaque.
 *
 * @param <T> the type of the stored values
 */
public interface ThreadLocalKey<T> {

    /**
     * The name of the thread model that made this key.
     *
     * @return the model's name
     */
    String modelName();
}
