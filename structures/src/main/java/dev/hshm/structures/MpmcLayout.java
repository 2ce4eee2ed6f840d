package dev.hshm.structures;

/**
 * The layout of an {@link MpmcQueue} after its {@link QueueHeader}: Vyukov's bounded queue with a sequence
 * number per slot, plus who holds each slot.
 *
 * <pre>
 * +0    QueueHeader (type 3, CAPACITY = slots, ELEMENT = bytes per element)
 * +128  TAIL       u64  positions ever claimed by producers                 volatile CAS
 * +256  HEAD       u64  positions ever claimed by consumers                 volatile CAS
 * +264  REPAIRS    u64  stalled slots of dead (or timed-out) participants repaired   getAndAdd
 * +384  NOT_EMPTY  {@link WaitWord}: consumers sleep here, producers signal
 * +392  NOT_FULL   {@link WaitWord}: producers sleep here, consumers signal
 * +512  SLOTS      CAPACITY x STRIDE bytes; position p uses slot p &amp; (CAPACITY-1)
 *
 * slot (STRIDE = {@value #SLOT_HEADER} + ELEMENT bytes)
 *   +0  SEQ        u64  p: free for the producer of p; p+1: holds p's element; p+1|SKIP: p was repaired
 *                       (no element); p+CAPACITY: free for the next lap                 acquire / release CAS
 *  +8   HOLDER_POS u64  the position its holder claimed; bit 63 set for a consumer     plain, after the claim
 *  +16  HOLDER     u64  {@link Owner} word of that holder                             plain, after HOLDER_POS
 *  +24  element
 * </pre>
 */
final class MpmcLayout {

    static final int LAYOUT_VERSION = 1;
    static final long TAIL = QueueHeader.END;
    static final long HEAD = TAIL + 128;
    static final long REPAIRS = HEAD + 8;
    static final long NOT_EMPTY = HEAD + 128;
    static final long NOT_FULL = NOT_EMPTY + WaitWord.BYTES;
    static final long SLOTS = NOT_EMPTY + 128;

    static final long S_SEQ = 0;
    static final long S_HOLDER_POS = S_SEQ + 8;
    static final long S_HOLDER = S_HOLDER_POS + 8;
    static final long SLOT_HEADER = S_HOLDER + 8;

    static final long SKIP = 1L << 62;
    static final long CONSUMER = 1L << 63;

    static final long MIN_CAPACITY = 2;
    static final long MAX_CAPACITY = 1L << 28;
    static final long MIN_ELEMENT = 8;
    static final long MAX_ELEMENT = 1L << 20;

    private MpmcLayout() {
    }

    static long stride(long element) {
        return SLOT_HEADER + element;
    }

    static long bytes(long capacity, long element) {
        return SLOTS + capacity * stride(element);
    }
}
