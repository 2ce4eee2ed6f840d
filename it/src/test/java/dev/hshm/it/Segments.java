package dev.hshm.it;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.testkit.ShmTestNames;

/** Unique shared-memory names for tests, and removal that never throws. */
final class Segments {

    private Segments() {
    }

    static String unique(String what) {
        return ShmTestNames.unique("hshm-it-" + what);
    }

    /** Unlinks the name if it still exists (after a failed test). */
    static void remove(String url) {
        try {
            ProviderRegistry.global().find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP).unlink(url);
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    /** Unregisters everything the manager holds in this JVM (tests share the singleton). */
    static void clearManager() {
        MemoryManager mm = MemoryManager.get();
        for (var a : mm.allocators()) {
            mm.unregisterAllocator(a.id());
        }
        for (var b : mm.backends()) {
            mm.detachBackend(b.id());
        }
    }
}
