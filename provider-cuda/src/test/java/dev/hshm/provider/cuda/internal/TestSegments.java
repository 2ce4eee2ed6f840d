package dev.hshm.provider.cuda.internal;

import dev.hshm.api.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test bookkeeping: unique POSIX shared-memory names ({@code hshm-cuda-t-PID-N}), the backends a test made, and
 * a {@link #close()} for {@code @AfterEach} that destroys them and removes every name handed out, even when the
 * test failed half-way.
 */
final class TestSegments implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Path DEV_SHM = Path.of("/dev/shm");

    private final List<String> names = new ArrayList<>();
    private final List<MemoryBackend> backends = new ArrayList<>();

    String name() {
        String n = "hshm-cuda-t-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        names.add(n);
        return n;
    }

    <B extends MemoryBackend> B track(B b) {
        backends.add(b);
        return b;
    }

    static boolean exists(String name) {
        return Files.exists(DEV_SHM.resolve(name));
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
                Files.deleteIfExists(DEV_SHM.resolve(n));
            } catch (IOException ignored) {
                // best effort
            }
        }
        names.clear();
    }
}
