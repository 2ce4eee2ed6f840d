package dev.hshm.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * Options for creating a backend.
 *
 * @param mode permission bits for a new shared object ({@code 0600}, owner-only, by default)
 * @param memory the caller's memory, for the {@code array} kind only; otherwise {@code null}
 * @param reserve whether a shared backend reserves all its memory at create ({@code true} by default): on
 *        Linux {@code posix_fallocate} over the whole object, so that a {@code /dev/shm} without room fails the
 *        create with a message naming the size and the free space, instead of a {@code SIGBUS} that kills the
 *        JVM at the first write the tmpfs cannot back. {@code false} keeps data pages sparse until first
 *        touched (memory is used only as written), at that risk.
 */
public record BackendOptions(int mode, MemorySegment memory, boolean reserve) {

    /** Owner-only, no caller memory, memory reserved at create. */
    public static final BackendOptions DEFAULT = new BackendOptions(0600, null, true);

    /**
     * Options that reserve memory at create.
     *
     * @param mode permission bits
     * @param memory caller memory or {@code null}
     */
    public BackendOptions(int mode, MemorySegment memory) {
        this(mode, memory, true);
    }

    /**
     * Validates the mode.
     *
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @param memory caller memory or {@code null}
     * @param reserve whether to reserve memory at create
     */
    public BackendOptions {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode must be permission bits 0..0777: 0" + Integer.toOctalString(mode));
        }
    }

    /**
     * These options with other permission bits.
     *
     * @param newMode permission bits, e.g. {@code 0660} to share with the group
     * @return new options
     */
    public BackendOptions withMode(int newMode) {
        return new BackendOptions(newMode, memory, reserve);
    }

    /**
     * These options with memory reserved at create, or left sparse.
     *
     * @param reserveAtCreate {@code false} for sparse data pages, allocated on first touch
     * @return new options
     */
    public BackendOptions withReserve(boolean reserveAtCreate) {
        return new BackendOptions(mode, memory, reserveAtCreate);
    }

    /**
     * Options for an {@code array} backend over the caller's memory.
     *
     * @param memory the memory, which the caller keeps owning
     * @return new options
     */
    public static BackendOptions ofMemory(MemorySegment memory) {
        return new BackendOptions(0600, java.util.Objects.requireNonNull(memory, "memory"));
    }
}
