package dev.hshm.provider.windows;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ShmNames;
import dev.hshm.api.spi.Sizes;
import dev.hshm.provider.windows.internal.MemoryBasicInformation;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinNative;
import dev.hshm.provider.windows.internal.WinResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;

/**
 * A shared backend in a named file mapping backed by the paging file: kind
 * {@value MemoryBackend#POSIX_SHM_MMAP} on Windows (the seed's {@code PosixShmMmap} "or its equivalent for
 * Windows"), so user code names the same kind on every OS.
 *
 * <pre>
 * file mapping "Local\NAME" (paging file), one view of the whole object, header and data contiguous:
 *
 * [ header: BackendHeader | padding ][ data: size bytes                 ]
 * 0                        DATA_OFFSET                     DATA_OFFSET + size = object size
 * </pre>
 *
 * <p><b>Create</b>: {@link ShmNames#validate} → {@code CreateFileMappingW(INVALID_HANDLE_VALUE, NULL,
 * PAGE_READWRITE, high, low, L"Local\NAME")} with the object size {@code DATA_OFFSET + size} split into two
 * {@code DWORD}s → if the last error is {@code ERROR_ALREADY_EXISTS} the call opened somebody else's object:
 * its handle is closed and {@link AlreadyExistsException} thrown (an existing object is never reused
 * silently) → {@code MapViewOfFile(FILE_MAP_ALL_ACCESS, 0, 0, DATA_OFFSET + size)} →
 * {@link BackendHeader#format} (a new section is zero-filled, as format requires) →
 * {@link BackendHeader#publish} (the ready word, last). A create that fails half-way unmaps and closes what it
 * made. Windows charges the whole object against the system commit limit (RAM + paging files) at creation,
 * although physical pages are still given out on first touch; a size beyond the commit limit fails at once
 * with {@code ERROR_COMMITMENT_LIMIT}, and the message says how to raise it.
 *
 * <p><b>Attach</b>: {@code OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, L"Local\NAME")} (a missing name is a
 * {@link NotFoundException}) → {@code MapViewOfFile(..., 0)}, which maps the whole object → the object's size
 * is learnt from {@code VirtualQuery} on the view: its {@code RegionSize} is the view's length, the object
 * size rounded up to whole pages (all pages of a view of a committed paging-file section have the same state
 * and protection, and a region never extends past its allocation). That is chosen over "map the header first,
 * read the size, map again" because it maps once and trusts nothing the object says about itself; a view whose
 * first page is not committed or not a mapped view is rejected before anything is read. Then
 * {@link BackendHeader#verify} checks magic, byte order, layout version, the ready word (waiting up to
 * {@code -Dhshm.attach.timeout.ms}, default 2000, while a live creator formats), sizes against the view's
 * size and the kind ({@value MemoryBackend#POSIX_SHM_MMAP}, {@value MemoryBackend#CUDA_SHM_MMAP} or
 * {@value MemoryBackend#ROCM_SHM_MMAP}; {@link #kind()} reports the one recorded) → attach count + 1.
 * Anything wrong inside the object is a {@link CorruptSegmentException} naming what.
 *
 * <p><b>Lifetime: there is no unlink on Windows.</b> A named mapping exists while any process has a handle to
 * it (views alone keep the memory but not the name), and Windows deletes it when the last handle closes. So
 * every backend keeps its handle open until it is detached, the creator included: attachers can find the name
 * only while some process has it attached. {@link #detach()} closes this process's arena, then
 * {@code UnmapViewOfFile}, then {@code CloseHandle}, in that order; {@link #destroy()} does exactly the same
 * (there is no name to remove, it goes away with the last handle). A process that exits or crashes closes its
 * handles too, so a backend never outlives every process that used it — unlike POSIX, where the name stays
 * until {@code shm_unlink}.
 *
 * <p><b>Security and namespace.</b> The object gets the default security descriptor of the creator's token
 * (the creating user, SYSTEM and Administrators have access), which is the nearest Windows has to the
 * default owner-only mode {@code 0600}; group or other permission bits cannot be expressed and are refused.
 * {@code Local\} names are per logon session: processes of another session (services, other users' desktops)
 * cannot see them.
 */
