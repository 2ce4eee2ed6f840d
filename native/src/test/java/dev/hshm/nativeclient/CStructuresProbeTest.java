package dev.hshm.nativeclient;

import static dev.hshm.nativeclient.CQueueFixture.define;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObject;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.ShmVector;
import dev.hshm.structures.SpscRing;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * hshm_structures.h read field by field by a C program (hshm_structures_probe, through the generated HSHM_FIELDS_*
 * lists; no offset typed by hand) from structures this JVM made and used: the directory, its lock and entries, an
 * SPSC and an MPSC ring with their wait words, a record, a container. Each value must be what the JVM reads at the
 * same place, and every field the header lists must be among them (NativeLayoutTest does the same for
 * hshm_layout.h).
 */
class CStructuresProbeTest {

    @Test
    void everyFieldTheStructuresHeaderNamesHoldsWhatTheJvmWrote() throws Exception {
        NativeBuild.out();
        try (CQueueFixture heap = new CQueueFixture()) {
            NamedObjects dir = heap.dir();
            NamedObject s = dir.create("s", SpscRing.bytesFor(8, 16), m -> SpscRing.format(m, 8, 16));
            NamedObject m = dir.create("m", MpscRing.bytesFor(2048), x -> MpscRing.format(x, 2048));
            ShmVector.createLongs(dir, "v", 4);
            SpscRing spsc = SpscRing.attach(s.memory());
            for (int i = 0; i < 5; i++) {
                assertTrue(spsc.offer(i));
            }
            spsc.pollLong();
            spsc.pollLong();
            MpscRing mpsc = MpscRing.attach(m.memory());
            assertTrue(mpsc.offer(1, MemorySegment.ofArray("consumed".getBytes(StandardCharsets.US_ASCII))));
            mpsc.read((t, b, o, l) -> { }, 10);
            long claim = mpsc.tryClaim(7, 40); // a claimed record, naming producer slot 1 (this JVM's)
            // distinct values where the structures leave zeros (the probe only reads)
            int[] seq = {0x1111, 0x2222, 0x3333, 0x4444};
            long[] words = {s.offset() + define("HSHM_SPSC_NOT_EMPTY"), s.offset() + define("HSHM_SPSC_NOT_FULL"),
                    m.offset() + define("HSHM_MPSC_NOT_EMPTY"), m.offset() + define("HSHM_MPSC_NOT_FULL")};
            MemorySegment data = heap.allocator.memory();
            for (int i = 0; i < 4; i++) {
                data.set(ValueLayout.JAVA_INT, words[i] + define("HSHM_WW_SEQUENCE"), seq[i]);
                data.set(ValueLayout.JAVA_INT, words[i] + define("HSHM_WW_WAITERS"), -seq[i]);
            }
            data.set(ValueLayout.JAVA_LONG, m.offset() + define("HSHM_MPSC_REPAIRS"), 0x5555L);
            data.set(ValueLayout.JAVA_LONG, m.offset() + define("HSHM_MPSC_PRODUCERS") + define("HSHM_MP_BYTES")
                    + define("HSHM_MP_RETIRE"), 0x7777L);
            data.set(ValueLayout.JAVA_LONG, m.offset() + define("HSHM_QH_RESERVED"), 0x6666L);
            long root = heap.customHeader().get(ValueLayout.JAVA_LONG, 0) - 1;
            data.set(ValueLayout.JAVA_LONG, root + define("HSHM_ND_LOCK") + define("HSHM_SLOCK_RECOVERIES"), 3L);
            long vector = dir.attach("v").offset();
            long record = m.offset() + claim - define("HSHM_MPSC_RECORD_HEADER"); // claim: an offset in the ring

            List<String> lines = NativeLayoutTest.run(NativeBuild.program("hshm_structures_probe").toString(), heap.url,
                    heap.id(), Long.toString(root), Long.toString(s.offset()), Long.toString(m.offset()),
                    Long.toString(record), Long.toString(vector));
            Set<String> seen = new TreeSet<>();
            int compared = 0;
            for (String line : lines) {
                String[] p = line.split(" ");
                assertEquals(6, p.length, line);
                long at = Long.parseLong(p[1]) + Long.parseLong(p[3]);
                int bytes = Integer.parseInt(p[4]);
                boolean chars = p[5].length() == 2 * bytes && bytes != 4 && bytes != 8;
                String java = chars ? NativeLayoutTest.hex(data.asSlice(at, bytes).toArray(ValueLayout.JAVA_BYTE))
                        : bytes == 8 ? Long.toUnsignedString(data.get(ValueLayout.JAVA_LONG_UNALIGNED, at))
                        : Integer.toUnsignedString(data.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                assertEquals(java, p[5], "C and Java disagree on " + p[2] + " at data offset " + at);
                seen.add(p[2]);
                compared++;
            }
            Set<String> expected = listedFields();
            expected.removeAll(seen);
            assertTrue(expected.isEmpty(), "fields of hshm_structures.h the C probe never read: " + expected);
            assertTrue(compared >= 60, "compared " + compared + " values");
            // spot checks that the values are the structures' own, not zeros read twice
            assertTrue(seen.contains("hshm_named_entry.name") && lines.stream().anyMatch(l -> l.contains(
                    "hshm_spsc_ring.tail 128 8 5")), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.contains("hshm_mpsc_record.word 0 8 " + Long.toUnsignedString(
                    1L << 56 | 7L << 32 | ((-(8 + 40)) & 0xFFFF_FFFFL)))), "the claimed record's WORD");
        }
    }

    /** Every non-struct field hshm_structures.h lists in its HSHM_FIELDS_* macros. */
    private static Set<String> listedFields() throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("X\\((hshm_\\w+), (\\w+), ([UCAS])\\)").matcher(
                Files.readString(NativeBuild.DIR.resolve("include").resolve("hshm_structures.h")));
        while (m.find()) {
            if (!m.group(3).equals("S")) {
                out.add(m.group(1) + "." + m.group(2));
            }
        }
        assertTrue(out.size() >= 30, "fields listed: " + out);
        return out;
    }
}
