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
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;

/**
 * Process B of {@code hshm demo}, started by {@link DemoCommand} as a second JVM: attaches to the demo's
 * backend by name, reads and verifies process A's messages by offset and frees them (a free from another
 * process), writes its own messages, publishes their offsets in the rendezvous ({@link DemoLayout}), gives its
 * thread caches back, raises its "done" word and detaches.
 *
 * <p>Arguments: {@code URL MESSAGES}. Every line it prints starts with {@code [pid N]}. Exit code 0 on
 * success, 1 on any failure (the reason on standard error), 2 on bad arguments.
 */
public final class DemoPeer {

    /** The word B's last output line before it publishes its offsets contains; A waits for it, to print in order. */
    static final String PUBLISHED = "offsets in the custom header";

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
                MemorySegment hdr = a.customHeader();
                if (hdr.byteSize() < DemoLayout.BYTES) {
                    throw new CorruptSegmentException("allocator " + a.id() + " of '" + url + "' has a custom header of "
                            + hdr.byteSize() + " bytes; the demo's rendezvous needs " + DemoLayout.BYTES);
                }
                DemoLayout.setFlag(hdr, DemoLayout.PEER_UP, pid);

                long creatorPid = b.header().get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET);
                long creatorStart = b.header().get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_START_OFFSET);
                BooleanSupplier creatorAlive = () -> Processes.isAlive(creatorPid, creatorStart);
                DemoLayout.await(hdr, DemoLayout.COUNT_A, 30_000, creatorAlive,
                        "the first process (pid " + creatorPid + ")", "publishing its messages");
                long[] theirs = DemoLayout.publishedOffsets(hdr, DemoLayout.OFFS_A, DemoLayout.COUNT_A);
                for (int i = 0; i < theirs.length; i++) {
                    String text = DemoLayout.readMessage(a, theirs[i]);
                    a.freeOffset(MemContext.DEFAULT, theirs[i]);
                    out.printf("%sread  message %d at offset 0x%x: \"%s\" - checksum ok; freed it%n", me, i + 1,
                            theirs[i], text);
                }
                theirCount = theirs.length;

                long[] mine = new long[n];
                for (int i = 0; i < n; i++) {
                    String text = DemoCommand.messageText(pid, i + 1);
                    mine[i] = DemoLayout.writeMessage(a, text);
                    out.printf("%swrote message %d at offset 0x%x: \"%s\"%n", me, i + 1, mine[i], text);
                }
                out.println(me + "published " + n + " " + PUBLISHED);
                out.flush();
                DemoLayout.publishOffsets(hdr, DemoLayout.OFFS_B, DemoLayout.COUNT_B, mine);
                a.freeTls(MemContext.DEFAULT);
                DemoLayout.setFlag(hdr, DemoLayout.DONE_B, 1L);
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
