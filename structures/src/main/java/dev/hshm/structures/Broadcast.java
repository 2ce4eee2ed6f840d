package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A lossy one-to-many broadcast buffer in shared memory ({@link BroadcastLayout}), as Agrona's
 * {@code BroadcastTransmitter} / {@code CopyBroadcastReceiver}: one transmitter writes records and never waits;
 * any number of receivers in any processes read them, each at its own pace, and a receiver that falls more than
 * a buffer behind is <em>lapped</em>: it notices ({@link Receiver#lapped()}), skips to the latest record and
 * goes on. Receivers copy each record out before handing it over, so a handler never sees a record being
 * overwritten.
 *
 * <p>What a death leaves: the transmitter's state is three words only it writes. Dying after TAIL_INTENT and
 * before TAIL leaves a half-written record beyond TAIL that no receiver reads; a new transmitter (allowed once
 * the recorded one is dead) starts from TAIL and overwrites it. Receivers hold no shared state.
 */
public final class Broadcast {

    private static final String WHAT = "broadcast buffer";

    private final MemorySegment seg;
    private final long capacity;
    private final long mask;
    private final int maxPayload;

    private Broadcast(MemorySegment seg, long capacity) {
        this.seg = seg;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxPayload = BroadcastLayout.maxPayload(capacity);
    }

    /**
     * Bytes of shared memory a buffer of {@code capacity} bytes needs.
     *
     * @param capacity buffer bytes, a power of two in [1024, 2^30]
     * @return the size
     */
    public static long bytesFor(long capacity) {
        QueueHeader.checkCapacity(WHAT, capacity, BroadcastLayout.MIN_CAPACITY, BroadcastLayout.MAX_CAPACITY);
        return BroadcastLayout.bytes(capacity);
    }

    /**
     * Formats {@code seg} as an empty buffer.
     *
     * @param seg at least {@link #bytesFor} bytes, 8-byte aligned
     * @param capacity buffer bytes
     * @return a handle
     */
    public static Broadcast format(MemorySegment seg, long capacity) {
        long need = bytesFor(capacity);
        QueueHeader.checkRoom(seg, need, WHAT);
        seg.asSlice(0, need).fill((byte) 0);
        QueueHeader.format(seg, QueueHeader.BROADCAST, BroadcastLayout.LAYOUT_VERSION, capacity,
                BroadcastLayout.maxPayload(capacity));
        QueueHeader.publish(seg);
        return new Broadcast(seg, capacity);
    }

    /**
     * Attaches to a formatted buffer.
     *
     * @param seg the memory
     * @return a handle
     */
    public static Broadcast attach(MemorySegment seg) {
        QueueHeader.check(seg, QueueHeader.BROADCAST, BroadcastLayout.LAYOUT_VERSION);
        long c = QueueHeader.capacity(seg, WHAT, BroadcastLayout.MIN_CAPACITY, BroadcastLayout.MAX_CAPACITY);
        QueueHeader.element(seg, WHAT, BroadcastLayout.maxPayload(c), BroadcastLayout.maxPayload(c));
        QueueHeader.checkFits(seg, BroadcastLayout.bytes(c), WHAT, "capacity=" + c);
        return new Broadcast(seg, c);
    }

    /**
     * Creates a named buffer.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity buffer bytes
     * @return a handle
     */
    public static Broadcast create(NamedObjects dir, String name, long capacity) {
        return attach(dir.create(name, bytesFor(capacity), m -> format(m, capacity)).memory());
    }

    /**
     * Attaches to a named buffer.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     */
    public static Broadcast attach(NamedObjects dir, String name) {
        return attach(dir.attach(name).memory());
    }

    /** @return buffer bytes */
    public long capacity() {
        return capacity;
    }

    /** @return the largest payload a record may have: an eighth of the capacity less the 8-byte header */
    public int maxPayload() {
        return maxPayload;
    }

    /**
     * Becomes the buffer's transmitter. There is one at a time: a second live one is refused.
     *
     * @return the transmitter
     * @throws StateException if another live process is the transmitter
     */
    public Transmitter transmitter() {
        while (true) {
            long p = QueueHeader.producer(seg);
            if (p == Owner.CURRENT) {
                return new Transmitter();
            }
            if (p != Owner.NONE && Owner.isAlive(p)) {
                throw new StateException(WHAT + " already has a live transmitter: " + Owner.describe(p));
            }
            if (Words.cas(seg, QueueHeader.PRODUCER_OFFSET, p, Owner.CURRENT)) {
                return new Transmitter();
            }
        }
    }

    /**
     * A new receiver, which sees the records transmitted from now on.
     *
     * @return the receiver; one thread uses it
     */
    public Receiver receiver() {
        return new Receiver();
    }

    private long checkedIndex(long v, String field) {
        if (v < 0 || (v & (BroadcastLayout.ALIGNMENT - 1)) != 0) {
            throw new CorruptSegmentException(WHAT + ": bad " + field + " index: " + field + "=" + v
                    + " (a multiple of 8, >= 0)");
        }
        return v;
    }

    /** The single writer. */
    public final class Transmitter {

        private Transmitter() {
        }

        /**
         * Writes a record; never waits (slow receivers are lapped).
         *
         * <p>Stores in order: TAIL_INTENT (release, then a store-store fence), the padding record at the wrap, the
         * record header and payload (plain), LATEST (release), TAIL (release); then a wake if receivers sleep.
         *
         * @param type the record type, {@code >= 1}
         * @param src the payload, at most {@link #maxPayload()} bytes
         */
        public void transmit(int type, MemorySegment src) {
            if (type < 1) {
                throw new IllegalArgumentException(WHAT + " record type must be >= 1: type=" + type);
            }
            if (src.byteSize() > maxPayload) {
                throw new IllegalArgumentException(WHAT + " record of " + src.byteSize() + " bytes: payload must be 0.."
                        + maxPayload + " bytes (an eighth of the " + capacity + "-byte buffer, less the "
                        + BroadcastLayout.HEADER + "-byte header)");
            }
            int length = BroadcastLayout.HEADER + (int) src.byteSize();
            long aligned = Words.align(length, BroadcastLayout.ALIGNMENT);
            long t = checkedIndex(Words.get(seg, BroadcastLayout.TAIL), "tail");
            long idx = t & mask;
            long toEnd = capacity - idx;
            if (aligned > toEnd) {
                Words.putRelease(seg, BroadcastLayout.TAIL_INTENT, t + toEnd + aligned);
                VarHandle.storeStoreFence();
                Words.putInt(seg, BroadcastLayout.BUFFER + idx + BroadcastLayout.R_TYPE, BroadcastLayout.PADDING);
                Words.putInt(seg, BroadcastLayout.BUFFER + idx + BroadcastLayout.R_LENGTH, (int) toEnd);
                t += toEnd;
                idx = 0;
            } else {
                Words.putRelease(seg, BroadcastLayout.TAIL_INTENT, t + aligned);
                VarHandle.storeStoreFence();
            }
            long at = BroadcastLayout.BUFFER + idx;
            Words.putInt(seg, at + BroadcastLayout.R_TYPE, type);
            Words.putInt(seg, at + BroadcastLayout.R_LENGTH, length);
            MemorySegment.copy(src, 0, seg, at + BroadcastLayout.HEADER, src.byteSize());
            Words.putRelease(seg, BroadcastLayout.LATEST, t);
            Words.putRelease(seg, BroadcastLayout.TAIL, t + aligned);
            new WaitWord(seg, BroadcastLayout.NOT_EMPTY).signal();
        }
    }

    /** One reader with its own cursor; copies each record out before the handler sees it. */
    public final class Receiver {

        private final MemorySegment scratch = Arena.ofAuto().allocate(Math.max(maxPayload, 8), 8);
        private final WaitWord notEmpty = new WaitWord(seg, BroadcastLayout.NOT_EMPTY);
        private long cursor;
        private long lapped;

        private Receiver() {
            cursor = checkedIndex(Words.getAcquire(seg, BroadcastLayout.TAIL), "tail");
        }

        /** @return how many times this receiver was lapped (fell a buffer behind and skipped ahead) */
        public long lapped() {
            return lapped;
        }

        private boolean valid(long start) {
            VarHandle.loadLoadFence();
            return Words.getAcquire(seg, BroadcastLayout.TAIL_INTENT) - start <= capacity;
        }

        private void lap() {
            lapped++;
            cursor = checkedIndex(Words.getAcquire(seg, BroadcastLayout.LATEST), "latest");
        }

        /**
         * Hands the next record (if any) to {@code handler}, skipping padding and catching up after a lap.
         *
         * @param handler gets the record's copy (valid during the call)
         * @return 1 if a record was handled, 0 if there was none
         */
        public int receive(MessageHandler handler) {
            // bounded: each round consumes a record, pads or laps; a lap lands on the latest record
            for (int round = 0; round < 64; round++) {
                long tail = checkedIndex(Words.getAcquire(seg, BroadcastLayout.TAIL), "tail");
                if (cursor >= tail) {
                    if (cursor > tail) {
                        throw new CorruptSegmentException(WHAT + ": receiver cursor=" + cursor + " is beyond tail="
                                + tail + " (the tail went backwards)");
                    }
                    return 0;
                }
                if (tail - cursor > capacity) {
                    lap();
                    continue;
                }
                long idx = cursor & mask;
                long at = BroadcastLayout.BUFFER + idx;
                int length = Words.getInt(seg, at + BroadcastLayout.R_LENGTH);
                int type = Words.getInt(seg, at + BroadcastLayout.R_TYPE);
                long aligned = Words.align(length, BroadcastLayout.ALIGNMENT);
                boolean bad = length < BroadcastLayout.HEADER || aligned > capacity - idx
                        || (type < 1 && type != BroadcastLayout.PADDING)
                        || (type != BroadcastLayout.PADDING && length - BroadcastLayout.HEADER > maxPayload);
                if (bad) {
                    if (!valid(cursor)) {
                        lap();
                        continue;
                    }
                    throw new CorruptSegmentException(WHAT + ": bad record header at index=" + idx + ": length="
                            + length + ", type=" + type);
                }
                if (type == BroadcastLayout.PADDING) {
                    cursor += aligned;
                    continue;
                }
                int len = length - BroadcastLayout.HEADER;
                MemorySegment.copy(seg, at + BroadcastLayout.HEADER, scratch, 0, len);
                if (!valid(cursor)) {
                    lap();
                    continue;
                }
                cursor += aligned;
                handler.onMessage(type, scratch, 0, len);
                return 1;
            }
            return 0;
        }

        /**
         * Waits up to {@code timeoutNanos} for the next record.
         *
         * @param handler gets the record's copy
         * @param timeoutNanos the longest wait
         * @return 1 if a record was handled, 0 on timeout
         * @throws StateException if the recorded transmitter's process died while this waited
         * @throws InterruptedException if interrupted
         */
        public int receive(MessageHandler handler, long timeoutNanos) throws InterruptedException {
            if (timeoutNanos >= 0 && receive(handler) > 0) {
                return 1; // no wait: no lambda either, so a receive that need not wait makes no garbage
            }
            return Blocking.await(notEmpty, () -> receive(handler) > 0, () -> QueueHeader.producer(seg), timeoutNanos,
                    "receiver waiting on a " + WHAT, "transmitter") ? 1 : 0;
        }
    }
}
