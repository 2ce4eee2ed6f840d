package dev.hshm.allocators.internal;

import dev.hshm.allocators.internal.testing.MappedFileBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * A process of the SIGKILL soak ({@code SoakTest}): attaches to the shared heap and runs two threads that allocate
 * (0 B to 1 MiB, some aligned), fill, reallocate, verify, free, and hand blocks to other processes through a
 * mailbox, until the parent sets STOP or kills it. Every block a thread holds, and the operation it is inside,
 * is written to a <em>ledger</em> (a second shared file) before and after each call, so that after any kill the
 * parent can explain the heap's bytes in use block by block.
 *
 * <pre>
 * ledger (longs)
 *   0 STOP  8 KILL_EPOCH (the parent counts kills; a worker that sees it change calls reclaimDeadProcesses)
 *   64 MAILBOX x 64: offset of a block handed over, or 0
 *   1024 + w * WORKER_BYTES: worker w
 *     +0 OP  +8 A  +16 B  +24 C   the call it is inside (see the OP_ codes), published by OP last
 *     +32 MAX_STALL_NS  +40 OPS
 *     +64 HELD x 64: offsets of the blocks it holds, or 0
 * </pre>
 */
public final class SoakChild {

    static final AllocatorId ID = AllocatorId.of(9, 1);
    static final long STOP = 0;
    static final long KILL_EPOCH = 8;
    static final long MAILBOX = 64;
    static final int MAILBOX_SLOTS = 64;
    static final long WORKERS = 1024;
    static final int HELD_SLOTS = 64;
    static final long WORKER_BYTES = 64 + 8L * HELD_SLOTS;
    static final long OP = 0;
    static final long A = 8;
    static final long B = 16;
    static final long C = 24;
    static final long MAX_STALL = 32;
    static final long OPS = 40;
    static final long HELD = 64;

    static final long OP_IDLE = 0;
    /** allocating: A = size, B = alignment */
    static final long OP_ALLOCATING = 1;
    /** freeing A (usable B) */
    static final long OP_FREEING = 2;
    /** reallocating A (usable C) to B bytes */
    static final long OP_REALLOC = 3;
    /** handing A over (to the mailbox) */
    static final long OP_HANDING = 4;
    /** taking A (from the mailbox) */
    static final long OP_TAKING = 5;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static long worker(int w) {
        return WORKERS + w * WORKER_BYTES;
    }

    static long ledgerBytes(int workers) {
        return WORKERS + workers * WORKER_BYTES;
    }

