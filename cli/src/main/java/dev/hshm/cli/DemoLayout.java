package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * The demo's rendezvous, which lives in the allocator's custom header, and the format of one message block.
 * Process A is {@code hshm demo} (it creates the backend), process B is {@link DemoPeer} (it attaches).
 *
 * <pre>
 * custom header ({@value #BYTES} bytes; zero when the allocator is created)
 *   off  field    type          meaning                                              ordering
 *     0  COUNT_A  u64           messages A published                                 release store after OFFS_A[0, n); readers acquire
 *     8  COUNT_B  u64           messages B published                                 release store after OFFS_B[0, n); readers acquire
 *    16  PEER_UP  u64           B's pid, once B has attached                         release store; readers acquire
 *    24  DONE_B   u64           1 once B verified and freed A's blocks, published    release store, B's LAST write; readers acquire
 *                               its own, and gave its thread caches back
 *    32  reserved 32 B
 *    64  OFFS_A   {@value #MAX} x u64   offsets of A's message blocks                plain, written before COUNT_A
 *   320  OFFS_B   {@value #MAX} x u64   offsets of B's message blocks                plain, written before COUNT_B
 *
 * message block (allocated by its writer; offsets are relative to the backend's data, the same in A and B)
 *     0  LENGTH   u32           bytes of text, 0..{@value #MAX_TEXT}                 plain, before the count that publishes it
 *     4  CRC32C   u32           CRC-32C of the text bytes                            plain
 *     8  TEXT     LENGTH bytes  UTF-8                                                plain
 * </pre>
 *
 * <p><b>Pairing rule.</b> A writer fills blocks and offset slots with plain stores, then publishes with one
 * release store of the count; the reader loads the count with acquire before reading any slot or block it
 * covers. The flags ({@code PEER_UP}, {@code DONE_B}) are published the same way.
 *
 * <p><b>Nothing read is trusted.</b> Counts are checked against {@value #MAX}, offsets are resolved through
 * {@link Allocator#resolve} (bounds-checked against the allocator's memory), lengths against
 * {@value #MAX_TEXT}, and the text against its checksum; a violation is a {@link CorruptSegmentException}
 * naming the field.
 */
final class DemoLayout {

    /** Offset of A's message count. */
    static final long COUNT_A = 0;
    /** Offset of B's message count. */
    static final long COUNT_B = COUNT_A + 8;
    /** Offset of B's "attached" word (its pid). */
    static final long PEER_UP = COUNT_B + 8;
    /** Offset of B's "done" word. */
    static final long DONE_B = PEER_UP + 8;
    /** Offset of A's offset slots. */
    static final long OFFS_A = 64;
    /** Messages per process at most. */
    static final int MAX = 32;
    /** Offset of B's offset slots. */
    static final long OFFS_B = OFFS_A + MAX * 8L;
    /** Bytes of the custom header the demo needs. */
    static final long BYTES = OFFS_B + MAX * 8L;

    /** Message block field: text length. */
    static final long MSG_LENGTH = 0;
    /** Message block field: checksum. */
    static final long MSG_CRC = MSG_LENGTH + 4;
    /** Message block field: text. */
    static final long MSG_TEXT = MSG_CRC + 4;
    /** The longest text a block may hold. */
    static final int MAX_TEXT = 4096;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        if (BYTES != 576 || DONE_B + 8 > OFFS_A) {
            throw new AssertionError("DemoLayout drifted: BYTES=" + BYTES);
        }
    }

    private DemoLayout() {
    }

    /** Bytes of the block that holds {@code text}. */
    static long blockSize(String text) {
        return MSG_TEXT + text.getBytes(StandardCharsets.UTF_8).length;
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

    /** Writes the offsets into the slots at {@code slots} (plain), then publishes their number at {@code count} (release). */
    static void publishOffsets(MemorySegment hdr, long slots, long count, long[] offsets) {
        if (offsets.length > MAX) {
            throw new IllegalArgumentException("at most " + MAX + " messages: " + offsets.length);
        }
        for (int i = 0; i < offsets.length; i++) {
            hdr.set(ValueLayout.JAVA_LONG, slots + 8L * i, offsets[i]);
        }
        LONG.setRelease(hdr, count, (long) offsets.length);
    }

    /** The offsets published at {@code count} (acquire), read from the slots at {@code slots}; empty if none yet. */
    static long[] publishedOffsets(MemorySegment hdr, long slots, long count) {
        long n = (long) LONG.getAcquire(hdr, count);
        if (n < 0 || n > MAX) {
            throw new CorruptSegmentException("demo rendezvous has a bad message count: field at " + count + ", count="
                    + n + ", max=" + MAX);
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = hdr.get(ValueLayout.JAVA_LONG, slots + 8L * i);
        }
        return out;
    }

    /** Publishes a flag word (release). */
    static void setFlag(MemorySegment hdr, long at, long value) {
        LONG.setRelease(hdr, at, value);
    }

    /** Reads a flag word (acquire). */
    static long flag(MemorySegment hdr, long at) {
        return (long) LONG.getAcquire(hdr, at);
    }

    /**
     * Waits until the word at {@code at} is non-zero (acquire) and returns it.
     *
     * @param otherAlive checked between polls; when it turns false the wait fails at once
     * @param other the process that should write the word, for messages ("the second JVM (pid 5)")
     * @param event what it should do, as a gerund ("publishing its messages")
     * @throws OtherProcessEnded if the other process ends first
     * @throws CliException if {@code timeoutMs} passes
     */
    static long await(MemorySegment hdr, long at, long timeoutMs, BooleanSupplier otherAlive, String other,
                      String event) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        long sleepMs = 1;
        while (true) {
            long v = (long) LONG.getAcquire(hdr, at);
            if (v != 0) {
                return v;
            }
            if (!otherAlive.getAsBoolean()) {
                v = (long) LONG.getAcquire(hdr, at); // it may have published just before it ended
                if (v != 0) {
                    return v;
                }
                throw new OtherProcessEnded(other + " ended before " + event);
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(other + " is still running but did not finish " + event + " within "
                        + timeoutMs / 1000 + " s");
            }
            Thread.sleep(sleepMs);
            sleepMs = Math.min(sleepMs * 2, 10);
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
