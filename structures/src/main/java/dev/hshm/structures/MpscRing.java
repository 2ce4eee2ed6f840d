package dev.hshm.structures;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.MemorySegment;

/**
 * A many-producer single-consumer ring of variable-length records in shared memory ({@link MpscLayout}),
 * with Agrona's framing (an 8-byte length-and-type header per record, padding at the wrap) and the claim /
 * write / commit protocol (CONVENTIONS.md 17): {@link #tryClaim} reserves room with one CAS on TAIL and returns
 * where to write the payload in {@link #buffer()} (zero copy), {@link #commit} publishes it with one release
 * store of its header word, {@link #abort} turns it into padding: one atomic instruction per record, and the
 * same 8 bytes of header, as Agrona's. The largest payload is an eighth of the capacity less the header
 * ({@link #maxPayload()}); record types are {@code 1..}{@value MpscLayout#MAX_TYPE} (24 bits: the header's top
 * byte names the claimer while a record is claimed).
 *
 * <p><b>A claimer that dies.</b> Unlike Agrona's rings (whose {@code unblock()} the caller must call), the
 * consumer repairs a stalled record at its head by itself, so a dead producer never blocks it:
 * <ul>
 *   <li>a <em>claimed</em> record (LENGTH &lt; 0) whose claimer's process (the producer slot its header names)
 *       is dead is turned into padding at once (one CAS; checked after the record stalls for
 *       {@value #LIVENESS_DELAY_NANOS} ns, then every {@value #LIVENESS_INTERVAL_NANOS} ns);</li>
 *   <li>a record that stays <em>unwritten</em> (LENGTH 0 below TAIL: the producer died between its TAIL CAS
 *       and its header store, a window of a few instructions), or claimed by a process that found no free
 *       producer slot ({@value MpscLayout#SLOTS} - 1 processes at a time have one), for the claim timeout
 *       ({@code -Dhshm.structures.claim.timeout.ms}, default {@value #DEFAULT_CLAIM_TIMEOUT_MS} ms), is padded
 *       over up to the next written header.</li>
 * </ul>
 * The claim timeout is a promise the producers make: a live producer never stops longer than it inside those
 * few instructions. One that does (a process stopped by SIGSTOP or a debugger there) has its record padded
 * over; its commit then usually finds the header changed and throws {@link IllegalStateException}, but its
 * late header store may also land in space the consumer has passed. Each repair counts in {@link #repairs()}.
 * docs/structures.md tells the whole crash story.
 *
 * <p>Producers may be any number of threads in any processes; each handle's consumer side is used by one
 * thread, in one process at a time.
 */
public final class MpscRing {

    private static final String WHAT = "mpsc queue";
    /** Default time an unwritten claim may stall the consumer before it is padded over. */
    public static final long DEFAULT_CLAIM_TIMEOUT_MS = 2000;
    /** How long a record stalls the consumer before the claimer's liveness is checked. */
    static final long LIVENESS_DELAY_NANOS = 1_000_000L;
    /** How often, after that, the claimer's liveness is checked again. */
    static final long LIVENESS_INTERVAL_NANOS = 10_000_000L;
    /**
     * Reads of a stalled head before the consumer looks at the clock or TAIL: a record at the head is almost
     * always being written at that moment, and reading TAIL, the line every producer CASes, would slow them.
     */
    static final int QUIET_POLLS = 16;
    /** Between two looks at TAIL (and the clock's verdicts) while the head stays stalled. */
    static final long CHECK_INTERVAL_NANOS = 1_000_000L;
    /**
     * Reads of a stalled head between two looks at the clock once the quiet ones are over (the first look comes
     * after {@code QUIET_POLLS + CLOCK_POLLS} reads): read on every poll, the clock took 7 % of the profile samples
     * of the 2-producer benchmark.
     */
    static final int CLOCK_POLLS = 8;
    /** Between two steps of the consumer's sweep of the producer table (each may read a process's liveness). */
    static final long SWEEP_INTERVAL_NANOS = 10_000_000L;
    /** Batches a consumer that never waits reads between two looks at the clock for a sweep (a power of two). */
    static final int SWEEP_BATCHES = 1024;
    /** Producer slots one sweep step looks at, at most, to find one that is taken. */
    static final int SWEEP_SCAN = 32;
    /** How long a handle that found the producer table full waits before it looks for a free slot again. */
    static final long REGISTER_RETRY_NANOS = 1_000_000_000L;
    private static final long UNSET = Long.MIN_VALUE;

