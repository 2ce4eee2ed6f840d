package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.Processes;
import dev.hshm.api.spi.ProviderRegistry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finding, opening and describing shared segments, for {@code ls}, {@code stat}, {@code check} and {@code rm}.
 *
 * <p>Segments are opened through the backend and allocator providers directly, never through the process's
 * {@link dev.hshm.api.MemoryManager}: inspecting registers nothing, so it cannot collide with the ids of
 * backends the process uses, and two segments created with the same backend id can be inspected one after
 * the other. An open segment counts as one more attached process while it is open (its header's attach
 * count); {@link Opened#close()} gives that back.
 */
final class Segments {

    private Segments() {
    }

    /**
     * Every segment that a supported shared-backend provider lists, by name, each with the first (highest
     * priority) provider that listed it. Providers that cannot enumerate (macOS) list nothing.
     */
    static Map<String, MemoryBackendProvider> list() {
        Map<String, MemoryBackendProvider> out = new TreeMap<>();
        for (MemoryBackendProvider p : ProviderRegistry.global().supported(MemoryBackendProvider.class)) {
            if (p.isShared()) {
                for (String name : p.list()) {
                    out.putIfAbsent(name, p);
                }
            }
        }
        return out;
    }

    /** The kinds of the supported shared-backend providers, for messages. */
    static List<String> sharedKinds() {
        return ProviderRegistry.global().supported(MemoryBackendProvider.class).stream()
                .filter(MemoryBackendProvider::isShared).map(MemoryBackendProvider::name).distinct().toList();
    }

    /**
     * The provider to open {@code name} with: the kind asked for; else the provider that lists it; else
     * {@value MemoryBackend#POSIX_SHM_MMAP} (whose attach then says whether the name exists).
     */
    static MemoryBackendProvider providerFor(String name, String kind) {
        ProviderRegistry reg = ProviderRegistry.global();
        if (kind != null) {
            MemoryBackendProvider p = reg.find(MemoryBackendProvider.class, kind);
            if (!p.isShared()) {
                throw new CliException("backend kind '" + kind + "' is private to the process that made it; shared kinds: "
                        + sharedKinds());
            }
            return p;
        }
        MemoryBackendProvider listed = list().get(name.startsWith("/") ? name.substring(1) : name);
        return listed != null ? listed : reg.find(MemoryBackendProvider.class, MemoryBackend.POSIX_SHM_MMAP);
    }

    /** What a segment's header says. */
    record Header(String name, String creatorKind, String attachedAs, int backendId, int layoutVersion, long headerSize,
                  long dataSize, long givenToAllocators, long creatorPid, long creatorStartMillis, boolean creatorAlive,
                  long attachCount) {

        /** Processes other than this inspection that have it mapped (per the attach count). */
        long otherAttachers() {
            return Math.max(0, attachCount - 1);
        }

        String creator() {
            return creatorPid + (creatorAlive ? " (alive)" : " (gone)");
        }
    }

    /**
     * A segment attached for inspection, with its header read and, if asked, every published allocator in its
     * directory attached. Closing releases the allocators and detaches.
     */
    static final class Opened implements AutoCloseable {
        final MemoryBackend backend;
        final Header header;
        final List<BackendHeader.DirectoryEntry> directory;
        final List<Allocator> allocators = new ArrayList<>();
        /** Directory entries not attached, with the reason (not published yet, no provider, corrupt). */
        final Map<BackendHeader.DirectoryEntry, String> notAttached = new LinkedHashMap<>();
        private final List<AllocatorProvider> providers = new ArrayList<>();

        Opened(String name, MemoryBackendProvider p, boolean attachAllocators) {
            backend = p.attach(name);
            boolean ok = false;
            try {
                header = readHeader(name, backend);
                directory = BackendHeader.directory(backend.header(), backend.dataSize());
                if (attachAllocators) {
                    for (BackendHeader.DirectoryEntry e : directory) {
                        attach(e);
                    }
                }
                ok = true;
            } finally {
                if (!ok) {
                    close();
                }
            }
        }

        private void attach(BackendHeader.DirectoryEntry e) {
            if (e.state() != BackendHeader.STATE_READY) {
                notAttached.put(e, "reserved but not published (being created, or its creator died while creating it)");
                return;
            }
            try {
                AllocatorProvider ap = ProviderRegistry.global().find(AllocatorProvider.class, e.type());
                allocators.add(ap.attach(backend, e.id(), e.regionOffset(), e.regionSize()));
                providers.add(ap);
            } catch (HshmException ex) {
                notAttached.put(e, ex.getMessage());
            }
        }

        @Override
        public void close() {
            for (int i = 0; i < providers.size(); i++) {
                try {
                    providers.get(i).release(allocators.get(i));
                } catch (RuntimeException e) {
                    // releasing is best effort: detaching below is what matters
                }
            }
            backend.detach();
        }
    }

    private static Header readHeader(String name, MemoryBackend b) {
        MemorySegment h = b.header();
        long pid = h.get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET);
        long start = h.get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_START_OFFSET);
        return new Header(name, BackendHeader.kind(h), b.kind(), h.get(ValueLayout.JAVA_INT, BackendHeader.BACKEND_ID_OFFSET),
                h.get(ValueLayout.JAVA_INT, BackendHeader.LAYOUT_VERSION_OFFSET),
                h.get(ValueLayout.JAVA_LONG, BackendHeader.HEADER_SIZE_OFFSET), b.dataSize(),
                (long) ValueLayout.JAVA_LONG.varHandle().getVolatile(h, BackendHeader.DATA_BUMP_OFFSET), pid, start,
                Processes.isAlive(pid, start), BackendHeader.attachCount(h));
    }

    /** Attaches just long enough to read the header and directory. */
    static Opened peek(String name, MemoryBackendProvider p) {
        return new Opened(name, p, false);
    }
}
