package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.Processes;
import dev.hshm.api.spi.ProviderRegistry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finding and describing the shared segments on this machine, for {@code ls}, {@code stat}, {@code rm}. */
final class Segments {

    private Segments() {
    }

    /** Every segment a supported shared-backend provider lists, each with the first provider that listed it. */
    static Map<String, MemoryBackendProvider> list() {
        Map<String, MemoryBackendProvider> out = new LinkedHashMap<>();
        for (MemoryBackendProvider p : ProviderRegistry.global().supported(MemoryBackendProvider.class)) {
            if (!p.isShared()) {
                continue;
            }
            for (String name : p.list()) {
                out.putIfAbsent(name, p);
            }
        }
        return out;
    }

    /** The provider to use for {@code name}: the one asked for, else the one that lists it, else posix_shm_mmap. */
    static MemoryBackendProvider providerFor(String name, String kind) {
        ProviderRegistry reg = ProviderRegistry.global();
        if (kind != null) {
            return reg.find(MemoryBackendProvider.class, kind);
        }
        MemoryBackendProvider listed = list().get(name.startsWith("/") ? name.substring(1) : name);
        return listed != null ? listed : reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP);
    }

    /**
     * A segment attached for inspection, with every published allocator in its directory, through the providers
     * directly: nothing is registered with the process's {@link dev.hshm.api.MemoryManager}, so inspecting never
     * collides with ids the process uses. Closing releases the allocators and detaches.
     */
    static final class Opened implements AutoCloseable {
        final MemoryBackend backend;
        final List<Allocator> allocators = new java.util.ArrayList<>();
        private final List<AllocatorProvider> providers = new java.util.ArrayList<>();
        final List<String> skipped = new java.util.ArrayList<>();

        Opened(String name, MemoryBackendProvider p) {
            backend = p.attach(name);
            boolean ok = false;
            try {
                for (BackendHeader.DirectoryEntry e : BackendHeader.directory(backend.header(), backend.dataSize())) {
                    if (e.state() != BackendHeader.STATE_READY) {
                        skipped.add(e.id() + " " + e.type() + ": not published");
                        continue;
                    }
                    try {
                        AllocatorProvider ap = ProviderRegistry.global().find(AllocatorProvider.class, e.type());
                        allocators.add(ap.attach(backend, e.id(), e.regionOffset(), e.regionSize()));
                        providers.add(ap);
                    } catch (ProviderNotFoundException ex) {
                        skipped.add(e.id() + " " + e.type() + ": " + ex.getMessage());
                    }
                }
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }

        @Override
        public void close() {
            for (int i = 0; i < allocators.size(); i++) {
                providers.get(i).release(allocators.get(i));
            }
            backend.detach();
        }
    }

    /** What a segment's header says, read through a short attach. */
    record Summary(String name, String kind, int id, long dataSize, long creatorPid, boolean creatorAlive,
                   long otherAttachers, List<BackendHeader.DirectoryEntry> allocators) {
    }

    static Summary describe(String name, MemoryBackendProvider p) {
        MemoryBackend b = p.attach(name);
        try {
            MemorySegment h = b.header();
            long pid = h.get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET);
            long start = h.get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_START_OFFSET);
            return new Summary(name, BackendHeader.kind(h), b.id().value(), b.dataSize(), pid,
                    Processes.isAlive(pid, start), BackendHeader.attachCount(h) - 1,
                    BackendHeader.directory(h, b.dataSize()));
        } finally {
            b.detach();
        }
    }
}