    private final MemorySegment seg;
    private final long capacity;
    private final long mask;
    private final int maxPayload;
    private final long claimTimeoutNanos;
    private final WaitWord notEmpty;
    private final WaitWord notFull;
    /** The consumer's own state, on cache lines no producer reads (see {@link ConsumerState}). */
    private final ConsumerState cs = new ConsumerState();
    /** This process's producer slot, once taken; 0 before, and while the table is full. */
    private int claimer;
    private boolean registerTried;
    private long nextRegister;

    private MpscRing(MemorySegment seg, long capacity) {
        this.seg = seg;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxPayload = MpscLayout.maxPayload(capacity);
        this.claimTimeoutNanos = Long.getLong("hshm.structures.claim.timeout.ms", DEFAULT_CLAIM_TIMEOUT_MS) * 1_000_000L;
        this.notEmpty = new WaitWord(seg, MpscLayout.NOT_EMPTY);
        this.notFull = new WaitWord(seg, MpscLayout.NOT_FULL);
    }

    /**
     * Bytes of shared memory a ring of {@code capacity} buffer bytes needs.
     *
     * @param capacity buffer bytes, a power of two in [1024, 2^30]
     * @return the size
     */
    public static long bytesFor(long capacity) {
        QueueHeader.checkCapacity(WHAT, capacity, MpscLayout.MIN_CAPACITY, MpscLayout.MAX_CAPACITY);
        return MpscLayout.bytes(capacity);
    }

    /**
     * Formats {@code seg} as an empty ring.
     *
     * @param seg at least {@link #bytesFor} bytes, 8-byte aligned
     * @param capacity buffer bytes
     * @return a handle
     */
    public static MpscRing format(MemorySegment seg, long capacity) {
        long need = bytesFor(capacity);
        QueueHeader.checkRoom(seg, need, WHAT);
        seg.asSlice(0, need).fill((byte) 0);
        QueueHeader.format(seg, QueueHeader.MPSC, MpscLayout.LAYOUT_VERSION, capacity, MpscLayout.maxPayload(capacity));
        QueueHeader.publish(seg);
        return new MpscRing(seg, capacity);
    }

    /**
     * Attaches to a formatted ring.
     *
     * @param seg the memory
     * @return a handle
     * @throws CorruptSegmentException if it is not a published mpsc queue of this version, or too small
     */
    public static MpscRing attach(MemorySegment seg) {
        QueueHeader.check(seg, QueueHeader.MPSC, MpscLayout.LAYOUT_VERSION);
        long c = QueueHeader.capacity(seg, WHAT, MpscLayout.MIN_CAPACITY, MpscLayout.MAX_CAPACITY);
        QueueHeader.element(seg, WHAT, MpscLayout.maxPayload(c), MpscLayout.maxPayload(c));
        QueueHeader.checkFits(seg, MpscLayout.bytes(c), WHAT, "capacity=" + c);
        return new MpscRing(seg, c);
    }

    /**
     * Creates a named ring.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity buffer bytes
     * @return a handle
     */
    public static MpscRing create(NamedObjects dir, String name, long capacity) {
        return attach(dir.create(name, bytesFor(capacity), m -> format(m, capacity)).memory());
    }

    /**
     * Attaches to a named ring.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     */
    public static MpscRing attach(NamedObjects dir, String name) {
        return attach(dir.attach(name).memory());
    }

    /**
     * Attaches to a named ring or creates it.
     *
     * @param dir the directory
     * @param name the name
     * @param capacity buffer bytes of a new ring; a ring found with another is refused
     * @return a handle
     */
    public static MpscRing openOrCreate(NamedObjects dir, String name, long capacity) {
        MpscRing r = attach(dir.openOrCreate(name, bytesFor(capacity), m -> format(m, capacity)).memory());
        if (r.capacity != capacity) {
            throw new dev.hshm.api.AlreadyExistsException(WHAT + " '" + name + "' exists with capacity=" + r.capacity
                    + "; asked for capacity=" + capacity);
        }
        return r;
    }

    /** @return buffer bytes */
    public long capacity() {
        return capacity;
    }

    /** @return the largest payload a record may have */
    public int maxPayload() {
        return maxPayload;
    }

    /** @return the ring's memory; claimed payload offsets index it */
    public MemorySegment buffer() {
        return seg;
    }

