package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end: this JVM is process A (in-process), process B is a real second JVM. */
class DemoTest {

    private static final long ME = ProcessHandle.current().pid();
    private static final String URL = "hshm-demo-" + ME;

    @Test
    void twoProcessesVerifyEachOthersMessagesAndTheSegmentIsRemoved() {
        Hshm.Result r = Hshm.run("demo", "--messages", "3");
        assertEquals(0, r.rc(), r.all());
        Set<Long> pids = r.pids();
        assertEquals(2, pids.size(), "lines of two processes:\n" + r.all());
        assertTrue(pids.contains(ME), r.all());
        long peer = pids.stream().filter(p -> p != ME).findFirst().orElseThrow();
        String out = r.out();
        for (int i = 1; i <= 3; i++) {
            // B read A's message i by offset and A read B's, each with its checksum verified
            assertTrue(out.contains("[pid " + peer + "] read  message " + i + " at offset 0x"), out);
            assertTrue(out.contains(": \"hello from pid " + ME + ", message " + i + "\" - checksum ok; freed it"), out);
            assertTrue(out.contains("[pid " + ME + "] read  message " + i + " at offset 0x"), out);
            assertTrue(out.contains(": \"hello from pid " + peer + ", message " + i + "\" - checksum ok; freed it"), out);
        }
        assertTrue(out.contains("[pid " + peer + "] verified 3/3 messages of the first process; detached"), out);
        assertTrue(out.contains("[pid " + ME + "] verified 3/3 messages of the second process; heap check ok;"
                + " bytes in use: 0"), out);
        assertTrue(out.contains("[pid " + ME + "] destroyed '" + URL + "'. demo OK: 6 messages verified across 2"
                + " processes"), out);
        assertEquals("", r.err(), "nothing on stderr");
        assertFalse(Hshm.shmExists(URL), "the segment was removed");
    }

    @Test
    void theOffsetsMeanTheSameMemoryInBothProcesses() {
        // the offsets A wrote are the offsets B takes from the queue and reads the messages at
        Hshm.Result r = Hshm.run("demo", "--messages", "2");
        assertEquals(0, r.rc(), r.all());
        Set<String> written = offsets(r.out(), "\\[pid " + ME + "\\] wrote message \\d at offset (0x[0-9a-f]+)");
        Set<String> readByPeer = offsets(r.out(), "\\[pid \\d+\\] read  message \\d at offset (0x[0-9a-f]+): \"hello from pid "
                + ME);
        assertEquals(written, readByPeer, r.out());
        assertEquals(2, written.size(), r.out());
    }

    private static Set<String> offsets(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        Set<String> s = new java.util.TreeSet<>();
        while (m.find()) {
            s.add(m.group(1));
        }
        return s;
    }

    @Test
    void theThreadLocalAllocatorWorksToo() {
        Hshm.Result r = Hshm.run("demo", "--allocator", "thread_local", "--messages", "4", "--size-mib", "8");
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().contains("(8 MiB) with a thread_local allocator (1,0)"), r.out());
        assertTrue(r.out().contains("demo OK: 8 messages verified across 2 processes"), r.out());
        assertFalse(Hshm.shmExists(URL));
    }

    @Test
    void whenTheSecondJvmFailsTheDemoSaysSoForwardsItsOutputAndStillRemovesTheSegment() {
        ThreadModel.current(); // this JVM's model is chosen now, once; the property below reaches only the child
        String old = System.setProperty("hshm.thread.model", "no_such_model");
        Hshm.Result r;
        try {
            r = Hshm.run("demo", "--messages", "2");
        } finally {
            if (old == null) {
                System.clearProperty("hshm.thread.model");
            } else {
                System.setProperty("hshm.thread.model", old);
            }
        }
        assertEquals(1, r.rc(), r.all());
        long peer = r.pids().stream().filter(p -> p != ME).findFirst().orElseThrow(() -> new AssertionError(r.all()));
        assertTrue(r.err().contains("hshm: the second JVM (pid " + peer + ") failed with exit code 1; its output is"
                + " above, prefixed with [pid " + peer + "]"), r.all());
        assertTrue(r.err().contains("[pid " + peer + "] FAILED: ") && r.err().contains("no_such_model"),
                "the child's reason is forwarded to stderr:\n" + r.all());
        for (String line : r.err().split("\n")) {
            assertTrue(line.startsWith("[pid " + peer + "] ") || line.startsWith("hshm: "),
                    "every forwarded line carries the child's prefix: '" + line + "'\n" + r.all());
        }
        assertFalse(r.out().contains("demo OK"), r.all());
        assertFalse(Hshm.shmExists(URL), "the segment was removed after the failure");
        // and this process is clean: the next demo can use the same backend id and name
        assertEquals(0, Hshm.run("demo", "--messages", "1").rc());
    }

    @Test
    void theSecondJvmGetsTheModulePathNativeAccessAndHshmProperties() {
        String old = System.setProperty("hshm.attach.timeout.ms", "1234");
        List<String> cmd;
        try {
            cmd = DemoCommand.peerCommand("hshm-x", 5);
        } finally {
            if (old == null) {
                System.clearProperty("hshm.attach.timeout.ms");
            } else {
                System.setProperty("hshm.attach.timeout.ms", old);
            }
        }
        assertEquals(ProcessHandle.current().info().command().orElseThrow(), cmd.getFirst());
        assertTrue(cmd.contains("-Dhshm.attach.timeout.ms=1234"), cmd.toString());
        assertEquals(System.getProperty("jdk.module.path"), cmd.get(cmd.indexOf("-p") + 1));
        String nativeAccess = cmd.stream().filter(s -> s.startsWith("--enable-native-access=")).findFirst().orElseThrow();
        for (String m : new String[] {"dev.hshm.allocators", "dev.hshm.provider.posix", "dev.hshm.cli"}) {
            assertTrue(nativeAccess.contains(m), nativeAccess);
        }
        String modules = cmd.get(cmd.indexOf("--add-modules") + 1);
        assertFalse(modules.contains("jdk.") || modules.contains("java."), "only module-path modules: " + modules);
        assertEquals(List.of("-m", "dev.hshm.cli/dev.hshm.cli.DemoPeer", "hshm-x", "5"),
                cmd.subList(cmd.size() - 4, cmd.size()));
    }

    @Test
    void anInterruptedDemoStopsTheSecondJvmAndRemovesTheSegment(@TempDir Path tmp) throws Exception {
        // to files: Process.destroy() closes the pipes
        Path log = tmp.resolve("demo.log");
        Process p = new ProcessBuilder(Hshm.javaCommand("demo", "--messages", "32")).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            String url = "hshm-demo-" + p.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Hshm.shmExists(url) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(Hshm.shmExists(url), () -> "the demo did not create " + url + "; output:\n" + read(log));
            // wait until B runs, so there is a second JVM to stop
            List<ProcessHandle> children = List.of();
            while (children.isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
                children = p.descendants().toList();
                Thread.sleep(1);
            }
            p.destroy(); // SIGTERM: the shutdown hook runs
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the demo ended");
            String out = read(log);
            assertFalse(out.contains("demo OK"), "it was interrupted in the middle:\n" + out);
            assertTrue(out.contains("interrupted: "), out);
            assertFalse(Hshm.shmExists(url), "the hook removed the segment:\n" + out);
            for (ProcessHandle c : children) {
                assertTrue(c.onExit().get(10, TimeUnit.SECONDS) != null && !c.isAlive(),
                        "the second JVM " + c.pid() + " was stopped:\n" + out);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
