package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;

/**
 * A bounded many-producer many-consumer queue of fixed-size elements in shared memory ({@link MpmcLayout}):
 * Vyukov's design, a sequence number per slot, one CAS on TAIL (producers) or HEAD (consumers) per element.
 *
 * <p><b>Repair of a dead participant.</b> A producer or consumer that dies holding a slot (after its CAS of
 * TAIL or HEAD, before its release of the slot's SEQ) would stop everyone behind it. Each holder records itself
 * in the slot (HOLDER_POS, HOLDER) right after its CAS, and whoever is stalled at that slot repairs it:
 * <ul>
 *   <li>a consumer at position p, finding SEQ still p below TAIL (a producer took p and did not publish), marks
 *       the slot p+1|SKIP: consumers skip it, no element is delivered for p;</li>
 *   <li>a producer at p+CAPACITY, finding SEQ still p+1 below HEAD (a consumer took p and did not free it),
 *       frees the slot (SEQ = p+CAPACITY): the element the dead consumer took is lost with it, exactly as if
 *       it had died just after returning it.</li>
 * </ul>
 * A holder is repaired when its recorded process is dead (checked after {@value #LIVENESS_DELAY_NANOS} ns of
 * stall), or, when it had not recorded itself yet (a death in the instructions between the CAS and the record),
 * after the claim timeout ({@code -Dhshm.structures.claim.timeout.ms}, default 2000). The repair is a CAS of
 * SEQ, and the holder's own release of SEQ is a CAS too, so exactly one wins; a live holder that stalled past
 * the timeout finds its CAS refused and gets a {@link StateException}. Each repair counts in {@link #repairs()}.
 *
 * <p>A handle keeps stall bookkeeping: use one per thread.
 */
public final class MpmcQueue {

    private static final String WHAT = "mpmc queue";
    static final long LIVENESS_DELAY_NANOS = 1_000_000L;
    static final long LIVENESS_INTERVAL_NANOS = 10_000_000L;

    private final MemorySegment seg;
    private final long capacity;
    private final long mask;
    private final long element;
    private final long stride;
    private final long claimTimeoutNanos;
    private final WaitWord notEmpty;
    private final WaitWord notFull;
    private boolean consuming;
    private long stallPos = -1;
    private long stallSince;
    private long nextLivenessCheck;

    private MpmcQueue(MemorySegment seg, long capacity, long element) {
        this.seg = seg;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.element = element;
        this.stride = MpmcLayout.stride(element);
        this.claimTimeoutNanos = Long.getLong("hshm.structures.claim.timeout.ms", MpscRing.DEFAULT_CLAIM_TIMEOUT_MS)
                * 1_000_000L;
        this.notEmpty = new WaitWord(seg, MpmcLayout.NOT_EMPTY);
        this.notFull = new WaitWord(seg, MpmcLayout.NOT_FULL);
    }

    /**
     * Bytes of shared memory a queue needs.
     *
     * @param capacity slots, a power of two in [2, 2^28]
     * @param elementSize bytes per element, a multiple of 8 in [8, 2^20]
     * @return the size
     */
    public static long bytesFor(long capacity, long elementSize) {
        QueueHeader.checkCapacity(WHAT, capacity, MpmcLayout.MIN_CAPACITY, MpmcLayout.MAX_CAPACITY);
        QueueHeader.checkElementSize(WHAT, elementSize, MpmcLayout.MIN_ELEMENT, MpmcLayout.MAX_ELEMENT);
        return MpmcLayout.bytes(capacity, elementSize);
    }

    /**
     * Formats {@code seg} as an empty queue.
     *
     * @param seg at least {@link #bytesFor} bytes, 8-byte aligned
     * @param capacity slots
     * @param elementSize bytes per element
     * @return a handle
     */
    public static MpmcQueue format(MemorySegment seg, long capacity, long elementSize) {
        QueueHeader.checkRoom(seg, bytesFor(capacity, elementSize), WHAT);
        seg.asSlice(0, MpmcLayout.SLOTS).fill((byte) 0);
        long stride = MpmcLayout.stride(elementSize);
        for (long i = 0; i < capacity; i++) {
            long s = MpmcLayout.SLOTS + i * stride;
            Words.put(seg, s + MpmcLayout.S_SEQ, i);
            Words.put(seg, s + MpmcLayout.S_HOLDER_POS, 0L);
            Words.put(seg, s + MpmcLayout.S_HOLDER, Owner.NONE);
        }
        QueueHeader.format(seg, QueueHeader.MPMC, MpmcLayout.LAYOUT_VERSION, capacity, elementSize);
        QueueHeader.publish(seg);
        return new MpmcQueue(seg, capacity, elementSize);
    }