    /** @return how many stalled claims consumers turned into padding, ever */
    public long repairs() {
        return Words.getVolatile(seg, MpscLayout.REPAIRS);
    }

    private String checkTypeLength(int type, int length) {
        if (type < 1 || type > MpscLayout.MAX_TYPE) {
            return WHAT + " record type must be in [1, " + MpscLayout.MAX_TYPE + "] (24 bits): type=" + type;
        }
        if (length < 0 || length > maxPayload) {
            return WHAT + " record of " + length + " bytes: payload must be 0.." + maxPayload + " bytes (an eighth of "
                    + "the " + capacity + "-byte buffer, less the " + MpscLayout.HEADER + "-byte header)";
        }
        return null;
    }

    // ------------------------------------------------------------------ producers

    /**
     * Claims room for a record. Every claim that returns an offset must end in {@link #commit} or {@link #abort}
     * (put the payload's writing in a {@code try} whose {@code finally} aborts on failure): the consumer stops at a
     * claimed record, and it repairs one only when the claimer's process is dead, so a claim a live process
     * forgets stops the consumer for as long as that process lives.
     *
     * <p>Stores, in order, and what a death after each leaves: (0) once per process, CAS a free producer slot's
     * OWNER to this process: a slot of a dead owner, freed by the consumer's sweep; (1) CAS TAIL forward, the one
     * atomic instruction of a record (as in Agrona): an unwritten record, padded over by the consumer after the
     * claim timeout (and, at the wrap, an unwritten padding record, the same); (2) padding header at the wrap
     * (release store); (3) WORD = claimed, naming this process's slot (release store): a claimed record of a dead
     * claimer, padded as soon as the consumer sees it (after the claim timeout if the table was full and it names
     * slot 0). Steps 2 and 3 are plain stores because after step 1 the record is this producer's alone: the
     * consumer writes it only when the producer is proven dead or stalled past the claim timeout inside steps 1
     * to 3 (docs/structures.md states what such a stall, in a live process, costs).
     *
     * @param type the record type, {@code 1..}{@value MpscLayout#MAX_TYPE}
     * @param length payload bytes, {@code 0..}{@link #maxPayload()}
     * @return the payload's offset in {@link #buffer()}, or -1 if there is no room now
     * @throws IllegalArgumentException if the type or length is out of range
     */
    public long tryClaim(int type, int length) {
        String bad = checkTypeLength(type, length);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        int me = claimer > 0 ? claimer : register();
        int recordLength = MpscLayout.HEADER + length;
        long required = Words.align(recordLength, MpscLayout.ALIGNMENT);
        long t;
        long idx;
        long padding;
        while (true) {
            t = Words.getVolatile(seg, MpscLayout.TAIL);
            long head = Words.getOpaque(seg, MpscLayout.HEAD_CACHE);
            if ((t & (MpscLayout.ALIGNMENT - 1)) != 0 || t < 0) {
                throw new CorruptSegmentException(WHAT + ": bad tail index: tail=" + t + " (a multiple of "
                        + MpscLayout.ALIGNMENT + ", >= 0)");
            }
            idx = t & mask;
            long toEnd = capacity - idx;
            padding = required > toEnd ? toEnd : 0;
            long need = required + padding;
            if (need > capacity - (t - head)) {
                head = Words.getAcquire(seg, MpscLayout.HEAD);
                long used = t - head;
                if ((used < 0 || used > capacity) && Words.getVolatile(seg, MpscLayout.TAIL) != t) {
                    continue; // t was stale: other producers and the consumer moved on meanwhile
                }
                if (used < 0 || used > capacity) {
                    throw new CorruptSegmentException(WHAT + ": indices out of range: tail=" + t + ", head=" + head
                            + ", capacity=" + capacity + " (0 <= tail - head <= capacity)");
                }
                if (need > capacity - used) {
                    return -1; // full: no store, so producers retrying on a full ring do not contend on HEAD_CACHE
                }
                Words.putRelease(seg, MpscLayout.HEAD_CACHE, head);
            }
            if (Words.cas(seg, MpscLayout.TAIL, t, t + need)) {
                break;
            }
        }
        if (padding > 0) {
            Words.putRelease(seg, MpscLayout.BUFFER + idx + MpscLayout.R_WORD,
                    MpscLayout.word(MpscLayout.PADDING, (int) padding));
            idx = 0;
        }
        long at = MpscLayout.BUFFER + idx;
        Words.putRelease(seg, at + MpscLayout.R_WORD, MpscLayout.claimedWord(me, type, -recordLength));
        return at + MpscLayout.HEADER;
    }

