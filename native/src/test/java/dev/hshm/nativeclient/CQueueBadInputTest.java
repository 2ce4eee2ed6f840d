package dev.hshm.nativeclient;

import static dev.hshm.nativeclient.CQueueFixture.define;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.nativeclient.CQueueFixture.CProcess;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObject;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.ShmVector;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * hshm_queue.h on bad input, each call in a C process of its own (hshm_queue_check): a wrong or invalid name, an
 * object of another type, every header word the attach checks corrupted, the indices and record words the queue
 * operations read corrupted, the directory's root, magic, entry states, name lengths and offsets corrupted, a
 * half-created entry, misused claims: each gives its HSHM_ERR_* code and a message naming the field and the value,
 * never a crash (an exit by signal fails the check). Also what the C client does with dead processes and locks: a
 * dead C claimer padded over by the JVM (and a live one not), dead, ownerless and unwritten JVM claims padded over by
 * a C consumer, a put that times out, a take whose producer died, the directory lock taken over from a dead holder
 * and waited for behind a live one; and queues a C process creates, which the JVM attaches to.
 */
class CQueueBadInputTest {

    private CQueueFixture heap;
    private NamedObjects dir;
    private NamedObject spsc;
    private NamedObject mpsc;

    @BeforeEach
    void build() {
        NativeBuild.out();
        heap = new CQueueFixture();
        dir = heap.dir();
        spsc = dir.create("s", SpscRing.bytesFor(4, 16), m -> SpscRing.format(m, 4, 16));
        mpsc = dir.create("m", MpscRing.bytesFor(1024), m -> MpscRing.format(m, 1024));
    }

    @AfterEach
    void removeSegment() {
        heap.close();
    }

    private static void contains(String out, String... parts) {
        for (String p : parts) {
            assertTrue(out.contains(p), "expected '" + p + "' in:\n" + out);
        }
    }

    /** Sets the u64 at {@code at} of {@code seg} to {@code bad}, runs the check, puts the word back. */
    private String corruptLong(MemorySegment seg, long at, long bad, String... op) throws Exception {
        long old = seg.get(ValueLayout.JAVA_LONG, at);
        seg.set(ValueLayout.JAVA_LONG, at, bad);
        try {
            return heap.checkFails(op);
        } finally {
            seg.set(ValueLayout.JAVA_LONG, at, old);
        }
    }

    private String corruptInt(MemorySegment seg, long at, int bad, String... op) throws Exception {
        int old = seg.get(ValueLayout.JAVA_INT, at);
        seg.set(ValueLayout.JAVA_INT, at, bad);
        try {
            return heap.checkFails(op);
        } finally {
            seg.set(ValueLayout.JAVA_INT, at, old);
        }
    }

    // ------------------------------------------------------------------ names and types

    @Test
    void aWrongNameIsNotFoundAndTheMessageListsTheNames() throws Exception {
        contains(heap.checkFails("find", "nope"), "HSHM_ERR_NOT_FOUND", "no named object 'nope' in allocator ("
                + heap.id() + ")", "it has: [s, m]");
        contains(heap.checkFails("spsc", "nope"), "HSHM_ERR_NOT_FOUND", "it has: [s, m]");
        contains(heap.checkFails("mpsc", "nope"), "HSHM_ERR_NOT_FOUND");
        contains(heap.checkFails("find", "a/b"), "HSHM_ERR_ARGUMENT", "must not contain '/'");
        contains(heap.checkFails("find", "-x"), "HSHM_ERR_ARGUMENT", "must not start with");
        contains(heap.checkFails("find", "a..b"), "HSHM_ERR_ARGUMENT", "'..'");
        contains(heap.checkFails("find", "x".repeat(31)), "HSHM_ERR_ARGUMENT", "too long");
        contains(heap.checkFails("find", "a b"), "HSHM_ERR_ARGUMENT", "outside [A-Za-z0-9._-]");
        // found: a leading '/' is the POSIX spelling of the same name
        contains(heap.check("find", "/s"), "ok kind 1 type 1 version 1 name spsc queue offset " + spsc.offset()
                + " size " + spsc.size());
        contains(heap.check("find", "m"), "ok kind 1 type 2 version 2 name mpsc queue offset " + mpsc.offset());
    }

