package dev.hshm.testkit;

import dev.hshm.api.MemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test bookkeeping for backends that live in POSIX shared memory: unique names ({@code PREFIX-PID-N}), the
 * backends a test made, and a {@link #close()} for {@code @AfterEach} that destroys them and removes every
 * name handed out from {@code /dev/shm}, even when the test failed half-way. Shared by the POSIX, CUDA and
 * ROCm providers' tests, and usable by third-party providers whose backends are named shared-memory objects.
 */
public final class ShmTestNames implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Path DEV_SHM = Path.of("/dev/shm");

    private final String prefix;
    private final List<String> names = new ArrayList<>();
    private final List<MemoryBackend> backends = new ArrayList<>();

    /**
     * Names start with {@code prefix}, so that a leftover can be traced to the tests that made it.
     *
     * @param prefix for example {@code hshm-t}
     */
    public ShmTestNames(String prefix) {
        this.prefix = prefix;
    }

    /**
     * A fresh name, removed again by {@link #close()}.
     *
     * @return {@code prefix-pid-n}
     */
    public String name() {
        String n = unique(prefix);
        names.add(n);
        return n;
    }

    /**
     * A name no other call in any live process returns, not tracked (for tests that remove it themselves, or
     * whose objects are not in {@code /dev/shm}, such as Windows named mappings).
     *
     * @param prefix for example {@code hshm-it}
     * @return {@code prefix-pid-n}
     */
    public static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /**
     * Tracks a backend so that {@link #close()} destroys it.
     *
     * @param b the backend
     * @param <B> its type
     * @return {@code b}
     */
    public <B extends MemoryBackend> B track(B b) {
        backends.add(b);
        return b;
    }

    /**
     * Where Linux shows the shared-memory object {@code name}.
     *
     * @param name a name without the leading slash
     * @return {@code /dev/shm/name}
     */
    public static Path path(String name) {
        return DEV_SHM.resolve(name);
    }

    /**
     * Whether the shared-memory object {@code name} exists.
     *
     * @param name a name without the leading slash
     * @return true if {@code /dev/shm/name} exists
     */
    public static boolean exists(String name) {
        return Files.exists(path(name));
    }

    /** Destroys the tracked backends (newest first) and removes every name handed out; best effort. */
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
