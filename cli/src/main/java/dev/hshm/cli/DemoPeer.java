package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.Units;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.Processes;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Process B of {@code hshm demo}, started by {@link DemoCommand} as a second JVM: attaches to the demo's
 * backend by name, takes process A's offsets from a named queue, reads and verifies the messages and frees them (a free from another
 * process), writes its own messages, puts their offsets on the other named queue ({@link DemoLayout}), gives its
 * thread caches back, puts the end marker and detaches.
 *
 * <p>Arguments: {@code URL MESSAGES}. Every line it prints starts with {@code [pid N]}. Exit code 0 on
 * success, 1 on any failure (the reason on standard error), 2 on bad arguments.
 */
public final class DemoPeer {

    /** The word B's last output line before it publishes its offsets contains; A waits for it, to print in order. */
    static final String PUBLISHED = "offsets on queue";

    private DemoPeer() {
    }

    /**
     * Entry point.
     *
     * @param args {@code URL MESSAGES}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        long pid = ProcessHandle.current().pid();
        String me = "[pid " + pid + "] ";
        if (args.length != 2) {
            err.println(me + "usage: DemoPeer URL MESSAGES");
            return 2;
        }
        String url = args[0];
        int n;
        try {
            n = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > DemoLayout.MAX) {
            err.println(me + "MESSAGES must be 1.." + DemoLayout.MAX + ": " + args[1]);
            return 2;
        }
        try {
            MemoryManager mm = MemoryManager.get();
            MemoryBackend b = mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url);
            long theirCount;
            try {
                Allocator a = mm.getAllocator(DemoCommand.ALLOCATOR);
                out.println(me + "attached to '" + url + "' (" + Units.format(b.dataSize()) + "): found " + a.type()
                        + " allocator " + a.id() + "; thread model " + ThreadModel.current().name());
                NamedObjects dir = NamedObjects.of(a);
                SpscRing fromA = SpscRing.attach(dir, DemoLayout.A_TO_B);
                SpscRing toA = SpscRing.attach(dir, DemoLayout.B_TO_A);
                fromA.registerConsumer();
                toA.registerProducer();

                long creatorPid = b.header().get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET);
                long creatorStart = b.header().get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_START_OFFSET);
                BooleanSupplier creatorAlive = () -> Processes.isAlive(creatorPid, creatorStart);
                String creator = "the first process (pid " + creatorPid + ")";
                for (int i = 0; i < n; i++) {
                    long off = DemoLayout.take(fromA, 30_000, creatorAlive, creator,
                            "putting its messages on queue '" + DemoLayout.A_TO_B + "'");
                    String text = DemoLayout.readMessage(a, off);
                    a.freeOffset(MemContext.DEFAULT, off);
                    out.printf("%sread  message %d at offset 0x%x: \"%s\" - checksum ok; freed it%n", me, i + 1, off,
                            text);
                }
                theirCount = n;

                long[] mine = new long[n];
                for (int i = 0; i < n; i++) {
                    String text = DemoCommand.messageText(pid, i + 1);
                    mine[i] = DemoLayout.writeMessage(a, text);
                    out.printf("%swrote message %d at offset 0x%x: \"%s\"%n", me, i + 1, mine[i], text);
                }
                out.println(me + "put " + n + " " + PUBLISHED + " '" + DemoLayout.B_TO_A + "'");
                out.flush();
                for (long off : mine) {
                    if (!toA.put(off, TimeUnit.SECONDS.toNanos(30))) {
                        throw new CorruptSegmentException("queue '" + DemoLayout.B_TO_A + "' stayed full for 30 s");
                    }
                }
                a.freeTls(MemContext.DEFAULT);
                if (!toA.put(DemoLayout.DONE, TimeUnit.SECONDS.toNanos(30))) {
                    throw new CorruptSegmentException("queue '" + DemoLayout.B_TO_A + "' stayed full for 30 s");
                }
            } finally {
                mm.detachBackend(b.id());
            }
            out.println(me + "verified " + theirCount + "/" + theirCount + " messages of the first process; detached");
            out.flush();
            return 0;
        } catch (Exception | LinkageError | AssertionError e) {
            err.println(me + "FAILED: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            e.printStackTrace(err);
            err.flush();
            return 1;
        }
    }
}