    @Test
    void aWrongTypeNamesBothTypes() throws Exception {
        contains(heap.checkFails("spsc", "m"), "HSHM_ERR_CORRUPT", "attaching as a spsc queue 'm' to a mpsc queue",
                "expected type=1 (spsc), found type=2 (mpsc)");
        contains(heap.checkFails("mpsc", "s"), "HSHM_ERR_CORRUPT", "expected type=2 (mpsc), found type=1 (spsc)");
        ShmVector.createLongs(dir, "vec", 4);
        contains(heap.check("find", "vec"), "ok kind 2 type 2", "name vector");
        contains(heap.checkFails("spsc", "vec"), "HSHM_ERR_CORRUPT", "bad magic", "(a vector container, not a queue)");
        dir.create("raw", 200, m -> m.set(ValueLayout.JAVA_LONG, 0, 12345));
        contains(heap.check("find", "raw"), "ok kind 0 type 0 version 0 name raw", "size 200");
        contains(heap.checkFails("mpsc", "raw"), "HSHM_ERR_CORRUPT", "bad magic", "found=0x3039");
        dir.create("tiny", 8, m -> { });
        contains(heap.checkFails("spsc", "tiny"), "HSHM_ERR_CORRUPT", "smaller than a queue header");
    }

    @Test
    void everyQueueHeaderWordTheAttachChecksIsCheckedWhenCorrupt() throws Exception {
        MemorySegment q = spsc.memory();
        contains(corruptLong(q, define("HSHM_QH_MAGIC"), 0x1234, "spsc", "s"), "HSHM_ERR_CORRUPT", "bad magic",
                "found=0x1234");
        contains(corruptInt(q, define("HSHM_QH_TYPE"), 3, "spsc", "s"), "to a mpmc queue", "found type=3 (mpmc)");
        contains(corruptInt(q, define("HSHM_QH_TYPE"), 77, "spsc", "s"), "found type=77 (unknown)");
        contains(corruptInt(q, define("HSHM_QH_VERSION"), 9, "spsc", "s"), "layout version mismatch",
                "expected version=1, found version=9");
        contains(corruptLong(q, define("HSHM_QH_READY"), 0, "spsc", "s"), "was never published", "ready=0x0");
        contains(corruptLong(q, define("HSHM_QH_CAPACITY"), 3, "spsc", "s"), "bad capacity", "capacity=3");
        contains(corruptLong(q, define("HSHM_QH_CAPACITY"), 1L << 40, "spsc", "s"), "bad capacity");
        contains(corruptLong(q, define("HSHM_QH_CAPACITY"), 1 << 20, "spsc", "s"), "header says capacity=1048576",
                "but the object has " + spsc.size() + " bytes");
        contains(corruptLong(q, define("HSHM_QH_ELEMENT"), 12, "spsc", "s"), "bad element size", "a multiple of 8");
        contains(corruptLong(q, define("HSHM_QH_ELEMENT"), 0, "spsc", "s"), "bad element size", "element=0");
        MemorySegment m = mpsc.memory();
        contains(corruptLong(m, define("HSHM_QH_MAGIC"), -1, "mpsc", "m"), "bad magic");
        contains(corruptInt(m, define("HSHM_QH_VERSION"), 3, "mpsc", "m"), "found version=3");
        contains(corruptLong(m, define("HSHM_QH_READY"), 7, "mpsc", "m"), "was never published");
        contains(corruptLong(m, define("HSHM_QH_CAPACITY"), 1000, "mpsc", "m"), "bad capacity", "capacity=1000");
        contains(corruptLong(m, define("HSHM_QH_CAPACITY"), 4096, "mpsc", "m"), "bad element size");
        contains(corruptLong(m, define("HSHM_QH_ELEMENT"), 5, "mpsc", "m"), "bad element size", "element=5");
        m.set(ValueLayout.JAVA_LONG, define("HSHM_QH_ELEMENT"), 4096 / 8 - 8); // consistent with a 4 KiB buffer
        contains(corruptLong(m, define("HSHM_QH_CAPACITY"), 4096, "mpsc", "m"), "header says capacity=4096",
                "but the object has " + mpsc.size() + " bytes");
        m.set(ValueLayout.JAVA_LONG, define("HSHM_QH_ELEMENT"), 1024 / 8 - 8);
        // and the queues still work after the words were put back
        contains(heap.check("spsc-offer", "s"), "ok");
        contains(heap.check("spsc-poll", "s"), "ok x");
    }

