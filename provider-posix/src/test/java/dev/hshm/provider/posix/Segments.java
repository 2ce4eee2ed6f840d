package dev.hshm.provider.posix;

import dev.hshm.api.MemoryBackend;
import dev.hshm.provider.posix.internal.DevShm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test bookkeeping: unique shared-memory names ({@code hshm-t-PID-N}), the backends a test made, and a
 * {@link #close()} for {@code @AfterEach} that destroys them and removes every name handed out, even when
 * the test failed half-way.
 */
final class Segments implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final List<String> names = new ArrayList<>();
    private final List<MemoryBackend> backends = new ArrayList<>();

    /** A fresh name, removed again by {@link #close()}. */
    String name() {
        String n = "hshm-t-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        names.add(n);
        return n;
    }

    /** Tracks a backend so that {@link #close()} destroys it. */
    <B extends MemoryBackend> B track(B b) {
        backends.add(b);
        return b;
    }

    /** Writes a plain file into /dev/shm (a "foreign" object) with Java NIO. */
    Path writeForeign(String name, byte[] content) throws IOException {
        Path p = DevShm.path(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        return p;
    }

    @Override
    public void close() {
        for (int i = backends.size() - 1; i >= 0; i--) {
            try {
                backends.get(i).destroy();
            } catch (RuntimeException ignored) {
                // best effort: the test may have destroyed it, or broken it on purpose
            }
        }
        backends.clear();
        for (String n : names) {
            try {
                Files.deleteIfExists(DevShm.path(n));
            } catch (IOException ignored) {
                // best effort
            }
        }
        names.clear();
    }
}
