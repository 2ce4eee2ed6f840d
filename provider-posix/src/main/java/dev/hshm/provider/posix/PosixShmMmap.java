package dev.hshm.provider.posix;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.StateException;
import dev.hshm.api.Units;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ShmNames;
import dev.hshm.api.spi.Sizes;
import dev.hshm.provider.posix.internal.DevShm;
import dev.hshm.provider.posix.internal.PosixApi;
import dev.hshm.provider.posix.internal.PosixNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A shared backend in POSIX shared memory: the seed's {@code PosixShmMmap}, kind
 * {@value MemoryBackend#POSIX_SHM_MMAP}.
 *
 * <pre>
 * shm_open("/NAME") object, mapped whole with ONE mmap(MAP_SHARED), so header and data are contiguous:
 *
 * [ header: BackendHeader | padding ][ data: size bytes                 ]
 * 0                        DATA_OFFSET                     DATA_OFFSET + size = object size
 * </pre>
 *
 * <p><b>Create</b>: {@code shm_open(O_CREAT|O_EXCL|O_RDWR, mode)} (owner-only {@code 0600} unless
 * {@link dev.hshm.api.spi.BackendOptions#mode()} says otherwise; on Linux the exact mode is then set with
 * {@code fchmod}, since {@code shm_open} applies the umask) → {@code ftruncate(DATA_OFFSET + size)} → the
 * whole object is allocated ({@code posix_fallocate}, so that a full {@code /dev/shm} fails here with
 * {@code ENOSPC}, naming the size and the free space, rather than with a {@code SIGBUS} at a later write; with
 * {@link dev.hshm.api.spi.BackendOptions#withReserve withReserve(false)} only the header page, and data pages
 * stay sparse until touched) → {@code mmap} → {@code close(fd)} →
 * {@link BackendHeader#format} → {@link BackendHeader#publish} (the ready word, last). An existing name is
 * never replaced: it is an {@link AlreadyExistsException}. A create that fails half-way unmaps, closes and
 * unlinks what it made.
 *
 * <p><b>Attach</b>: {@code shm_open(O_RDWR)} → size of the object → an empty object, or a header still
 * all zeroes, is waited for (a creator between {@code shm_open} and {@code ftruncate}, or between
 * {@code mmap} and formatting), within the same timeout as the ready word below, then rejected → {@code mmap} → {@link BackendHeader#verify} (magic, byte order, layout version,
 * the ready word — waiting up to {@code -Dhshm.attach.timeout.ms} (default 2000, read on every attach)
 * while a live creator formats — sizes against the object's real size, kind) → attach count + 1. Segments
 * created as {@value MemoryBackend#CUDA_SHM_MMAP} or {@value MemoryBackend#ROCM_SHM_MMAP} are POSIX shared
 * memory too and are accepted; {@link #kind()} reports {@value MemoryBackend#POSIX_SHM_MMAP}, the kind of this
 * view (a plain mapping, not registered with a GPU); the creator's kind stays readable in the header
 * ({@link BackendHeader#kind}). Anything wrong with the object is a
 * {@link CorruptSegmentException} naming what; a missing name is a {@link NotFoundException}.
 *
 * <p>A segment another user owns is refused at attach with the owner's name (on Linux, from the owner of its
 * file in {@code /dev/shm}) unless {@code -D}{@value #ATTACH_OTHER_USERS_PROPERTY}{@code =true}: root opens
 * any user's object, and a group-shared one opens for the group, but either way its contents are controlled
 * by someone else. macOS offers no way to read the owner of a shared-memory object before mapping it; there
 * the kernel's permission check is all.
 *
 * <p><b>Detach</b> unmaps this process's view (the attach count goes down); <b>destroy</b> also
 * {@code shm_unlink}s the name. A name already removed (by another process's destroy or
 * {@code hshm rm}) is not an error for destroy.
 *
 * <p><b>Limits.</b> The object is sized once; if another program truncates it after this process has
 * attached, touching the lost pages raises {@code SIGBUS}, which the JVM cannot always turn into an
 * exception. Likewise a sparse backend ({@code withReserve(false)}) larger than the free space of
 * {@code /dev/shm} is accepted but fails on the first page the tmpfs cannot supply; a backend larger than the
 * whole tmpfs is refused.
 */
public final class PosixShmMmap extends AbstractMemoryBackend {

    private static final System.Logger LOG = System.getLogger(PosixShmMmap.class.getName());

    /**
     * Where the data of every POSIX mapping starts, in every process: a multiple of 2 MiB (the x86-64 and
     * AArch64 large-page size), so that offsets and addresses agree up to it ({@link #addressAlignment()}).
     * The mapping is placed by reserving address space and mapping in place inside it
     * ({@link PosixNative#mmapShared(int, long, long, long, java.lang.foreign.Arena)}); the header page comes
     * before the data, so the mapping itself starts 4 KiB below the boundary.
     */
    public static final long ADDRESS_ALIGNMENT = 2L << 20;

    /** Kinds whose objects this backend attaches: all are POSIX shared memory with the same header. */
    public static final Set<String> ACCEPTED_KINDS =
            Set.of(MemoryBackend.POSIX_SHM_MMAP, MemoryBackend.CUDA_SHM_MMAP, MemoryBackend.ROCM_SHM_MMAP);

    /** The system property that bounds how long attach waits for a live creator to publish the header. */
    public static final String ATTACH_TIMEOUT_PROPERTY = "hshm.attach.timeout.ms";

    /**
     * The system property that lets attach map a segment another user owns ({@code true}); without it, such an
     * attach is refused with the owner's name. Root can open any user's segment, and a group-shared one
     * ({@code 0660}) opens for every member: either way this process would trust, and write into, memory that
     * another user controls, so it must be asked for.
     */
    public static final String ATTACH_OTHER_USERS_PROPERTY = "hshm.attach.otherUsers";

    /** How often attach re-reads an object that a creator has opened but not yet sized or formatted. */
    private static final long CREATE_POLL_MS = 1;

    /** Default of {@link #ATTACH_TIMEOUT_PROPERTY}, in milliseconds. */
    public static final long DEFAULT_ATTACH_TIMEOUT_MS = 2000;

    private final Arena arena;
    private final String name;

    private PosixShmMmap(MemoryBackendId id, String kind, String name, Arena arena, MemorySegment header,
                         MemorySegment data, boolean creator) {
        super(id, kind, name, header, data, creator);
        this.arena = arena;
        this.name = name;
    }

    /**
     * Creates the object {@code url}, maps it and publishes its header.
     *
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @param url the name ({@link ShmNames} rules; a leading {@code /} is optional)
     * @param mode permission bits for the new object, e.g. {@code 0600}
     * @return the backend, owned by this process
     * @throws dev.hshm.api.InvalidNameException if the name breaks a rule
     * @throws AlreadyExistsException if the name exists (it is never replaced)
     * @throws OutOfMemoryException if {@code size} exceeds the whole {@code /dev/shm} tmpfs
     * @throws NativeException if a call fails ({@code ENOSPC}: {@code /dev/shm} is full, with advice)
     */
    public static PosixShmMmap create(MemoryBackendId id, long size, String url, int mode) {
        return create(id, size, url, mode, MemoryBackend.POSIX_SHM_MMAP);
    }

    /**
     * Creates the object as above, recording {@code kind} in its header: for providers whose backends are
     * POSIX shared memory plus something more (the CUDA and ROCm providers register it with a GPU), so that
     * their attachers can tell what the creator made.
     *
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @param url the name
     * @param mode permission bits for the new object
     * @param kind one of {@link #ACCEPTED_KINDS}
     * @return the backend, owned by this process; its view kind is the one given
     */
    public static PosixShmMmap create(MemoryBackendId id, long size, String url, int mode, String kind) {
        return create(id, size, url, mode, kind, true);
    }

    /**
     * Creates the object {@code url} of a kind of POSIX shared memory, reserving its memory or not.
     *
     * @param id the backend id recorded in the header
     * @param size data bytes
     * @param url the name
     * @param mode permission bits
     * @param kind one of {@link #ACCEPTED_KINDS}
     * @param reserve {@code true} to allocate every page now ({@code posix_fallocate}, Linux), {@code false} to
     *        leave data pages sparse (see {@link dev.hshm.api.spi.BackendOptions#reserve()})
     * @return the backend, owned
     */
    public static PosixShmMmap create(MemoryBackendId id, long size, String url, int mode, String kind,
                                      boolean reserve) {
        return create(PosixApi.NATIVE, id, size, url, mode, kind, reserve);
    }

    /**
     * Creates the object as above through {@code api} (tests pass a mock to fail each step).
     *
     * @param api the POSIX calls
     * @param id the backend id recorded in the header
     * @param size data bytes
     * @param url the name
     * @param mode permission bits
     * @param kind one of {@link #ACCEPTED_KINDS}
     * @param reserve whether to allocate every page now
     * @return the backend, owned
     */
    static PosixShmMmap create(PosixApi api, MemoryBackendId id, long size, String url, int mode, String kind,
                               boolean reserve) {
        if (!ACCEPTED_KINDS.contains(kind)) {
            throw new IllegalArgumentException("not a kind of POSIX shared memory: " + kind + "; accepted: "
                    + ACCEPTED_KINDS);
        }
        String name = ShmNames.validate(url);
        long total = Sizes.mappingBytes(size);
        checkCapacity(name, total, reserve);
        String path = "/" + name;
        Arena arena = Arena.ofShared();
        int fd = -1;
        boolean created = false;
        try {
            try {
                fd = api.shmOpen(path, PosixNative.O_CREAT | PosixNative.O_EXCL | PosixNative.O_RDWR, mode);
            } catch (NativeException e) {
                if ("EEXIST".equals(e.errorName())) {
                    throw new AlreadyExistsException("shared memory '" + name + "' exists already; attach to it, or"
                            + " remove it with 'hshm rm " + name + "' (it is never replaced silently)", e);
                }
                throw e;
            }
            created = true;
            api.fchmod(fd, mode);
            api.ftruncate(fd, total);
            try {
                api.allocate(fd, reserve ? total : BackendHeader.DATA_OFFSET);
            } catch (NativeException e) {
                if ("ENOSPC".equals(e.errorName())) {
                    throw new OutOfMemoryException("cannot reserve shared memory '" + name + "' of " + total
                            + " bytes (header included): " + DevShm.tooSmallAdvice(total), e);
                }
                throw e;
            }
            MemorySegment all = api.mmapShared(fd, total, ADDRESS_ALIGNMENT, BackendHeader.DATA_OFFSET, arena);
            int closing = fd;
            fd = -1;
            api.close(closing);
            // a fresh object is zero-filled, as format() requires
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            BackendHeader.format(header, id, kind, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(header);
            return new PosixShmMmap(id, kind, name, arena, header,
                    all.asSlice(BackendHeader.DATA_OFFSET, size), true);
        } catch (RuntimeException | Error e) {
            undoCreate(api, e, arena, fd, created ? path : null);
            throw e;
        }
    }

    private static void undoCreate(PosixApi api, Throwable primary, Arena arena, int fd, String unlinkPath) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
        if (fd >= 0) {
            try {
                api.close(fd);
            } catch (RuntimeException e) {
                primary.addSuppressed(e);
            }
        }
        if (unlinkPath != null) {
            try {
                api.shmUnlink(unlinkPath);
            } catch (RuntimeException e) {
                primary.addSuppressed(e);
            }
        }
    }

    private static void checkCapacity(String name, long total, boolean reserve) {
        if (PosixNative.os() != PosixNative.Os.LINUX) {
            return;
        }
        DevShm.space().ifPresent(s -> {
            long capacity = s[0];
            long free = s[1];
            if (capacity > 0 && total > capacity) {
                throw new OutOfMemoryException("cannot create shared memory '" + name + "' of " + total
                        + " bytes (header included): " + DevShm.tooSmallAdvice(total));
            }
            if (total > free && !reserve) {
                LOG.log(System.Logger.Level.WARNING, "shared memory ''{0}'' ({1}) is larger than the free space of"
                        + " {2} ({3}): it is sparse, but writing past the free space will fail with SIGBUS",
                        name, Units.format(total), DevShm.DIR, Units.format(free));
            }
        });
    }

    /**
     * Attaches to the object {@code url} that this or another process created.
     *
     * @param url the name
     * @return the backend, not owned, with the id recorded in its header
     * @throws dev.hshm.api.InvalidNameException if the name breaks a rule
     * @throws NotFoundException if there is no object of that name
     * @throws CorruptSegmentException if the object is not a valid, published backend of an accepted kind
     * @throws NativeException if a call fails ({@code EACCES}: another user's object, with advice)
     */
    public static PosixShmMmap attach(String url) {
        return attach(PosixApi.NATIVE, url);
    }

    /**
     * Attaches as above through {@code api} (tests pass a mock to fail each step).
     *
     * @param api the POSIX calls
     * @param url the name
     * @return the backend, not owned
     */
    static PosixShmMmap attach(PosixApi api, String url) {
        String name = ShmNames.validate(url);
        long timeoutMs = Math.max(0, Long.getLong(ATTACH_TIMEOUT_PROPERTY, DEFAULT_ATTACH_TIMEOUT_MS));
        refuseOtherUsers(name);
        int fd;
        try {
            fd = api.shmOpen("/" + name, PosixNative.O_RDWR, 0);
        } catch (NativeException e) {
            if ("ENOENT".equals(e.errorName())) {
                throw new NotFoundException("no shared memory named '" + name + "'"
                        + (PosixNative.os() == PosixNative.Os.LINUX ? " (no " + DevShm.path(name) + ")" : "")
                        + "; create it first, or check the name" + existing(), e);
            }
            throw e;
        }
        Arena arena = Arena.ofShared();
        boolean success = false;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try {
            long size;
            MemorySegment all;
            try {
                size = api.objectSize(fd);
                // A creator sizes the object right after shm_open and formats it right after mmap: an attach
                // in between sees size 0 or a header of zeroes. Wait for it, bounded, like for the ready word.
                while (size == 0 && System.nanoTime() - deadline < 0) { // only a creator's fresh object is empty
                    Thread.sleep(Duration.ofMillis(CREATE_POLL_MS));
                    size = api.objectSize(fd);
                }
                if (size < BackendHeader.DATA_OFFSET) {
                    throw new CorruptSegmentException("not an hshm segment (too small for a header): url=" + name
                            + ", size=" + size + ", need>=" + BackendHeader.DATA_OFFSET + " (waited " + timeoutMs
                            + " ms for a creator to size it; -D" + ATTACH_TIMEOUT_PROPERTY + "=MS)");
                }
                all = api.mmapShared(fd, size, ADDRESS_ALIGNMENT, BackendHeader.DATA_OFFSET, arena);
                while (all.get(ValueLayout.JAVA_LONG, BackendHeader.MAGIC_OFFSET) == 0
                        && System.nanoTime() - deadline < 0) {
                    Thread.sleep(Duration.ofMillis(CREATE_POLL_MS));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                api.close(fd);
                throw new StateException("interrupted while waiting for shared memory '" + name
                        + "' to be created", e);
            } catch (RuntimeException | Error e) {
                try {
                    api.close(fd);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            api.close(fd); // the mapping keeps the object alive
            BackendHeader.Info info;
            try {
                info = BackendHeader.verify(all, name, ACCEPTED_KINDS, timeoutMs);
            } catch (HshmException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CorruptSegmentException("unreadable hshm header: url=" + name + ", size=" + size + ": " + e, e);
            }
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            MemorySegment data = all.asSlice(info.headerSize(), info.dataSize());
            BackendHeader.addAttachCount(header, 1);
            PosixShmMmap b = new PosixShmMmap(info.id(), MemoryBackend.POSIX_SHM_MMAP, name, arena, header, data, false);
            success = true;
            return b;
        } finally {
            if (!success) {
                arena.close();
            }
        }
    }

    /** On Linux, refuses a segment whose file another user owns unless {@link #ATTACH_OTHER_USERS_PROPERTY}. */
    private static void refuseOtherUsers(String name) {
        if (PosixNative.os() != PosixNative.Os.LINUX || Boolean.getBoolean(ATTACH_OTHER_USERS_PROPERTY)) {
            return;
        }
        java.nio.file.Path p = DevShm.path(name);
        int owner;
        String ownerName;
        try {
            owner = (Integer) java.nio.file.Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            ownerName = java.nio.file.Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return; // no such file (shm_open says so next), or no owner to read: nothing to refuse on
        }
        int me = PosixNative.effectiveUid();
        if (owner != me) {
            throw new StateException("shared memory '" + name + "' belongs to user " + ownerName + " (uid " + owner
                    + "), not to this process's user (uid " + me + "): attaching would trust memory another user"
                    + " controls; allow it with -D" + ATTACH_OTHER_USERS_PROPERTY + "=true");
        }
    }

    private static String existing() {
        List<String> names = list();
        if (names.isEmpty()) {
            return "";
        }
        return "; hshm segments that exist: " + (names.size() <= 10 ? names : names.subList(0, 10) + " ...");
    }

    /**
     * The hshm segments that exist now. On Linux: the files in {@code /dev/shm} whose first 8 bytes are
     * {@link BackendHeader#MAGIC} (read, not mapped), whatever kind created them. On macOS: always empty,
     * because macOS offers no way to enumerate POSIX shared-memory objects (they live in the kernel with no
     * file system view, and there is no system call that lists them).
     *
     * @return the names, sorted
     */
    public static List<String> list() {
        return PosixNative.os() == PosixNative.Os.LINUX ? DevShm.listOurs() : List.of();
    }

    /**
     * Removes the name {@code url} without attaching ({@code shm_unlink}); processes that map the object
     * keep their view. On Linux an object that another program made (its first bytes are neither our magic
     * nor zero) is refused, so a typo cannot remove somebody else's shared memory; an empty or half-created
     * object (its creator died before publishing) is removed.
     *
     * @param url the name
     * @throws NotFoundException if there is no such name
     * @throws CorruptSegmentException if the object is another program's
     * @throws NativeException if {@code shm_unlink} fails ({@code EACCES}: not the owner, with advice)
     */
    public static void unlink(String url) {
        String name = ShmNames.validate(url);
        if (PosixNative.os() == PosixNative.Os.LINUX && DevShm.ownership(name) == DevShm.Ownership.FOREIGN) {
            throw new CorruptSegmentException("not an hshm segment (bad magic): url=" + name + "; refusing to remove"
                    + " another program's shared memory (remove " + DevShm.path(name) + " by hand if you are sure)");
        }
        try {
            PosixNative.shmUnlink("/" + name);
        } catch (NativeException e) {
            if ("ENOENT".equals(e.errorName())) {
                throw new NotFoundException("no shared memory named '" + name + "'" + existing(), e);
            }
            throw e;
        }
    }

    @Override
    public long addressAlignment() {
        return ADDRESS_ALIGNMENT;
    }

    @Override
    protected void unmap() {
        arena.close();
    }

    @Override
    protected void unlink() {
        try {
            PosixNative.shmUnlink("/" + name);
        } catch (NativeException e) {
            if (!"ENOENT".equals(e.errorName())) {
                throw e;
            }
            // already removed by another process's destroy or by 'hshm rm': the goal is met
        }
    }
}
