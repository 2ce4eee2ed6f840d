package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.OffsetPointer;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * How the demo's two processes talk: two named queues in the allocator's directory ({@link NamedObjects}), one
 * each way, that carry the offsets of message blocks, and the format of one message block. Process A is
 * {@code hshm demo} (it creates the backend and both queues), process B is {@link DemoPeer} (it attaches).
 *
 * <pre>
 * queue {@value #A_TO_B}  SpscRing of {@value #QUEUE_CAPACITY} longs: A produces, B consumes
 * queue {@value #B_TO_A}  SpscRing of {@value #QUEUE_CAPACITY} longs: B produces, A consumes
 *   each carries MESSAGES block offsets; B_TO_A then carries {@link #DONE} (B freed A's blocks and gave its
 *   thread caches back)
 *
 * message block (allocated by its writer; offsets are relative to the backend's data, the same in A and B)
 *     0  LENGTH   u32           bytes of text, 0..{@value #MAX_TEXT}                 plain, before the offset is put
 *     4  CRC32C   u32           CRC-32C of the text bytes                            plain
 *     8  TEXT     LENGTH bytes  UTF-8                                                plain
 * </pre>
 *
 * <p>The queue's put publishes the block (release) and its take acquires it. Both sides block in the queues
 * (the thread model's wait on a word of shared memory), never in polling sleeps.
 *
 * <p><b>Nothing read is trusted.</b> Offsets are resolved through {@link Allocator#resolve} (bounds-checked),
 * lengths checked against {@value #MAX_TEXT}, the text against its checksum; a violation is a
 * {@link CorruptSegmentException} naming the field.
 */
final class DemoLayout {

    /** The queue A puts its offsets on. */
    static final String A_TO_B = "demo-a-to-b";
    /** The queue B puts its offsets on. */
    static final String B_TO_A = "demo-b-to-a";
    /** Messages per process at most (both queues hold all of them, so no put waits). */
    static final int MAX = 32;
    /** Slots of each queue: the messages and the end marker. */
    static final long QUEUE_CAPACITY = 64;
    /** What B puts after its last offset, once it has freed A's blocks and given its caches back. */
    static final long DONE = OffsetPointer.NULL_OFFSET;
    /** Bytes of custom header the demo's allocator needs: the named-object directory's root. */
    static final long CUSTOM_HEADER_BYTES = NamedObjects.CUSTOM_HEADER_BYTES;

    /** Message block field: text length. */
    static final long MSG_LENGTH = 0;
    /** Message block field: checksum. */
    static final long MSG_CRC = MSG_LENGTH + 4;
    /** Message block field: text. */
    static final long MSG_TEXT = MSG_CRC + 4;
    /** The longest text a block may hold. */
    static final int MAX_TEXT = 4096;

    /** How long one blocking take sleeps before it looks whether the other process still runs. */
    private static final long TAKE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    static {
        if (QUEUE_CAPACITY < MAX + 1) {
            throw new AssertionError("DemoLayout drifted: QUEUE_CAPACITY=" + QUEUE_CAPACITY + ", MAX=" + MAX);
        }
    }

    private DemoLayout() {
    }

    /** Allocates a block for {@code text}, writes length, checksum and text, and returns its offset. */
    static long writeMessage(Allocator a, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_TEXT) {
            throw new IllegalArgumentException("message longer than " + MAX_TEXT + " bytes: " + b.length);
        }
        long off = a.allocateOffset(dev.hshm.api.MemContext.DEFAULT, MSG_TEXT + b.length);
        MemorySegment block = a.resolve(off, MSG_TEXT + b.length);
        block.set(ValueLayout.JAVA_INT, MSG_LENGTH, b.length);
        block.set(ValueLayout.JAVA_INT, MSG_CRC, crc(b));
        MemorySegment.copy(b, 0, block, ValueLayout.JAVA_BYTE, MSG_TEXT, b.length);
        return off;
    }

    /** Reads the block at {@code off} and checks its length, checksum and encoding. */
    static String readMessage(Allocator a, long off) {
        int len = a.resolve(off, MSG_TEXT).get(ValueLayout.JAVA_INT, MSG_LENGTH);
        if (len < 0 || len > MAX_TEXT) {
            throw new CorruptSegmentException("demo message has a bad length: offset=0x" + Long.toHexString(off)
                    + ", length=" + len + ", max=" + MAX_TEXT);
        }
        MemorySegment block = a.resolve(off, MSG_TEXT + len);
        byte[] b = new byte[len];
        MemorySegment.copy(block, ValueLayout.JAVA_BYTE, MSG_TEXT, b, 0, len);
        int stored = block.get(ValueLayout.JAVA_INT, MSG_CRC);
        int computed = crc(b);
        if (stored != computed) {
            throw new CorruptSegmentException("demo message fails its checksum: offset=0x" + Long.toHexString(off)
                    + ", stored=0x" + Integer.toHexString(stored) + ", computed=0x" + Integer.toHexString(computed));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptSegmentException("demo message is not UTF-8: offset=0x" + Long.toHexString(off), e);
        }
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    /**
     * Takes the next offset from {@code q}, blocking in the queue. The queue itself fails the take once the other
     * process has registered on it and died; before it has, {@code otherAlive} is asked between slices of
     * {@value #TAKE_SLICE_NANOS} ns.
     *
     * @param other the process that should put, for messages ("the second JVM (pid 5)")
     * @param event what it should do, as a gerund ("putting its messages")
     * @throws OtherProcessEnded if the other process ends first
     * @throws CliException if {@code timeoutMs} passes
     */
    static long take(SpscRing q, long timeoutMs, BooleanSupplier otherAlive, String other, String event)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            OptionalLong v = q.takeLong(Math.max(0, Math.min(TAKE_SLICE_NANOS, deadline - System.nanoTime())));
            if (v.isPresent()) {
                return v.getAsLong();
            }
            if (!otherAlive.getAsBoolean()) {
                v = q.pollLong(); // it may have put just before it ended
                if (v.isPresent()) {
                    return v.getAsLong();
                }
                throw new OtherProcessEnded(other + " ended before " + event);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new CliException(other + " is still running but did not finish " + event + " within "
                        + timeoutMs / 1000 + " s");
            }
        }
    }

    /** The process a wait depended on ended without doing what was awaited; its own output says why. */
    static final class OtherProcessEnded extends CliException {
        private static final long serialVersionUID = 1L;

        OtherProcessEnded(String message) {
            super(message);
        }
    }
}
