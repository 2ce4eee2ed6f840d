package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.structures.MessageHandler;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.testkit.ChildJvm;
import dev.hshm.testkit.ShmTestNames;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * C processes and JVMs on one heap at once: two C churners and a child JVM run to the end, two threads of this JVM
 * churn beside them, and a C churner and a child JVM are SIGKILLed again and again at random moments (inside heap
 * operations and lock holds, most of the time). Blocks cross languages: this JVM hands blocks to a C process, which
 * checks and frees them; the C processes hand a quarter of the blocks they would free to this JVM through a named
 * MPSC queue, and this JVM checks and frees those; every process's blocks (a killed one's included) are checked and freed by this JVM from
 * the process's table in shared memory ({@link Churn}). At the end the heap check passes and the bytes in use are
 * at most one in-flight block per kill. Runs 20 s per heap type ({@code -Dhshm.native.stress.seconds=N}: the
 * native module's pom passes it on).
 */
class MixedProcessTest {

    private static final long SECONDS = Long.getLong("hshm.native.stress.seconds", 20);
    private static final AllocatorId ID = AllocatorId.of(5, 1);
    /** Tables in the custom header: C a (handover), C b, C killed, JVM normal, JVM killed. */
    private static final int TABLES = 5;
    /** The named MPSC queue on which C processes hand blocks to this JVM. */
    private static final String HANDOVER = "c-to-jvm";

    private final ShmTestNames segs = new ShmTestNames("hshm-x");

    @AfterEach
    void removeSegments() {
        segs.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {Allocator.SCALABLE_PAGE, Allocator.THREAD_LOCAL})
    void cProcessesAndJvmsShareTheHeapThroughKillsAndTheBytesReconcile(String type) throws Exception {
        Path churn = NativeBuild.program("hshm_churn");
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(13), 96L << 20, name, 0600));
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), ID, type, -1);
        AllocatorProvider provider = ProviderRegistry.global().find(AllocatorProvider.class, type);
        Allocator a = provider.create(b, ID, e.regionOffset(), e.regionSize(),
                NamedObjects.CUSTOM_HEADER_BYTES + (long) TABLES * Churn.TABLE_BYTES);
        BackendHeader.publishAllocator(b.header(), e);
        // the custom header: the named-object directory's root first, then the tables
        long custom = a.customHeader().address() - a.memory().address() + NamedObjects.CUSTOM_HEADER_BYTES;
        long[] table = new long[TABLES];
        for (int i = 0; i < TABLES; i++) {
            table[i] = custom + (long) i * Churn.TABLE_BYTES;
        }
        // C processes hand a quarter of the blocks they would free to this JVM through a named MPSC queue
        MpscRing handover = MpscRing.create(NamedObjects.of(a), HANDOVER, 1 << 16);
        AtomicLong received = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        MessageHandler freeIt = (recordType, buf, at, len) -> {
            long o = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
            long tag = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 16);
            if ((tag & Churn.PENDING) == 0) {
                Churn.check(a.memory(), o, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8), tag);
            }
            a.freeOffset(MemContext.DEFAULT, o);
            received.incrementAndGet();
        };
        String major = Integer.toString(ID.major());
        String minor = Integer.toString(ID.minor());
        try {
            // blocks this JVM allocates and a C process checks and frees
            Path handoverFile = Files.createTempFile("hshm-handover", ".txt");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                long size = 1 + (i * 977L) % 90_000;
                long off = a.allocateOffset(MemContext.DEFAULT, size);
                Churn.fill(a.memory(), off, size, i);
                lines.append(off).append(' ').append(size).append(' ').append(i).append('\n');
            }
            Files.writeString(handoverFile, lines, StandardCharsets.UTF_8);
            String secs = Long.toString(SECONDS);
            Process ca = queueing(new ProcessBuilder(churn.toString(), name, major, minor, secs, "1",
                    Long.toString(table[0]), handoverFile.toString())).start();
            Process cb = queueing(new ProcessBuilder(churn.toString(), name, major, minor, secs, "2",
                    Long.toString(table[1]))).start();
            ChildJvm jvm = child(name, type, secs, 3, table[3]);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            Future<?> consumer = pool.submit(() -> {
                while (!stop.get()) {
                    handover.take(freeIt, 64, TimeUnit.MILLISECONDS.toNanos(50));
                }
                return null;
            });
            List<Future<Long>> mine = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long seed = 10 + t;
                mine.add(pool.submit(() -> localChurn(a, seed, deadline)));
            }
            // a C process killed every 20-150 ms (most kills land inside a heap operation or a lock hold)
            Future<int[]> cKiller = pool.submit(() -> {
                SplittableRandom rnd = new SplittableRandom(7);
                int kills = 0;
                int freed = 0;
                while (System.nanoTime() < deadline) {
                    ProcessBuilder pb = queueing(new ProcessBuilder(churn.toString(), name, major, minor, "1000",
                            Integer.toString(100 + kills), Long.toString(table[2])));
                    if (kills % 2 == 0) {
                        pb.environment().put("HSHM_CHURN_NOFILL", "1"); // most kills inside a heap operation
                    }
                    Process victim = pb.start();
                    Thread.sleep(20 + rnd.nextInt(130));
                    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    kills++;
                    freed += Churn.drain(a, table[2]);
                }
                return new int[] {kills, freed};
            });
            // a JVM killed once it runs, 100-500 ms later, again and again
            SplittableRandom rnd = new SplittableRandom(8);
            int jvmKills = 0;
            int drained = 0;
            while (System.nanoTime() < deadline) {
                ChildJvm doomed = child(name, type, "1000", 200 + jvmKills, table[4]);
                doomed.await("ready", 60);
                Thread.sleep(100 + rnd.nextInt(400));
                doomed.kill();
                jvmKills++;
                drained += Churn.drain(a, table[4]);
            }
            int[] c = cKiller.get(120, TimeUnit.SECONDS);
            int cKills = c[0];
            drained += c[1];
            long localOps = 0;
            for (Future<Long> f : mine) {
                localOps += f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            String outA = finish(ca, "C churner a");
            String outB = finish(cb, "C churner b");
            assertEquals(0, jvm.waitFor(120), "child JVM: " + jvm.output());
            for (int i : new int[] {0, 1, 3}) {
                drained += Churn.drain(a, table[i]);
            }
            stop.set(true);
            consumer.get(60, TimeUnit.SECONDS);
            while (handover.read(freeIt, 1024) > 0) {
                // what the C processes sent after the consumer's last take
            }
            int recovered = a.reclaimDeadProcesses();
            a.check();
            long left = a.bytesInUse();
            int kills = cKills + jvmKills;
            System.out.printf("mixed stress (%s, %d s): C ops a=[%s] b=[%s], child JVM %s, this JVM %d ops, %d C and %d"
                    + " JVM kills, %d blocks handed from C to this JVM through queue '%s', %d blocks checked and freed"
                    + " from tables, %d dead owners recovered, %d bytes left in use (allowance %d)%n", type, SECONDS,
                    outA.strip(), outB.strip(), jvm.value("ops"), localOps, cKills, jvmKills, received.get(), HANDOVER,
                    drained, recovered, left, kills * Churn.MAX_BLOCK);
            assertTrue(received.get() > 100, "blocks handed over through the queue: " + received.get());
            assertTrue(cKills > 0 && jvmKills > 0, "kills: C " + cKills + ", JVM " + jvmKills);
            assertTrue(left <= kills * Churn.MAX_BLOCK, "bytes in use after every known block was freed: " + left
                    + " > one block per kill (" + kills + " x " + Churn.MAX_BLOCK + ")");
            Files.deleteIfExists(handoverFile);
        } finally {
            provider.release(a);
        }
    }

    /**
     * No JVM touches the heap while C processes are killed: two C churners and a C victim SIGKILLed every 20-150 ms
     * (one that only allocates and frees, so most kills land inside a lock hold; each with a table of its own,
     * drained only at the end), then a C sweeper takes every lock once. The
     * heap the C processes repaired must pass the JVM's check without the JVM taking any lock over (the locks'
     * RECOVERIES words do not move during the check), and every block must come back.
     */
    @ParameterizedTest
    @ValueSource(strings = {Allocator.SCALABLE_PAGE, Allocator.THREAD_LOCAL})
    void cProcessesAloneRepairBehindKilledCProcesses(String type) throws Exception {
        Path churn = NativeBuild.program("hshm_churn");
        String name = segs.name();
        int victims = 64;
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(14), 96L << 20, name, 0600));
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), ID, type, -1);
        AllocatorProvider provider = ProviderRegistry.global().find(AllocatorProvider.class, type);
        Allocator a = provider.create(b, ID, e.regionOffset(), e.regionSize(), (long) (victims + 2) * Churn.TABLE_BYTES);
        BackendHeader.publishAllocator(b.header(), e);
        long custom = a.customHeader().address() - a.memory().address();
        String major = Integer.toString(ID.major());
        String minor = Integer.toString(ID.minor());
        try {
            String secs = "3"; // 64 victims' tables at most: about 3 s of kills
            List<Process> survivors = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                survivors.add(new ProcessBuilder(churn.toString(), name, major, minor, secs, Integer.toString(1 + i),
                        Long.toString(custom + (long) i * Churn.TABLE_BYTES)).redirectErrorStream(true).start());
            }
            SplittableRandom rnd = new SplittableRandom(9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(secs));
            int kills = 0;
            while (System.nanoTime() < deadline && kills < victims) {
                long table = custom + (long) (2 + kills) * Churn.TABLE_BYTES;
                ProcessBuilder pb = new ProcessBuilder(churn.toString(), name, major, minor, "1000",
                        Integer.toString(100 + kills), Long.toString(table)).redirectErrorStream(true);
                pb.environment().put("HSHM_CHURN_NOFILL", "1"); // nearly all its time inside heap operations
                Process victim = pb.start();
                Thread.sleep(20 + rnd.nextInt(130));
                victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                kills++;
            }
            long recoveries = 0;
            for (int i = 0; i < 2; i++) {
                recoveries += recoveries(finish(survivors.get(i), "C churner " + i));
            }
            Process sweeper = new ProcessBuilder(churn.toString(), name, major, minor, "0", "3",
                    Long.toString(custom)).redirectErrorStream(true).start();
            String swept = finish(sweeper, "C sweeper");
            recoveries += recoveries(swept);
            long before = lockRecoveries(a);
            a.check();
            assertEquals(before, lockRecoveries(a), "the JVM's check took no lock over: the C processes had repaired"
                    + " them all");
            int freed = 0;
            for (int i = 0; i < victims + 2; i++) {
                freed += Churn.drain(a, custom + (long) i * Churn.TABLE_BYTES);
            }
            a.reclaimDeadProcesses();
            a.check();
            long left = a.bytesInUse();
            System.out.printf("C-only kills (%s, %s s): %d C processes killed, %d dead lock owners taken over and"
                    + " repaired by C processes (lock words: %d), %d blocks freed from tables, %d bytes left in use"
                    + " (allowance %d)%n", type, secs, kills, recoveries, before, freed, left, kills * Churn.MAX_BLOCK);
            assertTrue(kills >= 10, "kills: " + kills);
            assertTrue(recoveries > 0 && before >= recoveries, "C recoveries " + recoveries + ", lock words " + before);
            assertTrue(left <= kills * Churn.MAX_BLOCK, "bytes in use after every known block was freed: " + left);
        } finally {
            provider.release(a);
        }
    }

    private static long recoveries(String churnOutput) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("recoveries (\\d+)").matcher(churnOutput);
        assertTrue(m.find(), churnOutput);
        return Long.parseLong(m.group(1));
    }

    /** The RECOVERIES words of the page heap's lock and of every shard's (docs/layout.md, hshm_layout.h). */
    private static long lockRecoveries(Allocator a) {
        MemorySegment mem = a.memory();
        long region = a.customHeader().address() - a.memory().address() - CDefines.of("HSHM_HH_BYTES");
        long pageHeap = mem.get(ValueLayout.JAVA_LONG, region + CDefines.of("HSHM_HH_PAGE_HEAP"));
        long shardTable = mem.get(ValueLayout.JAVA_LONG, region + CDefines.of("HSHM_HH_SHARD_TABLE"));
        int shards = mem.get(ValueLayout.JAVA_INT, region + CDefines.of("HSHM_HH_SHARD_COUNT"));
        long recoveries = CDefines.of("HSHM_LOCK_RECOVERIES");
        long n = mem.get(ValueLayout.JAVA_LONG, pageHeap + CDefines.of("HSHM_PH_LOCK") + recoveries);
        for (int s = 0; s < shards; s++) {
            n += mem.get(ValueLayout.JAVA_LONG, shardTable + s * CDefines.of("HSHM_SHARD_BYTES")
                    + CDefines.of("HSHM_SHARD_LOCK") + recoveries);
        }
        return n;
    }

    /** This JVM's own churn: same sizes and patterns, its slots in process memory only. */
    private static long localChurn(Allocator a, long seed, long deadline) {
        try (Arena arena = Arena.ofConfined()) {
            // a private table: nobody reads it after a death of this JVM (which would end the test anyway)
            MemorySegment t = arena.allocate(Churn.TABLE_BYTES, 8);
            long ops = Churn.run(a, t, 0, seed, deadline);
            leftovers(a, t);
            return ops;
        }
    }

    /** Frees what a local churn still holds (its private table, read like a dead process's). */
    private static void leftovers(Allocator a, MemorySegment t) {
        for (int i = 0; i < Churn.SLOTS; i++) {
            long o = t.get(ValueLayout.JAVA_LONG, 24L * i);
            if (o != 0) {
                long tag = t.get(ValueLayout.JAVA_LONG, 24L * i + 16);
                if ((tag & Churn.PENDING) == 0) {
                    Churn.check(a.memory(), o, t.get(ValueLayout.JAVA_LONG, 24L * i + 8), tag);
                }
                a.freeOffset(MemContext.DEFAULT, o);
            }
        }
    }

    /** A C churner that hands some of its blocks to this JVM through the queue. */
    private static ProcessBuilder queueing(ProcessBuilder pb) {
        pb.environment().put("HSHM_CHURN_QUEUE", HANDOVER);
        return pb.redirectErrorStream(true);
    }

    private static String finish(Process p, String what) throws InterruptedException, IOException {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + " did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), what + " failed: " + out);
        return out;
    }

    private static ChildJvm child(String name, String type, String seconds, long seed, long table) throws IOException {
        return ChildJvm.java().name("JavaChurn").nativeAccess("ALL-UNNAMED").jvmArgs("-Xshare:auto",
                        "-XX:TieredStopAtLevel=1")
                .classPath(List.of(System.getProperty("java.class.path").split(File.pathSeparator)))
                .main(JavaChurnMain.class.getName())
                .args(name, type, Integer.toString(ID.major()), Integer.toString(ID.minor()), seconds,
                        Long.toString(seed), Long.toString(table)).start();
    }
}
