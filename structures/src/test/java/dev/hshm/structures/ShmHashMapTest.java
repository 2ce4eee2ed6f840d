package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShmHashMapTest {

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    private static byte[] randomBytes(SplittableRandom rnd, int min, int max) {
        byte[] b = new byte[min + rnd.nextInt(max - min + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(4); // few distinct bytes: many keys share prefixes and lengths
        }
        return b;
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        ShmHashMap m = ShmHashMap.create(dir, "m", 4, 8, 32, 200);
        Map<ByteBuffer, byte[]> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            byte[] k = randomBytes(rnd, 1, 6);
            ByteBuffer kb = ByteBuffer.wrap(k);
            int op = rnd.nextInt(10);
            if (op < 5) {
                byte[] v = randomBytes(rnd, 0, 200);
                assertEquals(!model.containsKey(kb), m.put(k, v));
                model.put(kb, v);
            } else if (op < 7) {
                assertEquals(model.remove(kb) != null, m.remove(k));
            } else {
                byte[] want = model.get(kb);
                byte[] got = m.get(k);
                if (want == null) {
                    assertNull(got);
                } else {
                    assertArrayEquals(want, got);
                }
                assertEquals(want != null, m.containsKey(MemorySegment.ofArray(k)));
            }
        }
        assertEquals(model.size(), m.size());
        assertEquals(model.size(), m.check());
        Map<ByteBuffer, byte[]> seen = new HashMap<>();
        m.forEach((k, v) -> seen.put(ByteBuffer.wrap(k.toArray(ValueLayout.JAVA_BYTE)), v.toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(model.keySet(), seen.keySet());
        model.forEach((k, v) -> assertArrayEquals(v, seen.get(k)));
    }

    @Test
    void getCopiesIntoASegmentWithoutGarbageAndRefusesOneTooSmall() {
        ShmHashMap m = ShmHashMap.create(dir, "m", 2, 100, 16, 100);
        byte[] k = ContainerChild.key(1, 2);
        byte[] v = ContainerChild.value(k, 3);
        m.put(k, v);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(16);
            MemorySegment.copy(MemorySegment.ofArray(k), 0, key, 0, 16);
            MemorySegment dst = arena.allocate(100);
            assertEquals(v.length, m.get(key, dst));
            assertArrayEquals(v, dst.asSlice(0, v.length).toArray(ValueLayout.JAVA_BYTE));
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> m.get(key, arena.allocate(v.length - 1)));
            assertTrue(small.getMessage().contains("does not fit"), small.getMessage());
            assertEquals(-1, m.get(arena.allocate(16), dst));
        }
    }

    @Test
    void refusesKeysAndValuesTooLarge() {
        ShmHashMap m = ShmHashMap.create(dir, "m", 1, 1, 16, 100);
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> m.put(new byte[17], new byte[1]));
        assertTrue(k.getMessage().contains("key of 17 bytes"), k.getMessage());
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> m.put(new byte[16], new byte[101]));
        assertTrue(v.getMessage().contains("value of 101 bytes"), v.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.put(new byte[0], new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> m.get(new byte[17]));
        assertThrows(IllegalArgumentException.class, () -> ShmHashMap.create(dir, "huge", 1, 1, 1 << 21, 1));
        assertEquals(0, m.size());
    }

    @Test
    void removedAndReplacedEntriesAreFreed() {
        long before = heap.allocator.bytesInUse();
        ShmHashMap m = ShmHashMap.create(dir, "m", 4, 1000, 16, 100);
        long empty = heap.allocator.bytesInUse();
        byte[] k = ContainerChild.key(0, 0);
        m.put(k, ContainerChild.value(k, 1));
        long one = heap.allocator.bytesInUse();
        for (int i = 0; i < 1000; i++) {
            m.put(k, new byte[40]); // same size class each time: replaced entries must go back
        }
        m.put(k, ContainerChild.value(k, 1));
        assertEquals(one, heap.allocator.bytesInUse(), "replacing leaked entries");
        assertTrue(m.remove(k));
        assertEquals(empty, heap.allocator.bytesInUse(), "remove leaked the entry");
        for (int i = 0; i < 5000; i++) {
            byte[] key = ContainerChild.key(1, i);
            m.put(key, ContainerChild.value(key, 1));
        }
        m.destroy(dir);
        assertEquals(before, heap.allocator.bytesInUse());
    }

    @Test
    void attachRejectsAnotherType() {
        ShmLongLongMap.create(dir, "l", 1, 1);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "l"));
        assertTrue(e.getMessage().contains("found type=5 (long-long map)"), e.getMessage());
        ShmString.create(dir, "s", "x");
        assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "s"));
    }

    /** The slot offset (in the table block) of the only entry of a one-segment map. */
    private long onlySlot(MemorySegment table) {
        long cap = table.get(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY);
        for (long i = 0; i < cap; i++) {
            long at = MapLayout.T_SLOTS + i * ShmHashMap.SLOT_BYTES;
            long tag = table.get(ValueLayout.JAVA_LONG, at);
            if (tag != MapLayout.EMPTY && tag != MapLayout.TOMBSTONE) {
                return at;
            }
        }
        throw new AssertionError("no entry");
    }

    @Test
    void aCorruptSlotOrEntryIsAnExceptionNotACrash() {
        ShmHashMap m = ShmHashMap.create(dir, "m", 1, 8, 16, 100);
        byte[] k = ContainerChild.key(5, 5);
        m.put(k, ContainerChild.value(k, 1));
        MemorySegment h = dir.attach("m").memory();
        long tableOff = h.get(ValueLayout.JAVA_LONG, MapSegments.desc(0) + MapLayout.S_TABLE);
        long cap = heap.allocator.resolve(tableOff, MapLayout.T_SLOTS).get(ValueLayout.JAVA_LONG, MapLayout.T_CAPACITY);
        MemorySegment table = heap.allocator.resolve(tableOff, MapLayout.tableBytes(cap, ShmHashMap.SLOT_BYTES));
        long at = onlySlot(table);
        long entry = table.get(ValueLayout.JAVA_LONG, at + 8);

        table.set(ValueLayout.JAVA_LONG, at + 8, Long.MAX_VALUE - 3);
        CorruptSegmentException p = assertThrows(CorruptSegmentException.class, () -> m.get(k));
        assertTrue(p.getMessage().contains("ENTRY=" + (Long.MAX_VALUE - 3)), p.getMessage());
        assertThrows(CorruptSegmentException.class, m::check);
        table.set(ValueLayout.JAVA_LONG, at + 8, entry);

        MemorySegment e = heap.allocator.resolve(entry, 8);
        e.set(ValueLayout.JAVA_INT, MapLayout.E_VALUE_LEN, 1 << 30);
        CorruptSegmentException len = assertThrows(CorruptSegmentException.class, () -> m.get(k));
        assertTrue(len.getMessage().contains("VALUE_LEN=" + (1 << 30)), len.getMessage());
        e.set(ValueLayout.JAVA_INT, MapLayout.E_VALUE_LEN, ContainerChild.value(k, 1).length);
        assertArrayEquals(ContainerChild.value(k, 1), m.get(k));

        table.set(ValueLayout.JAVA_LONG, at, table.get(ValueLayout.JAVA_LONG, at) ^ 0x10);
        CorruptSegmentException tag = assertThrows(CorruptSegmentException.class, m::check);
        assertTrue(tag.getMessage().contains("TAG=0x"), tag.getMessage());
        assertFalse(m.containsKey(MemorySegment.ofArray(k)), "a slot with a wrong tag is not found");
    }

    @Test
    void aCorruptHeaderIsRejectedOnAttach() {
        ShmHashMap.create(dir, "m", 4, 8, 16, 100);
        MemorySegment h = dir.attach("m").memory();
        h.set(ValueLayout.JAVA_INT, MapLayout.SEGMENTS, 3);
        CorruptSegmentException s = assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "m"));
        assertTrue(s.getMessage().contains("SEGMENTS=3"), s.getMessage());
        h.set(ValueLayout.JAVA_INT, MapLayout.SEGMENTS, 1 << 20);
        assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "m"));
        h.set(ValueLayout.JAVA_INT, MapLayout.SEGMENTS, 4);
        h.set(ValueLayout.JAVA_INT, MapLayout.MAX_KEY, 0);
        CorruptSegmentException k = assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "m"));
        assertTrue(k.getMessage().contains("MAX_KEY=0"), k.getMessage());
        h.set(ValueLayout.JAVA_INT, MapLayout.MAX_KEY, 16);
        h.set(ValueLayout.JAVA_LONG, ContainerHeader.MAGIC_OFFSET, 42);
        assertThrows(CorruptSegmentException.class, () -> ShmHashMap.attach(dir, "m"));
    }
}