    /**
     * Attaches to a formatted queue.
     *
     * @param seg the memory
     * @return a handle
     * @throws CorruptSegmentException if it is not a published mpmc queue of this version, or too small
     */
    public static MpmcQueue attach(MemorySegment seg) {
        QueueHeader.check(seg, QueueHeader.MPMC, MpmcLayout.LAYOUT_VERSION);
        long c = QueueHeader.capacity(seg, WHAT, MpmcLayout.MIN_CAPACITY, MpmcLayout.MAX_CAPACITY);
        long e = QueueHeader.element(seg, WHAT, MpmcLayout.MIN_ELEMENT, MpmcLayout.MAX_ELEMENT);
        QueueHeader.checkFits(seg, (e & 7) != 0 ? Long.MAX_VALUE : MpmcLayout.bytes(c, e), WHAT,
                "capacity=" + c + ", element=" + e);
        return new MpmcQueue(seg, c, e);
    }

    /**
     * Creates a named queue.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity slots
     * @param elementSize bytes per element
     * @return a handle
     */
    public static MpmcQueue create(NamedObjects dir, String name, long capacity, long elementSize) {
        return attach(dir.create(name, bytesFor(capacity, elementSize), m -> format(m, capacity, elementSize)).memory());
    }

    /**
     * Attaches to a named queue.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     */
    public static MpmcQueue attach(NamedObjects dir, String name) {
        return attach(dir.attach(name).memory());
    }

    /** @return slots */
    public long capacity() {
        return capacity;
    }

    /** @return bytes per element */
    public long elementSize() {
        return element;
    }

    /** @return how many stalled slots were repaired, ever */
    public long repairs() {
        return Words.getVolatile(seg, MpmcLayout.REPAIRS);
    }

    private long slot(long pos) {
        return MpmcLayout.SLOTS + (pos & mask) * stride;
    }

    private CorruptSegmentException corrupt(String field, long pos, long seq) {
        return new CorruptSegmentException(WHAT + ": slot " + (pos & mask) + " has a bad " + field + " for position "
                + pos + ": seq=" + (seq & ~MpmcLayout.SKIP) + (((seq & MpmcLayout.SKIP) != 0) ? " (skip)" : "")
                + ", capacity=" + capacity);
    }

    // ------------------------------------------------------------------ producers

    /**
     * Offers an element of exactly {@link #elementSize()} bytes, copied in.
     *
     * @param src the element
     * @return {@code false} if the queue is full
     */
    public boolean offer(MemorySegment src) {
        if (src.byteSize() != element) {
            throw new IllegalArgumentException(WHAT + " elements are " + element + " bytes; offered " + src.byteSize());
        }
        long s = claimForProducer();
        if (s < 0) {
            return false;
        }
        MemorySegment.copy(src, 0, seg, s + MpmcLayout.SLOT_HEADER, element);
        publishElement(s);
        return true;
    }

    /**
     * Offers a {@code long} (the element's first 8 bytes).
     *
     * @param value the value
     * @return {@code false} if the queue is full
     */
    public boolean offer(long value) {
        long s = claimForProducer();
        if (s < 0) {
            return false;
        }
        seg.set(ValueLayout.JAVA_LONG, s + MpmcLayout.SLOT_HEADER, value);
        publishElement(s);
        return true;
    }

