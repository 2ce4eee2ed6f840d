package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.Units;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hshm demo}: two JVM processes share one POSIX shared-memory heap. This process creates the backend and
 * an allocator, writes messages into blocks and leaves their offsets in the allocator's custom header; it starts
 * a second JVM ({@link DemoPeer}) that attaches by name, reads and verifies those messages by offset, frees them
 * (a free from another process), and writes its own; this process reads and verifies those, frees them, checks
 * that no byte is left in use and that the heap checks out, and destroys the backend — also when the second
 * process fails or the demo is interrupted.
 */
@Command(name = "demo", description = "Two JVMs exchange messages through one shared-memory heap, by offset.")
final class DemoCommand implements Callable<Integer> {

    static final MemoryBackendId BACKEND = MemoryBackendId.get(0);
    static final AllocatorId ALLOCATOR = AllocatorId.of(1, 0);

    @Spec
    CommandSpec spec;

    @Option(names = "--allocator", defaultValue = Allocator.SCALABLE_PAGE,
            description = "Allocator type: scalable_page or thread_local (default: ${DEFAULT-VALUE}).")
    String allocatorType;

    @Option(names = "--messages", defaultValue = "8", description = "Messages per process, 1..32 (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--size-mib", defaultValue = "64", description = "Backend size in MiB (default: ${DEFAULT-VALUE}).")
    long sizeMib;

    @Override
    public Integer call() throws Exception {
        if (messages < 1 || messages > DemoLayout.MAX) {
            throw new IllegalArgumentException("--messages must be 1.." + DemoLayout.MAX + ": " + messages);
        }
        PrintWriter out = spec.commandLine().getOut();
        String me = "[pid " + ProcessHandle.current().pid() + "] ";
        String url = "hshm-demo-" + ProcessHandle.current().pid();
        MemoryManager mm = MemoryManager.get();
        AtomicBoolean destroyed = new AtomicBoolean();
        Thread cleanup = new Thread(() -> {
            if (destroyed.compareAndSet(false, true)) {
                try {
                    ProviderRegistry.global().find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP).unlink(url);
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }, "hshm-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Process peer = null;
        try {
            MemoryBackend b = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, BACKEND, Units.megabytes(sizeMib), url);
            Allocator a = mm.createAllocator(allocatorType, BACKEND, ALLOCATOR, DemoLayout.BYTES);
            out.printf("%screated %s '%s' (%s) with a %s allocator %s; thread model %s%n", me, b.kind(), url,
                    Units.format(b.dataSize()), a.type(), a.id(), ThreadModel.current().name());
            MemorySegment hdr = a.customHeader();
            for (int i = 0; i < messages; i++) {
                String text = "hello from pid " + ProcessHandle.current().pid() + ", message " + (i + 1);
                long off = a.allocateOffset(MemContext.DEFAULT, DemoLayout.blockSize(text));
                DemoLayout.write(a.resolve(off, DemoLayout.blockSize(text)), text);
                hdr.set(ValueLayout.JAVA_LONG, DemoLayout.OFFS_A + 8L * i, off);
                out.printf("%swrote message %d at offset 0x%x: \"%s\"%n", me, i + 1, off, text);
            }
            DemoLayout.LONG.setRelease(hdr, DemoLayout.COUNT_A, (long) messages);
            out.printf("%sstarting a second JVM to attach to '%s'%n", me, url);
            out.flush();
            peer = startPeer(url);
            CountDownLatch published = new CountDownLatch(1);
            Thread pump = pump(peer, out, published);
            long count = awaitPeer(hdr, peer);
            published.await(5, TimeUnit.SECONDS); // only so that the two processes' lines print in order
            MemorySegment mem = a.memory();
            for (int i = 0; i < count; i++) {
                long off = hdr.get(ValueLayout.JAVA_LONG, DemoLayout.OFFS_B + 8L * i);
                String text = DemoLayout.read(mem, off);
                out.printf("%sread  message %d at offset 0x%x: \"%s\" - checksum ok; freed it%n", me, i + 1, off, text);
                a.freeOffset(MemContext.DEFAULT, off);
            }
            if (!peer.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the second process did not exit within 60 s");
            }
            pump.join(5000);
            if (peer.exitValue() != 0) {
                throw new IllegalStateException("the second process failed with exit code " + peer.exitValue());
            }
            a.freeTls(MemContext.DEFAULT);
            a.check();
            AllocatorStats st = a.stats();
            if (st.bytesInUse() != 0) {
                throw new IllegalStateException("bytes still in use after both processes freed everything: " + st);
            }
            out.printf("%sverified %d/%d messages of the second process; heap check ok; bytes in use: %d%n", me, count,
                    count, st.bytesInUse());
            mm.destroyBackend(BACKEND);
            destroyed.set(true);
            out.printf("%sdestroyed '%s'. demo OK: %d messages verified across 2 processes%n", me, url,
                    count + messages);
            return 0;
        } finally {
            if (peer != null && peer.isAlive()) {
                peer.destroyForcibly();
            }
            if (!destroyed.get()) {
                try {
                    mm.destroyBackend(BACKEND);
                } catch (RuntimeException e) {
                    cleanup.run();
                }
                destroyed.set(true);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    private long awaitPeer(MemorySegment hdr, Process peer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            long v = (long) DemoLayout.LONG.getAcquire(hdr, DemoLayout.COUNT_B);
            if (v != 0) {
                return v;
            }
            if (!peer.isAlive()) {
                peer.waitFor();
                throw new IllegalStateException("the second process exited (code " + peer.exitValue()
                        + ") before publishing its messages");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the second process published nothing within 120 s");
            }
            Thread.sleep(2);
        }
    }

    private Process startPeer(String url) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("hshm.")) {
                cmd.add("-D" + k + "=" + e.getValue());
            }
        }
        String modulePath = System.getProperty("jdk.module.path");
        if (DemoCommand.class.getModule().isNamed() && modulePath != null && !modulePath.isEmpty()) {
            List<String> ours = ModuleLayer.boot().modules().stream().map(Module::getName)
                    .filter(n -> n.startsWith("dev.hshm.") || n.startsWith("com.example.")).sorted().toList();
            cmd.add("--enable-native-access=" + String.join(",", ours));
            cmd.add("-p");
            cmd.add(modulePath);
            cmd.add("--add-modules");
            cmd.add(String.join(",", ours));
            String cp = System.getProperty("java.class.path");
            if (cp != null && !cp.isEmpty()) {
                cmd.add("-cp");
                cmd.add(cp);
            }
            cmd.add("-m");
            cmd.add("dev.hshm.cli/" + DemoPeer.class.getName());
        } else {
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(DemoPeer.class.getName());
        }
        cmd.add(url);
        cmd.add(Integer.toString(messages));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static Thread pump(Process p, PrintWriter out, CountDownLatch published) {
        return Thread.ofPlatform().daemon().name("hshm-demo-peer-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                    if (line.contains(" published ")) {
                        published.countDown();
                    }
                }
            } catch (IOException e) {
                synchronized (out) {
                    out.println("[demo] lost the second process's output: " + e);
                }
            }
        });
    }
}
