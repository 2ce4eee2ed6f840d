package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;

/**
 * A single-producer single-consumer ring of fixed-size elements in shared memory ({@link SpscLayout}):
 * {@code long} values (offsets of blocks, say) or records of a fixed size, between two threads of any
 * processes. The fast path is a plain read of the own index, a check against a cached copy of the other
 * side's, the element copy and one release store: no CAS. The cache is refreshed (one acquire load) only when
 * it says full (producer) or empty (consumer).
 *
 * <p>Every offer also signals {@code NOT_EMPTY} and every poll {@code NOT_FULL} ({@link WaitWord#signal()}: one
 * read, no fence; a bump and a wake call only when someone sleeps), so the blocking {@link #put}/{@link #take} work
 * with any mix of blocking and non-blocking calls on the other side.
 *
 * <p>Liveness: the first offer of a handle records its process as the producer, the first poll as the
 * consumer ({@link QueueHeader}); a producer blocked on a full ring whose consumer process has died, or a
 * consumer blocked on an empty ring whose producer has died, gets a {@link dev.hshm.api.StateException}.
 *
 * <p>A handle is used by one thread at a time on each side (it keeps the cached index). No death leaves the
 * ring inconsistent: each side's state is one word it alone writes; an element is visible only after its
 * TAIL store, and a slot is reused only after its HEAD store.
 */
public final class SpscRing {

    private static final String WHAT = "spsc queue";

    private final MemorySegment seg;
    private final long capacity;
    private final long mask;
    private final long element;
    private final WaitWord notEmpty;
    private final WaitWord notFull;
    private long headCache;
    private long tailCache;
    private boolean producing;
    private boolean consuming;

    private SpscRing(MemorySegment seg, long capacity, long element) {
        this.seg = seg;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.element = element;
        this.notEmpty = new WaitWord(seg, SpscLayout.NOT_EMPTY);
        this.notFull = new WaitWord(seg, SpscLayout.NOT_FULL);
    }

    /**
     * Bytes of shared memory a ring needs.
     *
     * @param capacity slots, a power of two in [2, 2^30]
     * @param elementSize bytes per element, a multiple of 8 in [8, 2^20]
     * @return the size
     */
    public static long bytesFor(long capacity, long elementSize) {
        checkArgs(capacity, elementSize);
        return SpscLayout.bytes(capacity, elementSize);
    }

    private static void checkArgs(long capacity, long elementSize) {
        QueueHeader.checkCapacity(WHAT, capacity, SpscLayout.MIN_CAPACITY, SpscLayout.MAX_CAPACITY);
        QueueHeader.checkElementSize(WHAT, elementSize, SpscLayout.MIN_ELEMENT, SpscLayout.MAX_ELEMENT);
    }

    /**
     * Formats {@code seg} (at least {@link #bytesFor} bytes, 8-byte aligned) as an empty ring.
     *
     * @param seg the memory
     * @param capacity slots
     * @param elementSize bytes per element
     * @return a handle
     */
    public static SpscRing format(MemorySegment seg, long capacity, long elementSize) {
        QueueHeader.checkRoom(seg, bytesFor(capacity, elementSize), WHAT);
        seg.asSlice(0, SpscLayout.SLOTS).fill((byte) 0);
        QueueHeader.format(seg, QueueHeader.SPSC, SpscLayout.LAYOUT_VERSION, capacity, elementSize);
        QueueHeader.publish(seg);
        return new SpscRing(seg, capacity, elementSize);
    }

    /**
     * Attaches to a ring another handle formatted.
     *
     * @param seg the memory
     * @return a handle
     * @throws CorruptSegmentException if it is not a published spsc queue of this layout version, or too small
     */
    public static SpscRing attach(MemorySegment seg) {
        QueueHeader.check(seg, QueueHeader.SPSC, SpscLayout.LAYOUT_VERSION);
        long c = QueueHeader.capacity(seg, WHAT, SpscLayout.MIN_CAPACITY, SpscLayout.MAX_CAPACITY);
        long e = QueueHeader.element(seg, WHAT, SpscLayout.MIN_ELEMENT, SpscLayout.MAX_ELEMENT);
        QueueHeader.checkFits(seg, (e & 7) != 0 ? Long.MAX_VALUE : SpscLayout.bytes(c, e), WHAT,
                "capacity=" + c + ", element=" + e);
        return new SpscRing(seg, c, e);
    }

    /**
     * Creates a named ring in {@code dir}.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity slots
     * @param elementSize bytes per element
     * @return a handle
     */
    public static SpscRing create(NamedObjects dir, String name, long capacity, long elementSize) {
        long size = bytesFor(capacity, elementSize);
        return attach(dir.create(name, size, m -> format(m, capacity, elementSize)).memory());
    }

    /**
     * Attaches to a named ring.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     */
    public static SpscRing attach(NamedObjects dir, String name) {
        return attach(dir.attach(name).memory());
    }

