package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's structures example in one process (B's half after A's); it's DocSamplesTest runs it as written
 * there, in two JVMs, and checks the README against it.
 */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() throws Exception {
        String url = "orders-" + ProcessHandle.current().pid();
        List<Long> printed = new ArrayList<>();
        MemoryManager mm = MemoryManager.get();
        try {
            // process A
            mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(1), Units.megabytes(64), url);
            Allocator alloc = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(1), AllocatorId.of(1, 0),
                    NamedObjects.CUSTOM_HEADER_BYTES);
            MpscRing orders = MpscRing.openOrCreate(NamedObjects.of(alloc), "orders", 1 << 20);
            long at = orders.tryClaim(1, 16);
            orders.buffer().set(ValueLayout.JAVA_LONG, at, 42L);
            orders.buffer().set(ValueLayout.JAVA_LONG, at + 8, 7L);
            orders.commit(at);

            // process B (the backend is attached already in this process)
            MpscRing in = MpscRing.attach(NamedObjects.of(mm.getAllocator(AllocatorId.of(1, 0))), "orders");
            int n = in.take((type, buf, off, len) -> printed.add(buf.get(ValueLayout.JAVA_LONG, off)),
                    100, TimeUnit.SECONDS.toNanos(5));
            assertEquals(1, n);
            assertEquals(List.of(42L), printed);
        } finally {
            mm.destroyBackend(MemoryBackendId.get(1));
        }
    }
}
