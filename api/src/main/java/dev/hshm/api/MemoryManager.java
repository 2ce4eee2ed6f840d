package dev.hshm.api;

import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where this process's backends and allocators live: the seed's {@code HSHM_MEMORY_MANAGER}, a
 * process-wide singleton ({@link #get()}). Backends and allocators are created by kind and type name
 * through the providers found by {@link ProviderRegistry}, registered under their ids, and looked up,
 * attached, detached and destroyed here.
 *
 * <p>The seed's example, in Java:
 * <pre>{@code
 * String shmUrl = "test_allocators";
 * MemoryManager memMngr = MemoryManager.get();
 * AllocatorId allocId = AllocatorId.of(0, 0);
 *
 * // Create a 1GB backend with id 0
 * memMngr.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(0), Units.gigabytes(1), shmUrl);
 * // Create an allocator over backend 0
 * memMngr.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(0), allocId, 0);
 * // Unregister allocator
 * memMngr.unregisterAllocator(allocId);
 * // Destroy backend
 * memMngr.destroyBackend(MemoryBackendId.get(0));
 * }</pre>
 *
 * <p><b>Several allocators per backend.</b> A backend's header has a directory of up to
 * {@value BackendHeader#DIR_ENTRIES} allocators, each over its own page-aligned region; by default an
 * allocator takes all the room left. {@link #attachBackend} attaches every allocator in the directory.
 *
 * <p><b>Default allocator.</b> The first allocator registered becomes the default, until
 * {@link #setDefaultAllocator} says otherwise; with none, the default is a process-local root allocator
 * ({@link AllocatorId#ROOT}) of type {@link Allocator#MALLOC} over a {@link MemoryBackend#MALLOC} backend, both
 * made through the registry like any other (the built-ins module {@code dev.hshm.allocators} provides them;
 * without it, asking for the root is a {@link ProviderNotFoundException} that says what is missing).
 *
 * <p>All methods are thread-safe. Ids are keys of hash maps: any number of backends and allocators. A shared
 * backend's id is recorded in its header and an attach registers it under that id, so a process cannot attach
 * two segments that were created with the same backend id; tools that only inspect segments (like
 * {@code hshm stat}) use the providers directly and register nothing.
 */
public final class MemoryManager {

    private static final System.Logger LOG = System.getLogger(MemoryManager.class.getName());
    private static final MemoryManager INSTANCE = new MemoryManager();

    private final ProviderRegistry registry = ProviderRegistry.global();
    private final Map<MemoryBackendId, BackendEntry> backends = new ConcurrentHashMap<>();
    private final Map<AllocatorId, Registered> allocators = new ConcurrentHashMap<>();
    private volatile Allocator defaultAllocator;
    /** The root allocator and its backend and providers, made on first use; dropped when its providers go. */
    private volatile Root root;

    private record Root(Allocator allocator, AllocatorProvider provider, MemoryBackend backend,
                        MemoryBackendProvider backendProvider) {
    }

    private record Registered(Allocator allocator, AllocatorProvider provider, MemoryBackendId backendId) {
    }

    private record BackendEntry(MemoryBackend backend, MemoryBackendProvider provider) {
    }

    private MemoryManager() {
        registry.addChangeListener(this::dropOrphans);
    }

    /**
     * Runs when providers come or go (an OSGi bundle stopped): backends whose provider is gone are detached —
     * never destroyed, so shared memory and its contents survive — and allocators whose provider is gone are
     * unregistered. Attaching again once the provider is back finds the data.
     */
    private void dropOrphans() {
        List<MemoryBackendProvider> liveBackends = registry.all(MemoryBackendProvider.class);
        List<AllocatorProvider> liveAllocators = registry.all(AllocatorProvider.class);
        for (Registered r : List.copyOf(allocators.values())) {
            if (liveAllocators.stream().noneMatch(p -> p == r.provider())) {
                LOG.log(System.Logger.Level.INFO, "allocator provider '" + r.provider().name() + "' went away; "
                        + "unregistering allocator " + r.allocator().id());
                try {
                    unregisterAllocator(r.allocator().id());
                } catch (NotFoundException alreadyGone) {
                    // raced with an explicit unregister
                }
            }
        }
        for (BackendEntry e : List.copyOf(backends.values())) {
            if (liveBackends.stream().noneMatch(p -> p == e.provider())) {
                LOG.log(System.Logger.Level.INFO, "backend provider '" + e.provider().name() + "' went away; "
                        + "detaching (not destroying) " + e.backend());
                try {
                    detachBackend(e.backend().id());
                } catch (NotFoundException alreadyGone) {
                    // raced with an explicit detach
                }
            }
        }
        synchronized (this) {
            Root r = root;
            if (r != null && (liveAllocators.stream().noneMatch(p -> p == r.provider())
                    || liveBackends.stream().noneMatch(p -> p == r.backendProvider()))) {
                LOG.log(System.Logger.Level.INFO, "the root allocator's providers went away; dropping it");
                root = null;
                if (defaultAllocator == r.allocator()) {
                    defaultAllocator = null;
                }
                r.provider().release(r.allocator());
                r.backend().detach();
            }
        }
    }

    /**
     * The process's memory manager.
     *
     * @return the singleton
     */
    public static MemoryManager get() {
        return INSTANCE;
    }

    // ------------------------------------------------------------------ backends

    /**
     * Creates a backend of {@code kind} and registers it under {@code id}. A shared kind creates the named
     * object owner-only (0600) and fails if the name exists.
     *
     * @param kind a kind name, e.g. {@link MemoryBackend#POSIX_SHM_MMAP}
     * @param id the id to register it under (and to record in a shared header)
     * @param size bytes of data
     * @param url the shared-memory name for shared kinds; {@code null} for private ones
     * @return the backend
     * @throws ProviderNotFoundException if no supported provider offers {@code kind}
     * @throws AlreadyExistsException if {@code id} is registered or {@code url} exists
     */
    public MemoryBackend createBackend(String kind, MemoryBackendId id, long size, String url) {
        return createBackend(kind, id, size, url, BackendOptions.DEFAULT);
    }

    /**
     * Creates a private backend ({@code malloc}, {@code posix_mmap}).
     *
     * @param kind a private kind
     * @param id the id
     * @param size bytes of data
     * @return the backend
     */
    public MemoryBackend createBackend(String kind, MemoryBackendId id, long size) {
        return createBackend(kind, id, size, null, BackendOptions.DEFAULT);
    }

    /**
     * Creates a backend with options (permissions, caller memory for {@code array}).
     *
     * @param kind a kind name
     * @param id the id
     * @param size bytes of data
     * @param url the shared-memory name, or {@code null}
     * @param options creation options
     * @return the backend
     */
    public MemoryBackend createBackend(String kind, MemoryBackendId id, long size, String url, BackendOptions options) {
        MemoryBackendProvider p = registry.find(MemoryBackendProvider.class, kind);
        if (p.isShared() && url == null) {
            throw new InvalidNameException("backend kind '" + kind + "' is shared and needs a url");
        }
        if (backends.containsKey(id)) {
            throw new AlreadyExistsException("backend id " + id.value() + " is already registered: "
                    + backends.get(id).backend());
        }
        MemoryBackend b = p.create(id, size, url, options);
        return register(b, p);
    }

    /**
     * Creates an {@code array} backend over memory the caller owns.
     *
     * @param id the id
     * @param memory the memory (16-byte aligned; the caller keeps owning it)
     * @return the backend
     */
    public MemoryBackend createArrayBackend(MemoryBackendId id, MemorySegment memory) {
        return createBackend(MemoryBackend.ARRAY, id, memory.byteSize(), null, BackendOptions.ofMemory(memory));
    }

    private MemoryBackend register(MemoryBackend b, MemoryBackendProvider p) {
        if (backends.putIfAbsent(b.id(), new BackendEntry(b, p)) != null) {
            MemoryBackend other = backends.get(b.id()).backend();
            b.detach();
            throw new AlreadyExistsException("backend id " + b.id().value() + " is already registered here: " + other
                    + " (the segment's header records that id; detach the other backend first)");
        }
        return b;
    }

    /**
     * Attaches to a shared backend another process created, registers it under the id recorded in its
     * header, and attaches every allocator in its directory.
     *
     * @param kind the kind to attach as (shared kinds based on POSIX shared memory accept each other)
     * @param url the shared-memory name
     * @return the backend
     * @throws CorruptSegmentException if the object is not a valid, published backend
     * @throws NotFoundException if there is no such name
     */
    public MemoryBackend attachBackend(String kind, String url) {
        MemoryBackendProvider p = registry.find(MemoryBackendProvider.class, kind);
        MemoryBackend b = p.attach(url);
        register(b, p);
        boolean success = false;
        try {
            for (BackendHeader.DirectoryEntry e : awaitDirectory(b)) {
                if (e.state() == BackendHeader.STATE_READY && !allocators.containsKey(e.id())) {
                    try {
                        attachAllocator(b.id(), e.id());
                    } catch (ProviderNotFoundException ex) {
                        LOG.log(System.Logger.Level.WARNING, "backend '" + url + "': allocator " + e.id() + " of type '"
                                + e.type() + "' not attached: " + ex.getMessage());
                    }
                }
            }
            success = true;
        } finally {
            if (!success) {
                detachBackend(b.id());
            }
        }
        return b;
    }

    private List<BackendHeader.DirectoryEntry> awaitDirectory(MemoryBackend b) {
        return BackendHeader.directory(b.header(), b.dataSize());
    }

    /**
     * The backend registered under {@code id}.
     *
     * @param id the id
     * @return the backend
     * @throws NotFoundException listing the registered ids
     */
    public MemoryBackend getBackend(MemoryBackendId id) {
        BackendEntry e = backends.get(id);
        if (e == null) {
            throw new NotFoundException("no backend registered under id " + id.value() + "; registered: "
                    + backends.keySet().stream().map(MemoryBackendId::value).sorted().toList());
        }
        return e.backend();
    }

    /**
     * The registered backends, by id.
     *
     * @return a snapshot
     */
    public List<MemoryBackend> backends() {
        List<MemoryBackend> l = new ArrayList<>(backends.values().stream().map(BackendEntry::backend).toList());
        l.sort(Comparator.comparingInt(b -> b.id().value()));
        return l;
    }

    /**
     * Unregisters the backend's allocators and the backend, and unmaps it in this process. Shared memory
     * stays for other processes (and for a later attach).
     *
     * @param id the backend
     */
    public void detachBackend(MemoryBackendId id) {
        BackendEntry e = backends.remove(id);
        if (e == null) {
            throw new NotFoundException("no backend registered under id " + id.value());
        }
        unregisterAllocatorsOf(id);
        e.backend().detach();
    }

    /**
     * Unregisters the backend's allocators and the backend, unmaps it, and removes the shared object so no
     * process can attach any more; processes that have it mapped keep their view.
     *
     * @param id the backend
     */
    public void destroyBackend(MemoryBackendId id) {
        BackendEntry e = backends.remove(id);
        if (e == null) {
            throw new NotFoundException("no backend registered under id " + id.value());
        }
        unregisterAllocatorsOf(id);
        e.backend().destroy();
    }

    private void unregisterAllocatorsOf(MemoryBackendId id) {
        for (Map.Entry<AllocatorId, Registered> e : List.copyOf(allocators.entrySet())) {
            if (e.getValue().backendId().equals(id)) {
                unregisterAllocator(e.getKey());
            }
        }
    }

    // ------------------------------------------------------------------ allocators

    /**
     * Creates an allocator of {@code type} over the rest of the backend's free data and registers it.
     *
     * @param type a type name, e.g. {@link Allocator#THREAD_LOCAL}
     * @param backendId the backend
     * @param id the allocator's id
     * @param customHeaderSize bytes of custom header to reserve
     * @return the allocator
     */
    public Allocator createAllocator(String type, MemoryBackendId backendId, AllocatorId id, long customHeaderSize) {
        return createAllocator(type, backendId, id, customHeaderSize, -1);
    }

    /**
     * Creates an allocator over a region of {@code regionSize} bytes of the backend.
     *
     * @param type a type name
     * @param backendId the backend
     * @param id the allocator's id
     * @param customHeaderSize bytes of custom header to reserve
     * @param regionSize bytes of the backend to give it, or {@code -1} for all that is left
     * @return the allocator
     */
    public Allocator createAllocator(String type, MemoryBackendId backendId, AllocatorId id, long customHeaderSize,
                                     long regionSize) {
        if (id == null || id.isNull() || id.equals(AllocatorId.ROOT)) {
            throw new IllegalArgumentException("allocator id must be a user id (see AllocatorId.of): " + id);
        }
        if (customHeaderSize < 0) {
            throw new IllegalArgumentException("custom header size must be >= 0: " + customHeaderSize);
        }
        AllocatorProvider p = registry.find(AllocatorProvider.class, type);
        MemoryBackend b = getBackend(backendId);
        if (allocators.containsKey(id)) {
            throw new AlreadyExistsException("allocator " + id + " is already registered: " + allocators.get(id).allocator());
        }
        Allocator a;
        if (p.usesBackendMemory()) {
            BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id, type, regionSize);
            try {
                a = p.create(b, id, e.regionOffset(), e.regionSize(), customHeaderSize);
            } catch (RuntimeException | Error refused) {
                try {
                    BackendHeader.releaseAllocator(b.header(), e); // the entry and region go back
                } catch (RuntimeException suppressed) {
                    refused.addSuppressed(suppressed);
                }
                throw refused;
            }
            BackendHeader.publishAllocator(b.header(), e);
        } else {
            a = p.create(b, id, 0, 0, customHeaderSize);
        }
        return registerAllocator(a, p, backendId);
    }

    /**
     * Attaches to an allocator in a backend's directory (made by another process) and registers it. If it
     * is registered already, returns it.
     *
     * @param backendId an attached backend
     * @param id the allocator's id
     * @return the allocator
     * @throws NotFoundException if the directory has no such allocator
     */
    public Allocator attachAllocator(MemoryBackendId backendId, AllocatorId id) {
        Registered r = allocators.get(id);
        if (r != null && r.backendId().equals(backendId)) {
            return r.allocator();
        }
        MemoryBackend b = getBackend(backendId);
        // how long to wait for a live creator to publish (-Dhshm.attach.timeout.ms, read on every attach)
        long deadline = System.nanoTime() + Long.getLong("hshm.attach.timeout.ms", 2000L) * 1_000_000L;
        while (true) {
            List<BackendHeader.DirectoryEntry> dir = BackendHeader.directory(b.header(), b.dataSize());
            BackendHeader.DirectoryEntry found = null;
            for (BackendHeader.DirectoryEntry e : dir) {
                if (e.id().equals(id)) {
                    found = e;
                }
            }
            if (found == null) {
                throw new NotFoundException("allocator " + id + " is not in backend " + backendId.value()
                        + "'s directory; it has: " + dir.stream().map(e -> e.id() + " " + e.type()).toList());
            }
            if (found.state() == BackendHeader.STATE_READY) {
                AllocatorProvider p = registry.find(AllocatorProvider.class, found.type());
                Allocator a = p.attach(b, id, found.regionOffset(), found.regionSize());
                return registerAllocator(a, p, backendId);
            }
            if (System.nanoTime() > deadline) {
                throw new CorruptSegmentException("allocator " + id + " in backend " + backendId.value()
                        + " was reserved but never published (its creator may have died while formatting it)");
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private Allocator registerAllocator(Allocator a, AllocatorProvider p, MemoryBackendId backendId) {
        if (allocators.putIfAbsent(a.id(), new Registered(a, p, backendId)) != null) {
            p.release(a);
            throw new AlreadyExistsException("allocator " + a.id() + " is already registered");
        }
        synchronized (this) {
            if (defaultAllocator == null) {
                defaultAllocator = a;
            }
        }
        return a;
    }

    /**
     * Unregisters an allocator in this process and releases what it holds here (its per-thread cache
     * slots). Its memory and state in the backend stay, for other processes and a later attach.
     *
     * @param id the allocator
     * @throws NotFoundException if it is not registered
     */
    public void unregisterAllocator(AllocatorId id) {
        Registered r = allocators.remove(id);
        if (r == null) {
            throw new NotFoundException("no allocator registered under id " + id + "; registered: "
                    + allocators.keySet());
        }
        synchronized (this) {
            if (defaultAllocator == r.allocator()) {
                defaultAllocator = null;
            }
        }
        r.provider().release(r.allocator());
    }

    /**
     * The allocator registered under {@code id}.
     *
     * @param id the id
     * @return the allocator
     * @throws NotFoundException listing the registered ids
     */
    public Allocator getAllocator(AllocatorId id) {
        Registered r = allocators.get(id);
        if (r == null) {
            if (AllocatorId.ROOT.equals(id)) {
                return rootAllocator();
            }
            throw new NotFoundException("no allocator registered under id " + id + "; registered: "
                    + allocators.keySet());
        }
        return r.allocator();
    }

    /**
     * The registered allocators.
     *
     * @return a snapshot
     */
    public List<Allocator> allocators() {
        return allocators.values().stream().map(Registered::allocator).toList();
    }

    /**
     * The default allocator: the one set, else the first registered, else the libc root allocator.
     *
     * @return the default allocator
     * @throws ProviderNotFoundException if the root is needed and no {@code malloc} backend or allocator
     *         provider is present (the module {@code dev.hshm.allocators} provides both)
     */
    public Allocator defaultAllocator() {
        Allocator a = defaultAllocator;
        return a != null ? a : rootAllocator();
    }

    /**
     * Makes {@code allocator} the default; {@code null} falls back to the first registered or the root.
     *
     * @param allocator a registered allocator, or {@code null}
     */
    public synchronized void setDefaultAllocator(Allocator allocator) {
        Root r = root;
        if (allocator != null && !allocators.containsKey(allocator.id()) && (r == null || allocator != r.allocator())) {
            throw new NotFoundException("allocator " + allocator.id() + " is not registered");
        }
        defaultAllocator = allocator;
    }

    private Allocator rootAllocator() {
        Root r = root;
        if (r == null) {
            synchronized (this) {
                r = root;
                if (r == null) {
                    // registered nowhere: the root is this process's own, not a user allocator
                    MemoryBackendProvider bp = registry.find(MemoryBackendProvider.class, MemoryBackend.MALLOC);
                    AllocatorProvider ap = registry.find(AllocatorProvider.class, Allocator.MALLOC);
                    MemoryBackend b = bp.create(new MemoryBackendId(Integer.MAX_VALUE), 4096, null,
                            BackendOptions.DEFAULT);
                    boolean success = false;
                    try {
                        r = new Root(ap.create(b, AllocatorId.ROOT, 0, 0, 0), ap, b, bp);
                        success = true;
                    } finally {
                        if (!success) {
                            b.detach();
                        }
                    }
                    root = r;
                }
            }
        }
        return r.allocator();
    }

    // ------------------------------------------------------------------ pointers

    /**
     * The memory a pointer names, in this process: a view of {@code size} bytes.
     *
     * @param p a pointer from any registered allocator
     * @param size the number of bytes to view
     * @return the view
     * @throws NotFoundException if its allocator is not registered here
     * @throws InvalidPointerException if the range is outside the allocator's memory
     */
    public MemorySegment convert(Pointer p, long size) {
        if (p.isNull()) {
            throw new InvalidPointerException("cannot convert a null pointer");
        }
        return getAllocator(p.allocatorId()).resolve(p.offset(), size);
    }

    /**
     * Both halves of a pointer.
     *
     * @param p a pointer from any registered allocator
     * @param size the number of bytes to view
     * @return the full pointer
     */
    public FullPtr toFullPtr(Pointer p, long size) {
        return new FullPtr(convert(p, size), p);
    }

    /**
     * The process-independent pointer for memory inside a registered shared allocator's region.
     *
     * @param address a segment whose address lies in some allocator's region
     * @return the pointer
     * @throws NotFoundException if no registered allocator's region contains it
     */
    public Pointer toPointer(MemorySegment address) {
        long a = address.address();
        for (Registered r : allocators.values()) {
            Allocator al = r.allocator();
            if (al.type().equals(Allocator.MALLOC)) {
                continue;
            }
            MemoryBackend b = al.backend();
            if (!b.isAttached()) {
                continue;
            }
            long base = b.data().address();
            long off = a - base;
            if (off < 0 || off >= b.dataSize()) {
                continue;
            }
            for (BackendHeader.DirectoryEntry e : BackendHeader.directory(b.header(), b.dataSize())) {
                if (e.id().equals(al.id()) && off >= e.regionOffset() && off < e.regionOffset() + e.regionSize()) {
                    return new Pointer(al.id(), off);
                }
            }
        }
        throw new NotFoundException("address 0x" + Long.toHexString(a) + " is not inside any registered allocator's memory");
    }
}
