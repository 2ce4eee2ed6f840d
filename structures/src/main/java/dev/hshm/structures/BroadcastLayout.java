package dev.hshm.structures;

/**
 * The layout of a {@link Broadcast} buffer after its {@link QueueHeader} (Agrona's broadcast buffer, with the
 * transmitter recorded).
 *
 * <pre>
 * +0    QueueHeader (type 4, CAPACITY = buffer bytes, ELEMENT = largest payload, PRODUCER = the transmitter)
 * +128  TAIL_INTENT  u64  where the transmitter is about to write up to   release store + store-store fence, before the record
 * +136  TAIL         u64  end of the last whole record                    release store, after the record
 * +144  LATEST       u64  start of the last whole record                  release store, before TAIL
 * +256  NOT_EMPTY    {@link WaitWord}: receivers sleep here, the transmitter signals after TAIL
 * +384  BUFFER       CAPACITY bytes of records
 *
 * record at an 8-aligned index (never split by the wrap: a padding record fills the end)
 *   +0  LENGTH  i32  header + payload bytes; the record takes align(LENGTH, 8)     plain
 *   +4  TYPE    i32  the user's, &gt;= 1; {@value #PADDING} for padding               plain
 *   +8  payload
 * </pre>
 * A receiver's record is valid if, after copying it, TAIL_INTENT is still at most its start plus CAPACITY
 * (the transmitter had not begun to overwrite it); else the receiver was lapped.
 */
final class BroadcastLayout {

    static final int LAYOUT_VERSION = 1;
    static final long TAIL_INTENT = QueueHeader.END;
    static final long TAIL = TAIL_INTENT + 8;
    static final long LATEST = TAIL + 8;
    static final long NOT_EMPTY = TAIL_INTENT + 128;
    static final long BUFFER = NOT_EMPTY + 128;

    static final long R_LENGTH = 0;
    static final long R_TYPE = R_LENGTH + 4;
    static final int HEADER = (int) (R_TYPE + 4);
    static final long ALIGNMENT = 8;
    static final int PADDING = -1;

    static final long MIN_CAPACITY = 1024;
    static final long MAX_CAPACITY = 1L << 30;

    private BroadcastLayout() {
    }

    static long bytes(long capacity) {
        return BUFFER + capacity;
    }

    static int maxPayload(long capacity) {
        return (int) (capacity / 8 - HEADER);
    }
}
