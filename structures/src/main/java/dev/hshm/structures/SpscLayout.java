package dev.hshm.structures;

/**
 * The layout of an {@link SpscRing} after its {@link QueueHeader}.
 *
 * <pre>
 * +0    QueueHeader (type 1, CAPACITY = slots, ELEMENT = bytes per slot)
 * +128  TAIL       u64  elements ever offered; written only by the producer    release store; consumer acquires
 * +256  HEAD       u64  elements ever taken; written only by the consumer      release store; producer acquires
 * +384  NOT_EMPTY  {@link WaitWord}: the consumer sleeps here, the producer signals after TAIL
 * +392  NOT_FULL   {@link WaitWord}: the producer sleeps here, the consumer signals after HEAD
 * +512  SLOTS      CAPACITY x ELEMENT bytes; slot i of index n is at SLOTS + (n &amp; (CAPACITY-1)) * ELEMENT
 * </pre>
 * TAIL and HEAD sit two cache lines apart (false sharing, adjacent-line prefetch). Invariant checked on every
 * load of the other side's index: {@code 0 <= TAIL - HEAD <= CAPACITY}.
 */
final class SpscLayout {

    static final int LAYOUT_VERSION = 1;
    static final long TAIL = QueueHeader.END;
    static final long HEAD = TAIL + 128;
    static final long NOT_EMPTY = HEAD + 128;
    static final long NOT_FULL = NOT_EMPTY + WaitWord.BYTES;
    static final long SLOTS = NOT_EMPTY + 128;

    static final long MIN_CAPACITY = 2;
    static final long MAX_CAPACITY = 1L << 30;
    static final long MIN_ELEMENT = 8;
    static final long MAX_ELEMENT = 1L << 20;

    private SpscLayout() {
    }

    static long bytes(long capacity, long element) {
        return SLOTS + capacity * element;
    }
}
