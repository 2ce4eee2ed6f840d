package dev.hshm.nativeclient;

import dev.hshm.api.Allocator;
import dev.hshm.api.MemContext;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;

/**
 * The churn both languages run (hshm_churn.c is the C one): SLOTS slots, each empty or holding a block filled with
 * its pattern, mirrored in a table in shared memory ({offset, size, tag} per slot) so that whoever survives a
 * SIGKILL can check and free what the dead process held. A block enters the table right after it is allocated
 * (offset last; its tag marked PENDING until it is filled) and leaves it right before it is freed, so a death
 * loses a block only inside the allocator's own allocate or free.
 */
final class Churn {

    static final int SLOTS = 200;
    static final int TABLE_BYTES = SLOTS * 24;
    /** Tag bit: in the table, not filled yet (freed without a pattern check). */
    static final long PENDING = 1L << 63;
    /** The largest block the churn asks for, rounded up to its pages: the most a death can leak. */
    static final long MAX_BLOCK = ((65537L + 140_000 + 4095) / 4096) * 4096;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private Churn() {
    }

    static byte pattern(long tag, long i) {
        return (byte) (tag * 131 + i * 7 + (i >>> 8));
    }

    static void fill(MemorySegment mem, long off, long size, long tag) {
        for (long i = 0; i < size; i++) {
            mem.set(ValueLayout.JAVA_BYTE, off + i, pattern(tag, i));
        }
    }

    static void check(MemorySegment mem, long off, long size, long tag) {
        for (long i = 0; i < size; i++) {
            if (mem.get(ValueLayout.JAVA_BYTE, off + i) != pattern(tag, i)) {
                throw new AssertionError("pattern mismatch: block offset=" + off + " size=" + size + " tag=" + tag
                        + " at byte " + i);
            }
        }
    }

    /**
     * Churns until {@code deadlineNanos} (System.nanoTime) with its table at {@code table} in {@code tables} (the
     * allocator's memory, for a table others read after this process died; or a private segment).
     *
     * @return operations done
     */
    static long run(Allocator a, MemorySegment tables, long table, long seed, long deadlineNanos) {
        MemorySegment mem = a.memory();
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] off = new long[SLOTS];
        long[] size = new long[SLOTS];
        long[] tag = new long[SLOTS];
        long ops = 0;
        MemContext ctx = a.createTls(MemContext.DEFAULT);
        while (System.nanoTime() < deadlineNanos) {
            for (int k = 0; k < 64; k++, ops++) {
                int i = rnd.nextInt(SLOTS);
                if (off[i] != 0) {
                    check(mem, off[i], size[i], tag[i]);
                    LONG.setRelease(tables, table + 24L * i, 0L);
                    a.freeOffset(ctx, off[i]);
                    off[i] = 0;
                    continue;
                }
                int r = rnd.nextInt();
                long s = (r & 15) == 0 ? 65537 + rnd.nextInt(140_000) : 1 + rnd.nextInt((r & 3) == 0 ? 8192 : 512);
                long align = (r & 7) == 1 ? 64L << rnd.nextInt(8) : 0;
                long t = rnd.nextInt(0x10000);
                long o;
                try {
                    o = align == 0 ? a.allocateOffset(ctx, s) : a.alignedAllocateOffset(ctx, s, align);
                } catch (OutOfMemoryException full) {
                    continue;
                }
                if (align != 0 && o % align != 0) {
                    throw new AssertionError("misaligned: offset=" + o + " alignment=" + align);
                }
                LONG.setRelease(tables, table + 24L * i + 8, s);
                LONG.setRelease(tables, table + 24L * i + 16, t | PENDING);
                LONG.setRelease(tables, table + 24L * i, o); // in the table before it is filled
                fill(mem, o, s, t);
                LONG.setRelease(tables, table + 24L * i + 16, t); // filled: checked when drained
                off[i] = o;
                size[i] = s;
                tag[i] = t;
            }
        }
        a.freeTls(ctx);
        return ops;
    }

    /**
     * Checks and frees every block a (dead or finished) process left in its table, and clears the table.
     *
     * @return blocks freed
     */
    static int drain(Allocator a, long table) {
        MemorySegment mem = a.memory();
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            long at = table + 24L * i;
            long o = (long) LONG.getAcquire(mem, at);
            if (o != 0) {
                long t = mem.get(ValueLayout.JAVA_LONG, at + 16);
                if ((t & PENDING) == 0) {
                    check(mem, o, mem.get(ValueLayout.JAVA_LONG, at + 8), t);
                }
                a.freeOffset(MemContext.DEFAULT, o);
                n++;
            }
            mem.asSlice(at, 24).fill((byte) 0);
        }
        return n;
    }
}
