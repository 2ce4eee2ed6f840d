package dev.hshm.it;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;

/**
 * The stress test's use of the allocator's custom header, and its block format.
 *
 * <pre>
 * custom header
 *   0   GO        u64  0 until the parent has started every worker, then 1      release / acquire
 *   64  EXCHANGE  {@value #SLOTS} x u64: 0 empty, else the offset of a block a worker handed over
 *                      for another worker (any process) to verify and free     CAS / getAndSet
 *
 * block (every block is at least 32 bytes)
 *   0   MAGIC  u64  0x5354524553534231 ^ offset   (so a block moved or overlapped is caught)
 *   8   SEED   u64  what the payload was generated from
 *   16  SIZE   u64  bytes written
 *   24  SUM    u64  checksum of bytes [32, SIZE)
 *   32  payload
 * </pre>
 */
final class StressLayout {

    static final long GO = 0;
    static final long EXCHANGE = 64;
    static final int SLOTS = 256;
    static final long HEADER_BYTES = EXCHANGE + SLOTS * 8L;
    static final long MAGIC = 0x5354524553534231L;
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private StressLayout() {
    }

    static void write(MemorySegment mem, long off, long size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long sum = 0;
        for (long i = 32; i < size; i++) {
            byte b = (byte) r.nextInt();
            mem.set(ValueLayout.JAVA_BYTE, off + i, b);
            sum = sum * 31 + b;
        }
        mem.set(ValueLayout.JAVA_LONG, off + 8, seed);
        mem.set(ValueLayout.JAVA_LONG, off + 16, size);
        mem.set(ValueLayout.JAVA_LONG, off + 24, sum);
        mem.set(ValueLayout.JAVA_LONG, off, MAGIC ^ off);
    }

    /** Returns the number of bytes verified, or throws naming what is wrong. */
    static long verify(MemorySegment mem, long off, String who) {
        long magic = mem.get(ValueLayout.JAVA_LONG, off);
        if (magic != (MAGIC ^ off)) {
            throw new AssertionError(who + ": block at " + off + " lost its magic (overlap or corruption): 0x"
                    + Long.toHexString(magic));
        }
        long seed = mem.get(ValueLayout.JAVA_LONG, off + 8);
        long size = mem.get(ValueLayout.JAVA_LONG, off + 16);
        long sum = mem.get(ValueLayout.JAVA_LONG, off + 24);
        SplittableRandom r = new SplittableRandom(seed);
        long actual = 0;
        for (long i = 32; i < size; i++) {
            byte expect = (byte) r.nextInt();
            byte b = mem.get(ValueLayout.JAVA_BYTE, off + i);
            if (b != expect) {
                throw new AssertionError(who + ": block at " + off + " (size " + size + ") corrupted at byte " + i);
            }
            actual = actual * 31 + b;
        }
        if (actual != sum) {
            throw new AssertionError(who + ": block at " + off + " checksum mismatch");
        }
        return size;
    }
}
