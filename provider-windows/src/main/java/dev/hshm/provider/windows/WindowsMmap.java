package dev.hshm.provider.windows;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.spi.AbstractMemoryBackend;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.Sizes;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinNative;
import dev.hshm.provider.windows.internal.WinResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A private backend in memory from {@code VirtualAlloc}: kind {@value MemoryBackend#POSIX_MMAP} on Windows
 * (the seed's {@code PosixMmapBackend}, "mmap or its equivalent for Windows"), so user code names the same
 * kind on every OS.
 *
 * <pre>
 * VirtualAlloc(NULL, DATA_OFFSET + size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE):
 *
 * [ header: BackendHeader | padding ][ data: size bytes                 ]
 * 0 (64 KiB-aligned)       DATA_OFFSET (page-aligned)
 * </pre>
 *
 * <p>The block starts on the allocation granularity (64 KiB), so the data is page-aligned. Pages are
 * zero-filled and given physical memory on first touch, but the whole size is charged against the system
 * commit limit at once ({@code MEM_COMMIT}); more than the commit limit fails with a {@link NativeException}
 * that says so ({@code ERROR_COMMITMENT_LIMIT}) or {@code ERROR_NOT_ENOUGH_MEMORY} when the address space
 * runs out. The header lives in the same block, as in the other private backends.
 *
 * <p>{@link #detach()} and {@link #destroy()} both close the arena (later accesses throw
 * {@link IllegalStateException}) and then release the block with {@code VirtualFree(MEM_RELEASE)}.
 */
public final class WindowsMmap extends AbstractMemoryBackend {

    private final WinApi api;
    private final Arena arena;
    private final long address;
    private final long length;

    private WindowsMmap(WinApi api, MemoryBackendId id, Arena arena, long address, long length,
                        MemorySegment header, MemorySegment data) {
        super(id, MemoryBackend.POSIX_MMAP, null, header, data, true);
        this.api = api;
        this.arena = arena;
        this.address = address;
        this.length = length;
    }

    /**
     * Allocates, maps and formats the backend.
     *
     * @param api the Win32 calls
     * @param id the id
     * @param size bytes of data, {@code > 0}
     * @return the backend
     * @throws IllegalArgumentException if the size is not positive or too large
     * @throws NativeException if {@code VirtualAlloc} fails (with the error's name and advice)
     */
    static WindowsMmap create(WinApi api, MemoryBackendId id, long size) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(id, "id");
        long total = Sizes.mappingBytes(size);
        WinResult r = api.virtualAlloc(0, total, WinApi.MEM_RESERVE | WinApi.MEM_COMMIT, WinApi.PAGE_READWRITE);
        if (r.failed()) {
            throw WinErrors.fail(api, "VirtualAlloc", r.error(), "VirtualAlloc(NULL, " + total
                    + ", MEM_RESERVE|MEM_COMMIT, PAGE_READWRITE)", null, total);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment all = WinNative.segment(r.value(), total, arena);
            // VirtualAlloc memory is zero-filled, as format() requires
            MemorySegment header = all.asSlice(0, BackendHeader.DATA_OFFSET);
            BackendHeader.format(header, id, MemoryBackend.POSIX_MMAP, BackendHeader.DATA_OFFSET, size);
            BackendHeader.publish(header);
            return new WindowsMmap(api, id, arena, r.value(), total, header,
                    all.asSlice(BackendHeader.DATA_OFFSET, size));
        } catch (RuntimeException | Error e) {
            try {
                arena.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            try {
                WinResult f = api.virtualFree(r.value(), 0, WinApi.MEM_RELEASE);
                if (f.failed()) {
                    e.addSuppressed(release(api, f, r.value(), total));
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static NativeException release(WinApi api, WinResult f, long address, long total) {
        return WinErrors.fail(api, "VirtualFree", f.error(), "VirtualFree(0x" + Long.toHexString(address)
                + ", 0, MEM_RELEASE) of " + total + " bytes", null, total);
    }

    /**
     * Closes the arena, then {@code VirtualFree(address, 0, MEM_RELEASE)}. If the arena cannot be closed
     * because another thread is inside an access, the memory is not freed (a leak, never a crash).
     */
    @Override
    protected void unmap() {
        arena.close();
        WinResult f = api.virtualFree(address, 0, WinApi.MEM_RELEASE);
        if (f.failed()) {
            throw release(api, f, address, length);
        }
    }
}
