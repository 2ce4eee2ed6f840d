package dev.hshm.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * Options for creating a backend.
 *
 * @param mode permission bits for a new shared object ({@code 0600}, owner-only, by default)
 * @param memory the caller's memory, for the {@code array} kind only; otherwise {@code null}
 */
public record BackendOptions(int mode, MemorySegment memory) {

    /** Owner-only, no caller memory. */
    public static final BackendOptions DEFAULT = new BackendOptions(0600, null);

    /**
     * Validates the mode.
     *
     * @param mode permission bits, {@code 0} to {@code 0777}
     * @param memory caller memory or {@code null}
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
        return new BackendOptions(newMode, memory);
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