    @Test
    void corruptIndicesAndRecordWordsAreReportedByTheOperationsThatReadThem() throws Exception {
        MemorySegment q = spsc.memory();
        long tail = define("HSHM_SPSC_TAIL");
        long head = define("HSHM_SPSC_HEAD");
        contains(corruptLong(q, tail, 99, "spsc-poll", "s"), "HSHM_ERR_CORRUPT", "indices out of range (consumer)",
                "tail=99, head=0, capacity=4");
        contains(corruptLong(q, head, 5, "spsc-offer", "s"), "indices out of range (producer)", "tail=0, head=5");
        contains(corruptLong(q, tail, -8, "spsc-size", "s"), "indices out of range (size)");
        contains(corruptLong(q, tail, 99, "take", "s", "100"), "indices out of range");
        contains(corruptLong(q, head, 1, "put-timeout", "s", "100"), "indices out of range");
        MemorySegment m = mpsc.memory();
        long mtail = define("HSHM_MPSC_TAIL");
        long mhead = define("HSHM_MPSC_HEAD");
        contains(corruptLong(m, mtail, 12, "mpsc-offer", "m"), "HSHM_ERR_CORRUPT", "bad tail index: tail=12");
        contains(corruptLong(m, mtail, -16, "mpsc-offer", "m"), "bad tail index");
        contains(corruptLong(m, mtail, 1 << 20, "mpsc-offer", "m"), "indices out of range", "tail=1048576, head=0");
        contains(corruptLong(m, mhead, 4, "mpsc-read", "m"), "bad head index: head=4");
        // HEAD (and the producers' cache of it) ahead of TAIL
        long cache = define("HSHM_MPSC_HEAD_CACHE");
        m.set(ValueLayout.JAVA_LONG, cache, 1 << 20);
        contains(corruptLong(m, mhead, 1 << 20, "mpsc-offer", "m"), "indices out of range", "tail=0, head=1048576");
        m.set(ValueLayout.JAVA_LONG, cache, 0L);
        contains(corruptLong(m, mtail, 1 << 20, "mpsc-read", "m"), "indices out of range", "tail=1048576, head=0");
        // a record at the head whose header is garbage
        MpscRing ring = MpscRing.attach(mpsc.memory());
        assertTrue(ring.offer(1, MemorySegment.ofArray("abc".getBytes(StandardCharsets.US_ASCII))));
        long word = define("HSHM_MPSC_BUFFER");
        contains(corruptLong(m, word, 100_000L, "mpsc-read", "m"), "bad record header at index=0", "length=100000");
        contains(corruptLong(m, word, 19L | ((long) -7 << 32), "mpsc-read", "m"), "type=-7");
        contains(corruptLong(m, word, 4L | (1L << 32), "mpsc-read", "m"), "length=4");
        // a C consumer over a consistent ring again: reads the record
        contains(heap.check("mpsc-read", "m"), "record 1 abc", "ok read 1");
        contains(heap.check("mpsc-offer", "m"), "ok");
        int[] got = new int[1];
        ring.read((type, buffer, offset, length) -> got[0] = length, 10);
        assertEquals(10, got[0]);
    }

