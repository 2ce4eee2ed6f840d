package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.FullPtr;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.Pointer;
import dev.hshm.api.ProviderNotFoundException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.Units;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.provider.argobots.ArgobotsThreadModel;
import dev.hshm.provider.cuda.CudaBackend;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.ShmLongLongMap;
import dev.hshm.structures.ShmMutex;
import dev.hshm.structures.ShmVector;
import dev.hshm.testkit.ChildJvm;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java code sample in README.md and docs/*.md, compiled and run. Each sample stands below (or in the
 * example provider's tests) between {@code // sample: ID} and {@code // end sample} lines, exactly as the
 * document shows it (a sample in several parts, joined in order, where a second process or a restart runs
 * between them); {@link #everyJavaSampleOfTheReadmeAndTheDocsIsOneOfTheSamplesHere} checks, both ways, that
 * the documents show these samples and no others, so the two cannot drift. A sample whose first line is a
 * {@code // path} comment is checked against that file instead.
 */
class DocSamplesTest {

    /** The documents whose samples must be here. */
    private static final List<String> DOCS = List.of("README.md", "docs");

    /** The files that hold samples (besides this one), relative to the repository root. */
    private static final List<String> HOLDERS = List.of(
            "it/src/test/java/dev/hshm/it/DocSamplesTest.java",
            "examples/file-backend-provider/src/test/java/com/example/hshm/filebackend/FileMmapBackendContractTest.java",
            "examples/file-backend-provider/src/test/java/com/example/hshm/filebackend/FileMmapProviderContractTest.java");

    @TempDir
    Path dataDir;

    @AfterEach
    void cleanUp() {
        Segments.clearManager();
        Segments.remove("test_allocators_" + ProcessHandle.current().pid());
    }

