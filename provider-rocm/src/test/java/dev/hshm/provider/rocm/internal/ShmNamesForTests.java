package dev.hshm.provider.rocm.internal;

import dev.hshm.api.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test bookkeeping: unique shared-memory names ({@code hshm-rocm-t-PID-N}), the backends a test made, and a
 * {@link #close()} for {@code @AfterEach} that destroys them and removes every name handed out, even when a test
 * failed half-way.
 */
final class ShmNamesForTests implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final List<String> names = new ArrayList<>();
    private final List<MemoryBackend> backends = new ArrayList<>();

    /** A fresh name, removed again by {@link #close()}. */
    String name() {
        String n = "hshm-rocm-t-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        names.add(n);
        return n;
    }

    /** Where Linux shows the object named {@code name}. */
    static Path path(String name) {
        return Path.of("/dev/shm", name);
    }

    /** Tracks a backend so that {@link #close()} destroys it. */
    <B extends MemoryBackend> B track(B b) {
        backends.add(b);
        return b;
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
                Files.deleteIfExists(path(n));
            } catch (IOException ignored) {
                // best effort
            }
        }
        names.clear();
    }
}
