package dev.hshm.structures;

/**
 * The layout of a {@link ShmMutex}. A named mutex is a {@link ContainerHeader} followed by the mutex body; a
 * container that embeds mutexes (the segments of {@link ShmHashMap}) places bodies only.
 *
 * <pre>
 * named mutex ({@value #BYTES} bytes)
 *   +0   ContainerHeader (type 1, version {@value #LAYOUT_VERSION})
 *   +32  body
 * body ({@value #BODY_BYTES} bytes, 8-byte aligned), offsets relative to the body
 *   +0   OWNER       u64  {@link Owner} word of the holding process, or NONE    CAS NONE-&gt;me (volatile); release store NONE
 *   +8   TID         u64  {@link dev.hshm.api.spi.ThreadIds} id of the holding thread, or 0
 *                         plain store right after the CAS; plain store 0 right before the release of OWNER
 *   +16  RECOVERIES  u64  how many times a dead holder's hold was taken over     getAndAdd
 *   +24  WAIT        {@link WaitWord}: waiters sleep on its sequence; unlock signals it after the release of OWNER
 * </pre>
 *
 * <p>OWNER is the only word that decides who holds the mutex: one CAS, so no death leaves it half-taken. TID
 * says which thread of the holding process holds it (for the refusal of an unlock by another thread and for
 * diagnostics); a death between the CAS and the TID store leaves TID 0 or the previous holder's, which only
 * the dead process could match.
 */
final class MutexLayout {

    static final int LAYOUT_VERSION = 1;

    static final long OWNER = 0;
    static final long TID = OWNER + 8;
    static final long RECOVERIES = TID + 8;
    static final long WAIT = RECOVERIES + 8;
    static final long BODY_BYTES = WAIT + WaitWord.BYTES;

    /** Where the body of a named mutex starts. */
    static final long BODY = ContainerHeader.END;
    static final long BYTES = BODY + BODY_BYTES;

    static {
        if (BODY_BYTES != 32 || BYTES != 64) {
            throw new AssertionError("MutexLayout drifted: BODY_BYTES=" + BODY_BYTES);
        }
    }

    private MutexLayout() {
    }
}