    @Test
    void aCorruptDirectoryIsReportedAndAHalfCreatedEntryIsNeverReturned() throws Exception {
        MemorySegment custom = heap.customHeader();
        MemorySegment d = heap.directory();
        contains(corruptLong(custom, 0, 1L << 40, "find", "s"), "HSHM_ERR_CORRUPT", "root of allocator", "points "
                + "outside its memory", "root=" + (1L << 40));
        contains(corruptLong(custom, 0, 4, "find", "s"), "points outside its memory"); // misaligned
        contains(corruptLong(d, define("HSHM_ND_MAGIC"), 42, "find", "s"), "bad magic", "found=0x2a");
        contains(corruptInt(d, define("HSHM_ND_VERSION"), 2, "find", "s"), "layout version 2");
        contains(corruptInt(d, define("HSHM_ND_ENTRY_COUNT"), 65, "find", "s"), "bad entry count", "found=65");
        contains(corruptLong(d, define("HSHM_ND_READY"), 0, "find", "s"), "never published");
        long e0 = define("HSHM_ND_ENTRIES"); // entry 0 is "s", entry 1 "m"
        long e1 = e0 + define("HSHM_NE_BYTES");
        contains(corruptLong(d, e1 + define("HSHM_NE_STATE"), 7, "find", "s"), "entry 1 has a bad state: state=7");
        contains(corruptInt(d, e0 + define("HSHM_NE_NAME_LEN"), 99, "find", "m"), "entry 0 has a bad name length",
                "nameLength=99");
        contains(corruptInt(d, e0 + define("HSHM_NE_NAME_LEN"), 0, "spsc", "s"), "nameLength=0");
        contains(corruptLong(d, e0 + define("HSHM_NE_OFFSET"), 1L << 50, "find", "s"), "records a block outside the "
                + "allocator's memory", "offset=" + (1L << 50));
        contains(corruptLong(d, e0 + define("HSHM_NE_SIZE"), 1L << 50, "spsc", "s"), "outside the allocator's memory");
        contains(corruptLong(d, e0 + define("HSHM_NE_SIZE"), 0, "spsc", "s"), "size=0");
        // entry 5 half made: name written, state CREATING (a create in progress, or abandoned)
        long e5 = e0 + 5 * define("HSHM_NE_BYTES");
        byte[] name = "half".getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(MemorySegment.ofArray(name), 0, d, e5 + define("HSHM_NE_NAME"), name.length);
        d.set(ValueLayout.JAVA_INT, e5 + define("HSHM_NE_NAME_LEN"), name.length);
        d.set(ValueLayout.JAVA_LONG, e5 + define("HSHM_NE_OFFSET"), spsc.offset());
        d.set(ValueLayout.JAVA_LONG, e5 + define("HSHM_NE_SIZE"), spsc.size());
        d.set(ValueLayout.JAVA_LONG, e5 + define("HSHM_NE_STATE"), define("HSHM_NAMED_CREATING"));
        String out = heap.checkFails("find", "half");
        contains(out, "HSHM_ERR_NOT_FOUND", "it has: [s, m]");
        contains(heap.checkFails("spsc", "half"), "HSHM_ERR_NOT_FOUND");
        d.set(ValueLayout.JAVA_LONG, e5 + define("HSHM_NE_OFFSET"), -1L); // (so that no JVM repair frees "s")
        d.set(ValueLayout.JAVA_LONG, e5 + define("HSHM_NE_STATE"), define("HSHM_NAMED_EMPTY"));
        assertEquals(List.of("s", "m"), dir.names());
    }

    @Test
    void anAllocatorWithoutADirectoryHasNoNames() throws Exception {
        try (CQueueFixture fresh = new CQueueFixture(4L << 20)) {
            String out = fresh.checkFails("find", "s");
            contains(out, "HSHM_ERR_NOT_FOUND", "no named object 's'", "has no named-object directory yet");
        }
    }

    // ------------------------------------------------------------------ claims, dead processes, timeouts

    @Test
    void aClaimCanBeAbortedAndMisusesAreArgumentErrors() throws Exception {
        String out = heap.check("claim-abort-commit", "m");
        contains(out, "misuse commit-again HSHM_ERR_ARGUMENT", "not claimed", "misuse abort-after-commit "
                + "HSHM_ERR_ARGUMENT", "misuse commit-foreign HSHM_ERR_ARGUMENT", "no claim returned",
                "misuse commit-interior HSHM_ERR_ARGUMENT", "misuse abort-null HSHM_ERR_ARGUMENT",
                "misuse claim-too-long HSHM_ERR_ARGUMENT", "payload must be 0..120 bytes",
                "misuse claim-type-0 HSHM_ERR_ARGUMENT", "type must be in [1, 16777215]", "misuse read-limit-0 HSHM_ERR_ARGUMENT");
        assertTrue(out.endsWith("ok"), out);
        MpscRing ring = MpscRing.attach(mpsc.memory());
        List<String> got = new ArrayList<>();
        assertEquals(1, ring.read((type, buffer, offset, length) -> got.add(type + " " + new String(
                buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)), 10));
        assertEquals(List.of("2 committed after an abort"), got); // the aborted record was skipped as padding
        assertEquals(0, ring.repairs());
    }

