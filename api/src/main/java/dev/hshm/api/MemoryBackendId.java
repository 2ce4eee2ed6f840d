package dev.hshm.api;

/**
 * Names a memory backend within one process's {@link MemoryManager}; it is also written into the
 * header of a shared backend so that an attaching process can register it under the same number.
 *
 * @param value a non-negative number
 */
public record MemoryBackendId(int value) {

    /**
     * Validates the number.
     *
     * @param value a non-negative number
     */
    public MemoryBackendId {
        if (value < 0) {
            throw new IllegalArgumentException("memory backend id must be >= 0: " + value);
        }
    }

    /**
     * The id with this number; the seed's {@code MemoryBackendId::Get(i)}.
     *
     * @param value a non-negative number
     * @return the id
     */
    public static MemoryBackendId get(int value) {
        return new MemoryBackendId(value);
    }

    @Override
    public String toString() {
        return "backend#" + value;
    }
}
