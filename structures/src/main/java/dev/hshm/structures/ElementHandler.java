package dev.hshm.structures;

import java.lang.foreign.MemorySegment;

/** Receives fixed-size elements drained from a queue, in place (zero copy: valid only during the call). */
@FunctionalInterface
public interface ElementHandler {

    /**
     * One element.
     *
     * @param buffer the queue's memory
     * @param offset where the element starts in {@code buffer}; {@code elementSize} bytes
     */
    void onElement(MemorySegment buffer, long offset);
}