    @Test
    void aCConsumerReportsCorruptStalledRecordsAtItsHead() throws Exception {
        MemorySegment m = mpsc.memory();
        long tail = define("HSHM_MPSC_TAIL");
        long word = define("HSHM_MPSC_BUFFER");
        long owner = define("HSHM_MPSC_PRODUCERS") + 5 * define("HSHM_MP_BYTES") + define("HSHM_MP_OWNER");
        m.set(ValueLayout.JAVA_LONG, tail, 24); // a record below TAIL...
        try {
            m.set(ValueLayout.JAVA_LONG, word, 5L << 32); // ...whose header says length 0 but is not all zero
            contains(recvFails(), "HSHM_ERR_CORRUPT", "bad record header at index=0: length=0, type=5",
                    "an unwritten header is all zero");
            // claimed, with a length that does not fit, by slot 5, whose owner word no process can have (pid 2^32 - 1)
            m.set(ValueLayout.JAVA_LONG, word, 5L << 56 | 1L << 32 | (-100_000 & 0xFFFF_FFFFL));
            m.set(ValueLayout.JAVA_LONG, owner, 0xFFFF_FFFF_0000_0001L);
            contains(recvFails(), "HSHM_ERR_CORRUPT", "bad claimed record at index=0: length=-100000");
        } finally {
            m.set(ValueLayout.JAVA_LONG, word, 0L);
            m.set(ValueLayout.JAVA_LONG, owner, 0L);
            m.set(ValueLayout.JAVA_LONG, tail, 0L);
        }
    }

    /** MPSC record words (MpscLayout.word). */
    private static final class MpscRingWords {
        static long padding(int length) {
            return (long) define("HSHM_MPSC_PADDING") << 32 | (length & 0xFFFF_FFFFL);
        }
    }

    private String recvFails() throws Exception {
        try (CProcess c = CQueueFixture.start("hshm_queue_recv", "-a", heap.id(), "-t", "2000", heap.url, "m", "1")) {
            assertEquals(3, c.waitFor(30), c.output());
            return c.output();
        }
    }

