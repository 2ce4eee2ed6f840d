package dev.hshm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: commands like this JVM's, output kept and awaited, exit codes, kills, shell prefixes. */
class ChildJvmTest {

    /** A child main: prints its arguments as {@code arg=...}, then what the first one asks for. */
    public static final class Echo {
        private Echo() {
        }

        public static void main(String[] args) throws Exception {
            for (String a : args) {
                System.out.println("arg=" + a);
            }
            System.out.println("prop=" + System.getProperty("hshm.testkit.probe"));
            System.out.flush();
            switch (args.length > 0 ? args[0] : "") {
                case "fail" -> System.exit(3);
                case "hang" -> Thread.sleep(600_000);
                default -> { }
            }
        }
    }

    @Test
    void aChildLikeThisJvmRunsAMainOfThisClassPathAndGetsTheHshmProperties() throws Exception {
        String old = System.setProperty("hshm.testkit.probe", "seen");
        try {
            ChildJvm c = ChildJvm.java().likeThisJvm().main(Echo.class).args("ok", "two words").run(60);
            assertEquals(List.of("arg=ok", "arg=two words", "prop=seen"), c.lines());
            assertEquals("two words", c.value("arg"), "the last value of a key");
            assertEquals("prop=seen", c.line("prop"));
            assertTrue(c.command().contains("-Dhshm.testkit.probe=seen"), c.command().toString());
        } finally {
            if (old == null) {
                System.clearProperty("hshm.testkit.probe");
            } else {
                System.setProperty("hshm.testkit.probe", old);
            }
        }
    }

    @Test
    void aNonZeroExitFailsTheRunWithTheOutput() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> ChildJvm.java().likeThisJvm().name("failing").main(Echo.class).args("fail").run(60));
        assertTrue(e.getMessage().startsWith("failing exited with 3"), e.getMessage());
        assertTrue(e.getMessage().contains("arg=fail"), e.getMessage());
    }

    @Test
    void aMissingLineOrKeyFailsNamingIt() throws Exception {
        ChildJvm c = ChildJvm.java().likeThisJvm().main(Echo.class).run(60);
        assertTrue(assertThrows(AssertionError.class, () -> c.value("nothing")).getMessage()
                .contains("printed no 'nothing='"));
        assertTrue(assertThrows(AssertionError.class, () -> c.line("zzz")).getMessage()
                .contains("no line starting with 'zzz'"));
        assertTrue(assertThrows(AssertionError.class, () -> c.await("zzz", 5)).getMessage()
                .contains("no line starting with 'zzz'"), "a child that ended cannot print it any more");
    }

    @Test
    void aHangingChildIsAwaitedThenKilled() throws Exception {
        try (ChildJvm c = ChildJvm.java().likeThisJvm().main(Echo.class).args("hang").start()) {
            assertEquals("arg=hang", c.await("arg=", 60));
            assertTrue(c.process().isAlive());
            c.kill();
            assertFalse(c.process().isAlive());
            assertEquals(137, c.process().exitValue(), "SIGKILL");
        }
    }

    @Test
    void aTimedOutRunIsKilledAndReported() throws Exception {
        AssertionError e = assertThrows(AssertionError.class,
                () -> ChildJvm.java().likeThisJvm().name("slow").main(Echo.class).args("hang").run(2));
        assertTrue(e.getMessage().startsWith("slow did not finish within 2 s"), e.getMessage());
    }

    @Test
    void aSourceFileRunsUnderAShellPrefix(@TempDir Path tmp) throws Exception {
        Path src = tmp.resolve("Limit.java");
        Files.writeString(src, """
                public class Limit {
                    public static void main(String[] args) {
                        System.out.println("env=" + System.getenv("HSHM_TESTKIT_X"));
                    }
                }
                """);
        ChildJvm c = ChildJvm.java().shellPrefix("export HSHM_TESTKIT_X=fromshell").source(src).run(60);
        assertEquals("fromshell", c.value("env"));
        assertEquals("/bin/sh", c.command().getFirst());
    }
}