    /**
     * Takes this process's producer slot: the one it holds already (another handle took it), else a free one
     * (CAS OWNER 0 -&gt; this process; a death right after leaves a slot of a dead owner, which the consumer's
     * sweep frees). A full table is looked at again after {@value #REGISTER_RETRY_NANOS} ns; until then claims
     * name slot 0, and a dead claimer's record is padded after the claim timeout instead of at once.
     *
     * @return the slot, or 0
     */
    private int register() {
        long now = System.nanoTime();
        if (registerTried && now - nextRegister < 0) {
            return 0;
        }
        registerTried = true;
        nextRegister = now + REGISTER_RETRY_NANOS;
        for (int s = 1; s < MpscLayout.SLOTS; s++) {
            if (Words.getAcquire(seg, MpscLayout.slot(s) + MpscLayout.S_OWNER) == Owner.CURRENT) {
                return claimer = s;
            }
        }
        for (int s = 1; s < MpscLayout.SLOTS; s++) {
            long at = MpscLayout.slot(s) + MpscLayout.S_OWNER;
            if (Words.getAcquire(seg, at) == Owner.NONE && Words.cas(seg, at, Owner.NONE, Owner.CURRENT)) {
                return claimer = s;
            }
        }
        return 0;
    }

    /** The header word at {@code at}, checked to be a claim naming this process's producer slot. */
    private long claimedWord(long at, long payloadOffset, String op) {
        if (at < MpscLayout.BUFFER || at >= MpscLayout.BUFFER + capacity || ((at - MpscLayout.BUFFER) & 7) != 0) {
            throw new IllegalArgumentException(WHAT + ": " + op + " of an offset that no claim returned: offset="
                    + payloadOffset);
        }
        long word = Words.get(seg, at);
        int c = MpscLayout.claimer(word);
        // this handle's slot, or another this process holds (two threads may register at once and take two); a
        // claim naming no slot (the table was full) cannot be told from another process's and is taken as ours
        if (MpscLayout.length(word) >= 0 || (c != claimer && c != 0
                && Words.getAcquire(seg, MpscLayout.slot(c) + MpscLayout.S_OWNER) != Owner.CURRENT)) {
            throw new IllegalStateException(WHAT + ": " + op + " of a record that is not claimed by this process: offset="
                    + payloadOffset + ", length=" + MpscLayout.length(word) + " (committed or aborted already, or "
                    + "padded over by the consumer after this producer stalled past the claim timeout)");
        }
        return word;
    }

    /**
     * Publishes a claimed record (one release store of its header word, no atomic instruction) and wakes a
     * sleeping consumer.
     *
     * @param payloadOffset what {@link #tryClaim} returned
     * @throws IllegalStateException if the record is not claimed: committed or aborted already, or padded over
     *     by the consumer because this thread stalled past the claim timeout before writing its header
     */
    public void commit(long payloadOffset) {
        long at = payloadOffset - MpscLayout.HEADER;
        long word = claimedWord(at, payloadOffset, "commit");
        Words.putRelease(seg, at, MpscLayout.word(MpscLayout.claimedType(word), -MpscLayout.length(word)));
        notEmpty.signal();
    }

    /**
     * Gives a claimed record up: it becomes padding, which the consumer skips.
     *
     * @param payloadOffset what {@link #tryClaim} returned
     * @throws IllegalArgumentException if no claim returned that offset
     * @throws IllegalStateException if the record is not this process's claim (as for {@link #commit})
     */
    public void abort(long payloadOffset) {
        long at = payloadOffset - MpscLayout.HEADER;
        long word = claimedWord(at, payloadOffset, "abort");
        Words.putRelease(seg, at, MpscLayout.word(MpscLayout.PADDING, -MpscLayout.length(word)));
        notEmpty.signal();
    }

    /**
     * Claims, copies {@code src} in, commits.
     *
     * @param type the record type
     * @param src the payload
     * @return {@code false} if there was no room
     */
    public boolean offer(int type, MemorySegment src) {
        if (src.byteSize() > maxPayload) {
            throw new IllegalArgumentException(checkTypeLength(type, (int) Math.min(Integer.MAX_VALUE, src.byteSize())));
        }
        long at = tryClaim(type, (int) src.byteSize());
        if (at < 0) {
            return false;
        }
        MemorySegment.copy(src, 0, seg, at, src.byteSize());
        commit(at);
        return true;
    }

