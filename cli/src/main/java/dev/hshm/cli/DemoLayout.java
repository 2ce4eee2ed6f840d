package dev.hshm.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The demo's rendezvous in the allocator's custom header, and its message format.
 *
 * <pre>
 * custom header ({@value #BYTES} bytes)
 *   0   COUNT_A  u64  messages the first process published     release store after OFFS_A is written; acquire
 *   8   COUNT_B  u64  messages the second process published    same
 *  16   PEER_UP  u64  1 once the second process has attached   release / acquire
 *  64   OFFS_A   {@value #MAX} x u64  offsets of the first process's messages     plain, before COUNT_A
 * 320   OFFS_B   {@value #MAX} x u64  offsets of the second process's messages    plain, before COUNT_B
 *
 * message block
 *   0   LEN  u32  bytes of text
 *   4   CRC  u32  CRC-32C of the text
 *   8   text (UTF-8)
 * </pre>
 */
final class DemoLayout {

    static final long COUNT_A = 0;
    static final long COUNT_B = 8;
    static final long PEER_UP = 16;
    static final long OFFS_A = 64;
    static final int MAX = 32;
    static final long OFFS_B = OFFS_A + MAX * 8L;
    static final long BYTES = OFFS_B + MAX * 8L;
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private DemoLayout() {
    }

    static long blockSize(String text) {
        return 8 + text.getBytes(StandardCharsets.UTF_8).length;
    }

    static void write(MemorySegment block, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(b);
        block.set(ValueLayout.JAVA_INT, 0, b.length);
        block.set(ValueLayout.JAVA_INT, 4, (int) crc.getValue());
        MemorySegment.copy(b, 0, block, ValueLayout.JAVA_BYTE, 8, b.length);
    }

    /** Reads a message and checks its length and checksum; throws naming the offset if either is wrong. */
    static String read(MemorySegment mem, long off) {
        int len = mem.get(ValueLayout.JAVA_INT, off);
        if (len < 0 || len > 4096) {
            throw new IllegalStateException("message at offset " + off + " has a bad length: " + len);
        }
        byte[] b = new byte[len];
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, off + 8, b, 0, len);
        CRC32C crc = new CRC32C();
        crc.update(b);
        int stored = mem.get(ValueLayout.JAVA_INT, off + 4);
        if (stored != (int) crc.getValue()) {
            throw new IllegalStateException("message at offset " + off + " fails its checksum: stored=0x"
                    + Integer.toHexString(stored) + ", computed=0x" + Long.toHexString(crc.getValue()));
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Waits until the word at {@code at} is non-zero (acquire); returns it. */
    static long await(MemorySegment hdr, long at, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long v = (long) LONG.getAcquire(hdr, at);
            if (v != 0) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
