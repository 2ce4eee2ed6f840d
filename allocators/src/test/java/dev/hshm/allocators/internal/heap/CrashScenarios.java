package dev.hshm.allocators.internal.heap;

import dev.hshm.allocators.internal.allocator.AllocatorProviders;
import dev.hshm.allocators.internal.backend.MallocBackend;
import dev.hshm.allocators.internal.testing.ChildJvm;
import dev.hshm.allocators.internal.testing.MappedFileBackend;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AllocatorProvider;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The heap operations of the crash-point test ({@code CrashPointTest}), each prepared on a fresh heap and then run
 * once. A child JVM runs them, in one of two modes:
 * <ul>
 *   <li>{@code record DIR}: every scenario on its own malloc backend; for each, the bytes of the backend before
 *       the operation and the log of the operation's stores ({@link CrashPoints#record}) go to {@code DIR}. The
 *       memory a death before the k-th store leaves is the image plus the first k - 1 stores: the parent replays
 *       every k after this child has exited (so every owner word it left names a dead process).</li>
 *   <li>{@code halt NAME K FILE}: one scenario on a mapped file, armed to halt the JVM before the operation's K-th
 *       store ({@link CrashPoints#arm}): a real death, checked the same way.</li>
 * </ul>
 * {@link #verify} is the check after a death, run by the parent on what the child left.
 */
public final class CrashScenarios {

    static final AllocatorId ID = AllocatorId.of(7, 1);
    static final long DATA_SIZE = 4L << 20;
    static final MemContext CTX = MemContext.DEFAULT;

    /** A block the scenario holds when the operation starts; {@code target}: the one the operation frees. */
    record Held(long off, long size, boolean target) {
    }

    /** What a scenario prepared: the blocks held, the bytes the operation may leak if it dies, the operation. */
    static final class Prepared {
        final List<Held> held = new ArrayList<>();
        long allowance;
        Runnable op;
        Allocator a;
        Heap h;
        ExecutorService helper;

        long hold(long off) {
            return keep(off, false);
        }

        long target(long off) {
            return keep(off, true);
        }

        private long keep(long off, boolean target) {
            long size = a.usableSize(off);
            a.memory().asSlice(off, size).fill(pattern(off));
            held.add(new Held(off, size, target));
            return off;
        }

        void onHelper(Runnable r) {
            try {
                helper.submit(r).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    record Scenario(String name, String type, Consumer<Prepared> prepare) {
    }

    static byte pattern(long off) {
        return (byte) (0x5A ^ (off >>> 4) ^ (off >>> 12));
    }

    static long usable(long size) {
        int c = SizeClasses.classOf(size);
        return c == SizeClasses.NO_CLASS ? ((size + 4095) & -4096L) : SizeClasses.size(c);
    }

    private static final String TL = Allocator.THREAD_LOCAL;
    private static final String SP = Allocator.SCALABLE_PAGE;

    static final List<Scenario> ALL = List.of(
            new Scenario("tl-allocate-cached", TL, p -> {
                p.a.freeOffset(CTX, p.a.allocateOffset(CTX, 200));
                p.hold(p.a.allocateOffset(CTX, 64));
                p.allowance = usable(200);
                p.op = () -> p.a.allocateOffset(CTX, 200);
            }),
            new Scenario("tl-allocate-refill-batch", TL, p -> {
                List<Long> offs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    offs.add(p.a.allocateOffset(CTX, 700));
                }
                for (int i = 0; i < offs.size(); i++) {
                    if (i % 10 == 0) {
                        p.hold(offs.get(i));
                    } else {
                        p.a.freeOffset(CTX, offs.get(i));
                    }
                }
                p.a.freeTls(CTX); // the cached blocks go back to their spans' free lists
                p.allowance = usable(700);
                p.op = () -> p.a.allocateOffset(CTX, 700);
            }),
            new Scenario("tl-allocate-new-span", TL, p -> {
                p.hold(p.a.allocateOffset(CTX, 64));
                p.allowance = usable(20_000);
                p.op = () -> p.a.allocateOffset(CTX, 20_000);
            }),
            new Scenario("tl-allocate-large-split", TL, p -> {
                long big = p.a.allocateOffset(CTX, 300_000);
                p.hold(p.a.allocateOffset(CTX, 70_000));
                p.a.freeOffset(CTX, big);
                p.allowance = usable(100_000);
                p.op = () -> p.a.allocateOffset(CTX, 100_000);
            }),
            new Scenario("tl-allocate-aligned-small", TL, p -> {
                p.hold(p.a.allocateOffset(CTX, 64));
                p.allowance = SizeClasses.size(SizeClasses.classOf(1000, 512));
                p.op = () -> p.a.alignedAllocateOffset(CTX, 1000, 512);
            }),
            new Scenario("tl-allocate-aligned-large", TL, p -> {
                p.hold(p.a.allocateOffset(CTX, 5000));
                long big = p.a.allocateOffset(CTX, 400_000);
                p.hold(p.a.allocateOffset(CTX, 70_000));
                p.a.freeOffset(CTX, big);
                p.allowance = usable(70_000);
                p.op = () -> p.a.alignedAllocateOffset(CTX, 70_000, 65536);
            }),
            new Scenario("tl-free-cached", TL, p -> {
                long t = p.target(p.a.allocateOffset(CTX, 200));
                p.hold(p.a.allocateOffset(CTX, 200));
                p.allowance = usable(200);
                p.op = () -> p.a.freeOffset(CTX, t);
            }),
            new Scenario("tl-free-overflow-gives-a-batch", TL, p -> {
                long t = fillCacheToTheBrim(p, 128);
                p.target(t);
                p.allowance = usable(128);
                p.op = () -> p.a.freeOffset(CTX, t);
            }),
            new Scenario("tl-remote-free-overflow", TL, p -> {
                long[] remote = new long[1];
                p.onHelper(() -> remote[0] = p.a.allocateOffset(CTX, 128)); // the helper's slot and shard
                long t = fillCacheToTheBrim(p, 128);
                p.hold(t);
                p.target(remote[0]);
                p.allowance = usable(128);
                p.op = () -> p.a.freeOffset(CTX, remote[0]);
            }),
            new Scenario("tl-free-large-coalesce", TL, p -> {
                long x = p.a.allocateOffset(CTX, 70_000);
                long t = p.target(p.a.allocateOffset(CTX, 70_000));
                long z = p.a.allocateOffset(CTX, 70_000);
                p.hold(p.a.allocateOffset(CTX, 70_000));
                p.a.freeOffset(CTX, x);
                p.a.freeOffset(CTX, z);
                p.allowance = usable(70_000);
                p.op = () -> p.a.freeOffset(CTX, t);
            }),
            new Scenario("tl-reallocate-small-moves", TL, p -> {
                long t = p.target(p.a.allocateOffset(CTX, 100));
                p.allowance = usable(100) + usable(3000);
                p.op = () -> p.a.reallocateOffset(CTX, t, 3000);
            }),
            new Scenario("tl-reallocate-large-grows", TL, p -> {
                long t = p.target(p.a.allocateOffset(CTX, 70_000));
                p.allowance = usable(70_000) + usable(140_000);
                p.op = () -> p.a.reallocateOffset(CTX, t, 140_000);
            }),
            new Scenario("tl-reallocate-large-shrinks", TL, p -> {
                long t = p.target(p.a.allocateOffset(CTX, 200_000));
                p.hold(p.a.allocateOffset(CTX, 70_000));
                p.allowance = 0; // in place: the pages given back become a free run at the commit
                p.op = () -> p.a.reallocateOffset(CTX, t, 80_000);
            }),
            new Scenario("tl-cache-flush", TL, p -> {
                p.onHelper(() -> {
                    int[] sizes = {48, 700, 5000};
                    for (int s : sizes) {
                        List<Long> offs = new ArrayList<>();
                        for (int i = 0; i < 40; i++) {
                            offs.add(p.a.allocateOffset(CTX, s));
                        }
                        p.hold(offs.remove(0));
                        offs.forEach(o -> p.a.freeOffset(CTX, o));
                    }
                });
                p.allowance = 0; // moving cached blocks costs none
                p.op = () -> p.onHelper(() -> p.a.freeTls(CTX));
            }),
            new Scenario("tl-reclaim-dead-slot", TL, p -> {
                long[] owner = new long[1];
                p.onHelper(() -> {
                    for (int s : new int[] {48, 3000}) {
                        List<Long> offs = new ArrayList<>();
                        for (int i = 0; i < 40; i++) {
                            offs.add(p.a.allocateOffset(CTX, s));
                        }
                        p.hold(offs.remove(0));
                        offs.forEach(o -> p.a.freeOffset(CTX, o));
                    }
                    owner[0] = OwnerWords.currentThread();
                });
                long dead = ChildJvm.deadPid();
                HeapHeader.Geometry geo = p.h.geometry();
                for (int s = 0; s < geo.slotCount(); s++) {
                    long at = SlotTable.lease(geo, s);
                    if (p.h.w.get(at + SlotTable.OWNER) == owner[0]) {
                        p.h.w.put(at + SlotTable.OWNER, (dead << 32) | 77); // the helper's process "died"
                        p.h.w.put(at + SlotTable.START, 0L);
                    }
                }
                p.allowance = 0;
                p.op = () -> p.a.reclaimDeadProcesses();
            }),
            new Scenario("tl-dead-lock-recovery", TL, CrashScenarios::deadLockOwners),
            new Scenario("sp-allocate-new-span", SP, p -> {
                p.hold(p.a.allocateOffset(CTX, 64));
                p.allowance = usable(3000);
                p.op = () -> p.a.allocateOffset(CTX, 3000);
            }),
            new Scenario("sp-free-releases-span", SP, p -> {
                int c = SizeClasses.classOf(1000);
                int n = SizeClasses.blocksPerSpan(c);
                List<Long> offs = new ArrayList<>();
                for (int i = 0; i < 2 * n; i++) {
                    offs.add(p.a.allocateOffset(CTX, 1000));
                }
                for (int i = 1; i < n; i++) {
                    p.a.freeOffset(CTX, offs.get(i)); // the first span keeps only its first block
                }
                for (int i = n; i < 2 * n; i++) {
                    p.hold(offs.get(i));
                }
                long t = p.target(offs.get(0));
                p.allowance = usable(1000);
                p.op = () -> p.a.freeOffset(CTX, t); // the span is empty and not the only one: it goes back
            }),
            new Scenario("sp-allocate-trims-empty-spans", SP, p -> {
                for (int c = 0; c < SizeClasses.COUNT; c += 2) {
                    p.a.freeOffset(CTX, p.a.allocateOffset(CTX, SizeClasses.size(c))); // one empty span each
                }
                try {
                    while (true) {
                        p.hold(p.a.allocateOffset(CTX, 70_000));
                    }
                } catch (OutOfMemoryException full) {
                    // the page heap is full but for the empty spans
                }
                p.allowance = usable(20_000);
                p.op = () -> {
                    try {
                        p.a.allocateOffset(CTX, 20_000);
                    } catch (OutOfMemoryException stillFull) {
                        // a valid outcome: the trim was the point
                    }
                };
            }),
            new Scenario("sp-dead-lock-recovery", SP, CrashScenarios::deadLockOwners));

    /**
     * Fills the calling thread's cache of the class of {@code size} to two batches, so that the next free of the
     * class gives a batch back; returns a held block of the class.
     */
    private static long fillCacheToTheBrim(Prepared p, long size) {
        int b = SizeClasses.batch(SizeClasses.classOf(size));
        List<Long> offs = new ArrayList<>();
        for (int i = 0; i < 2 * b + 1; i++) {
            offs.add(p.a.allocateOffset(CTX, size)); // three refills: b - 1 cached after them
        }
        for (int i = 0; i <= b; i++) {
            p.a.freeOffset(CTX, offs.get(i)); // 2b cached
        }
        for (int i = b + 2; i < offs.size(); i++) {
            p.hold(offs.get(i));
        }
        return offs.get(b + 1);
    }

    /** Every lock owned by a dead process and the derived state wiped; the operation recovers them all. */
    private static void deadLockOwners(Prepared p) {
        List<Long> offs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            offs.add(p.a.allocateOffset(CTX, 16 + i * 37));
        }
        for (int i = 0; i < offs.size(); i++) {
            if (i % 2 == 0) {
                p.a.freeOffset(CTX, offs.get(i));
            } else {
                p.hold(offs.get(i));
            }
        }
        p.a.freeTls(CTX);
        long big = p.a.allocateOffset(CTX, 200_000);
        p.hold(p.a.allocateOffset(CTX, 70_000));
        p.a.freeOffset(CTX, big);
        HeapHeader.Geometry geo = p.h.geometry();
        Words w = p.h.w;
        for (int li = 0; li < PageHeapLayout.LISTS; li++) {
            w.put(geo.pageHeap() + PageHeapLayout.RUN_LISTS + 8L * li, PageDescriptor.NO_PAGE);
        }
        w.put(geo.pageHeap() + PageHeapLayout.FREE_PAGES, 0);
        long dead = ChildJvm.deadPid() << 32 | 5;
        w.put(geo.pageHeap() + PageHeapLayout.LOCK + RobustLock.OWNER, dead);
        for (int s = 0; s < p.h.shardCount(); s++) {
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                long e = ShardLayout.entry(geo.shard(s), c);
                w.put(e + ShardLayout.LIVE, 0L);
                w.put(e + ShardLayout.SPAN_HEAD, PageDescriptor.NO_PAGE);
            }
            w.put(geo.shard(s) + ShardLayout.LOCK + RobustLock.OWNER, dead);
        }
        p.allowance = 0;
        p.op = () -> p.a.reclaimDeadProcesses();
    }

    static AllocatorProvider provider(String type) {
        return type.equals(TL) ? new AllocatorProviders.ThreadLocal() : new AllocatorProviders.ScalablePage();
    }

    static int typeCode(String type) {
        return type.equals(TL) ? HeapHeader.TYPE_THREAD_LOCAL : HeapHeader.TYPE_SCALABLE_PAGE;
    }

    static Scenario named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + name));
    }

    /** Creates the allocator in {@code b} and prepares the scenario (the helper thread stays alive). */
    static Prepared prepare(Scenario s, MemoryBackend b) {
        Prepared p = new Prepared();
        p.a = provider(s.type()).create(b, ID, 0, b.dataSize(), 0);
        p.h = Heap.attach(b.data(), 0, b.dataSize(), ID, typeCode(s.type()), s.type(), ThreadModel.current());
        p.helper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "crash-helper");
            t.setDaemon(true);
            return t;
        });
        s.prepare().accept(p);
        return p;
    }

    // ------------------------------------------------------------------ files

    static void writeMeta(Path file, Scenario s, Prepared p) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeUTF(s.name());
            out.writeUTF(s.type());
            out.writeLong(p.allowance);
            out.writeInt(p.held.size());
            for (Held h : p.held) {
                out.writeLong(h.off());
                out.writeLong(h.size());
                out.writeBoolean(h.target());
            }
        }
    }

    record Meta(String name, String type, long allowance, List<Held> held) {
        static Meta read(DataInputStream in) throws IOException {
            String name = in.readUTF();
            String type = in.readUTF();
            long allowance = in.readLong();
            int n = in.readInt();
            List<Held> held = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                held.add(new Held(in.readLong(), in.readLong(), in.readBoolean()));
            }
            return new Meta(name, type, allowance, held);
        }

        static Meta read(Path file) throws IOException {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                return read(in);
            }
        }
    }

    /** One recorded store: {@code bytes} written at data offset {@code off}. */
    record Store(long off, byte[] bytes) {
    }

    /** A recorded scenario: the data before the operation and the operation's stores. */
    record Recording(Meta meta, byte[] image, List<Store> stores) {
        static Recording read(Path meta, Path data) throws IOException {
            Meta m = Meta.read(meta);
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    new InflaterInputStream(Files.newInputStream(data))))) {
                byte[] image = new byte[in.readInt()];
                in.readFully(image);
                int n = in.readInt();
                List<Store> stores = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long off = in.readLong();
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    stores.add(new Store(off, b));
                }
                return new Recording(m, image, stores);
            }
        }

        /** Writes into {@code data} what a death before store {@code k + 1} leaves: the image and k stores. */
        void replay(MemorySegment data, int k) {
            MemorySegment.copy(MemorySegment.ofArray(image), 0, data, 0, image.length);
            for (int i = 0; i < k; i++) {
                Store s = stores.get(i);
                MemorySegment.copy(MemorySegment.ofArray(s.bytes()), 0, data, s.off(), s.bytes().length);
            }
        }
    }

    // ------------------------------------------------------------------ the check after a death

    /**
     * What must hold after a death, checked from another process: recovery succeeds, {@code check()} passes, the
     * blocks held are intact and never handed out again, and once they are freed the bytes still in use are at
     * most what the operation was moving for its caller ({@link Prepared#allowance}). No cache slot stays leased.
     *
     * @return the bytes lost (in use after every held block was freed)
     * @throws AssertionError naming what failed
     */
    static long verify(Allocator a, Meta m, String where) {
        a.reclaimDeadProcesses();
        a.check();
        checkPatterns(a, m, where);
        List<Long> probes = new ArrayList<>();
        try {
            for (long size : new long[] {48, 128, 200, 700, 3000, 5000, 20_000, 70_000}) {
                for (int i = 0; i < 12; i++) {
                    long off = a.allocateOffset(CTX, size);
                    a.memory().asSlice(off, size).fill((byte) 0xEE);
                    probes.add(off);
                }
            }
        } catch (OutOfMemoryException full) {
            // the probes took what was left
        }
        checkPatterns(a, m, where);
        for (long off : probes) {
            a.freeOffset(CTX, off);
        }
        for (Held h : m.held()) {
            if (h.target()) {
                try {
                    a.freeOffset(CTX, h.off());
                } catch (InvalidPointerException freedByTheOperation) { // DoubleFreeException included
                    // the dead process's free (or reallocate) had committed
                }
            } else {
                a.freeOffset(CTX, h.off());
            }
        }
        a.freeTls(CTX);
        long lost = a.bytesInUse();
        if (lost > m.allowance()) {
            throw new AssertionError(where + ": " + lost + " bytes in use after every held block was freed; the"
                    + " operation may leak at most " + m.allowance() + " (" + a.stats() + ")");
        }
        a.check();
        int slots = a.stats().threadSlotsInUse();
        if (slots != 0) {
            throw new AssertionError(where + ": " + slots + " cache slots still leased after recovery");
        }
        return lost;
    }

    private static void checkPatterns(Allocator a, Meta m, String where) {
        for (Held h : m.held()) {
            if (h.target()) {
                continue;
            }
            byte want = pattern(h.off());
            MemorySegment blk = a.memory().asSlice(h.off(), h.size());
            for (long i = 0; i < h.size(); i++) {
                if (blk.get(ValueLayout.JAVA_BYTE, i) != want) {
                    throw new AssertionError(where + ": held block at " + h.off() + " (" + h.size()
                            + " B) was overwritten at +" + i + ": handed out twice");
                }
            }
        }
    }

    // ------------------------------------------------------------------ the child

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "record" -> record(Path.of(args[1]));
                case "halt" -> halt(named(args[1]), Long.parseLong(args[2]), Path.of(args[3]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0); // no shutdown: the helpers' leases stay as a death leaves them
    }

    private static void record(Path dir) throws IOException {
        for (Scenario s : ALL) {
            MallocBackend b = MallocBackend.create(MemoryBackendId.get(3), DATA_SIZE);
            Prepared p = prepare(s, b);
            MemorySegment data = b.data();
            byte[] image = data.toArray(ValueLayout.JAVA_BYTE);
            List<Store> stores = new ArrayList<>();
            long base = data.address();
            CrashPoints.record((address, bytes) -> {
                long off = address - base;
                if (off >= 0 && off + bytes <= DATA_SIZE) {
                    stores.add(new Store(off, data.asSlice(off, bytes).toArray(ValueLayout.JAVA_BYTE)));
                }
            });
            p.op.run();
            CrashPoints.record(null);
            writeMeta(dir.resolve(s.name() + ".meta"), s, p);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new DeflaterOutputStream(
                    Files.newOutputStream(dir.resolve(s.name() + ".data")))))) {
                out.writeInt(image.length);
                out.write(image);
                out.writeInt(stores.size());
                for (Store st : stores) {
                    out.writeLong(st.off());
                    out.writeInt(st.bytes().length);
                    out.write(st.bytes());
                }
            }
            System.out.println("recorded " + s.name() + " stores=" + stores.size());
        }
    }

    private static void halt(Scenario s, long k, Path file) throws IOException {
        MappedFileBackend b = MappedFileBackend.create(MemoryBackendId.get(3), file, DATA_SIZE);
        Prepared p = prepare(s, b);
        writeMeta(Path.of(file + ".meta"), s, p);
        long before = CrashPoints.stores();
        CrashPoints.arm(k);
        p.op.run();
        CrashPoints.arm(0);
        System.out.println("completed " + s.name() + " stores=" + (CrashPoints.stores() - before));
    }
}
