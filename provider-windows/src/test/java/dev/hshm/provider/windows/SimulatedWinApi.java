package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.MemoryBasicInformation;
import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A test double of the Win32 calls, with real memory: it keeps named sections, handles, views and
 * {@code VirtualAlloc} blocks in maps and backs them with zero-filled, 64 KiB-aligned native memory from
 * arenas, following the documented Windows rules the backends rely on:
 * <ul>
 *   <li>{@code CreateFileMappingW} of an existing name returns a handle to it with
 *       {@code ERROR_ALREADY_EXISTS}; size 0 is {@code ERROR_FILE_INVALID}; sizes above the commit limit
 *       are {@code ERROR_COMMITMENT_LIMIT};</li>
 *   <li>{@code OpenFileMappingW} of a missing name is {@code ERROR_FILE_NOT_FOUND};</li>
 *   <li>the name disappears when the last handle closes, the memory when the last handle and the last view
 *       are gone;</li>
 *   <li>{@code MapViewOfFile(..., 0)} maps the whole section; {@code VirtualQuery} of a view reports its size
 *       rounded up to pages, {@code MEM_COMMIT}, {@code MEM_MAPPED};</li>
 *   <li>{@code VirtualFree} needs {@code MEM_RELEASE} with size 0 and a block's base address.</li>
 * </ul>
 * The one liberty: two views of one section share one address (a real system maps them at two), which
 * the backends cannot tell apart. It makes the backends' whole logic — the api's header and allocator code
 * included — run on every OS, and it lets tests check that nothing leaks ({@link #assertNothingLeaked()}).
 * Real Win32 behaviour is covered by the same tests run with {@code NativeWinApi} on Windows.
 */
final class SimulatedWinApi implements WinApi {

    static final long PAGE = 4096;
    static final long GRANULARITY = 65536;

    private static final class Section {
        final String name;
        final long size;
        final Arena arena = Arena.ofShared();
        final MemorySegment memory;
        int handles;
        int views;
        boolean named = true;

        Section(String name, long size) {
            this.name = name;
            this.size = size;
            this.memory = arena.allocate(roundUp(size, PAGE), GRANULARITY);
        }
    }

    /** A named semaphore: its permits, its maximum, the handles open to it. */
    private static final class Sem {
        final String name;
        final int max;
        final java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
        int handles;

        Sem(String name, int max) {
            this.name = name;
            this.max = max;
        }
    }

    private final Map<String, Sem> semByName = new HashMap<>();
    /** Read without the monitor: a wait blocks outside it. */
    private final Map<Long, Sem> semHandles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Section> byName = new HashMap<>();
    private final Map<Long, Section> handles = new HashMap<>();
    private final Map<Long, List<Section>> views = new HashMap<>();
    private final Map<Long, Arena> blocks = new HashMap<>();
    private final List<Section> sections = new ArrayList<>();
    private long nextHandle = 0x1000;
    private long commitLimit = 1L << 40;

    static long roundUp(long v, long to) {
        return (v + to - 1) & -to;
    }

    synchronized void commitLimit(long bytes) {
        this.commitLimit = bytes;
    }

    synchronized boolean nameExists(String objectName) {
        return byName.containsKey(objectName);
    }

    synchronized int openHandles() {
        return handles.size();
    }

    synchronized int mappedViews() {
        return views.values().stream().mapToInt(List::size).sum();
    }

    synchronized int liveSections() {
        return sections.size();
    }

    synchronized int liveBlocks() {
        return blocks.size();
    }

    synchronized void assertNothingLeaked() {
        if (!handles.isEmpty() || !views.isEmpty() || !sections.isEmpty() || !blocks.isEmpty() || !byName.isEmpty()
                || !semHandles.isEmpty()) {
            throw new AssertionError("leaked: handles=" + handles.size() + ", views=" + mappedViews() + ", sections="
                    + sections.size() + ", names=" + byName.keySet() + ", VirtualAlloc blocks=" + blocks.size()
                    + ", semaphores=" + semByName.keySet());
        }
    }

    private long newHandle(Section s) {
        long h = nextHandle;
        nextHandle += 4;
        handles.put(h, s);
        s.handles++;
        return h;
    }

    private void maybeFree(Section s) {
        if (s.handles == 0 && s.named) {
            byName.remove(s.name);
            s.named = false;
        }
        if (s.handles == 0 && s.views == 0) {
            sections.remove(s);
            s.arena.close();
        }
    }

    @Override
    public synchronized WinResult virtualAlloc(long address, long size, int allocationType, int protect) {
        if (address != 0 || allocationType != (MEM_RESERVE | MEM_COMMIT) || protect != PAGE_READWRITE || size <= 0) {
            return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
        }
        if (size > commitLimit) {
            return WinResult.failure(WinErrors.ERROR_COMMITMENT_LIMIT);
        }
        Arena arena = Arena.ofShared();
        MemorySegment m = arena.allocate(roundUp(size, PAGE), GRANULARITY);
        blocks.put(m.address(), arena);
        return WinResult.ok(m.address());
    }

    @Override
    public synchronized WinResult virtualFree(long address, long size, int freeType) {
        if (freeType != MEM_RELEASE || size != 0) {
            return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
        }
        Arena a = blocks.remove(address);
        if (a == null) {
            return WinResult.failure(WinErrors.ERROR_INVALID_ADDRESS);
        }
        a.close();
        return WinResult.ok(1);
    }

    @Override
    public synchronized WinResult createFileMapping(long file, int protect, int maximumSizeHigh, int maximumSizeLow,
                                                    String name) {
        if (file != INVALID_HANDLE_VALUE) {
            return WinResult.failure(WinErrors.ERROR_INVALID_HANDLE); // the double simulates paging-file sections only
        }
        if (protect != PAGE_READWRITE) {
            return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
        }
        Section existing = byName.get(name);
        if (existing != null) {
            return new WinResult(newHandle(existing), WinErrors.ERROR_ALREADY_EXISTS);
        }
        long size = (Integer.toUnsignedLong(maximumSizeHigh) << 32) | Integer.toUnsignedLong(maximumSizeLow);
        if (size == 0) {
            return WinResult.failure(WinErrors.ERROR_FILE_INVALID);
        }
        if (size > commitLimit) {
            return WinResult.failure(WinErrors.ERROR_COMMITMENT_LIMIT);
        }
        Section s = new Section(name, size);
        sections.add(s);
        byName.put(name, s);
        return WinResult.ok(newHandle(s));
    }

    @Override
    public synchronized WinResult openFileMapping(int desiredAccess, boolean inheritHandle, String name) {
        Section s = byName.get(name);
        if (s == null) {
            return WinResult.failure(WinErrors.ERROR_FILE_NOT_FOUND);
        }
        return WinResult.ok(newHandle(s));
    }

    @Override
    public synchronized WinResult mapViewOfFile(long mapping, int desiredAccess, int offsetHigh, int offsetLow,
                                                long bytesToMap) {
        Section s = handles.get(mapping);
        if (s == null) {
            return WinResult.failure(WinErrors.ERROR_INVALID_HANDLE);
        }
        if (offsetHigh != 0 || offsetLow != 0 || bytesToMap < 0 || bytesToMap > s.size
                || desiredAccess != FILE_MAP_ALL_ACCESS) {
            return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
        }
        s.views++;
        views.computeIfAbsent(s.memory.address(), k -> new ArrayList<>()).add(s);
        return WinResult.ok(s.memory.address());
    }

    @Override
    public synchronized WinResult unmapViewOfFile(long address) {
        List<Section> at = views.get(address);
        if (at == null || at.isEmpty()) {
            return WinResult.failure(WinErrors.ERROR_INVALID_ADDRESS);
        }
        Section s = at.removeLast();
        if (at.isEmpty()) {
            views.remove(address);
        }
        s.views--;
        maybeFree(s);
        return WinResult.ok(1);
    }

    @Override
    public synchronized WinResult closeHandle(long handle) {
        Sem sem = semHandles.remove(handle);
        if (sem != null) {
            if (--sem.handles == 0) {
                semByName.remove(sem.name);
            }
            return WinResult.ok(1);
        }
        Section s = handles.remove(handle);
        if (s == null) {
            return WinResult.failure(WinErrors.ERROR_INVALID_HANDLE);
        }
        s.handles--;
        maybeFree(s);
        return WinResult.ok(1);
    }

    @Override
    public synchronized MemoryBasicInformation virtualQuery(long address) {
        List<Section> at = views.get(address);
        if (at != null && !at.isEmpty()) {
            Section s = at.getFirst();
            return new MemoryBasicInformation(address, address, roundUp(s.size, PAGE), MEM_COMMIT, PAGE_READWRITE,
                    MEM_MAPPED, 0);
        }
        Arena block = blocks.get(address);
        if (block != null) {
            return new MemoryBasicInformation(address, address, PAGE, MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE, 0);
        }
        return MemoryBasicInformation.failure(WinErrors.ERROR_INVALID_PARAMETER);
    }

    @Override
    public int getCurrentProcessId() {
        return (int) ProcessHandle.current().pid();
    }

    @Override
    public int getCurrentThreadId() {
        return (int) ((Thread.currentThread().threadId() * 4) & 0x7FFF_FFFFL);
    }

    @Override
    public boolean switchToThread() {
        Thread.yield();
        return true;
    }

    @Override
    public void sleep(int millis) {
        try {
            Thread.sleep(Integer.toUnsignedLong(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized int semaphorePermits(String name) {
        Sem s = semByName.get(name);
        return s == null ? -1 : s.permits.availablePermits();
    }

    @Override
    public synchronized WinResult createSemaphore(int initialCount, int maximumCount, String name) {
        Sem s = semByName.get(name);
        boolean existed = s != null;
        if (s == null) {
            if (initialCount < 0 || maximumCount < 1 || initialCount > maximumCount) {
                return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
            }
            s = new Sem(name, maximumCount);
            s.permits.release(initialCount);
            semByName.put(name, s);
        }
        long h = nextHandle;
        nextHandle += 4;
        semHandles.put(h, s);
        s.handles++;
        return new WinResult(h, existed ? WinErrors.ERROR_ALREADY_EXISTS : 0);
    }

    @Override
    public WinResult releaseSemaphore(long handle, int count) {
        Sem s = semHandles.get(handle);
        if (s == null || count < 1) {
            return WinResult.failure(WinErrors.ERROR_INVALID_PARAMETER);
        }
        synchronized (s) {
            if ((long) s.permits.availablePermits() + count > s.max) {
                return WinResult.failure(SharedWaits.ERROR_TOO_MANY_POSTS);
            }
            s.permits.release(count);
        }
        return WinResult.ok(1);
    }

    /** Blocks without the monitor; not interruptible, as the real call (an interrupt is kept for later). */
    @Override
    public WinResult waitForSingleObject(long handle, int millis) {
        Sem s = semHandles.get(handle);
        if (s == null) {
            return new WinResult(Integer.toUnsignedLong(WAIT_FAILED), WinErrors.ERROR_INVALID_HANDLE);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                millis == INFINITE ? Long.MAX_VALUE / 2_000_000 : Integer.toUnsignedLong(millis));
        boolean interrupted = false;
        boolean got = false;
        while (!got) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                got = s.permits.tryAcquire(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new WinResult(got ? WAIT_OBJECT_0 : WAIT_TIMEOUT, 0);
    }

    @Override
    public String formatMessage(int error) {
        return switch (error) {
            case WinErrors.ERROR_FILE_NOT_FOUND -> "The system cannot find the file specified.";
            case WinErrors.ERROR_ALREADY_EXISTS -> "Cannot create a file when that file already exists.";
            case WinErrors.ERROR_COMMITMENT_LIMIT -> "The paging file is too small for this operation to complete.";
            default -> null;
        };
    }
}
