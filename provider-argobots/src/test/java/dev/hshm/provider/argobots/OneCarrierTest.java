package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.provider.argobots.ArgobotsChild.Launch;
import dev.hshm.testkit.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a JVM with exactly one execution stream ({@code -Djdk.virtualThreadScheduler.parallelism=1
 * -Djdk.virtualThreadScheduler.maxPoolSize=1}), sleeping and yielding ULTs give the carrier to the others.
 * Runs {@link ChildMain}'s {@code one-carrier} scenario once in a child JVM and checks what it saw. The timing
 * bound is loose on purpose (half of what serial sleeps would take); the other checks do not depend on time.
 */
class OneCarrierTest {

    private static ChildJvm out;

    @BeforeAll
    static void runOnOneCarrier() throws Exception {
        out = ArgobotsChild.run(Launch.MODULE_PATH, List.of("-Dhshm.thread.model=argobots",
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1"),
                "one-carrier");
    }

    @Test
    void theChildRunsTheArgobotsModelOnExactlyOneExecutionStream() {
        assertEquals("argobots", out.value("model"));
        assertEquals("1", out.value("streams"));
        assertTrue(out.value("carriers").startsWith("1 "), "carriers seen: " + out.value("carriers"));
    }

    @Test
    void sleepingUltsDoNotHoldTheirCarrier() {
        assertEquals("true", out.value("sleep.done"), out.output());
        int peak = Integer.parseInt(out.value("sleep.peak"));
        // with one carrier, a second ULT can only start sleeping while the first sleeps if the first let go
        assertTrue(peak >= 2, "at most " + peak + " ULT(s) asleep at once on the one carrier");
        long minSleptUs = Long.parseLong(out.value("sleep.minSleptUs"));
        assertTrue(minSleptUs >= ChildMain.SLEEP_US, "a ULT woke after " + minSleptUs + " us");
        long elapsedMs = Long.parseLong(out.value("sleep.elapsedMs"));
        long serialMs = ChildMain.SLEEPERS * ChildMain.SLEEP_US / 1000;
        assertTrue(elapsedMs < serialMs / 2, ChildMain.SLEEPERS + " sleeps of " + ChildMain.SLEEP_US / 1000
                + " ms on one carrier took " + elapsedMs + " ms; one after another they take " + serialMs + " ms");
    }

    @Test
    void twoUltsThatYieldToEachOtherMakeProgressOnOneCarrier() {
        assertEquals(Integer.toString(ChildMain.ROUNDS), out.value("yield.rounds"));
    }

    @Test
    void withoutYieldingTheSamePingPongNeverCompletesARoundOnOneCarrier() {
        // the control: shows the ping-pong above would fail if yield() did not give the carrier away
        assertEquals("0", out.value("control.rounds"));
    }
}
