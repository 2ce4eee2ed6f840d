package dev.hshm.api;

/**
 * A typed offset into a backend's data region: the only kind of pointer that may be stored in shared
 * memory, because it means the same thing in every process that maps the backend.
 *
 * <p>Hot paths use the primitive {@code long} directly; {@link #NULL_OFFSET} ({@code -1}) is null,
 * since {@code 0} is a valid offset.
 *
 * @param offset byte offset from the start of the backend's data, or {@link #NULL_OFFSET}
 */
public record OffsetPointer(long offset) {

    /** The primitive null offset: {@code -1}. Every {@code long}-offset method uses it. */
    public static final long NULL_OFFSET = -1L;

    /** The null offset pointer. */
    public static final OffsetPointer NULL = new OffsetPointer(NULL_OFFSET);

    /**
     * Validates the offset.
     *
     * @param offset {@code >= 0}, or {@link #NULL_OFFSET}
     */
    public OffsetPointer {
        if (offset < NULL_OFFSET) {
            throw new IllegalArgumentException("offset must be >= 0 or NULL_OFFSET (-1): " + offset);
        }
    }

    /**
     * Tells whether this is null.
     *
     * @return {@code true} for {@link #NULL_OFFSET}
     */
    public boolean isNull() {
        return offset == NULL_OFFSET;
    }

    @Override
    public String toString() {
        return isNull() ? "null" : "+0x" + Long.toHexString(offset);
    }
}