    @Test
    void theReadmesSeedExampleRuns() {
        // sample: readme-seed
        String shmUrl = "test_allocators_" + ProcessHandle.current().pid();   // the seed says "test_allocators"
        MemoryManager memMngr = MemoryManager.get();
        AllocatorId allocId = AllocatorId.of(0, 0);

        // Create a 1GB backend with id 0
        memMngr.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(0), Units.gigabytes(1), shmUrl);
        // Create an allocator over backend 0
        memMngr.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(0), allocId, 0);
        // Unregister allocator
        memMngr.unregisterAllocator(allocId);
        // Destroy backend
        memMngr.destroyBackend(MemoryBackendId.get(0));
        // end sample
        assertThrows(NotFoundException.class, () -> memMngr.attachBackend(MemoryBackend.POSIX_SHM_MMAP, shmUrl),
                "destroy removed the name");
    }

    @Test
    void theReadmesUseFromAnotherProcessRunsInTwoJvms() throws Exception {
        String shmUrl = "test_allocators_" + ProcessHandle.current().pid();
        MemoryManager memMngr = MemoryManager.get();
        AllocatorId allocId = AllocatorId.of(0, 0);
        memMngr.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(0), Units.megabytes(64), shmUrl);
        try {
            // sample: readme-use
            Allocator alloc = memMngr.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(0), allocId, 64);
            FullPtr p = alloc.allocate(MemContext.DEFAULT, 4096);     // p.segment(): the bytes; p.pointer(): (allocator, offset)
            p.segment().fill((byte) 8);
            alloc.customHeader().set(ValueLayout.JAVA_LONG, 0, p.offset());  // leave the offset where others look
            // end sample
            ChildJvm other = ChildJvm.java().likeThisJvm().name("other-jvm").echoTo(System.out)
                    .main(OtherJvm.class).args(shmUrl).run(60);
            assertEquals(Long.toString(p.offset()), other.value("off"), "the other JVM found the offset");
            assertEquals("8", other.value("lastByte"), "and the bytes");
            assertEquals(0, alloc.bytesInUse(), "and freed the block");
        } finally {
            memMngr.destroyBackend(MemoryBackendId.get(0));
        }
    }

    /** The README sample's other JVM. */
    static final class OtherJvm {
        private OtherJvm() {
        }

        public static void main(String[] args) {
            String shmUrl = args[0];
            // sample: readme-use

            // in another JVM, given shmUrl:
            MemoryManager mm = MemoryManager.get();
            mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, shmUrl);   // attaches its allocators too
            Allocator same = mm.getAllocator(AllocatorId.of(0, 0));
            long off = same.customHeader().get(ValueLayout.JAVA_LONG, 0);
            MemorySegment bytes = mm.convert(new Pointer(AllocatorId.of(0, 0), off), 4096);
            same.freeOffset(MemContext.DEFAULT, off);                 // frees from another process are fine
            // end sample
            System.out.println("off=" + off);
            System.out.println("lastByte=" + bytes.get(ValueLayout.JAVA_BYTE, 4095));
            mm.detachBackend(same.backend().id());
        }
    }

    @Test
    void theReadmesStructuresSampleRunsInTwoJvms() throws Exception {
        try {
            // sample: readme-structures
            // process A: the allocator's custom header holds the root of its named-object directory
            String url = "orders-" + ProcessHandle.current().pid();   // the shared memory's name; B is given it
            MemoryManager mm = MemoryManager.get();
            mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(1), Units.megabytes(64), url);
            Allocator alloc = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(1), AllocatorId.of(1, 0),
                    NamedObjects.CUSTOM_HEADER_BYTES);
            MpscRing orders = MpscRing.openOrCreate(NamedObjects.of(alloc), "orders", 1 << 20);  // 1 MiB of records
            long at = orders.tryClaim(1, 16);                      // room for a 16-byte record of type 1 (-1: full)
            orders.buffer().set(ValueLayout.JAVA_LONG, at, 42L);   // written in place: zero copy
            orders.buffer().set(ValueLayout.JAVA_LONG, at + 8, 7L);
            orders.commit(at);
            // end sample
            ChildJvm b = ChildJvm.java().likeThisJvm().name("process-b").echoTo(System.out)
                    .main(ProcessB.class).args(url).run(60);
            assertEquals("42", b.line("42"), "B printed the record A wrote");
        } finally {
            MemoryManager.get().destroyBackend(MemoryBackendId.get(1));
        }
    }

    /** The README structures sample's process B. */
    static final class ProcessB {
        private ProcessB() {
        }

        public static void main(String[] args) throws InterruptedException {
            String url = args[0];
            MemoryManager mm = MemoryManager.get();
            mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url);
            // sample: readme-structures

            // process B, after mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url):
            MpscRing in = MpscRing.attach(NamedObjects.of(mm.getAllocator(AllocatorId.of(1, 0))), "orders");
            in.take((type, buf, off, len) -> System.out.println(buf.get(ValueLayout.JAVA_LONG, off)),
                    100, TimeUnit.SECONDS.toNanos(5));             // sleeps until a record comes, at most 5 s
            // end sample
            mm.detachBackend(MemoryBackendId.get(1));
        }
    }

    @Test
    void theReadmesContainersSampleRuns() {
        String url = "stock-" + ProcessHandle.current().pid();
        MemoryManager mm = MemoryManager.get();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(1), Units.megabytes(64), url);
        try {
            Allocator alloc = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(1), AllocatorId.of(1, 0),
                    NamedObjects.CUSTOM_HEADER_BYTES);
            // sample: readme-containers
            NamedObjects dir = NamedObjects.of(alloc);                  // process A's allocator above
            ShmLongLongMap stock = ShmLongLongMap.create(dir, "stock", 16, 10_000);  // 16 segments, 10 000 entries before growing
            stock.put(1001L, 5L);                                       // item 1001: 5 in stock
            ShmLongLongMap seen = ShmLongLongMap.attach(dir, "stock");  // what another process does, given the name
            long left = seen.merge(1001L, 0L, -1L, Long::sum);          // atomic under its segment's lock: 4
            long none = seen.get(2002L, -1L);                           // reads take no lock; -1: absent
            seen.remove(1001L);

            ShmVector sold = ShmVector.createLongs(dir, "sold", 1024);  // one writer at a time, so writers take a lock
            ShmMutex soldLock = ShmMutex.openOrCreate(dir, "sold-lock");
            if (soldLock.lock() == ShmMutex.LockResult.OWNER_DIED) {    // its holder's process died holding it: we hold it
                System.out.println("took over from a dead holder; check what it guards before relying on it");
            }
            try {
                sold.appendLong(1001L);
            } finally {
                soldLock.unlock();
            }
            long first = sold.getLong(0);                               // readers take no lock
            // end sample
            assertEquals(4L, left, "merge gave 5 - 1");
            assertEquals(-1L, none, "an absent key reads as the default");
            assertEquals(-1L, stock.get(1001L, -1L), "removed through the other handle");
            assertEquals(0L, stock.size());
            assertEquals(0L, stock.check(), "the map checks");
            assertEquals(1L, sold.size());
            assertEquals(1001L, first);
            assertEquals(1001L, ShmVector.attach(dir, "sold").getLong(0), "found by name");
            assertFalse(soldLock.isLocked(), "unlocked");
            assertEquals(0L, soldLock.recoveries(), "no holder died");
            assertEquals(ShmMutex.LockResult.ACQUIRED, ShmMutex.attach(dir, "sold-lock").tryLock());
        } finally {
            mm.destroyBackend(MemoryBackendId.get(1));
        }
    }

    @Test
    void theArgobotsSampleRunsAUltInAJvmWithTheArgobotsModel() throws Exception {
        ChildJvm c = ChildJvm.java().likeThisJvm().jvmArgs("-D" + "hshm.thread.model=argobots").name("argobots")
                .main(ArgobotsSample.class).run(60);
        assertEquals("argobots", c.value("model"));
        assertTrue(c.line("a ULT on one of ").endsWith(" carriers"), c.output());
    }

    /** docs/argobots.md's sample, in a JVM told {@code -Dhshm.thread.model=argobots}. */
    static final class ArgobotsSample {
        private ArgobotsSample() {
        }

        public static void main(String[] args) throws InterruptedException {
            // sample: argobots
            if (ThreadModel.current() instanceof ArgobotsThreadModel abt) {
                Thread ult = abt.spawn(() -> System.out.println("a ULT on one of " + abt.executionStreams() + " carriers"));
                ult.join();
            }
            // end sample
            System.out.println("model=" + ThreadModel.current().name());
        }
    }

    @Test
    void theGpuSampleRunsOnAGpuAndElsewhereFailsNamingWhy() {
        MemoryBackendProvider cuda = ProviderRegistry.global().all(MemoryBackendProvider.class).stream()
                .filter(p -> p.name().equals(MemoryBackend.CUDA_SHM_MMAP)).findFirst().orElseThrow();
        Support s = ProviderRegistry.safeSupport(cuda);
        try {
            // sample: gpu
            MemoryManager mm = MemoryManager.get();
            CudaBackend heap = (CudaBackend) mm.createBackend(MemoryBackend.CUDA_SHM_MMAP, MemoryBackendId.get(1),
                    Units.megabytes(64), "gpu-heap");
            Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(1), AllocatorId.of(1, 0), 64);
            long off = a.allocateOffset(MemContext.DEFAULT, 4096);      // the host writes a.memory() at off ...
            long kernelArg = heap.devicePointer(off);                   // ... a kernel reads the same bytes here
            // end sample
            assertTrue(s.supported(), "it ran, so CUDA is usable here");
            assertEquals(heap.devicePointer() + off, kernelArg);
            System.out.println("[DocSamplesTest] the gpu.md sample ran on a GPU: " + s.reason());
            mm.destroyBackend(MemoryBackendId.get(1));
        } catch (ProviderNotFoundException e) {
            assertFalse(s.supported(), "CUDA is usable, yet: " + e);
            assertTrue(e.getMessage().contains(s.reason()), "the failure names why: " + e.getMessage());
            System.out.println("[DocSamplesTest] no GPU here: the gpu.md sample compiled, and its first call failed"
                    + " naming why: " + s.reason());
        }
    }

    @Test
    void theProviderGuidesUseSampleSurvivesARestart() {
        // sample: provider-use
        MemoryManager mm = MemoryManager.get();
        String heapFile = dataDir.resolve("notes.heap").toString();   // dataDir: where the application keeps its data
        mm.createBackend("file_mmap", MemoryBackendId.get(1), Units.megabytes(64), heapFile);
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(1), AllocatorId.of(1, 0), 64);
        // end sample
        long off = a.allocateOffset(MemContext.DEFAULT, 100);
        a.resolve(off, 8).set(ValueLayout.JAVA_LONG, 0, 42L);
        a.customHeader().set(ValueLayout.JAVA_LONG, 0, off);
        Segments.clearManager(); // the run ends: detached, not destroyed
        // sample: provider-use
        // ... next run:
        mm.attachBackend("file_mmap", heapFile);   // attaches the allocators in its directory
        // end sample
        Allocator again = mm.getAllocator(AllocatorId.of(1, 0));
        long stored = again.customHeader().get(ValueLayout.JAVA_LONG, 0);
        assertEquals(off, stored);
        assertEquals(42L, again.resolve(stored, 8).get(ValueLayout.JAVA_LONG, 0), "the heap survived the restart");
        mm.destroyBackend(MemoryBackendId.get(1));
    }

    // ------------------------------------------------------------------ the check

    @Test
    void everyJavaSampleOfTheReadmeAndTheDocsIsOneOfTheSamplesHere() throws IOException {
        Path root = repositoryRoot();
        Map<String, String> held = new LinkedHashMap<>();
        for (String h : HOLDERS) {
            samplesIn(root.resolve(h)).forEach((id, text) -> held.merge(id, text, (x, y) -> x + "\n" + y));
        }
        assertTrue(held.size() >= 6, "the samples held: " + held.keySet());
        Set<String> shown = new TreeSet<>();
        List<String> notHeld = new ArrayList<>();
        for (Path doc : documents(root)) {
            for (String block : javaBlocks(doc)) {
                String b = normalize(block);
                String id = held.entrySet().stream().filter(e -> e.getValue().equals(b)).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
                if (id != null) {
                    shown.add(id);
                } else if (!inTheFileItNames(root, b)) {
                    notHeld.add(root.relativize(doc) + ":\n" + block);
                }
            }
        }
        assertEquals(List.of(), notHeld, "samples no test holds: copy each into DocSamplesTest between"
                + " '// sample: ID' and '// end sample' lines, and run it");
        assertEquals(new TreeSet<>(held.keySet()), shown, "samples held here that no document shows any more");
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("README.md"))) {
            p = p.getParent();
        }
        assertTrue(p != null && Files.isDirectory(p.resolve("docs")), "the repository root (README.md, docs/)");
        return p;
    }

    private static List<Path> documents(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String d : DOCS) {
            Path p = root.resolve(d);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** The fenced {@code java} blocks of a Markdown file. */
    static List<String> javaBlocks(Path md) throws IOException {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : Files.readAllLines(md)) {
            if (cur == null && line.strip().startsWith("```java")) {
                cur = new StringBuilder();
            } else if (cur != null && line.strip().equals("```")) {
                blocks.add(cur.toString());
                cur = null;
            } else if (cur != null) {
                cur.append(line).append('\n');
            }
        }
        assertTrue(cur == null, md + ": a java block is not closed");
        return blocks;
    }

    /** The {@code // sample: ID} ... {@code // end sample} regions of a source file, parts of one ID joined. */
    static Map<String, String> samplesIn(Path source) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String id = null;
        StringBuilder cur = null;
        for (String line : Files.readAllLines(source)) {
            String t = line.strip();
            if (cur == null && t.startsWith("// sample: ")) {
                id = t.substring("// sample: ".length()).strip();
                cur = new StringBuilder();
            } else if (cur != null && t.equals("// end sample")) {
                out.merge(id, normalize(cur.toString()), (x, y) -> x + "\n" + y);
                cur = null;
            } else if (cur != null) {
                cur.append(line).append('\n');
            }
        }
        assertTrue(cur == null, source + ": sample '" + id + "' has no '// end sample'");
        return out;
    }

    /**
     * A block whose first line is {@code // path/File.java} is checked against that file (relative to the
     * repository root or to the example provider): the rest must stand in it as it is.
     */
    private static boolean inTheFileItNames(Path root, String block) throws IOException {
        List<String> lines = block.lines().toList();
        if (lines.isEmpty() || !lines.getFirst().startsWith("// ") || !lines.getFirst().endsWith(".java")) {
            return false;
        }
        String name = lines.getFirst().substring(3).strip();
        for (Path base : List.of(root, root.resolve("examples/file-backend-provider"))) {
            Path f = base.resolve(name);
            if (Files.isRegularFile(f)) {
                String rest = String.join("\n", lines.subList(1, lines.size()));
                String file = String.join("\n", Files.readAllLines(f).stream().map(String::stripTrailing).toList());
                return file.contains(rest);
            }
        }
        return false;
    }

    /** Without trailing blanks, trailing empty lines, or the indentation all lines share. */
    static String normalize(String text) {
        List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).toList());
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        int indent = lines.stream().filter(l -> !l.isEmpty()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).toList());
    }
}
