package dev.hshm.api;

/**
 * A process-independent pointer: the allocator that owns the memory plus an offset into its backend's
 * data. Resolve it with {@link MemoryManager#convert(Pointer, long)} in any process that has attached
 * the allocator.
 *
 * @param allocatorId the owning allocator
 * @param offset byte offset from the start of the backend's data, or {@link OffsetPointer#NULL_OFFSET}
 */
public record Pointer(AllocatorId allocatorId, long offset) {

    /** The null pointer: null allocator, null offset. */
    public static final Pointer NULL = new Pointer(AllocatorId.NULL, OffsetPointer.NULL_OFFSET);

    /**
     * Validates the parts.
     *
     * @param allocatorId not {@code null}
     * @param offset {@code >= 0} or {@link OffsetPointer#NULL_OFFSET}
     */
    public Pointer {
        java.util.Objects.requireNonNull(allocatorId, "allocatorId");
        if (offset < OffsetPointer.NULL_OFFSET) {
            throw new IllegalArgumentException("offset must be >= 0 or NULL_OFFSET (-1): " + offset);
        }
    }

    /**
     * Tells whether this pointer is null: a null offset or a null allocator.
     *
     * @return {@code true} if it points nowhere
     */
    public boolean isNull() {
        return offset == OffsetPointer.NULL_OFFSET || allocatorId.isNull();
    }

    /**
     * The offset alone.
     *
     * @return the offset pointer
     */
    public OffsetPointer offsetPointer() {
        return new OffsetPointer(offset);
    }

    @Override
    public String toString() {
        return isNull() ? "Pointer[null]" : "Pointer[" + allocatorId + "+0x" + Long.toHexString(offset) + "]";
    }
}
