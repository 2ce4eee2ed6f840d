package dev.hshm.api;

/**
 * Names an allocator in every process that maps its backend: {@code (major, minor)}.
 *
 * <p>By convention {@code major} is an application- or node-level number and {@code minor} a number
 * within it. Both are non-negative for user allocators; negative values are reserved ({@link #NULL},
 * {@link #ROOT}). Unlike hermes-shm, ids are keys of a hash map, not slots of a fixed table: any two
 * distinct pairs are distinct allocators and there is no upper bound.
 *
 * <p>An id is stored in shared memory as one {@code long} ({@link #toLong()}), major in the high half.
 *
 * @param major the major number
 * @param minor the minor number
 */
public record AllocatorId(int major, int minor) {

    /** The null id {@code (-1, -1)}: no allocator. */
    public static final AllocatorId NULL = new AllocatorId(-1, -1);

    /** The process-local root allocator (libc malloc) that {@link MemoryManager} falls back to. */
    public static final AllocatorId ROOT = new AllocatorId(-2, 0);

    /**
     * Creates a user allocator id; both numbers must be non-negative.
     *
     * @param major the major number, {@code >= 0}
     * @param minor the minor number, {@code >= 0}
     * @return the id
     * @throws IllegalArgumentException if a number is negative
     */
    public static AllocatorId of(int major, int minor) {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException(
                    "allocator id numbers must be >= 0 (negative ids are reserved): major=" + major + ", minor=" + minor);
        }
        return new AllocatorId(major, minor);
    }

    /**
     * Decodes an id written by {@link #toLong()}.
     *
     * @param packed major in the high 32 bits, minor in the low 32 bits
     * @return the id
     */
    public static AllocatorId fromLong(long packed) {
        return new AllocatorId((int) (packed >>> 32), (int) packed);
    }

    /**
     * Encodes this id as one {@code long}, the form stored in shared memory.
     *
     * @return major in the high 32 bits, minor in the low 32 bits
     */
    public long toLong() {
        return ((long) major << 32) | (minor & 0xFFFF_FFFFL);
    }

    /**
     * Tells whether this is the {@link #NULL} id.
     *
     * @return {@code true} for {@code (-1, -1)}
     */
    public boolean isNull() {
        return major == -1 && minor == -1;
    }

    @Override
    public String toString() {
        return "(" + major + "," + minor + ")";
    }
}
