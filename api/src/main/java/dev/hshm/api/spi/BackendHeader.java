package dev.hshm.api.spi;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Layout of the header at the start of every backend, and of the allocator directory inside it.
 *
 * <pre>
 * mapping:  [ header: {@value #HEADER_BYTES} B | padding to {@value #DATA_OFFSET} ][ data: dataSize B ... ]
 *
 * header (offsets in bytes; all fields in the creator's byte order, checked by BYTE_ORDER)
 *   0  MAGIC          u64  0x4853484D424B4E44 ("HSHMBKND" as a big-endian number; in memory on a little-endian
 *                          machine the bytes 44 4E 4B 42 4D 48 53 48, "DNKBMHSH")   plain, before READY
 *   8  READY          u64  0 while formatting, READY_VALUE       release store, LAST; readers acquire FIRST
 *  16  LAYOUT_VERSION u32  {@value #LAYOUT_VERSION}               plain
 *  20  BYTE_ORDER     u32  0x01020304                           plain
 *  24  HEADER_SIZE    u64  bytes from mapping start to data     plain
 *  32  DATA_SIZE      u64  bytes of data                        plain
 *  40  BACKEND_ID     i32                                       plain
 *  44  FLAGS          u32  reserved, 0                          plain
 *  48  CREATOR_PID    i64                                       plain
 *  56  CREATOR_START  i64  creator start, epoch ms              plain
 *  64  KIND           32 B ASCII, NUL-padded                    plain
 *  96  ATTACH_COUNT   i64  processes mapping it now             getAndAdd (volatile)
 * 104  DATA_BUMP      i64  first data byte not yet given to an allocator region   CAS (volatile)
 * 112  reserved       16 B
 * 128  DIRECTORY      {@value #DIR_ENTRIES} entries x {@value #DIR_ENTRY_BYTES} B:
 *        +0  STATE        u64  0 free, 1 reserved (being formatted), 2 ready   CAS 0-&gt;1; release store 2, LAST
 *        +8  ALLOCATOR_ID u64  {@link AllocatorId#toLong()}                  plain, before STATE=2
 *        +16 REGION_OFF   u64  region start in data (page-aligned)           plain, before STATE=2
 *        +24 REGION_SIZE  u64                                                plain, before STATE=2
 *        +32 TYPE         24 B ASCII allocator type name                     plain, before STATE=2
 * </pre>
 *
 * <p><b>Ordering.</b> Writers fill fields with plain stores and publish with one release store (READY
 * for the header, STATE for a directory entry); readers load that word with acquire before reading the
 * fields it guards. Nothing is trusted: {@link #verify} checks every field against the mapping's real
 * size before anyone uses it, and directory entries are bounds-checked when read.
 *
 * <p>Private backends keep the same header in process memory, so the allocator directory works the
 * same for them.
 */
public final class BackendHeader {

    /** "HSHMBKND" read as a big-endian long; stored in native order, so a little-endian mapping holds "DNKBMHSH". */
    public static final long MAGIC = 0x4853484D424B4E44L;
    /** Published in READY when the header is complete: "READY!!!" as a big-endian long ("!!!YDAER" in memory on a
     *  little-endian machine). */
    public static final long READY_VALUE = 0x5245414459212121L;
    /** Bumped whenever this layout changes incompatibly. */
    public static final int LAYOUT_VERSION = 1;
    /** Written in the creator's byte order. */
    public static final int BYTE_ORDER_MARK = 0x01020304;

    /** Offset of the magic word. */
    public static final long MAGIC_OFFSET = 0;
    /** Offset of the ready word (published last). */
    public static final long READY_OFFSET = MAGIC_OFFSET + 8;
    /** Offset of the layout version. */
    public static final long LAYOUT_VERSION_OFFSET = READY_OFFSET + 8;
    /** Offset of the byte-order mark. */
    public static final long BYTE_ORDER_OFFSET = LAYOUT_VERSION_OFFSET + 4;
    /** Offset of the header size (bytes before data). */
    public static final long HEADER_SIZE_OFFSET = BYTE_ORDER_OFFSET + 4;
    /** Offset of the data size. */
    public static final long DATA_SIZE_OFFSET = HEADER_SIZE_OFFSET + 8;
    /** Offset of the backend id. */
    public static final long BACKEND_ID_OFFSET = DATA_SIZE_OFFSET + 8;
    /** Offset of the flags word. */
    public static final long FLAGS_OFFSET = BACKEND_ID_OFFSET + 4;
    /** Offset of the creator's pid. */
    public static final long CREATOR_PID_OFFSET = FLAGS_OFFSET + 4;
    /** Offset of the creator's start time. */
    public static final long CREATOR_START_OFFSET = CREATOR_PID_OFFSET + 8;
    /** Offset of the kind name. */
    public static final long KIND_OFFSET = CREATOR_START_OFFSET + 8;
    /** Bytes of the kind name field. */
    public static final int KIND_BYTES = 32;
    /** Offset of the attach count. */
    public static final long ATTACH_COUNT_OFFSET = KIND_OFFSET + KIND_BYTES;
    /** Offset of the data bump word. */
    public static final long DATA_BUMP_OFFSET = ATTACH_COUNT_OFFSET + 8;
    /** Offset of the allocator directory. */
    public static final long DIRECTORY_OFFSET = DATA_BUMP_OFFSET + 8 + 16;
    /** Number of directory entries: allocators per backend. */
    public static final int DIR_ENTRIES = 16;
    /** Bytes per directory entry. */
    public static final int DIR_ENTRY_BYTES = 56;
    /** Entry field: state. */
    public static final long ENTRY_STATE = 0;
    /** Entry field: allocator id. */
    public static final long ENTRY_ALLOCATOR_ID = ENTRY_STATE + 8;
    /** Entry field: region offset. */
    public static final long ENTRY_REGION_OFFSET = ENTRY_ALLOCATOR_ID + 8;
    /** Entry field: region size. */
    public static final long ENTRY_REGION_SIZE = ENTRY_REGION_OFFSET + 8;
    /** Entry field: type name. */
    public static final long ENTRY_TYPE = ENTRY_REGION_SIZE + 8;
    /** Bytes of the type name field. */
    public static final int TYPE_BYTES = 24;
    /** Bytes the header uses. */
    public static final int HEADER_BYTES = (int) (DIRECTORY_OFFSET + (long) DIR_ENTRIES * DIR_ENTRY_BYTES);
    /** Where data starts in a mapping: one 4 KiB page, so data is page-aligned. */
    public static final int DATA_OFFSET = 4096;
    /** Allocator regions start at multiples of this within the data. */
    public static final long REGION_ALIGNMENT = 4096;

    /** Directory entry state: free. */
    public static final long STATE_FREE = 0;
    /** Directory entry state: reserved, allocator being formatted. */
    public static final long STATE_RESERVED = 1;
    /** Directory entry state: allocator ready. */
    public static final long STATE_READY = 2;

    static {
        if (HEADER_BYTES != 1024 || ENTRY_TYPE + TYPE_BYTES != DIR_ENTRY_BYTES) {
            throw new AssertionError("BackendHeader layout drifted: HEADER_BYTES=" + HEADER_BYTES);
        }
    }

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private BackendHeader() {
    }

    /**
     * What {@link #verify} read from a valid header.
     *
     * @param id the backend id
     * @param kind the kind the creator recorded
     * @param headerSize bytes before data
     * @param dataSize bytes of data
     * @param creatorPid the creator's pid
     * @param creatorStartMillis the creator's start time
     */
    public record Info(MemoryBackendId id, String kind, long headerSize, long dataSize, long creatorPid,
                       long creatorStartMillis) {
    }

    /**
     * An allocator recorded in the directory.
     *
     * @param index the entry index
     * @param state {@link #STATE_RESERVED} or {@link #STATE_READY}
     * @param id the allocator id
     * @param type the allocator type name
     * @param regionOffset the region's start in data
     * @param regionSize the region's size
     */
    public record DirectoryEntry(int index, long state, AllocatorId id, String type, long regionOffset,
                                 long regionSize) {
    }

    /**
     * Writes a complete header except READY, which stays 0 until {@link #publish}. The header must be
     * zero-filled (fresh shared memory is).
     *
     * @param header at least {@link #HEADER_BYTES} bytes
     * @param id the backend id
     * @param kind the kind name (ASCII, at most 32 bytes)
     * @param headerSize bytes from the mapping's start to data (0 for a process-local header)
     * @param dataSize bytes of data
     */
    public static void format(MemorySegment header, MemoryBackendId id, String kind, long headerSize, long dataSize) {
        header.set(LONG, MAGIC_OFFSET, MAGIC);
        header.set(INT, LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        header.set(INT, BYTE_ORDER_OFFSET, BYTE_ORDER_MARK);
        header.set(LONG, HEADER_SIZE_OFFSET, headerSize);
        header.set(LONG, DATA_SIZE_OFFSET, dataSize);
        header.set(INT, BACKEND_ID_OFFSET, id.value());
        header.set(INT, FLAGS_OFFSET, 0);
        header.set(LONG, CREATOR_PID_OFFSET, Processes.currentPid());
        header.set(LONG, CREATOR_START_OFFSET, Processes.currentStartMillis());
        putAscii(header, KIND_OFFSET, KIND_BYTES, kind);
        header.set(LONG, ATTACH_COUNT_OFFSET, 1);
        header.set(LONG, DATA_BUMP_OFFSET, 0);
    }

    /**
     * Publishes a formatted header: one release store of READY, after which attachers may use it.
     *
     * @param header the header
     */
    public static void publish(MemorySegment header) {
        LONG.varHandle().setRelease(header, READY_OFFSET, READY_VALUE);
    }

    /**
     * Verifies a mapping's header before anything else reads it: size, magic, byte order, version,
     * ready word (waiting up to {@code readyTimeoutMillis} while a live creator is still formatting),
     * sizes against the mapping's real size, and kind.
     *
     * @param mapping the whole mapping, from its first byte
     * @param url the name, for messages
     * @param acceptedKinds kinds the caller can attach
     * @param readyTimeoutMillis how long to wait for a live creator to publish
     * @return what the header says
     * @throws CorruptSegmentException naming the first field that is wrong
     */
    public static Info verify(MemorySegment mapping, String url, Set<String> acceptedKinds, long readyTimeoutMillis) {
        long mapped = mapping.byteSize();
        if (mapped < DATA_OFFSET) {
            throw new CorruptSegmentException("not an hshm segment (too small for a header): url=" + url
                    + ", size=" + mapped + ", need>=" + DATA_OFFSET);
        }
        long magic = mapping.get(LONG, MAGIC_OFFSET);
        if (magic != MAGIC) {
            if (magic == Long.reverseBytes(MAGIC)) {
                throw new CorruptSegmentException("byte order mismatch: url=" + url
                        + " was written by a machine of the other byte order");
            }
            throw new CorruptSegmentException("not an hshm segment (bad magic): url=" + url + ", expected=0x"
                    + Long.toHexString(MAGIC) + ", found=0x" + Long.toHexString(magic));
        }
        // a creator writes the magic first and the ready word last: read the rest only once it is published
        awaitReady(mapping, url, readyTimeoutMillis);
        int bom = mapping.get(INT, BYTE_ORDER_OFFSET);
        if (bom != BYTE_ORDER_MARK) {
            throw new CorruptSegmentException("bad byte-order mark: url=" + url + ", expected=0x"
                    + Integer.toHexString(BYTE_ORDER_MARK) + ", found=0x" + Integer.toHexString(bom));
        }
        int version = mapping.get(INT, LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new CorruptSegmentException("unsupported layout version: url=" + url + ", expected="
                    + LAYOUT_VERSION + ", found=" + version);
        }
        long headerSize = mapping.get(LONG, HEADER_SIZE_OFFSET);
        long dataSize = mapping.get(LONG, DATA_SIZE_OFFSET);
        if (headerSize != DATA_OFFSET) {
            throw new CorruptSegmentException("bad header size: url=" + url + ", expected=" + DATA_OFFSET
                    + ", found=" + headerSize);
        }
        if (dataSize < 0 || dataSize > mapped - headerSize) {
            throw new CorruptSegmentException("truncated segment: url=" + url + ", header says dataSize=" + dataSize
                    + " (+" + headerSize + " header), but the object has " + mapped + " bytes");
        }
        int id = mapping.get(INT, BACKEND_ID_OFFSET);
        if (id < 0) {
            throw new CorruptSegmentException("bad backend id: url=" + url + ", id=" + id);
        }
        String kind = getAscii(mapping, KIND_OFFSET, KIND_BYTES);
        if (!acceptedKinds.contains(kind)) {
            throw new CorruptSegmentException("segment kind not accepted here: url=" + url + ", kind='" + kind
                    + "', accepted=" + acceptedKinds);
        }
        long bump = mapping.get(LONG, DATA_BUMP_OFFSET);
        if (bump < 0 || bump > dataSize) {
            throw new CorruptSegmentException("bad data bump: url=" + url + ", bump=" + bump + ", dataSize=" + dataSize);
        }
        return new Info(new MemoryBackendId(id), kind, headerSize, dataSize,
                mapping.get(LONG, CREATOR_PID_OFFSET), mapping.get(LONG, CREATOR_START_OFFSET));
    }

    private static void awaitReady(MemorySegment mapping, String url, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long sleepNanos = 10_000;
        while (true) {
            long ready = (long) LONG.varHandle().getAcquire(mapping, READY_OFFSET);
            if (ready == READY_VALUE) {
                return;
            }
            if (ready != 0) {
                throw new CorruptSegmentException("bad ready word: url=" + url + ", expected=0 or 0x"
                        + Long.toHexString(READY_VALUE) + ", found=0x" + Long.toHexString(ready));
            }
            long pid = mapping.get(LONG, CREATOR_PID_OFFSET);
            long start = mapping.get(LONG, CREATOR_START_OFFSET);
            // pid 0: the creator has written the magic but not yet its own identity; wait for it, bounded
            boolean alive = pid == 0 || Processes.isAlive(pid, start);
            if (!alive || System.nanoTime() > deadline) {
                throw new CorruptSegmentException("header not ready (never published): url=" + url
                        + ", creatorPid=" + pid + ", creatorAlive=" + alive
                        + (alive ? ", waited=" + timeoutMillis + "ms" : " (the creator died while formatting it;"
                        + " remove it with 'hshm rm " + url + "')"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(sleepNanos);
            sleepNanos = Math.min(sleepNanos * 2, 10_000_000);
        }
    }

    /**
     * Adds {@code delta} to the attach count.
     *
     * @param header the header
     * @param delta +1 on attach, -1 on detach
     * @return the new count
     */
    public static long addAttachCount(MemorySegment header, long delta) {
        return (long) LONG.varHandle().getAndAdd(header, ATTACH_COUNT_OFFSET, delta) + delta;
    }

    /**
     * Reads the attach count.
     *
     * @param header the header
     * @return processes currently attached (approximate if one died without detaching)
     */
    public static long attachCount(MemorySegment header) {
        return (long) LONG.varHandle().getVolatile(header, ATTACH_COUNT_OFFSET);
    }

    /**
     * Reserves a directory entry and a page-aligned region of the data for a new allocator. The entry
     * stays {@link #STATE_RESERVED} until {@link #publishAllocator}.
     *
     * @param header the header
     * @param dataSize bytes of data
     * @param id the allocator id; must not be in the directory yet
     * @param type the allocator type name
     * @param size the region size, or {@code -1} for everything not yet reserved
     * @return the reserved entry
     * @throws OutOfMemoryException if the directory is full or the data has no room
     * @throws dev.hshm.api.AlreadyExistsException if {@code id} is in the directory
     */
    public static DirectoryEntry reserveAllocator(MemorySegment header, long dataSize, AllocatorId id, String type,
                                                  long size) {
        for (DirectoryEntry e : directory(header, dataSize)) {
            if (e.id().equals(id)) {
                throw new dev.hshm.api.AlreadyExistsException("allocator " + id + " already exists in this backend ("
                        + e.type() + ", region=[" + e.regionOffset() + "," + (e.regionOffset() + e.regionSize()) + "))");
            }
        }
        int index = -1;
        for (int i = 0; i < DIR_ENTRIES && index < 0; i++) {
            long at = DIRECTORY_OFFSET + (long) i * DIR_ENTRY_BYTES;
            if (LONG.varHandle().compareAndSet(header, at + ENTRY_STATE, STATE_FREE, STATE_RESERVED)) {
                index = i;
            }
        }
        if (index < 0) {
            throw new OutOfMemoryException("allocator directory is full: entries=" + DIR_ENTRIES + ", allocator=" + id);
        }
        long at = DIRECTORY_OFFSET + (long) index * DIR_ENTRY_BYTES;
        long start;
        long regionSize;
        while (true) {
            long bump = (long) LONG.varHandle().getVolatile(header, DATA_BUMP_OFFSET);
            start = (bump + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT;
            long room = dataSize - start;
            regionSize = size < 0 ? room : size;
            if (room <= 0 || regionSize > room || regionSize <= 0) {
                LONG.varHandle().setRelease(header, at + ENTRY_STATE, STATE_FREE);
                throw new OutOfMemoryException("no room for allocator " + id + " in backend: requested="
                        + (size < 0 ? "rest" : size) + ", available=" + Math.max(0, room) + ", dataSize=" + dataSize);
            }
            if (LONG.varHandle().compareAndSet(header, DATA_BUMP_OFFSET, bump, start + regionSize)) {
                break;
            }
        }
        header.set(LONG, at + ENTRY_ALLOCATOR_ID, id.toLong());
        header.set(LONG, at + ENTRY_REGION_OFFSET, start);
        header.set(LONG, at + ENTRY_REGION_SIZE, regionSize);
        putAscii(header, at + ENTRY_TYPE, TYPE_BYTES, type);
        return new DirectoryEntry(index, STATE_RESERVED, id, type, start, regionSize);
    }

    /**
     * Undoes {@link #reserveAllocator} for an allocator whose provider refused to format it: the entry is
     * cleared and freed, and the region goes back to the unreserved data if nothing was reserved after it
     * (otherwise it stays carved out, unused: the directory never names it again).
     *
     * <p>What a death leaves: before the bump is moved back, the entry is still reserved (attaches report
     * "reserved but never published", as for a creator that died formatting); after it, a region nobody names,
     * which the next reserve reuses; the state store (FREE) is last, so a reader never sees a free entry with a
     * region.
     *
     * @param header the header
     * @param entry the entry {@link #reserveAllocator} returned
     */
    public static void releaseAllocator(MemorySegment header, DirectoryEntry entry) {
        long at = DIRECTORY_OFFSET + (long) entry.index() * DIR_ENTRY_BYTES;
        long end = entry.regionOffset() + entry.regionSize();
        LONG.varHandle().compareAndSet(header, DATA_BUMP_OFFSET, end, entry.regionOffset());
        header.set(LONG, at + ENTRY_ALLOCATOR_ID, 0L);
        header.set(LONG, at + ENTRY_REGION_OFFSET, 0L);
        header.set(LONG, at + ENTRY_REGION_SIZE, 0L);
        putAscii(header, at + ENTRY_TYPE, TYPE_BYTES, "");
        LONG.varHandle().setRelease(header, at + ENTRY_STATE, STATE_FREE);
    }

    /**
     * Publishes a formatted allocator's directory entry (release store of its state).
     *
     * @param header the header
     * @param entry the entry from {@link #reserveAllocator}
     */
    public static void publishAllocator(MemorySegment header, DirectoryEntry entry) {
        long at = DIRECTORY_OFFSET + (long) entry.index() * DIR_ENTRY_BYTES;
        LONG.varHandle().setRelease(header, at + ENTRY_STATE, STATE_READY);
    }

    /**
     * Reads the directory: every reserved or ready entry, each checked against the data size.
     *
     * @param header the header
     * @param dataSize bytes of data
     * @return the entries in index order
     * @throws CorruptSegmentException if an entry is out of range
     */
    public static List<DirectoryEntry> directory(MemorySegment header, long dataSize) {
        List<DirectoryEntry> out = new ArrayList<>();
        for (int i = 0; i < DIR_ENTRIES; i++) {
            long at = DIRECTORY_OFFSET + (long) i * DIR_ENTRY_BYTES;
            long state = (long) LONG.varHandle().getAcquire(header, at + ENTRY_STATE);
            if (state == STATE_FREE) {
                continue;
            }
            if (state != STATE_RESERVED && state != STATE_READY) {
                throw new CorruptSegmentException("bad allocator directory entry state: entry=" + i + ", state=" + state);
            }
            AllocatorId id = AllocatorId.fromLong(header.get(LONG, at + ENTRY_ALLOCATOR_ID));
            long off = header.get(LONG, at + ENTRY_REGION_OFFSET);
            long size = header.get(LONG, at + ENTRY_REGION_SIZE);
            String type = getAscii(header, at + ENTRY_TYPE, TYPE_BYTES);
            if (state == STATE_READY && (off < 0 || size <= 0 || off > dataSize - size || off % REGION_ALIGNMENT != 0)) {
                throw new CorruptSegmentException("allocator directory entry out of range: entry=" + i + ", allocator="
                        + id + ", regionOffset=" + off + ", regionSize=" + size + ", dataSize=" + dataSize);
            }
            out.add(new DirectoryEntry(i, state, id, type, off, size));
        }
        return out;
    }

    /**
     * Reads the kind name from a header.
     *
     * @param header the header
     * @return the kind
     */
    public static String kind(MemorySegment header) {
        return getAscii(header, KIND_OFFSET, KIND_BYTES);
    }

    /**
     * Writes an ASCII string into a fixed field, NUL-padded.
     *
     * @param seg the segment
     * @param offset the field's offset
     * @param fieldBytes the field's size
     * @param s the string, at most {@code fieldBytes} ASCII characters
     */
    public static void putAscii(MemorySegment seg, long offset, int fieldBytes, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length > fieldBytes) {
            throw new IllegalArgumentException("name too long for its field: name='" + s + "', max=" + fieldBytes);
        }
        for (int i = 0; i < fieldBytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, offset + i, i < b.length ? b[i] : 0);
        }
    }

    /**
     * Reads a NUL-padded ASCII field; non-printable bytes become {@code ?}.
     *
     * @param seg the segment
     * @param offset the field's offset
     * @param fieldBytes the field's size
     * @return the string
     */
    public static String getAscii(MemorySegment seg, long offset, int fieldBytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fieldBytes; i++) {
            byte c = seg.get(ValueLayout.JAVA_BYTE, offset + i);
            if (c == 0) {
                break;
            }
            sb.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return sb.toString();
    }
}