    /**
     * Attaches to a named ring, or creates it; a ring found with another shape is refused.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity slots
     * @param elementSize bytes per element
     * @return a handle
     * @throws dev.hshm.api.AlreadyExistsException if the name holds a ring of another capacity or element size
     */
    public static SpscRing openOrCreate(NamedObjects dir, String name, long capacity, long elementSize) {
        long size = bytesFor(capacity, elementSize);
        SpscRing r = attach(dir.openOrCreate(name, size, m -> format(m, capacity, elementSize)).memory());
        if (r.capacity != capacity || r.element != elementSize) {
            throw new dev.hshm.api.AlreadyExistsException(WHAT + " '" + name + "' exists with capacity=" + r.capacity
                    + ", elementSize=" + r.element + "; asked for capacity=" + capacity + ", elementSize=" + elementSize);
        }
        return r;
    }

    /** @return slots */
    public long capacity() {
        return capacity;
    }

    /** @return bytes per element */
    public long elementSize() {
        return element;
    }

    /** @return elements in the ring now (a recent value while the other side runs) */
    public long size() {
        long h = Words.getAcquire(seg, SpscLayout.HEAD);
        long t = Words.getAcquire(seg, SpscLayout.TAIL);
        return checked(t, h, "size");
    }

    private long checked(long tail, long head, String side) {
        long n = tail - head;
        if (n < 0 || n > capacity) {
            throw new CorruptSegmentException(WHAT + ": indices out of range (" + side + "): tail=" + tail + ", head="
                    + head + ", capacity=" + capacity + " (0 <= tail - head <= capacity)");
        }
        return n;
    }

    /**
     * Records this process as the ring's producer now, before its first offer, so that a consumer blocked in
     * {@link #take} or {@link #takeLong} learns of this process's death. An offer does it by itself.
     */
    public void registerProducer() {
        if (!producing) {
            producing = true;
            QueueHeader.registerProducer(seg);
            headCache = Words.getAcquire(seg, SpscLayout.HEAD);
        }
    }

    /**
     * Records this process as the ring's consumer now, before its first poll, so that a producer blocked in
     * {@link #put} learns of this process's death. A poll does it by itself.
     */
    public void registerConsumer() {
        if (!consuming) {
            consuming = true;
            QueueHeader.registerConsumer(seg);
            tailCache = Words.getAcquire(seg, SpscLayout.TAIL);
        }
    }

    // ------------------------------------------------------------------ producer

    /** The slot for the next offer, or -1 if full. */
    private long claimSlot() {
        registerProducer();
        long t = Words.get(seg, SpscLayout.TAIL);
        if (t - headCache >= capacity || t - headCache < 0) {
            headCache = Words.getAcquire(seg, SpscLayout.HEAD);
            if (checked(t, headCache, "producer") == capacity) {
                return -1;
            }
        }
        return t;
    }

    private void publish(long t) {
        Words.putRelease(seg, SpscLayout.TAIL, t + 1);
        notEmpty.signal();
    }

    private long slot(long index) {
        return SpscLayout.SLOTS + (index & mask) * element;
    }

    /**
     * Offers a {@code long} (the element's first 8 bytes; the rest are left as they were).
     *
     * @param value the value
     * @return {@code false} if the ring is full
     */
    public boolean offer(long value) {
        long t = claimSlot();
        if (t < 0) {
            return false;
        }
        seg.set(ValueLayout.JAVA_LONG, slot(t), value);
        publish(t);
        return true;
    }

    /**
     * Offers a record of exactly {@link #elementSize()} bytes, copied in.
     *
     * @param src the record
     * @return {@code false} if the ring is full
     * @throws IllegalArgumentException if {@code src} is not {@link #elementSize()} bytes
     */
    public boolean offer(MemorySegment src) {
        if (src.byteSize() != element) {
            throw new IllegalArgumentException(WHAT + " elements are " + element + " bytes; offered " + src.byteSize());
        }
        long t = claimSlot();
        if (t < 0) {
            return false;
        }
        MemorySegment.copy(src, 0, seg, slot(t), element);
        publish(t);
        return true;
    }

    /**
     * Offers a {@code long}, waiting up to {@code timeoutNanos} for room.
     *
     * @param value the value
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws dev.hshm.api.StateException if the consumer's process died while this waited
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean put(long value, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && offer(value)) {
            return true; // no wait: no lambda either, so a put that need not wait makes no garbage
        }
        return Blocking.await(notFull, () -> offer(value), () -> QueueHeader.consumer(seg), timeoutNanos,
                "producer waiting for room in a full " + WHAT, "consumer");
    }

    /**
     * Offers a record, waiting up to {@code timeoutNanos} for room.
     *
     * @param src the record
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean put(MemorySegment src, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && offer(src)) {
            return true;
        }
        return Blocking.await(notFull, () -> offer(src), () -> QueueHeader.consumer(seg), timeoutNanos,
                "producer waiting for room in a full " + WHAT, "consumer");
    }

    // ------------------------------------------------------------------ consumer

    private long available() {
        registerConsumer();
        long h = Words.get(seg, SpscLayout.HEAD);
        long n = tailCache - h;
        if (n <= 0 || n > capacity) {
            tailCache = Words.getAcquire(seg, SpscLayout.TAIL);
            n = checked(tailCache, h, "consumer");
        }
        return n;
    }

    private void release(long newHead) {
        Words.putRelease(seg, SpscLayout.HEAD, newHead);
        notFull.signal();
    }

    /**
     * Takes the next element's first 8 bytes.
     *
     * @return the value, or empty if the ring is empty
     */
    public OptionalLong pollLong() {
        if (available() == 0) {
            return OptionalLong.empty();
        }
        long h = Words.get(seg, SpscLayout.HEAD);
        long v = seg.get(ValueLayout.JAVA_LONG, slot(h));
        release(h + 1);
        return OptionalLong.of(v);
    }