    @Test
    void aStalledCClaimPaddedOverByTheJvmFailsItsCommitAndACorruptClaimWordIsReported() throws Exception {
        String old = System.setProperty("hshm.structures.claim.timeout.ms", "100");
        MpscRing ring;
        try {
            ring = MpscRing.attach(mpsc.memory()); // a consumer that pads over an ownerless claim after 100 ms
        } finally {
            if (old == null) {
                System.clearProperty("hshm.structures.claim.timeout.ms");
            } else {
                System.setProperty("hshm.structures.claim.timeout.ms", old);
            }
        }
        MemorySegment m = mpsc.memory();
        long record = define("HSHM_MPSC_BUFFER"); // the ring is empty: the claim is at index 0
        try (CProcess c = CQueueFixture.start("hshm_queue_check", heap.url, heap.id(), "claim-commit-after", "m",
                "800")) {
            c.await("claimed", 30);
            // as if C had found the producer table full: a claim naming no slot is padded after the claim timeout
            m.set(ValueLayout.JAVA_LONG, record, m.get(ValueLayout.JAVA_LONG, record) & 0x00FF_FFFF_FFFF_FFFFL);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ring.repairs() == 0 && System.nanoTime() < deadline) {
                ring.read((t, b, o, l) -> { }, 10);
                Thread.sleep(5);
            }
            assertEquals(1, ring.repairs());
            // the padding was consumed (zeroed) as well: the commit finds no claim there, as MpscRing.commit does
            assertEquals(4, c.waitFor(30), c.output());
            contains(c.output(), "error HSHM_ERR_ARGUMENT", "commit of a record that is not claimed", "padded over");
        }
        // a consumer that padded over the room a producer claimed before the producer wrote its header there: the
        // header is a plain store after the TAIL CAS, so the late producer's record replaces the padding and is read
        m.set(ValueLayout.JAVA_LONG, record + 24, MpscRingWords.padding(24)); // mpsc-offer's record: 8 + 10 -> 24
        contains(heap.check("mpsc-offer", "m"), "ok");
        assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
        contains(heap.check("mpsc-offer", "m"), "ok");
        assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
        // the next claim (at TAIL's index) gets its WORD corrupted to a claimed length no record has
        long next = m.get(ValueLayout.JAVA_LONG, define("HSHM_MPSC_TAIL")) & (1024 - 1);
        try (CProcess c = CQueueFixture.start("hshm_queue_check", heap.url, heap.id(), "claim-commit-after", "m",
                "200")) {
            c.await("claimed", 30);
            m.set(ValueLayout.JAVA_LONG, record + next, 1L << 32 | (-5000 & 0xFFFF_FFFFL));
            assertEquals(4, c.waitFor(30), c.output());
            contains(c.output(), "error HSHM_ERR_CORRUPT", "bad claimed record at index=" + next + ": length=-5000");
        }
    }

    @Test
    void aDeadCClaimerIsPaddedOverByTheJvmAndALiveOneIsNot() throws Exception {
        MpscRing ring = MpscRing.attach(mpsc.memory());
        try (CProcess c = CQueueFixture.start("hshm_queue_check", heap.url, heap.id(), "claim-hang", "m")) {
            c.await("claimed", 30);
            // the claim's OWNER is C's owner word: a JVM must judge it alive (no repair while it runs)
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            while (System.nanoTime() < until) {
                assertEquals(0, ring.read((t, b, o, l) -> { }, 10));
                Thread.sleep(5);
            }
            assertEquals(0, ring.repairs(), "the JVM padded over a live C process's claim");
            c.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ring.repairs() == 0 && System.nanoTime() < deadline) {
            ring.read((t, b, o, l) -> { }, 10);
            Thread.sleep(2);
        }
        assertEquals(1, ring.repairs(), "the dead C claimer's record was not padded over");
        assertTrue(ring.offer(5, MemorySegment.ofArray(new byte[3])));
        int[] type = new int[1];
        assertEquals(1, ring.read((t, b, o, l) -> type[0] = t, 10));
        assertEquals(5, type[0]);
    }

    @Test
    void aCConsumerPadsOverDeadOwnerlessAndUnwrittenJvmClaims() throws Exception {
        MpscRing ring = MpscRing.attach(mpsc.memory());
        MemorySegment seg = ring.buffer();
        assertTrue(ring.offer(1, MemorySegment.ofArray("first".getBytes(StandardCharsets.US_ASCII))));
        long noClaimer = 0x00FF_FFFF_FFFF_FFFFL;
        long dead = ring.tryClaim(1, 40); // its claimer "died": slot 9 names an exited process
        seg.set(ValueLayout.JAVA_LONG, define("HSHM_MPSC_PRODUCERS") + 9 * define("HSHM_MP_BYTES"),
                CQueueFixture.deadOwner());
        seg.set(ValueLayout.JAVA_LONG, dead - 8, seg.get(ValueLayout.JAVA_LONG, dead - 8) & noClaimer | 9L << 56);
        long ownerless = ring.tryClaim(1, 24); // claimed by a producer that found the table full: slot 0
        seg.set(ValueLayout.JAVA_LONG, ownerless - 8, seg.get(ValueLayout.JAVA_LONG, ownerless - 8) & noClaimer);
        long unwritten = ring.tryClaim(1, 8); // TAIL moved, the header never written
        seg.set(ValueLayout.JAVA_LONG, unwritten - 8, 0L);
        assertTrue(ring.offer(1, MemorySegment.ofArray("last".getBytes(StandardCharsets.US_ASCII))));
        try (CProcess c = CQueueFixture.start(Map.of("HSHM_CLAIM_TIMEOUT_MS", "150"), "hshm_queue_recv", "-a",
                heap.id(), "-v", "-t", "5000", heap.url, "m", "2")) {
            String out = c.success(30);
            contains(out, "took 0 1 5 ", "took 1 1 4 ", "received 2 bytes 9 ", "repairs 3");
        }
        assertEquals(3, ring.repairs());
        assertTrue(ring.offer(2, MemorySegment.ofArray(new byte[1])));
        assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
    }

    @Test
    void aPutTimesOutOnAFullRingAndATakeFailsWhenItsProducerDied() throws Exception {
        SpscRing ring = SpscRing.attach(spsc.memory());
        for (int i = 0; i < 4; i++) {
            assertTrue(ring.offer(i));
        }
        long t0 = System.nanoTime();
        String out = heap.check("put-timeout", "s", "200");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(out.startsWith("again after "), out);
        long cms = (long) CQueueFixture.value(out, "after");
        assertTrue(cms >= 195 && cms < 1000 && ms >= 195, "C's put returned after " + cms + " ms: " + out);
        for (int i = 0; i < 4; i++) {
            assertEquals(OptionalLong.of(i), ring.pollLong());
        }
        // an empty ring whose producer is a process that exited: the take ends with the peer's death, not a hang
        long producer = define("HSHM_QH_PRODUCER");
        spsc.memory().set(ValueLayout.JAVA_LONG, producer, CQueueFixture.deadOwner());
        t0 = System.nanoTime();
        out = heap.checkFails("take", "s", "5000");
        ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        contains(out, "HSHM_QUEUE_ERR_PEER_DEAD", "consumer waiting on an empty spsc queue 's'", "its producer, pid ",
                "is no longer running");
        assertTrue(ms < 2000, "the dead producer was noticed after " + ms + " ms");
        // and a take that gets an element from a live producer (this JVM)
        spsc.memory().set(ValueLayout.JAVA_LONG, producer, CQueueFixture.myOwner());
        MemorySegment e = MemorySegment.ofArray(new byte[16]);
        e.set(ValueLayout.JAVA_BYTE, 0, (byte) 'j');
        assertTrue(ring.offer(e));
        contains(heap.check("take", "s", "5000"), "ok j");
    }

    @Test
    void theDirectoryLockIsTakenOverFromADeadHolderAndWaitedForBehindALiveOne() throws Exception {
        MemorySegment d = heap.directory();
        long owner = define("HSHM_ND_LOCK") + define("HSHM_SLOCK_OWNER");
        long recoveries = define("HSHM_ND_LOCK") + define("HSHM_SLOCK_RECOVERIES");
        d.set(ValueLayout.JAVA_LONG, owner, CQueueFixture.deadOwner());
        contains(heap.check("find", "s"), "ok kind 1 type 1");
        assertEquals(1L, d.get(ValueLayout.JAVA_LONG, recoveries));
        assertEquals(0L, d.get(ValueLayout.JAVA_LONG, owner));
        // a live holder (this JVM's word): C waits until it lets go
        d.set(ValueLayout.JAVA_LONG, owner, CQueueFixture.myOwner());
        long t0 = System.nanoTime();
        try (CProcess c = CQueueFixture.start("hshm_queue_check", heap.url, heap.id(), "find", "m")) {
            Thread.sleep(300);
            assertTrue(c.process.isAlive(), "C did not wait for the live holder: " + c.output());
            d.set(ValueLayout.JAVA_LONG, owner, 0L);
            contains(c.success(30), "ok kind 1 type 2");
        }
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
        assertEquals(1L, d.get(ValueLayout.JAVA_LONG, recoveries));
        // an owner word no process can have (pid 2^32 - 1): taken over
        d.set(ValueLayout.JAVA_LONG, owner, 0xFFFF_FFFF_0000_0001L);
        contains(heap.check("find", "s"), "ok kind 1");
        assertEquals(2L, d.get(ValueLayout.JAVA_LONG, recoveries));
        // a live holder that never lets go: C gives up after its lock timeout, naming the holder
        d.set(ValueLayout.JAVA_LONG, owner, CQueueFixture.myOwner());
        try {
            String out = heap.check(Map.of("HSHM_LOCK_TIMEOUT_MS", "200"), "find", "s");
            contains(out, "error HSHM_ERR_SYSTEM", "timed out after 200 ms waiting for the named-object directory lock",
                    "held by pid " + ProcessHandle.current().pid(), "which is alive");
        } finally {
            d.set(ValueLayout.JAVA_LONG, owner, 0L);
        }
        assertEquals(List.of("s", "m"), dir.names());
    }

    @Test
    void queuesACProcessCreatesAreAttachedByTheJvm() throws Exception {
        try (CQueueFixture fresh = new CQueueFixture(4L << 20)) {
            // no directory yet: C makes it, then the rings
            contains(fresh.check("create-spsc", "cs", "8", "8", "5"), "ok created");
            contains(fresh.check("create-mpsc", "cm", "1024", "3"), "ok created");
            contains(fresh.checkFails("create-spsc", "cs", "8", "8", "0"), "HSHM_ERR_ARGUMENT", "already exists");
            contains(fresh.checkFails("create-spsc", "bad", "6", "8", "0"), "HSHM_ERR_ARGUMENT", "power of two");
            contains(fresh.checkFails("create-spsc", "bad", "8", "12", "0"), "HSHM_ERR_ARGUMENT", "multiple of 8");
            contains(fresh.checkFails("create-mpsc", "bad", "512", "0"), "HSHM_ERR_ARGUMENT", "power of two");
            contains(fresh.checkFails("create-mpsc", "bad", String.valueOf(1L << 30), "0"),
                    "HSHM_ERR_OUT_OF_MEMORY");
            NamedObjects fd = fresh.dir();
            assertEquals(List.of("cs", "cm"), fd.names());
            for (int i = 2; i < NamedObjects.CAPACITY; i++) {
                fd.create("raw" + i, 8, x -> { });
            }
            contains(fresh.checkFails("create-mpsc", "one-more", "1024", "0"), "HSHM_ERR_OUT_OF_MEMORY",
                    "directory of allocator (" + fresh.id() + ") is full (64 names)");
            for (int i = 2; i < NamedObjects.CAPACITY; i++) {
                fd.destroy("raw" + i);
            }
            SpscRing s = SpscRing.attach(fd, "cs");
            for (long v = 1; v <= 5; v++) {
                assertEquals(OptionalLong.of(v), s.pollLong());
            }
            MpscRing m = MpscRing.attach(fd, "cm");
            List<String> got = new ArrayList<>();
            m.read((type, buffer, offset, length) -> got.add(type + ":" + new String(buffer.asSlice(offset, length)
                    .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)), 10);
            assertEquals(List.of("3:c-created #0", "3:c-created #1", "3:c-created #2"), got);
            fd.destroy("cs"); // blocks C allocated, freed by the JVM
            fd.destroy("cm");
            fd.destroyDirectory();
            assertEquals(0, fresh.allocator.bytesInUse());
        }
    }

    @Test
    void cProcessesRacingToCreateTheFirstNamesAgreeOnOneDirectory() throws Exception {
        try (CQueueFixture fresh = new CQueueFixture(4L << 20)) {
            List<CProcess> cs = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    cs.add(CQueueFixture.start("hshm_queue_check", fresh.url, fresh.id(), "create-mpsc", "r" + i, "1024",
                            "1"));
                }
                for (CProcess c : cs) {
                    contains(c.success(30), "ok created");
                }
            } finally {
                cs.forEach(CProcess::close);
            }
            NamedObjects fd = fresh.dir();
            List<String> names = new ArrayList<>(fd.names());
            names.sort(null);
            assertEquals(List.of("r0", "r1", "r2", "r3", "r4", "r5"), names);
            for (String n : names) {
                fd.destroy(n);
            }
            fd.destroyDirectory();
            // a loser of the race to make the directory freed its block
            assertEquals(0, fresh.allocator.bytesInUse());
        }
    }

    @Test
    void randomlyCorruptedWordsGiveResultCodesNeverACrashOrAHang() throws Exception {
        SpscRing.attach(spsc.memory()).offer(1L);
        MpscRing.attach(mpsc.memory()).offer(1, MemorySegment.ofArray(new byte[20]));
        for (String seed : new String[] {"1", "2"}) {
            try (CProcess c = CQueueFixture.start("hshm_queue_fuzz", heap.url, heap.id(), "4000", seed)) {
                String out = c.success(60); // a signal (a crash) is an exit status other than 0
                System.out.println("C client under random corruption (seed " + seed + "): " + out.strip());
                assertTrue(CQueueFixture.value(out, "HSHM_ERR_CORRUPT") > 0 && CQueueFixture.value(out, "HSHM_OK") > 0
                        && !out.contains("unknown"), out);
            }
        }
        // the words were put back: the rings still work
        contains(heap.check("spsc-size", "s"), "ok size");
        contains(heap.check("mpsc-read", "m"), "ok read");
    }

    @Test
    void theCOwnerWordIsOneAJvmJudgesAlive() throws Exception {
        try (CProcess c = CQueueFixture.start("hshm_queue_check", "owner")) {
            String out = c.success(30);
            long word = Long.parseUnsignedLong(out.split(" ")[1]);
            long pid = Long.parseLong(out.split(" ")[3].strip());
            assertEquals(pid, word >>> 32);
            assertTrue(Math.abs((word & 0xFFFF_FFFFL) - System.currentTimeMillis() / 1000) < 60,
                    "start seconds " + (word & 0xFFFF_FFFFL));
        }
    }
}
