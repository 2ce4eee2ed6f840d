package dev.hshm.structures;

/**
 * The layout of an {@link MpscRing} after its {@link QueueHeader}, and of its records: Agrona's 8-byte framing,
 * with the claimer named inside the header word while a record is claimed (layout version 2).
 *
 * <pre>
 * +0    QueueHeader (type 2, CAPACITY = buffer bytes, ELEMENT = largest payload)
 * +128  TAIL        u64  bytes ever claimed; producers CAS it forward                 volatile CAS
 * +256  HEAD_CACHE  u64  a recent HEAD, shared by the producers (fewer loads of HEAD) opaque
 * +264  REPAIRS     u64  dead or timed-out claims the consumer turned into padding    getAndAdd
 * +384  HEAD        u64  bytes ever consumed; written only by the consumer            release store; producers acquire
 * +512  NOT_EMPTY   {@link WaitWord}: the consumer sleeps here; producers signal after a commit
 * +520  NOT_FULL    {@link WaitWord}: producers sleep here; the consumer signals after HEAD
 * +640  PRODUCERS   {@value #SLOTS} slots of {@value #SLOT_BYTES} bytes; slot 0 is never handed out
 *         +0 OWNER   u64  {@link Owner} word of the producer process that took the slot, 0 = free  CAS 0 -&gt; owner
 *         +8 RETIRE  u64  0, or 1 + the TAIL the consumer read after it found OWNER dead        consumer only
 * +4736 BUFFER      CAPACITY bytes of records
 *
 * record at an 8-aligned index of BUFFER (never split by the wrap: a padding record fills the end)
 *   +0  WORD   u64   bits 0..31 LENGTH (i32), bits 32..55 TYPE (u24), bits 56..63 CLAIMER (u8)
 *                    LENGTH 0: not yet written (free, or claimed by a producer that has not written WORD yet)
 *                    LENGTH &lt; 0: claimed, -(header + payload bytes); stored by the claimer (release) after
 *                    its TAIL CAS, with CLAIMER = its process's PRODUCERS slot (0: it has none, the table was full)
 *                    LENGTH &gt; 0: committed, header + payload bytes, CLAIMER 0; stored by the claimer (release);
 *                    the consumer acquires it; the consumer's repairs CAS claimed or 0 -&gt; padding
 *                    bits 32..63 all ones ({@value #PADDING}): padding (the wrap, an aborted or repaired claim)
 *   +8  payload, LENGTH - 8 bytes; the record takes align(LENGTH, 8) bytes
 * </pre>
 * The consumer zeroes every record it consumed before its HEAD store, so free space reads as LENGTH 0.
 *
 * <p><b>The producer table.</b> A process takes a slot the first time one of its handles claims (CAS OWNER 0 -&gt;
 * its owner word; a process that already holds one uses it), and names it in every record it claims, so the
 * consumer can tell a dead claimer's record from a slow one without a per-record owner word. A slot is freed only
 * by the consumer, in two steps: it finds OWNER dead and stores RETIRE = 1 + TAIL (every claim of the dead process
 * lies below that TAIL); once HEAD has passed it, all those claims are consumed or repaired, so it clears RETIRE,
 * then CASes OWNER back to 0. A death between the two steps leaves a dead OWNER with RETIRE 0: the next sweep
 * retires it again, at a later TAIL, which is as safe. So a reused slot never names a dead process's claim.
 */
final class MpscLayout {

    static final int LAYOUT_VERSION = 2;
    static final long TAIL = QueueHeader.END;
    static final long HEAD_CACHE = TAIL + 128;
    static final long REPAIRS = HEAD_CACHE + 8;
    static final long HEAD = HEAD_CACHE + 128;
    static final long NOT_EMPTY = HEAD + 128;
    static final long NOT_FULL = NOT_EMPTY + WaitWord.BYTES;
    static final long PRODUCERS = NOT_EMPTY + 128;
    /** Producer slots, the CLAIMER field's range; slot 0 means "no slot". */
    static final int SLOTS = 256;
    static final long SLOT_BYTES = 16;
    static final long S_OWNER = 0;
    static final long S_RETIRE = S_OWNER + 8;
    static final long BUFFER = PRODUCERS + SLOTS * SLOT_BYTES;

    static final long R_WORD = 0;
    static final int HEADER = (int) (R_WORD + 8);
    static final long ALIGNMENT = 8;
    static final int PADDING = -1;
    /** The largest record type: TYPE has 24 bits. */
    static final int MAX_TYPE = (1 << 24) - 1;

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

    static long slot(int s) {
        return PRODUCERS + s * SLOT_BYTES;
    }

    /** A committed or padding word: {@code type} is {@code 1..MAX_TYPE} or {@link #PADDING}. */
    static long word(int type, int length) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    /** A claimed word: {@code length} is the negative record length. */
    static long claimedWord(int claimer, int type, int length) {
        return ((long) claimer << 56) | ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    static int length(long word) {
        return (int) word;
    }

    /** The type of a committed word: {@code 1..MAX_TYPE}, or {@link #PADDING}. */
    static int type(long word) {
        return (int) (word >>> 32);
    }

    /** The type of a claimed word. */
    static int claimedType(long word) {
        return (int) (word >>> 32) & MAX_TYPE;
    }

    /** The CLAIMER slot of a claimed word. */
    static int claimer(long word) {
        return (int) (word >>> 56);
    }
}
