package dev.hshm.structures;

import java.lang.foreign.MemorySegment;

/** Receives variable-length records read from a queue, in place (zero copy: valid only during the call). */
@FunctionalInterface
public interface MessageHandler {

    /**
     * One record.
     *
     * @param type the record's type, {@code >= 1}
     * @param buffer the queue's memory
     * @param offset where the payload starts in {@code buffer}
     * @param length payload bytes
     */
    void onMessage(int type, MemorySegment buffer, long offset, int length);
}
