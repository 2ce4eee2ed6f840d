package dev.hshm.api.spi;

import dev.hshm.api.ThreadLocalKey;

/**
 * A thread-local storage key backed by a {@link ThreadLocal}: the JVM's TLS, per platform thread and
 * per virtual thread. Thread models that have no better TLS than the JVM's use it.
 *
 * @param <T> the stored type
 */
public final class JvmThreadLocalKey<T> implements ThreadLocalKey<T> {

    private final ThreadLocal<T> local = new ThreadLocal<>();
    private final String modelName;

    /**
     * Creates a key.
     *
     * @param modelName the name of the model that owns it
     */
    public JvmThreadLocalKey(String modelName) {
        this.modelName = modelName;
    }

    @Override
    public String modelName() {
        return modelName;
    }

    /**
     * The calling thread's value.
     *
     * @return the value or {@code null}
     */
    public T get() {
        return local.get();
    }

    /**
     * Sets the calling thread's value; {@code null} removes it.
     *
     * @param value the value
     */
    public void set(T value) {
        if (value == null) {
            local.remove();
        } else {
            local.set(value);
        }
    }

    /**
     * Casts a key given to a model back to this class, with a clear message if it came from elsewhere.
     *
     * @param key the key
     * @param expectedModel the model receiving it
     * @param <T> the stored type
     * @return the key
     * @throws IllegalArgumentException if the key was made by another model
     */
    public static <T> JvmThreadLocalKey<T> cast(ThreadLocalKey<T> key, String expectedModel) {
        if (key instanceof JvmThreadLocalKey<T> k && (k.modelName == expectedModel || k.modelName.equals(expectedModel))) {
            return k;
        }
        throw new IllegalArgumentException("thread-local key from another thread model: key model="
                + (key == null ? "null" : key.modelName()) + ", this model=" + expectedModel);
    }
}
