package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.Units;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import dev.hshm.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hshm demo}: two JVM processes share one POSIX shared-memory heap and exchange messages by offset,
 * through two named queues ({@link DemoLayout}).
 *
 * <ol>
 *   <li>Process A (this one) creates a {@value MemoryBackend#POSIX_SHM_MMAP} backend named
 *       {@code hshm-demo-<pid>}, an allocator (default {@value Allocator#SCALABLE_PAGE}) and, in the allocator's
 *       named-object directory, the queues {@value DemoLayout#A_TO_B} and {@value DemoLayout#B_TO_A}; it writes
 *       its messages (text plus CRC-32C) into blocks it allocates and puts their offsets on the first queue.</li>
 *   <li>It starts process B, a second JVM ({@link DemoPeer}) with the same java binary, the same module path
 *       or class path, the same native-access grants and the same {@code -Dhshm.*} properties. B attaches by
 *       name, finds the queues by name, takes A's offsets (blocking in the queue), reads, verifies and frees
 *       the messages, writes its own, puts their offsets on the second queue, gives its thread caches back and
 *       puts the end marker.</li>
 *   <li>A takes B's offsets (blocking), reads, verifies and frees the messages until the end marker, waits for B
 *       to exit with 0, destroys the queues and the directory, gives its own thread caches back, checks the heap
 *       ({@link Allocator#check()}) and that {@link Allocator#bytesInUse()} is 0, and destroys the backend.</li>
 * </ol>
 * Every line says which process printed it ({@code [pid N]}); B's standard output and error are forwarded
 * to A's, each line prefixed. The backend is destroyed on every path: success, failure (B failed or
 * printed garbage, a check failed), and interruption (a shutdown hook stops B and removes the name).
 */
@Command(name = "demo", header = "Two JVMs exchange messages through one shared-memory heap, by offset.",
        description = {"Two JVMs share one POSIX shared-memory heap: each writes checksummed "
        + "messages into blocks it allocates, they exchange the offsets through two named queues (one each way, "
        + "blocking), and each reads, verifies and frees the other's messages. Exits 0 when every message verified, the "
        + "heap checks out with 0 bytes in use, and the segment was removed."})
final class DemoCommand implements Callable<Integer> {

    /** The backend id the demo uses in both processes. */
    static final MemoryBackendId BACKEND = MemoryBackendId.get(0);
    /** The allocator id the demo uses in both processes. */
    static final AllocatorId ALLOCATOR = AllocatorId.of(1, 0);

    private static final long PEER_PUBLISH_TIMEOUT_MS = 60_000;
    private static final long PEER_EXIT_TIMEOUT_MS = 30_000;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--allocator", paramLabel = "TYPE", defaultValue = Allocator.SCALABLE_PAGE,
            description = "Allocator type: scalable_page or thread_local (default: ${DEFAULT-VALUE}).")
    String allocatorType;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "8",
            description = "Messages per process, 1.." + DemoLayout.MAX + " (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size-mib", paramLabel = "MIB", defaultValue = "64",
            description = "Backend size in MiB, 1..65536 (default: ${DEFAULT-VALUE}).")
    long sizeMib;

    /** Process B ended with a non-zero exit code; its own output, forwarded with its prefix, says why. */
    static final class PeerFailed extends CliException {
        private static final long serialVersionUID = 1L;

        PeerFailed(Process peer, RuntimeException seenHere) {
            super("the second JVM (pid " + peer.pid() + ") failed with exit code " + peer.exitValue()
                    + (seenHere == null || seenHere instanceof DemoLayout.OtherProcessEnded ? ""
                    : " (seen here: " + seenHere.getMessage() + ")")
                    + "; its output is above, prefixed with [pid " + peer.pid() + "]", seenHere);
        }
    }

    /** What the shutdown hook and the main path share; every field guarded by {@code this}. */
    private static final class Run {
        final String url;
        boolean created;
        boolean destroyed;
        boolean stopping;
        Process peer;

        Run(String url) {
            this.url = url;
        }
    }

    /** The text of message {@code n} of process {@code pid}. */
    static String messageText(long pid, int n) {
        return "hello from pid " + pid + ", message " + n;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkOptions();
        long pid = ProcessHandle.current().pid();
        String me = "[pid " + pid + "] ";
        Run run = new Run("hshm-demo-" + pid);
        MemoryManager mm = MemoryManager.get();
        Thread hook = new Thread(() -> onShutdown(run, err, me), "hshm-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        List<Thread> forwarders = new ArrayList<>();
        try {
            MemoryBackend b;
            synchronized (run) {
                b = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, BACKEND, Units.megabytes(sizeMib), run.url);
                run.created = true;
            }
            Allocator a = mm.createAllocator(allocatorType, BACKEND, ALLOCATOR, DemoLayout.CUSTOM_HEADER_BYTES);
            out.printf("%screated %s '%s' (%s) with a %s allocator %s; thread model %s%n", me, b.kind(), run.url,
                    Units.format(b.dataSize()), a.type(), a.id(), ThreadModel.current().name());
            NamedObjects dir = NamedObjects.of(a);
            SpscRing toB = SpscRing.create(dir, DemoLayout.A_TO_B, DemoLayout.QUEUE_CAPACITY, Long.BYTES);
            SpscRing fromB = SpscRing.create(dir, DemoLayout.B_TO_A, DemoLayout.QUEUE_CAPACITY, Long.BYTES);
            toB.registerProducer();
            fromB.registerConsumer();
            out.printf("%screated queues '%s' and '%s' in the allocator's named-object directory%n", me,
                    DemoLayout.A_TO_B, DemoLayout.B_TO_A);

            for (int i = 0; i < messages; i++) {
                String text = messageText(pid, i + 1);
                long off = DemoLayout.writeMessage(a, text);
                if (!toB.offer(off)) {
                    throw new IllegalStateException("queue '" + DemoLayout.A_TO_B + "' is full after " + i + " messages");
                }
                out.printf("%swrote message %d at offset 0x%x: \"%s\"%n", me, i + 1, off, text);
            }
            out.printf("%sput %d offsets on queue '%s'; starting a second JVM to attach to '%s'%n", me, messages,
                    DemoLayout.A_TO_B, run.url);
            out.flush();

            Process peer = startPeer(run, out, err);
            String them = "[pid " + peer.pid() + "] ";
            CountDownLatch published = new CountDownLatch(1);
            forwarders.add(forward(peer.getInputStream(), out, them, published));
            forwarders.add(forward(peer.getErrorStream(), err, them, null));

            String peerName = "the second JVM (pid " + peer.pid() + ")";
            int theirs = 0;
            while (true) {
                long off = DemoLayout.take(fromB, PEER_PUBLISH_TIMEOUT_MS, peer::isAlive, peerName,
                        "putting its messages on queue '" + DemoLayout.B_TO_A + "'");
                if (off == DemoLayout.DONE) {
                    break;
                }
                if (theirs == messages) {
                    throw new CorruptSegmentException("queue '" + DemoLayout.B_TO_A + "' carried more than " + messages
                            + " offsets before its end marker: 0x" + Long.toHexString(off));
                }
                published.await(2, TimeUnit.SECONDS); // only so that B's lines print before A's reads
                String text = DemoLayout.readMessage(a, off);
                a.freeOffset(MemContext.DEFAULT, off);
                theirs++;
                out.printf("%sread  message %d at offset 0x%x: \"%s\" - checksum ok; freed it%n", me, theirs, off, text);
            }
            if (!peer.waitFor(PEER_EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new CliException("the second JVM (pid " + peer.pid() + ") did not exit within "
                        + PEER_EXIT_TIMEOUT_MS / 1000 + " s after it was done");
            }
            for (Thread t : forwarders) {
                t.join(5_000);
            }
            if (peer.exitValue() != 0) {
                throw new PeerFailed(peer, null);
            }
            if (theirs != messages) {
                throw new CliException("the second JVM sent " + theirs + " messages; expected " + messages);
            }

            dir.destroy(DemoLayout.A_TO_B);
            dir.destroy(DemoLayout.B_TO_A);
            dir.destroyDirectory();
            a.freeTls(MemContext.DEFAULT);
            a.check();
            long inUse = a.bytesInUse();
            if (inUse != 0) {
                throw new CliException("after both processes freed every message and the queues, " + inUse
                        + " bytes are still in use: " + a.stats());
            }
            out.printf("%sverified %d/%d messages of the second process; heap check ok; bytes in use: %d%n", me,
                    theirs, theirs, inUse);
            destroy(run, mm);
            out.printf("%sdestroyed '%s'. demo OK: %d messages verified across 2 processes%n", me, run.url,
                    theirs + messages);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted; the demo stopped and removed '" + run.url + "'", e);
        } catch (RuntimeException e) {
            if (stopping(run)) {
                throw new CliException("interrupted", e);
            }
            if (!(e instanceof PeerFailed) && peerFailed(run)) {
                // B's own message, forwarded above, says why; what A saw of it is secondary
                throw new PeerFailed(peerOf(run), e);
            }
            throw e;
        } finally {
            Process p = peerOf(run);
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            for (Thread t : forwarders) {
                t.join(2_000);
            }
            try {
                destroy(run, mm);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running (or ran): it did the same clean-up
                }
                out.flush();
                err.flush();
            }
        }
    }

    private void checkOptions() {
        if (messages < 1 || messages > DemoLayout.MAX) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--messages must be 1.." + DemoLayout.MAX + ": " + messages);
        }
        if (sizeMib < 1 || sizeMib > 65_536) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--size-mib must be 1..65536: " + sizeMib);
        }
        AllocatorProvider p;
        try {
            p = ProviderRegistry.global().find(AllocatorProvider.class, allocatorType);
        } catch (ProviderNotFoundException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--allocator: " + e.getMessage(), e,
                    null, allocatorType);
        }
        if (!p.usesBackendMemory()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--allocator " + allocatorType
                    + " keeps its memory outside the backend, so another process cannot reach it; use "
                    + Allocator.SCALABLE_PAGE + " or " + Allocator.THREAD_LOCAL);
        }
        ProviderRegistry.global().find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP);
    }

    /** Destroys the backend once (through the manager, or by name if the manager no longer has it). */
    private static void destroy(Run run, MemoryManager mm) {
        synchronized (run) {
            if (!run.created || run.destroyed) {
                return;
            }
            run.destroyed = true;
        }
        try {
            mm.destroyBackend(BACKEND);
        } catch (RuntimeException e) {
            unlinkQuietly(run.url);
        }
    }

    private static void unlinkQuietly(String url) {
        try {
            ProviderRegistry.global().find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP).unlink(url);
        } catch (RuntimeException alreadyGone) {
            // removed already (or never made): nothing to do
        }
    }

    /** The shutdown hook (Ctrl-C, SIGTERM, System.exit while the demo runs): stop B, remove the name. */
    private static void onShutdown(Run run, PrintWriter err, String me) {
        Process p;
        boolean unlink;
        synchronized (run) {
            run.stopping = true;
            p = run.peer;
            unlink = run.created && !run.destroyed;
            run.destroyed = true;
        }
        if (p == null && !unlink) {
            return;
        }
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        if (unlink) {
            // The name goes; the mapping stays valid for threads of this JVM that still touch it until it exits.
            unlinkQuietly(run.url);
        }
        err.println(me + "interrupted: " + (p != null ? "stopped the second JVM (pid " + p.pid() + "), " : "")
                + (unlink ? "removed '" + run.url + "'" : "nothing to remove"));
        err.flush();
    }

    private static boolean stopping(Run run) {
        synchronized (run) {
            return run.stopping;
        }
    }

    private static Process peerOf(Run run) {
        synchronized (run) {
            return run.peer;
        }
    }

    private static boolean peerFailed(Run run) {
        Process p = peerOf(run);
        if (p == null) {
            return false;
        }
        try {
            return p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() != 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Process startPeer(Run run, PrintWriter out, PrintWriter err) throws IOException {
        ChildJvm.Builder peer = peer(run.url, messages);
        if (main != null && main.verbose) {
            err.println("[pid " + ProcessHandle.current().pid() + "] second JVM: " + String.join(" ", peer.command()));
            err.flush();
        }
        synchronized (run) {
            if (run.stopping) {
                throw new CliException("interrupted before the second JVM started");
            }
            run.peer = peer.startProcess();
            return run.peer;
        }
    }

    /**
     * The command that starts {@link DemoPeer} like this JVM was started ({@link ChildJvm.Builder#likeThisJvm}:
     * the same java binary, module path, class path, resolved modules, native access, {@code -ea} and every
     * {@code -Dhshm.*} property, so {@code -Dhshm.thread.model=NAME} applies to both processes).
     */
    static ChildJvm.Builder peer(String url, int messages) {
        return ChildJvm.java().likeThisJvm().main(DemoPeer.class).args(url, Integer.toString(messages));
    }

    static List<String> peerCommand(String url, int messages) {
        return peer(url, messages).command();
    }

    /**
     * Copies B's lines to {@code to}, each starting with B's {@code [pid N]} (added where B did not print it:
     * stack traces, JVM warnings). Counts {@code published} down when B says it published its offsets.
     */
    private static Thread forward(InputStream in, PrintWriter to, String prefix, CountDownLatch published) {
        return Thread.ofPlatform().daemon().name("hshm-demo-forward").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    to.println(line.startsWith(prefix) ? line : prefix + line);
                    to.flush();
                    if (published != null && line.contains(DemoPeer.PUBLISHED)) {
                        published.countDown();
                    }
                }
            } catch (IOException e) {
                to.println(prefix + "(output lost: " + e + ")");
                to.flush();
            } finally {
                if (published != null) {
                    published.countDown();
                }
            }
        });
    }
}