    static MemorySegment mapLedger(Path file, long bytes, Arena arena) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < bytes) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]), bytes - 1);
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        }
    }

    static byte pattern(long off) {
        return (byte) (0xA5 ^ (off >>> 4) ^ (off >>> 13));
    }

    static void fill(Allocator a, long off) {
        a.memory().asSlice(off, a.usableSize(off)).fill(pattern(off));
    }

    /** Checks a block's pattern over {@code size} bytes; the offset of the first wrong byte, or -1. */
    static long mismatch(MemorySegment mem, long off, long size) {
        byte p = pattern(off);
        long word = (p & 0xFFL) * 0x0101010101010101L;
        long i = 0;
        for (; i + 8 <= size; i += 8) {
            if (mem.get(ValueLayout.JAVA_LONG_UNALIGNED, off + i) != word) {
                return i;
            }
        }
        for (; i < size; i++) {
            if (mem.get(ValueLayout.JAVA_BYTE, off + i) != p) {
                return i;
            }
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        String type = args[0];
        Path heapFile = Path.of(args[1]);
        Path ledgerFile = Path.of(args[2]);
        int firstWorker = Integer.parseInt(args[3]);
        int workers = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        MappedFileBackend b = MappedFileBackend.attach(MemoryBackendId.get(5), heapFile);
        Allocator a = SoakTest.provider(type).attach(b, ID, 0, b.dataSize());
        MemorySegment ledger = mapLedger(ledgerFile, ledgerBytes(workers), Arena.global());
        Thread[] ts = new Thread[2];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < ts.length; t++) {
            int w = firstWorker + t;
            SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
            ts[t] = Thread.ofPlatform().name("soak-" + w).start(() -> {
                try {
                    new Worker(a, ledger, w, rnd).run();
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure[0] != null) {
            failure[0].printStackTrace(System.out);
            System.out.flush();
            System.exit(2);
        }
        System.out.println("stopped");
        System.exit(0);
    }

    /** One thread's loop. */
    static final class Worker {
        private final Allocator a;
        private final MemorySegment ledger;
        private final long at;
        private final SplittableRandom rnd;
        private final MemorySegment mem;
        private long epoch;

        Worker(Allocator a, MemorySegment ledger, int w, SplittableRandom rnd) {
            this.a = a;
            this.ledger = ledger;
            this.at = worker(w);
            this.rnd = rnd;
            this.mem = a.memory();
        }

        private void op(long op, long x, long y, long z) {
            ledger.set(ValueLayout.JAVA_LONG, at + A, x);
            ledger.set(ValueLayout.JAVA_LONG, at + B, y);
            ledger.set(ValueLayout.JAVA_LONG, at + C, z);
            LONG.setRelease(ledger, at + OP, op);
        }

        private void idle() {
            LONG.setRelease(ledger, at + OP, OP_IDLE);
        }

        private long held(int i) {
            return (long) LONG.getAcquire(ledger, at + HELD + 8L * i);
        }

        private void setHeld(int i, long off) {
            LONG.setRelease(ledger, at + HELD + 8L * i, off);
        }

        private long size() {
            int r = rnd.nextInt(1000);
            if (r < 700) {
                return rnd.nextLong(0, 1025);
            }
            if (r < 950) {
                return rnd.nextLong(1025, 65537);
            }
            if (r < 995) {
                return rnd.nextLong(65537, 262145);
            }
            return rnd.nextLong(262145, 1L << 20);
        }

        private void verify(long off, String when) {
            long size = a.usableSize(off);
            long bad = mismatch(mem, off, size);
            if (bad >= 0) {
                throw new AssertionError("block at " + off + " (" + size + " B) overwritten at +" + bad + " " + when
                        + ": it was handed out twice or written by another block");
            }
        }

        void run() {
            MemContext ctx = MemContext.DEFAULT;
            while ((long) LONG.getAcquire(ledger, STOP) == 0) {
                long e = (long) LONG.getAcquire(ledger, KILL_EPOCH);
                if (e != epoch) {
                    epoch = e;
                    a.reclaimDeadProcesses();
                }
                long t0 = System.nanoTime();
                int i = rnd.nextInt(HELD_SLOTS);
                long off = held(i);
                int r = rnd.nextInt(100);
                try {
                    if (off == 0 && r < 85) {
                        long size = size();
                        long align = rnd.nextInt(10) == 0 ? 1L << rnd.nextInt(6, 13) : 0;
                        op(OP_ALLOCATING, size, align, 0);
                        long got = align == 0 ? a.allocateOffset(ctx, size) : a.alignedAllocateOffset(ctx, size, align);
                        fill(a, got);
                        setHeld(i, got);
                        idle();
                    } else if (off == 0) {
                        int m = rnd.nextInt(MAILBOX_SLOTS);
                        long in = (long) LONG.getAcquire(ledger, MAILBOX + 8L * m);
                        if (in != 0) {
                            op(OP_TAKING, in, 0, 0);
                            if (LONG.compareAndSet(ledger, MAILBOX + 8L * m, in, 0L)) {
                                verify(in, "after it was taken from the mailbox");
                                setHeld(i, in);
                            }
                            idle();
                        }
                    } else if (r < 60) {
                        verify(off, "before it was freed");
                        op(OP_FREEING, off, a.usableSize(off), 0);
                        setHeld(i, 0);
                        a.freeOffset(ctx, off);
                        idle();
                    } else if (r < 80) {
                        verify(off, "before it was reallocated");
                        long size = size();
                        op(OP_REALLOC, off, size, a.usableSize(off));
                        long moved = a.reallocateOffset(ctx, off, size);
                        fill(a, moved);
                        setHeld(i, moved);
                        idle();
                    } else if (r < 90) {
                        int m = rnd.nextInt(MAILBOX_SLOTS);
                        verify(off, "before it was handed over");
                        op(OP_HANDING, off, 0, 0);
                        if (LONG.compareAndSet(ledger, MAILBOX + 8L * m, 0L, off)) {
                            setHeld(i, 0);
                        }
                        idle();
                    } else {
                        verify(off, "while held");
                    }
                } catch (OutOfMemoryException full) {
                    idle();
                    for (int j = 0; j < HELD_SLOTS; j += 2) { // make room
                        long x = held(j);
                        if (x != 0) {
                            op(OP_FREEING, x, a.usableSize(x), 0);
                            setHeld(j, 0);
                            a.freeOffset(ctx, x);
                            idle();
                        }
                    }
                }
                long dt = System.nanoTime() - t0;
                if (dt > ledger.get(ValueLayout.JAVA_LONG, at + MAX_STALL)) {
                    ledger.set(ValueLayout.JAVA_LONG, at + MAX_STALL, dt);
                }
                LONG.setRelease(ledger, at + OPS, ledger.get(ValueLayout.JAVA_LONG, at + OPS) + 1);
            }
            a.freeTls(ctx); // the slot goes back with its cached blocks; held blocks stay in the ledger
        }
    }
}
