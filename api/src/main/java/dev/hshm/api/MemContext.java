package dev.hshm.api;

/**
 * Hints for one allocation call; today the only hint is a thread id.
 *
 * <p>{@link #DEFAULT} carries no thread id: the allocator asks the {@linkplain ThreadModel#current()
 * thread model}'s thread-local storage for the calling thread's state. A context returned by
 * {@link Allocator#createTls(MemContext)} carries the id that the allocator gave the calling thread
 * (for {@code thread_local}, the index of its cache slot in shared memory), which saves that lookup;
 * it must only be used on the thread that created it, until {@link Allocator#freeTls(MemContext)}.
 *
 * @param tid a thread id in the allocator's id space, or {@link #NULL_TID}
 */
public record MemContext(long tid) {

    /** No thread id. */
    public static final long NULL_TID = -1L;

    /** The default context: no hint; the seed's {@code HSHM_DEFAULT_MEM_CTX}. */
    public static final MemContext DEFAULT = new MemContext(NULL_TID);

    /**
     * Tells whether this context carries a thread id.
     *
     * @return {@code true} unless the id is {@link #NULL_TID}
     */
    public boolean hasTid() {
        return tid != NULL_TID;
    }
}
