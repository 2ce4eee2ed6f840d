package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ls}, {@code stat}, {@code check} and {@code rm} against segments this test makes. */
class SegmentCommandsTest {

    private static final long ME = ProcessHandle.current().pid();
    private static final String PREFIX = "hshm-cli-" + ME + "-";

    private final MemoryManager mm = MemoryManager.get();
    private final List<MemoryBackendId> attached = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private MemoryBackend create(int id, String suffix, long size) {
        String url = PREFIX + suffix;
        names.add(url);
        MemoryBackend b = mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(id), size, url);
        attached.add(b.id());
        return b;
    }

    @AfterEach
    void cleanUp() {
        for (MemoryBackendId id : attached) {
            try {
                mm.destroyBackend(id);
            } catch (RuntimeException alreadyGone) {
                // destroyed or detached by the test
            }
        }
        for (String n : names) {
            Hshm.run("rm", n);
        }
    }

    /** Makes the segment look like one whose creator died: a pid that no longer runs. */
    private static void fakeDeadCreator(MemoryBackend b) throws Exception {
        Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version").start();
        gone.waitFor();
        b.header().set(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET, gone.pid());
        b.header().set(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_START_OFFSET, 0L);
    }

    @Test
    void lsStatAndCheckDescribeALiveSegment() {
        MemoryBackend b = create(50, "live", 8 << 20);
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, b.id(), AllocatorId.of(50, 0), 0);
        long off = a.allocateOffset(MemContext.DEFAULT, 1000);
        try {
            Hshm.Result ls = Hshm.run("ls");
            assertEquals(0, ls.rc(), ls.all());
            assertTrue(Pattern.compile("(?m)^" + PREFIX + "live +posix_shm_mmap +8 MiB +50 +" + ME + " \\(alive\\) +1 +"
                    + "\\(50,0\\) thread_local$").matcher(ls.out()).find(), ls.out());

            Hshm.Result stat = Hshm.run("stat", PREFIX + "live");
            assertEquals(0, stat.rc(), stat.all());
            String s = stat.out();
            assertTrue(s.startsWith("segment " + PREFIX + "live\n"), s);
            assertTrue(s.contains("backend id:      50\n"), s);
            assertTrue(s.contains("creator:         pid " + ME + " (alive)"), s);
            assertTrue(s.contains("attached:        1 other process(es) (attach count 2, this one included)"), s);
            assertTrue(Pattern.compile("(?m)^  0  \\(50,0\\) +thread_local +ready +0x0 +8 MiB$").matcher(s).find(), s);
            assertTrue(s.contains("\nallocator (50,0) thread_local\n"), s);
            assertTrue(s.contains("bytes in use:  1 KiB (1024 B) in 1 block(s)"), s);
            assertTrue(Pattern.compile("(?m)^ +1 KiB \\(1024 B\\) +1 +\\d+ +\\d+$").matcher(s).find(),
                    "the 1 KiB class has one block in use:\n" + s);

            Hshm.Result check = Hshm.run("check", PREFIX + "live");
            assertEquals(0, check.rc(), check.all());
            assertTrue(check.out().contains("allocator (50,0) thread_local: OK (1 KiB in use)"), check.out());
            assertTrue(check.out().contains(PREFIX + "live: header OK, 1 allocator(s) checked, all OK"), check.out());
        } finally {
            a.freeOffset(MemContext.DEFAULT, off);
        }
        assertEquals(0, a.bytesInUse(), "inspecting changed nothing");
    }

    @Test
    void checkFindsAWriteIntoAFreedBlockAndExitsWithOne() {
        MemoryBackend b = create(51, "corrupt", 4 << 20);
        Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, b.id(), AllocatorId.of(51, 0), 0);
        long off = a.allocateOffset(MemContext.DEFAULT, 64);
        a.freeOffset(MemContext.DEFAULT, off);
        a.resolve(off, 16).set(ValueLayout.JAVA_LONG, 8, 0x0BADC0DEL); // a use-after-free write over the block's tag
        Hshm.Result check = Hshm.run("check", PREFIX + "corrupt");
        assertEquals(1, check.rc(), check.all());
        assertTrue(check.out().contains("allocator (51,0) scalable_page: CORRUPT: "), check.out());
        assertTrue(check.out().contains("1 not OK"), check.out());
    }

    @Test
    void checkReportsASegmentWhoseHeaderIsNotOurs() {
        MemoryBackend b = create(52, "badmagic", 1 << 20);
        b.header().set(ValueLayout.JAVA_LONG, BackendHeader.LAYOUT_VERSION_OFFSET, 99L);
        Hshm.Result check = Hshm.run("check", PREFIX + "badmagic");
        assertEquals(1, check.rc(), check.all());
        assertTrue(check.out().startsWith(PREFIX + "badmagic: CORRUPT: "), check.all());
    }

    @Test
    void rmAllDeadRemovesOnlySegmentsWhoseCreatorIsGoneAndThatNobodyHasAttached() throws Exception {
        MemoryBackend dead = create(53, "dead", 1 << 20);
        fakeDeadCreator(dead);
        mm.detachBackend(dead.id());
        MemoryBackend deadButAttached = create(54, "dead-att", 1 << 20);
        fakeDeadCreator(deadButAttached);
        create(55, "alive", 1 << 20);

        Hshm.Result dry = Hshm.run("rm", "--all-dead", "--dry-run", PREFIX + "*");
        assertEquals(0, dry.rc(), dry.all());
        assertTrue(dry.out().contains("would remove " + PREFIX + "dead (creator gone, mapped by no process)"), dry.out());
        assertTrue(dry.out().contains("kept " + PREFIX + "dead-att: mapped by pid " + ME), dry.out());
        assertTrue(dry.out().contains("kept " + PREFIX + "alive: its creator, pid " + ME + ", is alive"), dry.out());
        assertTrue(dry.out().contains("would remove 1, kept 2"), dry.out());
        assertTrue(Hshm.shmExists(PREFIX + "dead"), "a dry run removes nothing");

        Hshm.Result rm = Hshm.run("rm", "--all-dead", PREFIX + "*");
        assertEquals(0, rm.rc(), rm.all());
        assertTrue(rm.out().contains("removed " + PREFIX + "dead (creator gone, mapped by no process)"), rm.out());
        assertFalse(Hshm.shmExists(PREFIX + "dead"));
        assertTrue(Hshm.shmExists(PREFIX + "dead-att"));
        assertTrue(Hshm.shmExists(PREFIX + "alive"));
    }

    @Test
    void rmRemovesByNameAndSaysSoWhenTheNameIsGone() {
        MemoryBackend b = create(56, "byname", 1 << 20);
        mm.detachBackend(b.id());
        Hshm.Result rm = Hshm.run("rm", PREFIX + "byname");
        assertEquals(0, rm.rc(), rm.all());
        assertEquals("removed " + PREFIX + "byname\n", rm.out());
        assertFalse(Hshm.shmExists(PREFIX + "byname"));
        Hshm.Result again = Hshm.run("rm", PREFIX + "byname");
        assertEquals(1, again.rc(), again.all());
        assertTrue(again.err().startsWith("hshm: " + PREFIX + "byname: no shared memory named '" + PREFIX + "byname'"),
                again.all());
    }

    @Test
    void rmRefusesWhatIsNotAnHshmSegmentUnlessForced() throws Exception {
        Path dir = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "no /dev/shm here");
        Path tiny = dir.resolve(PREFIX + "tiny");
        Path zeros = dir.resolve(PREFIX + "zeros");
        Path fifo = dir.resolve(PREFIX + "fifo");
        Path link = dir.resolve(PREFIX + "link");
        Path text = dir.resolve(PREFIX + "text");
        try {
            Files.writeString(text, "another program's data, longer than 8 bytes");
            Files.write(tiny, new byte[] {1, 2, 3});
            Files.write(zeros, new byte[8192]);
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
            Files.createSymbolicLink(link, tiny);
            for (Path p : List.of(tiny, zeros, fifo, link, text)) {
                String name = p.getFileName().toString();
                Hshm.Result rm = Hshm.run("rm", name);
                assertEquals(1, rm.rc(), rm.all());
                assertTrue(rm.err().startsWith("hshm: " + name + ": not removed, as it is not a readable hshm segment: "),
                        rm.all());
                assertTrue(rm.err().contains("--force"), rm.all());
                assertTrue(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), name + " was removed");
            }
            for (Path p : List.of(link, tiny, zeros, fifo, text)) {
                String name = p.getFileName().toString();
                Hshm.Result rm = Hshm.run("rm", "--force", name);
                assertEquals(0, rm.rc(), rm.all());
                assertFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), name + " is still there");
            }
        } finally {
            for (Path p : List.of(tiny, zeros, fifo, link, text)) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void inspectingLeavesTheAttachCountAsItWas() {
        MemoryBackend b = create(57, "count", 1 << 20);
        long before = BackendHeader.attachCount(b.header());
        assertEquals(0, Hshm.run("ls").rc());
        assertEquals(0, Hshm.run("stat", PREFIX + "count").rc());
        assertEquals(0, Hshm.run("check", PREFIX + "count").rc());
        assertEquals(before, BackendHeader.attachCount(b.header()));
    }
}