public final class WindowsShmMmap extends AbstractMemoryBackend {

    /** Kinds whose objects this backend attaches: all are shared memory with the same header. */
    public static final Set<String> ACCEPTED_KINDS =
            Set.of(MemoryBackend.POSIX_SHM_MMAP, MemoryBackend.CUDA_SHM_MMAP, MemoryBackend.ROCM_SHM_MMAP);

    /** The kernel-object namespace of every name: the caller's session. */
    public static final String NAMESPACE = "Local\\";

    /** The system property that bounds how long attach waits for a live creator to publish the header. */
    public static final String ATTACH_TIMEOUT_PROPERTY = "hshm.attach.timeout.ms";

    /** Default of {@link #ATTACH_TIMEOUT_PROPERTY}, in milliseconds. */
    public static final long DEFAULT_ATTACH_TIMEOUT_MS = 2000;

    private final WinApi api;
    private final Arena arena;
    private final long view;
    private final long handle;
    private final String objectName;

    private WindowsShmMmap(WinApi api, MemoryBackendId id, String kind, String name, Arena arena, long view,
                           long handle, MemorySegment header, MemorySegment data, boolean creator) {
        super(id, kind, name, header, data, creator);
        this.api = api;
        this.arena = arena;
        this.view = view;
        this.handle = handle;
        this.objectName = objectName(name);
        SharedWaits.register(view, header.byteSize() + data.byteSize(), objectName);
    }

    /**
     * The kernel object name of a url.
     *
     * @param name a validated name
     * @return {@code Local\name}
     */
    static String objectName(String name) {
        return NAMESPACE + name;
    }

    /**
     * Creates the named mapping {@code url}, maps it and publishes its header.
     *
     * @param api the Win32 calls
     * @param id the id to record in the header
     * @param size bytes of data, {@code > 0}
     * @param url the name ({@link ShmNames} rules; a leading {@code /} is optional)
     * @param mode permission bits; only owner bits ({@code 0600}, the default) can be honoured
     * @return the backend, owned by this process
     * @throws dev.hshm.api.InvalidNameException if the name breaks a rule
     * @throws IllegalArgumentException if the size is not positive or too large
     * @throws UnsupportedOperationException if {@code mode} has group or other bits
     * @throws AlreadyExistsException if the name exists (it is never reused)
     * @throws NativeException if a call fails ({@code ERROR_COMMITMENT_LIMIT}: the paging file is too small,
     *     with advice)
     */
    static WindowsShmMmap create(WinApi api, MemoryBackendId id, long size, String url, int mode) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(id, "id");
        String name = ShmNames.validate(url);
        long total = Sizes.mappingBytes(size);
        if ((mode & 0077) != 0) {
            throw new UnsupportedOperationException("permission bits 0" + Integer.toOctalString(mode) + " cannot be"
                    + " honoured on Windows: named mappings get the default security of the creator's token (the"
                    + " creating user, SYSTEM, Administrators) in the session's Local\\ namespace; group or other bits"
                    + " have no equivalent. Use the default mode 0600 (url='" + name + "')");
        }
        String obj = objectName(name);
        WinResult created = api.createFileMapping(WinApi.INVALID_HANDLE_VALUE, WinApi.PAGE_READWRITE,
                Dwords.high(total), Dwords.low(total), obj);
        String createCall = "CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, " + Dwords.dwords(total)
                + ", \"" + obj + "\")";
        if (created.failed()) {
            throw WinErrors.fail(api, "CreateFileMappingW", created.error(), createCall, obj, total);
        }
        long h = created.value();
        if (created.error() == WinErrors.ERROR_ALREADY_EXISTS) {
            AlreadyExistsException e = new AlreadyExistsException("shared memory '" + name + "' exists already ("
                    + obj + "); attach to it, or detach it in every process that has it (Windows removes it when the"
                    + " last one does; it is never reused silently)",
                    WinErrors.fail(api, "CreateFileMappingW", created.error(), createCall, obj, total));
            closeQuietly(api, h, obj, e);
            throw e;
        }
        WinResult mapped = api.mapViewOfFile(h, WinApi.FILE_MAP_ALL_ACCESS, 0, 0, total);
        if (mapped.failed()) {
            NativeException e = WinErrors.fail(api, "MapViewOfFile", mapped.error(), "MapViewOfFile(\"" + obj
                    + "\", FILE_MAP_ALL_ACCESS, 0, 0, " + total + ")", obj, total);
            closeQuietly(api, h, obj, e);
            throw e;
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment all = WinNative.segment(mapped.value(), total, arena);
            // a new paging-file section is zero-filled, as format() requires
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            BackendHeader.format(header, id, MemoryBackend.POSIX_SHM_MMAP, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(header);
            return new WindowsShmMmap(api, id, MemoryBackend.POSIX_SHM_MMAP, name, arena, mapped.value(), h, header,
                    all.asSlice(BackendHeader.DATA_OFFSET, size), true);
        } catch (RuntimeException | Error e) {
            undo(api, e, arena, mapped.value(), h, obj);
            throw e;
        }
    }