    /**
     * Takes the next element, copied into {@code dst}.
     *
     * @param dst at least {@link #elementSize()} bytes
     * @return {@code false} if the ring is empty
     */
    public boolean poll(MemorySegment dst) {
        if (dst.byteSize() < element) {
            throw new IllegalArgumentException(WHAT + " elements are " + element + " bytes; destination has "
                    + dst.byteSize());
        }
        if (available() == 0) {
            return false;
        }
        long h = Words.get(seg, SpscLayout.HEAD);
        MemorySegment.copy(seg, slot(h), dst, 0, element);
        release(h + 1);
        return true;
    }

    /**
     * Hands up to {@code limit} elements to {@code handler} in place, then frees their slots with one store.
     * If the handler throws, the elements it was given before are consumed and the one it threw on is not.
     *
     * @param handler called once per element
     * @param limit the most elements, {@code >= 1}
     * @return how many it handled
     */
    public int drain(ElementHandler handler, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("drain limit must be >= 1: " + limit);
        }
        long n = Math.min(available(), limit);
        if (n == 0) {
            return 0;
        }
        long h = Words.get(seg, SpscLayout.HEAD);
        long i = 0;
        try {
            for (; i < n; i++) {
                handler.onElement(seg, slot(h + i));
            }
        } finally {
            if (i > 0) {
                release(h + i);
            }
        }
        return (int) n;
    }

    /**
     * {@link #drain}, waiting up to {@code timeoutNanos} for the first element: the blocking read that makes no
     * garbage ({@link #takeLong} returns an {@link OptionalLong}, which costs 24 bytes when the JIT cannot
     * scalar-replace it).
     *
     * @param handler called once per element
     * @param limit the most elements, {@code >= 1}
     * @param timeoutNanos the longest wait
     * @return how many it handled (0 on timeout)
     * @throws dev.hshm.api.StateException if the producer's process died and the ring is empty
     * @throws InterruptedException if interrupted while waiting
     */
    public int take(ElementHandler handler, int limit, long timeoutNanos) throws InterruptedException {
        int first = timeoutNanos >= 0 ? drain(handler, limit) : 0;
        if (first > 0) {
            return first;
        }
        int[] n = {0};
        Blocking.await(notEmpty, () -> (n[0] = drain(handler, limit)) > 0, () -> QueueHeader.producer(seg),
                timeoutNanos, "consumer waiting on an empty " + WHAT, "producer");
        return n[0];
    }

    /**
     * Takes the next element's first 8 bytes, waiting up to {@code timeoutNanos}. Returns an {@link OptionalLong}:
     * for no garbage per element use {@link #take(ElementHandler, int, long)}.
     *
     * @param timeoutNanos the longest wait
     * @return the value, or empty on timeout
     * @throws dev.hshm.api.StateException if the producer's process died and the ring is empty
     * @throws InterruptedException if interrupted while waiting
     */
    public OptionalLong takeLong(long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && available() > 0) {
            return pollLong(); // no wait: no lambda (the OptionalLong remains: QueueGarbage measures 24 B)
        }
        return awaitLong(timeoutNanos);
    }

    private OptionalLong awaitLong(long timeoutNanos) throws InterruptedException {
        long[] out = new long[1];
        boolean got = Blocking.await(notEmpty, () -> {
            OptionalLong v = pollLong();
            if (v.isPresent()) {
                out[0] = v.getAsLong();
            }
            return v.isPresent();
        }, () -> QueueHeader.producer(seg), timeoutNanos, "consumer waiting on an empty " + WHAT, "producer");
        return got ? OptionalLong.of(out[0]) : OptionalLong.empty();
    }

    /**
     * Takes the next element into {@code dst}, waiting up to {@code timeoutNanos}.
     *
     * @param dst at least {@link #elementSize()} bytes
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean take(MemorySegment dst, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && poll(dst)) {
            return true;
        }
        return Blocking.await(notEmpty, () -> poll(dst), () -> QueueHeader.producer(seg), timeoutNanos,
                "consumer waiting on an empty " + WHAT, "producer");
    }
}
