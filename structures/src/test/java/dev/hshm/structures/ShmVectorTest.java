package dev.hshm.structures;

import dev.hshm.testkit.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.StateException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Iterator;
import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ShmVectorTest {

    private static final MemoryLayout POINT = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("id"),
            ValueLayout.JAVA_INT.withName("x"), ValueLayout.JAVA_INT.withName("y"));

    private final TestHeap heap = TestHeap.create();
    private final NamedObjects dir = heap.dir();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void appendsGrowsAndReadsBackLongs() {
        ShmVector v = ShmVector.createLongs(dir, "v", 1);
        for (long i = 0; i < 10_000; i++) {
            assertEquals(i, v.appendLong(ChildMain.checksum(i, 0)));
        }
        assertEquals(10_000, v.size());
        assertTrue(v.grows() >= 10, "grows=" + v.grows());
        assertTrue(v.capacity() >= 10_000);
        ShmVector other = ShmVector.attach(dir, "v");
        for (long i = 0; i < 10_000; i++) {
            assertEquals(ChildMain.checksum(i, 0), other.getLong(i));
        }
        other.setLong(5, -1);
        assertEquals(-1, v.getLong(5));
        AtomicLong n = new AtomicLong();
        v.forEachLong(x -> n.incrementAndGet());
        assertEquals(10_000, n.get());
        PrimitiveIterator.OfLong it = v.longIterator();
        assertEquals(ChildMain.checksum(0, 0), it.nextLong());
        v.clear();
        assertEquals(0, v.size());
    }

    @Test
    void holdsRecordsOfAMemoryLayout() {
        ShmVector v = ShmVector.create(dir, "points", POINT, 2);
        assertEquals(16, v.elementSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(POINT);
            for (int i = 0; i < 100; i++) {
                p.set(ValueLayout.JAVA_LONG, 0, i);
                p.set(ValueLayout.JAVA_INT, 8, i * 2);
                p.set(ValueLayout.JAVA_INT, 12, -i);
                v.append(p);
            }
            MemorySegment q = arena.allocate(POINT);
            v.get(42, q);
            assertEquals(42, q.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(84, q.get(ValueLayout.JAVA_INT, 8));
            assertEquals(-42, q.get(ValueLayout.JAVA_INT, 12));
            p.set(ValueLayout.JAVA_LONG, 0, 7777);
            v.set(42, p);
            v.get(42, q);
            assertEquals(7777, q.get(ValueLayout.JAVA_LONG, 0));
        }
        int count = 0;
        for (Iterator<MemorySegment> it = v.iterator(); it.hasNext(); count++) {
            MemorySegment e = it.next();
            assertEquals(16, e.byteSize());
            if (count != 42) {
                assertEquals(count, e.get(ValueLayout.JAVA_LONG, 0));
            }
        }
        assertEquals(100, count);
        assertThrows(StateException.class, () -> v.getLong(0));
    }

    @Test
    void destroyGivesTheMemoryBack() {
        long before = heap.allocator.bytesInUse();
        ShmVector v = ShmVector.createLongs(dir, "v", 4);
        for (int i = 0; i < 5000; i++) {
            v.appendLong(i);
        }
        v.destroy(dir);
        assertEquals(before, heap.allocator.bytesInUse());
        assertTrue(dir.names().isEmpty());
    }

    @Test
    void rejectsBadIndicesAndLayouts() {
        ShmVector v = ShmVector.createLongs(dir, "v", 4);
        v.appendLong(1);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> v.getLong(1));
        assertTrue(e.getMessage().contains("index 1 out of bounds for size 1"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> v.getLong(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> v.setLong(3, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ShmVector.create(dir, "big", MemoryLayout.sequenceLayout(1 << 21, ValueLayout.JAVA_BYTE), 1));
        assertThrows(IllegalArgumentException.class, () -> ShmVector.createLongs(dir, "zero", 0));
        assertThrows(IllegalArgumentException.class, () -> v.append(MemorySegment.ofArray(new byte[4])));
    }

    @Test
    void attachRejectsAnotherTypeAndCorruptWords() {
        ShmMutex.create(dir, "m");
        CorruptSegmentException t = assertThrows(CorruptSegmentException.class, () -> ShmVector.attach(dir, "m"));
        assertTrue(t.getMessage().contains("found type=1 (mutex)"), t.getMessage());

        ShmVector.createLongs(dir, "v", 4).appendLong(3);
        MemorySegment hdr = dir.attach("v").memory();
        long data = hdr.get(ValueLayout.JAVA_LONG, VectorLayout.DATA);

        hdr.set(ValueLayout.JAVA_LONG, VectorLayout.SIZE, 1L << 40);
        CorruptSegmentException size = assertThrows(CorruptSegmentException.class,
                () -> ShmVector.attach(dir, "v").getLong(0));
        assertTrue(size.getMessage().contains("SIZE=" + (1L << 40)), size.getMessage());
        hdr.set(ValueLayout.JAVA_LONG, VectorLayout.SIZE, 1L);

        hdr.set(ValueLayout.JAVA_LONG, VectorLayout.DATA, Long.MAX_VALUE - 8);
        CorruptSegmentException ptr = assertThrows(CorruptSegmentException.class, () -> ShmVector.attach(dir, "v"));
        assertTrue(ptr.getMessage().contains("DATA=" + (Long.MAX_VALUE - 8)), ptr.getMessage());
        hdr.set(ValueLayout.JAVA_LONG, VectorLayout.DATA, data);

        MemorySegment block = heap.allocator.resolve(data, VectorLayout.D_ELEMENTS);
        block.set(ValueLayout.JAVA_LONG, VectorLayout.D_CAPACITY, 1L << 50);
        CorruptSegmentException cap = assertThrows(CorruptSegmentException.class, () -> ShmVector.attach(dir, "v"));
        assertTrue(cap.getMessage().contains("CAPACITY=" + (1L << 50)), cap.getMessage());
        block.set(ValueLayout.JAVA_LONG, VectorLayout.D_CAPACITY, 4L);

        hdr.set(ValueLayout.JAVA_LONG, VectorLayout.ELEMENT, 0L);
        CorruptSegmentException el = assertThrows(CorruptSegmentException.class, () -> ShmVector.attach(dir, "v"));
        assertTrue(el.getMessage().contains("element=0"), el.getMessage());
    }

    @Test
    void readersInOtherThreadsSeeOnlyWrittenElementsWhileItGrows() throws Exception {
        ShmVector v = ShmVector.createLongs(dir, "v", 1);
        int target = 200_000;
        AtomicLong checks = new AtomicLong();
        Thread[] readers = new Thread[2];
        Throwable[] failure = new Throwable[1];
        for (int k = 0; k < readers.length; k++) {
            readers[k] = new Thread(() -> {
                ShmVector r = ShmVector.attach(dir, "v");
                java.util.SplittableRandom rnd = new java.util.SplittableRandom();
                try {
                    while (r.size() < target) {
                        long n = r.size();
                        if (n > 0) {
                            long i = rnd.nextLong(n);
                            assertEquals(ContainerChild.vectorValue(i), r.getLong(i), "element " + i);
                            checks.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            readers[k].start();
        }
        for (long i = 0; i < target; i++) {
            v.appendLong(ContainerChild.vectorValue(i));
        }
        for (Thread t : readers) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertTrue(checks.get() > 0);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void growsWhileAnotherProcessReads() throws Exception {
        ShmVector v = ShmVector.createLongs(dir, "v", 1);
        v.appendLong(ContainerChild.vectorValue(0));
        long target = 2_000_000;
        try (ChildJvm child = Children.startMain(ContainerChild.class, "vector-read", heap.url,
                "" + heap.allocatorId.major(), "v", "" + target)) {
            child.await("reading", 60);
            Thread.sleep(300); // let the child's JIT warm up so it reads while we grow
            for (long i = 1; i < target; i++) {
                v.appendLong(ContainerChild.vectorValue(i));
            }
            String line = child.await("checked", 60);
            assertEquals(0, child.waitFor(30), child.lines().toString());
            long checks = Long.parseLong(line.split(" ")[1]);
            assertTrue(checks > 0, line);
            assertTrue(v.grows() >= 15, "grows=" + v.grows());
        }
    }
}