    /**
     * Attaches to the named mapping {@code url} that this or another process created.
     *
     * @param api the Win32 calls
     * @param url the name
     * @return the backend, not owned, with the id recorded in its header
     * @throws dev.hshm.api.InvalidNameException if the name breaks a rule
     * @throws NotFoundException if there is no mapping of that name in this session
     * @throws CorruptSegmentException if the object is not a valid, published backend of an accepted kind
     * @throws NativeException if a call fails ({@code ERROR_ACCESS_DENIED}: another user's object, with advice)
     */
    static WindowsShmMmap attach(WinApi api, String url) {
        Objects.requireNonNull(api, "api");
        String name = ShmNames.validate(url);
        String obj = objectName(name);
        long timeoutMs = Math.max(0, Long.getLong(ATTACH_TIMEOUT_PROPERTY, DEFAULT_ATTACH_TIMEOUT_MS));
        long h = open(api, name, obj);
        WinResult mapped = api.mapViewOfFile(h, WinApi.FILE_MAP_ALL_ACCESS, 0, 0, 0);
        if (mapped.failed()) {
            NativeException e = WinErrors.fail(api, "MapViewOfFile", mapped.error(), "MapViewOfFile(\"" + obj
                    + "\", FILE_MAP_ALL_ACCESS, 0, 0, 0)", obj, 0);
            closeQuietly(api, h, obj, e);
            throw e;
        }
        long v = mapped.value();
        Arena arena = Arena.ofShared();
        try {
            MemoryBasicInformation info = api.virtualQuery(v);
            if (info.failed()) {
                throw WinErrors.fail(api, "VirtualQuery", info.error(), "VirtualQuery(0x" + Long.toHexString(v)
                        + ") of the view of \"" + obj + "\"", obj, 0);
            }
            if (info.baseAddress() != v || info.type() != WinApi.MEM_MAPPED
                    || info.state() != MemoryBasicInformation.MEM_COMMIT) {
                throw new CorruptSegmentException("not an hshm segment (its view is not committed mapped memory):"
                        + " url=" + name + ", view=0x" + Long.toHexString(v) + ", region base=0x"
                        + Long.toHexString(info.baseAddress()) + ", state=0x" + Integer.toHexString(info.state())
                        + ", type=0x" + Integer.toHexString(info.type()));
            }
            long mappedBytes = info.regionSize();
            if (mappedBytes < BackendHeader.DATA_OFFSET) {
                throw new CorruptSegmentException("not an hshm segment (too small for a header): url=" + name
                        + ", size=" + mappedBytes + ", need>=" + BackendHeader.DATA_OFFSET);
            }
            MemorySegment all = WinNative.segment(v, mappedBytes, arena);
            BackendHeader.Info hdr;
            try {
                hdr = BackendHeader.verify(all, name, ACCEPTED_KINDS, timeoutMs);
            } catch (HshmException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CorruptSegmentException("unreadable hshm header: url=" + name + ", size=" + mappedBytes
                        + ": " + e, e);
            }
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            MemorySegment data = all.asSlice(hdr.headerSize(), hdr.dataSize());
            BackendHeader.addAttachCount(header, 1);
            return new WindowsShmMmap(api, hdr.id(), hdr.kind(), name, arena, v, h, header, data, false);
        } catch (RuntimeException | Error e) {
            undo(api, e, arena, v, h, obj);
            throw e;
        }
    }

