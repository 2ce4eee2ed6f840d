package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exit codes and messages: 2 for usage errors, 1 for failures with {@code hshm: <message>}. */
class UsageTest {

    @Test
    void anUnknownCommandIsAUsageError() {
        Hshm.Result r = Hshm.run("frobnicate");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().startsWith("hshm: unknown command 'frobnicate'; the commands are info, demo, ls, stat,"),
                r.all());
        assertTrue(r.err().contains("Run 'hshm --help' for usage."), r.all());
        assertTrue(r.err().contains("Did you mean: hshm stat?"), "picocli suggests the nearest:\n" + r.all());
    }

    @Test
    void anUnknownOptionNamesItAndTheCommandsHelp() {
        Hshm.Result r = Hshm.run("ls", "--frob");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().startsWith("hshm: Unknown option: '--frob'"), r.all());
        assertTrue(r.err().contains("Run 'hshm ls --help' for usage."), r.all());
    }

    @Test
    void noCommandIsAUsageError() {
        Hshm.Result r = Hshm.run();
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("missing command") && r.err().contains("Commands:"), r.all());
    }

    @Test
    void helpAndVersionSucceed() {
        Hshm.Result help = Hshm.run("--help");
        assertEquals(0, help.rc(), help.all());
        for (String c : new String[] {"info", "demo", "ls", "stat", "check", "rm"}) {
            assertTrue(help.out().contains("\n  " + c + " "), "help lists " + c + ":\n" + help.out());
        }
        for (String c : new String[] {"info", "demo", "ls", "stat", "check", "rm"}) {
            Hshm.Result sub = Hshm.run(c, "--help");
            assertEquals(0, sub.rc(), sub.all());
            assertTrue(sub.out().contains("Usage: hshm " + c + " "), sub.all());
        }
        assertTrue(Hshm.run("--version").out().startsWith("hshm-java "));
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        assertEquals(2, Hshm.run("demo", "--messages").rc(), "missing value");
        assertEquals(2, Hshm.run("demo", "--messages", "many").rc(), "not a number");
        Hshm.Result tooMany = Hshm.run("demo", "--messages", "99");
        assertEquals(2, tooMany.rc(), tooMany.all());
        assertTrue(tooMany.err().contains("--messages must be 1..32: 99"), tooMany.all());
        Hshm.Result type = Hshm.run("demo", "--allocator", "no_such_type");
        assertEquals(2, type.rc(), type.all());
        assertTrue(type.err().contains("no allocator type named 'no_such_type'. Available: ["), type.all());
        Hshm.Result malloc = Hshm.run("demo", "--allocator", "malloc");
        assertEquals(2, malloc.rc(), malloc.all());
        assertTrue(malloc.err().contains("another process cannot reach it"), malloc.all());
        assertFalse(Hshm.shmExists("hshm-demo-" + ProcessHandle.current().pid()), "nothing was created");
        assertEquals(2, Hshm.run("stat").rc(), "NAME is required");
        assertEquals(2, Hshm.run("rm").rc(), "rm needs names or --all-dead");
    }

    @Test
    void statOfAMissingSegmentFailsNamingIt() {
        Hshm.Result r = Hshm.run("stat", "hshm-no-such-segment");
        assertEquals(1, r.rc(), r.all());
        assertTrue(r.err().startsWith("hshm: no shared memory named 'hshm-no-such-segment'"), r.all());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.all());
        Hshm.Result verbose = Hshm.run("stat", "hshm-no-such-segment", "--verbose");
        assertEquals(1, verbose.rc());
        assertTrue(verbose.err().contains("dev.hshm.api.NotFoundException") && verbose.err().contains("\tat "),
                "stack trace with --verbose:\n" + verbose.all());
    }

    @Test
    void checkAndRmOfMissingSegmentsFailNamingThem() {
        Hshm.Result check = Hshm.run("check", "hshm-no-such-segment");
        assertEquals(1, check.rc(), check.all());
        assertTrue(check.err().contains("hshm-no-such-segment"), check.all());
        Hshm.Result rm = Hshm.run("rm", "hshm-no-such-1", "hshm-no-such-2");
        assertEquals(1, rm.rc(), rm.all());
        assertTrue(rm.err().contains("hshm: hshm-no-such-1: no shared memory named 'hshm-no-such-1'"), rm.all());
        assertTrue(rm.err().contains("hshm: hshm-no-such-2: "), "every name is tried:\n" + rm.all());
    }

    @Test
    void anInvalidNameIsRejectedWithTheRule() {
        Hshm.Result r = Hshm.run("stat", "../etc/passwd");
        assertEquals(1, r.rc(), r.all());
        assertTrue(r.err().startsWith("hshm: shared-memory url must not contain '/'"), r.all());
    }
}
