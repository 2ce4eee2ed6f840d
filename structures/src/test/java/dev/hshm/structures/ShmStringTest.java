package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShmStringTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void asciiIsReadInPlaceAsACharSequence() {
        ShmString s = ShmString.create(dir, "s", "hello, shared world");
        assertTrue(s.isAscii());
        assertEquals(19, s.length());
        assertEquals('w', s.charAt(14));
        assertEquals("shared", s.subSequence(7, 13).toString());
        assertEquals("hello, shared world", s.toString());
        assertTrue(s.contentEquals("hello, shared world"));
        assertFalse(s.contentEquals("hello, shared worlD"));
        MemorySegment b = s.bytes();
        assertTrue(b.isReadOnly());
        assertEquals((byte) 'h', b.get(ValueLayout.JAVA_BYTE, 0));
        // the view is the shared memory itself: same address as the named block's bytes
        assertEquals(dir.attach("s").memory().address() + StringLayout.BYTES, b.address());
        assertThrows(IndexOutOfBoundsException.class, () -> s.charAt(19));
    }

    @Test
    void utf8TextRoundTripsAndComparesWithoutDecoding() {
        String text = "Grüße, 世界 \uD83D\uDE00";
        ShmString s = ShmString.create(dir, "u", text);
        assertFalse(s.isAscii());
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, s.utf8Length());
        assertEquals(text.length(), s.length());
        assertEquals(text, s.toString());
        assertEquals(text.charAt(8), s.charAt(8));
        assertTrue(s.contentEquals(text));

        ShmString a = ShmString.allocate(heap.allocator, text);
        ShmString attached = ShmString.attach(dir, "u");
        assertEquals(s, a);
        assertEquals(s, attached);
        assertEquals(s.hashCode(), a.hashCode());
        ShmString other = ShmString.allocate(heap.allocator, text + "!");
        assertNotEquals(s, other);
        ShmString same = ShmString.at(heap.allocator, a.offset());
        assertEquals(a, same);
        a.free();
        other.free();
    }

    @Test
    void emptyStringIsAllowed() {
        ShmString e = ShmString.create(dir, "e", "");
        assertEquals(0, e.length());
        assertEquals("", ShmString.attach(dir, "e").toString());
    }

    @Test
    void attachRejectsCorruptLengthHashAndType() {
        ShmString.create(dir, "s", "abcdef");
        MemorySegment m = dir.attach("s").memory();
        m.set(ValueLayout.JAVA_LONG, StringLayout.LENGTH, 1L << 40);
        CorruptSegmentException len = assertThrows(CorruptSegmentException.class, () -> ShmString.attach(dir, "s"));
        assertTrue(len.getMessage().contains("LENGTH=" + (1L << 40)), len.getMessage());
        m.set(ValueLayout.JAVA_LONG, StringLayout.LENGTH, 6L);
        m.set(ValueLayout.JAVA_BYTE, StringLayout.BYTES + 2, (byte) 'X');
        CorruptSegmentException hash = assertThrows(CorruptSegmentException.class, () -> ShmString.attach(dir, "s"));
        assertTrue(hash.getMessage().contains("stored hash does not match"), hash.getMessage());
        ShmVector.createLongs(dir, "v", 1);
        CorruptSegmentException type = assertThrows(CorruptSegmentException.class, () -> ShmString.attach(dir, "v"));
        assertTrue(type.getMessage().contains("found type=2 (vector)"), type.getMessage());
        assertThrows(CorruptSegmentException.class, () -> ShmString.at(heap.allocator, Long.MAX_VALUE - 100));
    }
}
