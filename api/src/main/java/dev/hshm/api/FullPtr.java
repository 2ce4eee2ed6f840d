package dev.hshm.api;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A pointer with both halves: the process-local view of the memory ({@link #segment()}, sized to the
 * allocation) and the process-independent {@link #pointer()} to store in shared memory or send to
 * another process.
 *
 * @param segment a view of the allocated bytes in this process
 * @param pointer the allocator id and offset of those bytes
 */
public record FullPtr(MemorySegment segment, Pointer pointer) {

    /**
     * Validates the parts.
     *
     * @param segment not {@code null}
     * @param pointer not {@code null}
     */
    public FullPtr {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(pointer, "pointer");
    }

    /**
     * The offset of the memory in its backend's data.
     *
     * @return the offset
     */
    public long offset() {
        return pointer.offset();
    }

    /**
     * The number of bytes this view covers.
     *
     * @return the view's size
     */
    public long size() {
        return segment.byteSize();
    }
}
