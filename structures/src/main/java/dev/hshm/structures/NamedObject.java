package dev.hshm.structures;

import java.lang.foreign.MemorySegment;

/**
 * An object found or made by name in a {@link NamedObjects} directory.
 *
 * @param name the name
 * @param offset the object's block in the allocator (the same in every process)
 * @param size the object's size in bytes
 * @param memory this process's view of the block ({@code size} bytes)
 * @param created whether this call created it (rather than found it)
 */
public record NamedObject(String name, long offset, long size, MemorySegment memory, boolean created) {
}