    /**
     * Claims room, waiting up to {@code timeoutNanos} for it.
     *
     * @param type the record type
     * @param length payload bytes
     * @param timeoutNanos the longest wait
     * @return the payload offset, or -1 on timeout
     * @throws StateException if the consumer's process died while this waited
     * @throws InterruptedException if interrupted
     */
    public long claim(int type, int length, long timeoutNanos) throws InterruptedException {
        long first = timeoutNanos >= 0 ? tryClaim(type, length) : -1;
        if (first >= 0) {
            return first; // no wait: no lambda either, so a claim that need not wait makes no garbage
        }
        long[] at = {-1};
        Blocking.await(notFull, () -> (at[0] = tryClaim(type, length)) >= 0, () -> QueueHeader.consumer(seg),
                timeoutNanos, "producer waiting for room in a full " + WHAT, "consumer");
        return at[0];
    }

    /**
     * Offers, waiting up to {@code timeoutNanos} for room.
     *
     * @param type the record type
     * @param src the payload
     * @param timeoutNanos the longest wait
     * @return {@code false} on timeout
     * @throws InterruptedException if interrupted
     */
    public boolean put(int type, MemorySegment src, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos >= 0 && offer(type, src)) {
            return true;
        }
        return Blocking.await(notFull, () -> offer(type, src), () -> QueueHeader.consumer(seg), timeoutNanos,
                "producer waiting for room in a full " + WHAT, "consumer");
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Hands up to {@code limit} committed records to {@code handler} in place, in order, skipping padding,
     * then zeroes them and frees their room with one HEAD store. A record at the head that is still claimed or
     * unwritten ends the batch (and may be repaired, see the class comment). If the handler throws, the record it
     * threw on and those before it are consumed.
     *
     * @param handler called once per record
     * @param limit the most records, {@code >= 1}
     * @return how many records it handled
     */
    public int read(MessageHandler handler, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("read limit must be >= 1: " + limit);
        }
        if (!cs.consuming) {
            cs.consuming = true;
            QueueHeader.registerConsumer(seg);
        }
        long head = Words.get(seg, MpscLayout.HEAD);
        if ((head & (MpscLayout.ALIGNMENT - 1)) != 0 || head < 0) {
            throw new CorruptSegmentException(WHAT + ": bad head index: head=" + head + " (a multiple of "
                    + MpscLayout.ALIGNMENT + ", >= 0)");
        }
        long h = head;
        int n = 0;
        try {
            // bounded: at most one lap of the buffer per call
            while (n < limit && h - head < capacity) {
                long idx = h & mask;
                long at = MpscLayout.BUFFER + idx;
                long word = Words.getAcquire(seg, at);
                int len = MpscLayout.length(word);
                if (len <= 0) {
                    if (!stalled(h, idx, word)) {
                        break;
                    }
                    continue; // repaired into padding: read it again
                }
                long aligned = Words.align(len, MpscLayout.ALIGNMENT);
                int type = MpscLayout.type(word);
                if (len < (type == MpscLayout.PADDING ? MpscLayout.ALIGNMENT : MpscLayout.HEADER)
                        || aligned > capacity - idx || (type < 1 && type != MpscLayout.PADDING)
                        || type > MpscLayout.MAX_TYPE) {
                    throw new CorruptSegmentException(WHAT + ": bad record header at index=" + idx + ": length=" + len
                            + ", type=" + type + " (length in [" + MpscLayout.HEADER + ", " + (capacity - idx)
                            + "], type in [1, " + MpscLayout.MAX_TYPE + "] or " + MpscLayout.PADDING + ")");
                }
                h += aligned; // consumed even if the handler throws: it was handed over
                if (type != MpscLayout.PADDING) {
                    n++;
                    handler.onMessage(type, seg, at + MpscLayout.HEADER, len - MpscLayout.HEADER);
                }
            }
        } finally {
            if (h != head) {
                zero(head, h);
                Words.putRelease(seg, MpscLayout.HEAD, h);
                notFull.signal();
                if ((++cs.batches & (SWEEP_BATCHES - 1)) == 0) {
                    busySweep(h);
                }
            }
        }
        return n;
    }

    /**
     * A sweep step of a consumer that never waits (its stalls are where it sweeps otherwise): every
     * {@value #SWEEP_BATCHES} batches a look at the clock, and a step once {@value #SWEEP_INTERVAL_NANOS} ns passed,
     * so the slots of dead producers come free on a ring that is never idle too.
     */
    private void busySweep(long head) {
        long now = System.nanoTime();
        if (now - cs.nextSweep >= 0) {
            cs.nextSweep = now + SWEEP_INTERVAL_NANOS;
            sweep(head, Words.getVolatile(seg, MpscLayout.TAIL));
        }
    }

    /** Zeroes the consumed bytes {@code [from, to)} (at most one lap: one fill, or two at the wrap). */
    private void zero(long from, long to) {
        long idx = from & mask;
        long len = to - from;
        long first = Math.min(len, capacity - idx);
        seg.asSlice(MpscLayout.BUFFER + idx, first).fill((byte) 0);
        if (len > first) {
            seg.asSlice(MpscLayout.BUFFER, len - first).fill((byte) 0);
        }
    }

    /**
     * A record at the head that is not committed: checks it is below TAIL, and repairs it if its claimer is
     * dead or it stalled past the claim timeout.
     *
     * @return {@code true} if it was repaired into padding (read it again), {@code false} to end the batch
     */
    private boolean stalled(long h, long idx, long word) {
        if (cs.stallHead != h) {
            cs.stallHead = h;
            cs.stallPolls = 0;
            cs.checked = false;
            cs.stallSince = UNSET;
            return false;
        }
        if (++cs.stallPolls < QUIET_POLLS + CLOCK_POLLS) {
            return false; // no clock, no shared read: the producer is most likely writing this record now
        }
        cs.stallPolls = QUIET_POLLS; // the next look at the clock is CLOCK_POLLS reads away
        long now = System.nanoTime();
        if (cs.checked && now - cs.nextCheck < 0) {
            return false;
        }
        cs.checked = true;
        cs.nextCheck = now + CHECK_INTERVAL_NANOS;
        long tail = Words.getVolatile(seg, MpscLayout.TAIL);
        if (tail - h < 0 || tail - h > capacity) {
            throw new CorruptSegmentException(WHAT + ": indices out of range: tail=" + tail + ", head=" + h
                    + ", capacity=" + capacity + " (0 <= tail - head <= capacity)");
        }
        if (now - cs.nextSweep >= 0) {
            cs.nextSweep = now + SWEEP_INTERVAL_NANOS;
            sweep(h, tail);
        }
        if (word == 0 && tail == h) {
            cs.stallSince = UNSET; // empty: a record that comes is timed from the first look that sees it
            return false;
        }
        if (cs.stallSince == UNSET) {
            // the stall is timed from here: it began no later, so a timeout measured from here is never early
            cs.stallSince = now;
            cs.nextLivenessCheck = now + LIVENESS_DELAY_NANOS;
            return false;
        }
        long at = MpscLayout.BUFFER + idx;
        int len = MpscLayout.length(word);
        if (len == 0 && word != 0) {
            throw new CorruptSegmentException(WHAT + ": bad record header at index=" + idx + ": length=0, type="
                    + MpscLayout.type(word) + " (an unwritten header is all zero)");
        }
        if (len < 0) {
            int slot = MpscLayout.claimer(word);
            boolean dead = false;
            long owner = Owner.NONE;
            if (slot != 0 && now - cs.nextLivenessCheck >= 0) {
                cs.nextLivenessCheck = now + LIVENESS_INTERVAL_NANOS;
                // a slot nobody holds names no process that could still commit: as dead
                owner = Words.getAcquire(seg, MpscLayout.slot(slot) + MpscLayout.S_OWNER);
                dead = !Owner.isAlive(owner);
            }
            if (dead || (slot == 0 && now - cs.stallSince > claimTimeoutNanos)) {
                long aligned = Words.align(-(long) len, MpscLayout.ALIGNMENT);
                if (aligned < MpscLayout.HEADER || aligned > capacity - idx) {
                    throw new CorruptSegmentException(WHAT + ": bad claimed record at index=" + idx + ": length="
                            + len + " (claimed lengths are -" + MpscLayout.HEADER + " .. -" + (capacity - idx) + ")");
                }
                return repair(at, word, MpscLayout.word(MpscLayout.PADDING, -len),
                        dead ? "claimed by " + Owner.describe(owner) + " (producer slot " + slot
                                + "), which died before committing"
                                : "claimed by a producer without a slot (the table was full) and not committed "
                                + "within the claim timeout");
            }
            return false;
        }
        if (now - cs.stallSince <= claimTimeoutNanos) {
            return false;
        }
        // unwritten for the whole timeout: pad up to the next written word (bounded by tail and the buffer's end)
        long limit = Math.min(tail - h, capacity - idx);
        long gap = MpscLayout.ALIGNMENT;
        while (gap < limit && Words.getAcquire(seg, at + gap) == 0) {
            gap += MpscLayout.ALIGNMENT;
        }
        return repair(at, 0L, MpscLayout.word(MpscLayout.PADDING, (int) gap),
                "claimed below tail but never written within the claim timeout (its producer died between its claim "
                        + "and its header store)");
    }

    /**
     * One step of the consumer's sweep of the producer table (MpscLayout's class comment): from the cursor, up to
     * {@value #SWEEP_SCAN} slots until one that is taken; a taken slot whose owner is dead is retired at
     * {@code tail}, and a retired one that {@code head} has passed is freed (RETIRE cleared first, then OWNER
     * CASed to 0, so a free slot never carries a RETIRE). Only the consumer writes RETIRE or frees a slot.
     */
    void sweep(long head, long tail) {
        for (int i = 0; i < SWEEP_SCAN; i++) {
            int s = cs.sweepCursor;
            cs.sweepCursor = s == MpscLayout.SLOTS - 1 ? 1 : s + 1;
            long at = MpscLayout.slot(s);
            long owner = Words.getAcquire(seg, at + MpscLayout.S_OWNER);
            if (owner == Owner.NONE) {
                continue;
            }
            long retire = Words.get(seg, at + MpscLayout.S_RETIRE);
            if (retire == 0) {
                if (!Owner.isAlive(owner)) {
                    Words.putRelease(seg, at + MpscLayout.S_RETIRE, tail + 1);
                }
            } else if (head - (retire - 1) >= 0) {
                Words.putVolatile(seg, at + MpscLayout.S_RETIRE, 0L);
                Words.cas(seg, at + MpscLayout.S_OWNER, owner, Owner.NONE);
            }
            return;
        }
    }

    private boolean repair(long at, long expected, long padding, String why) {
        if (!Words.cas(seg, at, expected, padding)) {
            return true; // it changed under us (a late commit or header): read it again
        }
        Words.getAndAdd(seg, MpscLayout.REPAIRS, 1L);
        cs.stallHead = -1;
        cs.stallSince = UNSET;
        System.getLogger(MpscRing.class.getName()).log(System.Logger.Level.WARNING, WHAT + ": record at index "
                + (at - MpscLayout.BUFFER) + " " + why + "; turned it into padding");
        return true;
    }

    /**
     * Reads up to {@code limit} records, waiting up to {@code timeoutNanos} for the first.
     *
     * @param handler called once per record
     * @param limit the most records
     * @param timeoutNanos the longest wait
     * @return how many records it handled (0 on timeout)
     * @throws InterruptedException if interrupted
     */
    public int take(MessageHandler handler, int limit, long timeoutNanos) throws InterruptedException {
        int first = timeoutNanos >= 0 ? read(handler, limit) : 0;
        if (first > 0) {
            return first;
        }
        int[] n = {0};
        Blocking.await(notEmpty, () -> (n[0] = read(handler, limit)) > 0, () -> Owner.NONE, timeoutNanos,
                "consumer waiting on an empty " + WHAT, "producer");
        return n[0];
    }

    /** What the consuming thread writes as it reads: kept off the lines of the fields producers read. */
    private abstract static class ConsumerFields extends PadBefore {
        boolean consuming;
        long stallHead = -1;
        int stallPolls;
        boolean checked;
        long stallSince = UNSET;
        long nextCheck;
        long nextLivenessCheck;
        long nextSweep;
        int sweepCursor = 1;
        int batches;
    }

    /**
     * The consumer's state, padded on both sides ({@link PadBefore}). Without it, a handle shared by a consuming
     * and a producing thread lost about a third of its MPSC throughput: every store of the consumer's stall
     * bookkeeping invalidated the line the producer reads the handle's final fields from.
     */
    @SuppressWarnings("unused")
    private static final class ConsumerState extends ConsumerFields {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }
}
