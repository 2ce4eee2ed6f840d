package dev.hshm.structures;

/**
 * The layout of an {@link MpscRing} after its {@link QueueHeader}, and of its records (Agrona's framing, plus
 * the claimer).
 *
 * <pre>
 * +0    QueueHeader (type 2, CAPACITY = buffer bytes, ELEMENT = largest payload)
 * +128  TAIL        u64  bytes ever claimed; producers CAS it forward                 volatile CAS
 * +256  HEAD_CACHE  u64  a recent HEAD, shared by the producers (fewer loads of HEAD) opaque
 * +264  REPAIRS     u64  dead or timed-out claims the consumer turned into padding    getAndAdd
 * +384  HEAD        u64  bytes ever consumed; written only by the consumer            release store; producers acquire
 * +512  NOT_EMPTY   {@link WaitWord}: the consumer sleeps here; producers signal after a commit
 * +520  NOT_FULL    {@link WaitWord}: producers sleep here; the consumer signals after HEAD
 * +640  BUFFER      CAPACITY bytes of records
 *
 * record at an 8-aligned index of BUFFER (never split by the wrap: a padding record fills the end)
 *   +0  WORD   u64   low 32 bits LENGTH (i32), high 32 bits TYPE (i32)
 *                    LENGTH 0: not yet written (free, or claimed by a producer that has not written WORD yet)
 *                    LENGTH &lt; 0: claimed, -(header + payload bytes); stored by the claimer (release) after
 *                    its TAIL CAS
 *                    LENGTH &gt; 0: committed, header + payload bytes; stored by the claimer (release);
 *                    consumers acquire it; the consumer's repairs CAS claimed or 0 -&gt; padding
 *                    TYPE {@value #PADDING}: padding (the wrap, an aborted or repaired claim); else the user's, &gt;= 1
 *   +8  OWNER  u64   {@link Owner} word of the claimer, plain store right after WORD
 *  +16  payload, LENGTH - 16 bytes; the record takes align(LENGTH, 8) bytes
 * </pre>
 * The consumer zeroes every record it consumed before its HEAD store, so free space reads as LENGTH 0.
 */
final class MpscLayout {

    static final int LAYOUT_VERSION = 1;
    static final long TAIL = QueueHeader.END;
    static final long HEAD_CACHE = TAIL + 128;
    static final long REPAIRS = HEAD_CACHE + 8;
    static final long HEAD = HEAD_CACHE + 128;
    static final long NOT_EMPTY = HEAD + 128;
    static final long NOT_FULL = NOT_EMPTY + WaitWord.BYTES;
    static final long BUFFER = NOT_EMPTY + 128;

    static final long R_WORD = 0;
    static final long R_OWNER = R_WORD + 8;
    static final int HEADER = (int) (R_OWNER + 8);
    static final long ALIGNMENT = 8;
    static final int PADDING = -1;

    static final long MIN_CAPACITY = 1024;
    static final long MAX_CAPACITY = 1L << 30;

    private MpscLayout() {
    }

    static long bytes(long capacity) {
        return BUFFER + capacity;
    }

    /** The largest payload of a ring of {@code capacity} bytes: an eighth of it, less the header. */
    static int maxPayload(long capacity) {
        return (int) (capacity / 8 - HEADER);
    }

    static long word(int type, int length) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    static int length(long word) {
        return (int) word;
    }

    static int type(long word) {
        return (int) (word >>> 32);
    }
}