    /**
     * Reports on the name {@code url} for {@code hshm rm}: Windows cannot remove a named mapping that
     * processes still hold, and removes it by itself when the last one detaches, so there is nothing to do.
     *
     * @param api the Win32 calls
     * @param url the name
     * @throws NotFoundException if there is no such name (it is already gone)
     * @throws UnsupportedOperationException if it exists, explaining how it goes away
     */
    static void unlink(WinApi api, String url) {
        String name = ShmNames.validate(url);
        String obj = objectName(name);
        long h = open(api, name, obj);
        UnsupportedOperationException e = new UnsupportedOperationException("shared memory '" + name + "' (" + obj
                + ") exists, but Windows has no unlink: a named mapping disappears by itself when the last process"
                + " that has it attached detaches or exits; detach it in those processes");
        closeQuietly(api, h, obj, e);
        throw e;
    }

    private static long open(WinApi api, String name, String obj) {
        WinResult opened = api.openFileMapping(WinApi.FILE_MAP_ALL_ACCESS, false, obj);
        if (opened.failed()) {
            NativeException e = WinErrors.fail(api, "OpenFileMappingW", opened.error(),
                    "OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, \"" + obj + "\")", obj, 0);
            if (opened.error() == WinErrors.ERROR_FILE_NOT_FOUND || opened.error() == WinErrors.ERROR_PATH_NOT_FOUND) {
                throw new NotFoundException("no shared memory named '" + name + "' (no file mapping " + obj
                        + " in this session); create it first, or check the name. Windows removes a named mapping"
                        + " when the last process that had it attached detaches, so the creator must stay attached", e);
            }
            throw e;
        }
        return opened.value();
    }

    private static void undo(WinApi api, Throwable primary, Arena arena, long view, long handle, String obj) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
        try {
            WinResult u = api.unmapViewOfFile(view);
            if (u.failed()) {
                primary.addSuppressed(WinErrors.fail(api, "UnmapViewOfFile", u.error(),
                        "UnmapViewOfFile(0x" + Long.toHexString(view) + ")", obj, 0));
            }
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
        closeQuietly(api, handle, obj, primary);
    }

    private static void closeQuietly(WinApi api, long handle, String obj, Throwable primary) {
        try {
            WinResult c = api.closeHandle(handle);
            if (c.failed()) {
                primary.addSuppressed(WinErrors.fail(api, "CloseHandle", c.error(),
                        "CloseHandle(0x" + Long.toHexString(handle) + ") of \"" + obj + "\"", obj, 0));
            }
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    /**
     * Closes the arena (later accesses throw {@link IllegalStateException}), then {@code UnmapViewOfFile},
     * then {@code CloseHandle}. If the arena cannot be closed because another thread is inside an access, the
     * view stays mapped and the handle open (a leak, never a crash) and the failure is thrown. A failing
     * unmap still closes the handle; the first failure is thrown with the second suppressed.
     */
    @Override
    protected void unmap() {
        arena.close();
        SharedWaits.unregister(api, view);
        RuntimeException failure = null;
        WinResult u = api.unmapViewOfFile(view);
        if (u.failed()) {
            failure = WinErrors.fail(api, "UnmapViewOfFile", u.error(), "UnmapViewOfFile(0x" + Long.toHexString(view)
                    + ") of \"" + objectName + "\"", objectName, 0);
        }
        WinResult c = api.closeHandle(handle);
        if (c.failed()) {
            NativeException e = WinErrors.fail(api, "CloseHandle", c.error(), "CloseHandle(0x"
                    + Long.toHexString(handle) + ") of \"" + objectName + "\"", objectName, 0);
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Nothing: Windows has no unlink. The name disappears when the last process holding the mapping closes
     * its handle, which {@link #unmap()} did for this one.
     */
    @Override
    protected void unlink() {
        // deliberately empty: see the class comment, "Lifetime"
    }
}
