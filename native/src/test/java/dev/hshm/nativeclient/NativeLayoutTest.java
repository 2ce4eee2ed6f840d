package dev.hshm.nativeclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.allocators.internal.heap.OwnerWords;
import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.ShmTestNames;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A C program reads every field of the published layout through the generated header (hshm_probe: the
 * HSHM_FIELDS_* lists, no offset typed by hand) from a heap a JVM made and used; each value must be what the JVM
 * reads at the same place, and every field of every struct must be among them. Also: the start word the C client
 * computes for this very process is the one the Java side stores beside its owner words (a JVM judges a C lock
 * owner alive by it).
 */
class NativeLayoutTest {

    private final ShmTestNames segs = new ShmTestNames("hshm-l");

    @AfterEach
    void removeSegments() {
        segs.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {Allocator.SCALABLE_PAGE, Allocator.THREAD_LOCAL})
    void everyFieldTheCHeaderNamesHoldsWhatTheJvmWrote(String type) throws Exception {
        String name = segs.name();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(12), 8L << 20, name, 0600));
        AllocatorId id = AllocatorId.of(3, 4);
        BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(b.header(), b.dataSize(), id, type, -1);
        AllocatorProvider provider = ProviderRegistry.global().find(AllocatorProvider.class, type);
        Allocator a = provider.create(b, id, e.regionOffset(), e.regionSize(), 200);
        BackendHeader.publishAllocator(b.header(), e);
        try {
            for (long size : new long[] {24, 24, 5000, 100_000}) {
                a.allocateOffset(MemContext.DEFAULT, size);
            }
            long freed = a.allocateOffset(MemContext.DEFAULT, 24);
            a.freeOffset(MemContext.DEFAULT, freed);
            a.freeTls(MemContext.DEFAULT); // a thread_local cache gives its blocks back to the shards

            List<String> lines = run(NativeBuild.program("hshm_probe").toString(), name, "3", "4",
                    Long.toString(freed));
            Set<String> seen = new TreeSet<>();
            int compared = 0;
            for (String line : lines) {
                String[] p = line.split(" ");
                if (p.length != 6) {
                    continue; // "pid N", "start_word N"
                }
                MemorySegment seg = p[0].equals("H") ? b.header() : b.data();
                long at = Long.parseLong(p[1]) + Long.parseLong(p[3]);
                int bytes = Integer.parseInt(p[4]);
                String key = p[2].replaceAll("\\[\\d+]$", "");
                boolean chars = p[5].length() == 2 * bytes && bytes != 4 && bytes != 8;
                String java = chars ? hex(seg.asSlice(at, bytes).toArray(ValueLayout.JAVA_BYTE))
                        : bytes == 8 ? Long.toUnsignedString(seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at))
                        : Integer.toUnsignedString(seg.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                if (key.equals("hshm_backend_header.attach_count")) {
                    java = Long.toString(Long.parseLong(java) + 1); // the probe counted itself while it read
                }
                assertEquals(java, p[5], "C and Java disagree on " + p[2] + " at " + p[0] + " offset " + at);
                seen.add(key);
                compared++;
            }
            Set<String> expected = listedFields();
            expected.removeAll(seen);
            assertTrue(expected.isEmpty(), "fields of the layout the C probe never read: " + expected);
            assertTrue(compared > 300, "compared " + compared + " values");
        } finally {
            provider.release(a);
        }
    }

    @org.junit.jupiter.api.Test
    void theCClientComputesTheStartWordTheJvmStoresForThisProcess() {
        NativeBuild.out();
        assertTrue(OwnerWords.startWord() != 0, "this OS tells start times");
        assertEquals(OwnerWords.startWord(), CHeap.startWord(), "start word of pid " + ProcessHandle.current().pid());
    }

    /** Every non-struct field the heap's generated headers list in their HSHM_FIELDS_* macros. */
    static Set<String> listedFields() throws IOException {
        Set<String> out = new TreeSet<>();
        java.util.regex.Pattern x = java.util.regex.Pattern.compile("X\\((hshm_\\w+), (\\w+), ([UCAS])\\)");
        try (var files = java.nio.file.Files.list(NativeBuild.DIR.resolve("include"))) {
            // hshm_structures.h has a probe of its own (hshm_structures_probe, CStructuresProbeTest)
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".h")
                    && !f.getFileName().toString().equals("hshm_structures.h")).toList()) {
                java.util.regex.Matcher m = x.matcher(java.nio.file.Files.readString(f));
                while (m.find()) {
                    if (!m.group(3).equals("S")) {
                        out.add(m.group(1) + "." + m.group(2));
                    }
                }
            }
        }
        assertTrue(out.size() >= 58, "fields listed: " + out);
        return out;
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    /** Runs a program, returns its stdout lines; a non-zero exit fails with its stderr. */
    static List<String> run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + err);
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