    /** Stores after the TAIL CAS, in order: HOLDER_POS, HOLDER, the element, then CAS SEQ p -&gt; p+1. */
    private long claimForProducer() {
        for (long round = 0; round <= capacity; round++) {
            long pos = Words.getVolatile(seg, MpmcLayout.TAIL);
            long s = slot(pos);
            long seq = Words.getAcquire(seg, s + MpmcLayout.S_SEQ);
            long diff = (seq & ~MpmcLayout.SKIP) - pos;
            if (diff == 0) {
                if (Words.cas(seg, MpmcLayout.TAIL, pos, pos + 1)) {
                    Words.put(seg, s + MpmcLayout.S_HOLDER_POS, pos);
                    Words.put(seg, s + MpmcLayout.S_HOLDER, Owner.CURRENT);
                    return s;
                }
            } else if (diff < 0) {
                if (diff < -capacity) {
                    throw corrupt("sequence", pos, seq);
                }
                // full, or a consumer of pos - capacity holds the slot: repair it if it is dead
                long head = Words.getVolatile(seg, MpmcLayout.HEAD);
                if (head - pos + capacity > 0 && stalled(pos - capacity, s, seq, true)) {
                    continue;
                }
                return -1;
            } else if (diff > capacity) {
                checkAhead(seq, MpmcLayout.TAIL, pos);
            }
        }
        return -1; // lost the race for a capacity's worth of positions: report full, the caller retries
    }

    private void publishElement(long s) {
        long pos = Words.get(seg, s + MpmcLayout.S_HOLDER_POS);
        if (!Words.cas(seg, s + MpmcLayout.S_SEQ, pos, pos + 1)) {
            throw new StateException(WHAT + ": position " + pos + " was repaired (skipped) before this producer "
                    + "published it (it stalled longer than the claim timeout); the element was dropped");
        }
        notEmpty.signal();
    }

