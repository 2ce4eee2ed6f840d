package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.HshmException;
import dev.hshm.api.MemContext;
import dev.hshm.api.OutOfMemoryException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * An immutable UTF-8 string in shared memory ({@link StringLayout}): length-prefixed, written once and published
 * with one release store, never changed afterwards, so any thread of any process reads it without a lock.
 * Found by name ({@link #create}/{@link #attach}) or by offset ({@link #allocate}/{@link #at}: for strings
 * other structures point to).
 *
 * <p><b>Views without copies.</b> {@link #bytes()} is a read-only view of the UTF-8 bytes in shared memory.
 * As a {@link CharSequence} it reads the shared bytes directly when they are all ASCII (then chars and bytes
 * are the same); for other text, {@code charAt} and {@code subSequence} decode once on first use into a private
 * copy ({@link #length()} is then the UTF-16 length, as {@code CharSequence} requires).
 *
 * <p><b>Equality and hashing without decoding.</b> {@link #hashCode()} folds the 64-bit hash stored at
 * creation; {@link #equals} compares lengths, hashes, then bytes ({@link MemorySegment#mismatch}).
 * {@link #contentEquals} compares with any {@code CharSequence} (encoding the other side when it is not ASCII).
 */
public final class ShmString implements CharSequence {

    private final Allocator allocator;
    private final long offset;
    private final MemorySegment bytes;
    private final long hash;
    private final boolean ascii;
    private String decoded;

    private ShmString(Allocator allocator, long offset, MemorySegment bytes, long hash, boolean ascii) {
        this.allocator = allocator;
        this.offset = offset;
        this.bytes = bytes;
        this.hash = hash;
        this.ascii = ascii;
    }

    /**
     * Bytes a string of {@code utf8Length} bytes takes.
     *
     * @param utf8Length bytes of UTF-8
     * @return the block size
     */
    public static long bytesFor(long utf8Length) {
        return StringLayout.BYTES + utf8Length;
    }

    /**
     * Creates a named string.
     *
     * @param dir the directory
     * @param name the name
     * @param text the text
     * @return a handle
     * @throws dev.hshm.api.AlreadyExistsException if the name exists
     */
    public static ShmString create(NamedObjects dir, String name, CharSequence text) {
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        NamedObject o = dir.create(name, bytesFor(b.length), m -> format(m, b));
        return open(dir.allocator(), o.offset(), o.memory(), "string '" + name + "'", false);
    }

    /**
     * Finds a named string, checking its header and stored hash.
     *
     * @param dir the directory
     * @param name the name
     * @return a handle
     * @throws dev.hshm.api.NotFoundException if there is none
     * @throws CorruptSegmentException if the name holds something else, or a length or hash that does not match
     */
    public static ShmString attach(NamedObjects dir, String name) {
        NamedObject o = dir.attach(name);
        return open(dir.allocator(), o.offset(), o.memory(), "string '" + name + "'", true);
    }

    /**
     * Allocates an unnamed string from {@code allocator}; keep its {@link #offset()} in another structure and
     * {@link #free()} it when done.
     *
     * @param allocator the allocator
     * @param text the text
     * @return a handle
     * @throws OutOfMemoryException if there is no room
     */
    public static ShmString allocate(Allocator allocator, CharSequence text) {
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        long off = allocator.alignedAllocateOffset(MemContext.DEFAULT, bytesFor(b.length), 8);
        MemorySegment m = allocator.resolve(off, bytesFor(b.length));
        format(m, b);
        return open(allocator, off, m, "string at offset " + off, false);
    }

    /**
     * The string another process allocated at {@code offset}, checked.
     *
     * @param allocator the allocator it came from
     * @param offset its offset
     * @return a handle
     * @throws CorruptSegmentException if no valid string is there
     */
    public static ShmString at(Allocator allocator, long offset) {
        String what = "string at offset " + offset;
        MemorySegment head;
        try {
            head = allocator.resolve(offset, StringLayout.BYTES);
        } catch (HshmException | IndexOutOfBoundsException e) {
            throw new CorruptSegmentException(what + ": outside the allocator's memory", e);
        }
        long len = Words.get(head, StringLayout.LENGTH);
        checkLength(what, len, allocator.memory().byteSize() - offset);
        return open(allocator, offset, allocator.resolve(offset, bytesFor(len)), what, true);
    }

    private static void format(MemorySegment m, byte[] b) {
        ContainerHeader.format(m, ContainerHeader.STRING, StringLayout.LAYOUT_VERSION);
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, StringLayout.BYTES, b.length);
        Words.put(m, StringLayout.LENGTH, b.length);
        Words.put(m, StringLayout.HASH, Hashing.hash(m, StringLayout.BYTES, b.length));
        Words.putInt(m, StringLayout.ASCII, isAscii(m.asSlice(StringLayout.BYTES, b.length)) ? 1 : 0);
        ContainerHeader.publish(m);
    }

    private static void checkLength(String what, long len, long room) {
        if (len < 0 || len > room - StringLayout.BYTES) {
            throw new CorruptSegmentException(what + ": bad length: LENGTH=" + len + " (the block has room for "
                    + Math.max(0, room - StringLayout.BYTES) + " bytes)");
        }
    }

    private static ShmString open(Allocator a, long off, MemorySegment m, String what, boolean verify) {
        ContainerHeader.check(m, ContainerHeader.STRING, StringLayout.LAYOUT_VERSION, StringLayout.BYTES, what);
        long len = Words.get(m, StringLayout.LENGTH);
        checkLength(what, len, m.byteSize());
        MemorySegment b = m.asSlice(StringLayout.BYTES, len).asReadOnly();
        long h = Words.get(m, StringLayout.HASH);
        int ascii = Words.getInt(m, StringLayout.ASCII);
        if (verify) {
            long actual = Hashing.hash(b, 0, len);
            if (actual != h) {
                throw new CorruptSegmentException(what + ": stored hash does not match its bytes: HASH=0x"
                        + Long.toHexString(h) + ", computed=0x" + Long.toHexString(actual));
            }
            if (ascii != (isAscii(b) ? 1 : 0)) {
                throw new CorruptSegmentException(what + ": bad ASCII flag: ASCII=" + ascii);
            }
        }
        return new ShmString(a, off, b, h, ascii == 1);
    }

    private static boolean isAscii(MemorySegment b) {
        for (long i = 0; i < b.byteSize(); i++) {
            if (b.get(ValueLayout.JAVA_BYTE, i) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The UTF-8 bytes, a read-only view of shared memory (no copy).
     *
     * @return the view
     */
    public MemorySegment bytes() {
        return bytes;
    }

    /**
     * Bytes of UTF-8.
     *
     * @return the byte length
     */
    public long utf8Length() {
        return bytes.byteSize();
    }

    /**
     * The offset of the string's block in its allocator (the same in every process).
     *
     * @return the offset
     */
    public long offset() {
        return offset;
    }

    /**
     * The stored 64-bit hash of the bytes.
     *
     * @return the hash
     */
    public long hash64() {
        return hash;
    }

    /**
     * Whether every byte is ASCII (then the {@code CharSequence} view reads shared memory directly).
     *
     * @return {@code true} if ASCII
     */
    public boolean isAscii() {
        return ascii;
    }

    /** Frees an {@linkplain #allocate allocated} string; no process may use it afterwards. */
    public void free() {
        allocator.freeOffset(MemContext.DEFAULT, offset);
    }

    private String decoded() {
        String d = decoded;
        if (d == null) {
            d = new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            decoded = d;
        }
        return d;
    }

    @Override
    public int length() {
        return ascii ? Math.toIntExact(bytes.byteSize()) : decoded().length();
    }

    @Override
    public char charAt(int index) {
        if (!ascii) {
            return decoded().charAt(index);
        }
        if (index < 0 || index >= bytes.byteSize()) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for length " + bytes.byteSize());
        }
        return (char) bytes.get(ValueLayout.JAVA_BYTE, index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (!ascii) {
            return decoded().subSequence(start, end);
        }
        java.util.Objects.checkFromToIndex(start, end, length());
        MemorySegment slice = bytes.asSlice(start, end - start);
        return new AsciiView(slice);
    }

    /** A zero-copy view of a slice of ASCII bytes. */
    private record AsciiView(MemorySegment b) implements CharSequence {
        @Override
        public int length() {
            return (int) b.byteSize();
        }

        @Override
        public char charAt(int index) {
            java.util.Objects.checkIndex(index, length());
            return (char) b.get(ValueLayout.JAVA_BYTE, index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            java.util.Objects.checkFromToIndex(start, end, length());
            return new AsciiView(b.asSlice(start, end - start));
        }

        @Override
        public String toString() {
            return new String(b.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        }
    }

    /**
     * Whether {@code cs} has the same text, without decoding this string.
     *
     * @param cs the text
     * @return {@code true} if equal
     */
    public boolean contentEquals(CharSequence cs) {
        if (cs instanceof ShmString s) {
            return equals(s);
        }
        if (ascii) {
            if (cs.length() != bytes.byteSize()) {
                return false;
            }
            for (int i = 0; i < cs.length(); i++) {
                if (cs.charAt(i) != bytes.get(ValueLayout.JAVA_BYTE, i)) {
                    return false;
                }
            }
            return true;
        }
        byte[] b = cs.toString().getBytes(StandardCharsets.UTF_8);
        return b.length == bytes.byteSize() && MemorySegment.mismatch(bytes, 0, b.length, MemorySegment.ofArray(b), 0,
                b.length) == -1;
    }

    /**
     * Equal to another {@code ShmString} with the same bytes (in any allocator or process): lengths, stored hashes,
     * then the bytes are compared; nothing is decoded.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ShmString s && s.hash == hash && s.bytes.byteSize() == bytes.byteSize()
                && bytes.mismatch(s.bytes) == -1;
    }

    /** The stored 64-bit hash folded to 32 bits (not {@link String#hashCode()}). */
    @Override
    public int hashCode() {
        return (int) (hash ^ hash >>> 32);
    }

    /** Decodes the text. */
    @Override
    public String toString() {
        return ascii ? new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII) : decoded();
    }
}
