package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hshm command run in-process (the demo's second JVM is a real process). */
class CliTest {

    record Run(int rc, String out, String err) {
    }

    static Run hshm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void infoListsTheProvidersWithTheirStateAndTheChosenThreadModel() {
        Run r = hshm("info");
        assertEquals(0, r.rc(), r.err());
        for (String s : new String[] {"posix_shm_mmap", "posix_mmap", "malloc", "array", "scalable_page", "thread_local",
            "pthreads", "dev.hshm.provider.posix", "thread model chosen: pthreads", "launched on:    the module path"}) {
            assertTrue(r.out().contains(s), "info lacks '" + s + "':\n" + r.out());
        }
    }

    @Test
    void theDemoRunsTwoProcessesVerifiesEveryMessageAndRemovesItsSegment() {
        Run r = hshm("demo", "--messages", "3");
        assertEquals(0, r.rc(), r.out() + r.err());
        Matcher m = Pattern.compile("\\[pid (\\d+)\\]").matcher(r.out());
        java.util.Set<String> pids = new java.util.TreeSet<>();
        while (m.find()) {
            pids.add(m.group(1));
        }
        assertEquals(2, pids.size(), "lines from two processes:\n" + r.out());
        assertTrue(r.out().contains("verified 3/3 messages of the first process"), r.out());
        assertTrue(r.out().contains("verified 3/3 messages of the second process; heap check ok; bytes in use: 0"),
                r.out());
        assertTrue(r.out().contains("demo OK: 6 messages verified across 2 processes"), r.out());
        String me = Long.toString(ProcessHandle.current().pid());
        assertFalse(Files.exists(Path.of("/dev/shm", "hshm-demo-" + me)), "the segment was destroyed");
    }

    @Test
    void theDemoRunsWithTheThreadLocalAllocatorToo() {
        Run r = hshm("demo", "--allocator", "thread_local", "--messages", "2");
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("thread_local allocator"), r.out());
    }

    @Test
    void statOfAMissingSegmentNamesItAndFails() {
        Run r = hshm("stat", "hshm-no-such-segment");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("hshm-no-such-segment"), r.err());
    }

    @Test
    void aBadSubcommandIsAUsageError() {
        Run r = hshm("frobnicate");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("Unmatched argument"), r.err());
        assertEquals(2, hshm("demo", "--messages").rc(), "missing option value");
    }

    @Test
    void badDemoArgumentsAreRejectedBeforeAnythingIsCreated() {
        Run r = hshm("demo", "--messages", "99");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--messages must be 1..32"), r.err());
        Run t = hshm("demo", "--allocator", "no_such_type", "--messages", "1");
        assertEquals(1, t.rc());
        assertTrue(t.err().contains("no allocator type named 'no_such_type'"), t.err());
    }

    @Test
    void lsStatCheckAndRmWorkOnALiveSegment() {
        String url = "hshm-clitest-" + ProcessHandle.current().pid();
        var mm = dev.hshm.api.MemoryManager.get();
        var bid = dev.hshm.api.MemoryBackendId.get(50);
        mm.createBackend(dev.hshm.api.MemoryBackend.POSIX_SHM_MMAP, bid, 8 << 20, url);
        var a = mm.createAllocator(dev.hshm.api.Allocator.THREAD_LOCAL, bid, dev.hshm.api.AllocatorId.of(50, 0), 0);
        long off = a.allocateOffset(dev.hshm.api.MemContext.DEFAULT, 1000);
        try {
            Run ls = hshm("ls");
            assertEquals(0, ls.rc(), ls.err());
            assertTrue(ls.out().contains(url) && ls.out().contains("(50,0) thread_local"), ls.out());
            Run stat = hshm("stat", url);
            assertEquals(0, stat.rc(), stat.err());
            assertTrue(stat.out().contains("bytes in use:    1 KiB in 1 blocks"), stat.out());
            Run check = hshm("check", url);
            assertEquals(0, check.rc(), check.err());
            assertTrue(check.out().contains("all OK"), check.out());
        } finally {
            a.freeOffset(dev.hshm.api.MemContext.DEFAULT, off);
            mm.detachBackend(bid);
        }
        Run rm = hshm("rm", url);
        assertEquals(0, rm.rc(), rm.err());
        assertFalse(Files.exists(Path.of("/dev/shm", url)));
        Run again = hshm("rm", url);
        assertEquals(1, again.rc());
    }
}