    /**
     * Offers, waiting up to {@code timeoutNanos} for room.
     *
     * @param src the element
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws StateException if the last registered consumer's process died while this waited
     * @throws InterruptedException if interrupted
     */
    public boolean put(MemorySegment src, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && offer(src)) {
            return true; // no wait: no lambda either, so a put that need not wait makes no garbage
        }
        return Blocking.await(notFull, () -> offer(src), () -> QueueHeader.consumer(seg), timeoutNanos,
                "producer waiting for room in a full " + WHAT, "consumer");
    }

    // ------------------------------------------------------------------ consumers

    /**
     * Takes the next element, copied into {@code dst}.
     *
     * @param dst at least {@link #elementSize()} bytes
     * @return {@code false} if the queue is empty
     */
    public boolean poll(MemorySegment dst) {
        if (dst.byteSize() < element) {
            throw new IllegalArgumentException(WHAT + " elements are " + element + " bytes; destination has "
                    + dst.byteSize());
        }
        long s = claimForConsumer();
        if (s < 0) {
            return false;
        }
        MemorySegment.copy(seg, s + MpmcLayout.SLOT_HEADER, dst, 0, element);
        freeSlot(s);
        return true;
    }

    /**
     * Takes the next element's first 8 bytes.
     *
     * @return the value, or empty
     */
    public OptionalLong pollLong() {
        long s = claimForConsumer();
        if (s < 0) {
            return OptionalLong.empty();
        }
        long v = seg.get(ValueLayout.JAVA_LONG, s + MpmcLayout.SLOT_HEADER);
        freeSlot(s);
        return OptionalLong.of(v);
    }

    /** Stores after the HEAD CAS, in order: HOLDER_POS (with the consumer bit), HOLDER, then CAS SEQ -&gt; p+CAPACITY. */
    private long claimForConsumer() {
        if (!consuming) {
            consuming = true;
            QueueHeader.registerConsumer(seg);
        }
        for (long round = 0; round <= 2 * capacity; round++) {
            long pos = Words.getVolatile(seg, MpmcLayout.HEAD);
            long s = slot(pos);
            long seq = Words.getAcquire(seg, s + MpmcLayout.S_SEQ);
            long diff = (seq & ~MpmcLayout.SKIP) - (pos + 1);
            if (diff == 0) {
                if (Words.cas(seg, MpmcLayout.HEAD, pos, pos + 1)) {
                    Words.put(seg, s + MpmcLayout.S_HOLDER_POS, pos | MpmcLayout.CONSUMER);
                    Words.put(seg, s + MpmcLayout.S_HOLDER, Owner.CURRENT);
                    if ((seq & MpmcLayout.SKIP) != 0) {
                        freeSlot(s); // a repaired position: no element, go on to the next
                        continue;
                    }
                    return s;
                }
            } else if (diff < 0) {
                if (diff < -capacity) {
                    throw corrupt("sequence", pos, seq);
                }
                long tail = Words.getVolatile(seg, MpmcLayout.TAIL);
                if (tail - pos > 0 && stalled(pos, s, seq, false)) {
                    continue;
                }
                return -1;
            } else if (diff > capacity) {
                checkAhead(seq, MpmcLayout.HEAD, pos);
            }
        }
        return -1;
    }

    /**
     * A sequence far ahead of the position read before it: the position was stale (others moved on), unless the
     * sequence is ahead of the index as it is now by more than a lap, which no store of this queue makes.
     */
    private void checkAhead(long seq, long index, long pos) {
        long now = Words.getVolatile(seg, index);
        if ((seq & ~MpmcLayout.SKIP) - now > capacity + 1) {
            throw corrupt("sequence", pos, seq);
        }
    }

    private void freeSlot(long s) {
        long pos = Words.get(seg, s + MpmcLayout.S_HOLDER_POS) & ~MpmcLayout.CONSUMER;
        long seq = Words.getAcquire(seg, s + MpmcLayout.S_SEQ);
        if ((seq & ~MpmcLayout.SKIP) != pos + 1 || !Words.cas(seg, s + MpmcLayout.S_SEQ, seq, pos + capacity)) {
            throw new StateException(WHAT + ": position " + pos + " was freed by a repair before this consumer freed "
                    + "it (it stalled longer than the claim timeout); the element read may be torn, and was dropped");
        }
        notFull.signal();
    }

    /**
     * Position {@code pos}'s slot is held (by its producer if {@code !consumerHeld}, else by its consumer); repairs
     * it if the holder is dead, or unrecorded past the claim timeout.
     *
     * @return {@code true} if it was repaired (try again)
     */
    private boolean stalled(long pos, long s, long seq, boolean consumerHeld) {
        long expectSeq = consumerHeld ? pos + 1 : pos;
        if ((seq & ~MpmcLayout.SKIP) != expectSeq) {
            return false;
        }
        long now = System.nanoTime();
        if (stallPos != pos) {
            stallPos = pos;
            stallSince = now;
            nextLivenessCheck = now + LIVENESS_DELAY_NANOS;
            return false;
        }
        long holderPos = Words.get(seg, s + MpmcLayout.S_HOLDER_POS);
        long holder = Words.get(seg, s + MpmcLayout.S_HOLDER);
        boolean recorded = holderPos == (consumerHeld ? pos | MpmcLayout.CONSUMER : pos) && holder != Owner.NONE;
        boolean repair;
        if (recorded) {
            repair = false;
            if (now >= nextLivenessCheck) {
                nextLivenessCheck = now + LIVENESS_INTERVAL_NANOS;
                repair = !Owner.isAlive(holder);
            }
        } else {
            repair = now - stallSince > claimTimeoutNanos;
        }
        if (!repair) {
            return false;
        }
        long to = consumerHeld ? pos + capacity : (pos + 1) | MpmcLayout.SKIP;
        if (Words.cas(seg, s + MpmcLayout.S_SEQ, seq, to)) {
            Words.getAndAdd(seg, MpmcLayout.REPAIRS, 1L);
            System.getLogger(MpmcQueue.class.getName()).log(System.Logger.Level.WARNING, WHAT + ": position " + pos
                    + " was held by " + (consumerHeld ? "a consumer, " : "a producer, ")
                    + (recorded ? Owner.describe(holder) + ", which died" : "which never recorded itself within the claim timeout")
                    + "; " + (consumerHeld ? "freed the slot" : "skipped the position"));
            if (consumerHeld) {
                notFull.signal();
            } else {
                notEmpty.signal();
            }
        }
        stallPos = -1;
        return true;
    }

    /**
     * Takes the next element, waiting up to {@code timeoutNanos}.
     *
     * @param dst at least {@link #elementSize()} bytes
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws InterruptedException if interrupted
     */
    public boolean take(MemorySegment dst, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && poll(dst)) {
            return true;
        }
        return Blocking.await(notEmpty, () -> poll(dst), () -> Owner.NONE, timeoutNanos,
                "consumer waiting on an empty " + WHAT, "producer");
    }
}
