package dev.hshm.stress;

import dev.hshm.structures.WaitWord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The {@link WaitWord} protocol, as the queues use it: a waiter {@code prepare()}s (counts itself, reads the
 * sequence) and re-checks its condition with an acquire load; a waker publishes the condition with a release
 * store and {@code signal()}s (an opaque read of the waiter count; a sequence bump only if it is not zero).
 * r1: the waiter saw the condition; r2: the waker saw a waiter (signal returned true); r3: the sequence the
 * waiter would sleep on (0, or 1 if it read it after the bump). Nobody sleeps here: the outcome says whether
 * a waiter that went on to {@code await(r3)} would be woken. The waiter stays counted (no {@code finish()}),
 * as one asleep would: each state has a word of its own.
 *
 * <p>What is promised: a waiter the waker saw is never missed, because the bump is a read-modify-write after
 * the condition store: a waiter that read the bumped sequence must also see the condition ("0, 1, 1" forbidden),
 * and without a waiter there is no bump ("., 0, 1" forbidden). What is not: the waker's count read is not
 * fenced against its condition store, so both can miss each other ("0, 0, 0"): the documented window
 * (WaitWord's javadoc, docs/structures.md), whose cost is bounded by the waiter's first sleep,
 * {@link WaitWord#FIRST_SLICE_NANOS} = 50 µs, after which it re-checks.
 */
@JCStressTest
@Outcome(id = {"1, 0, 0", "1, 1, 0", "1, 1, 1"}, expect = Expect.ACCEPTABLE, desc = "the waiter saw the condition")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE,
        desc = "the waiter missed the condition but the waker saw it and bumped the sequence it would sleep on: woken")
@Outcome(id = "0, 0, 0", expect = Expect.ACCEPTABLE_INTERESTING,
        desc = "the documented lost-wake window: the waker's unfenced count read passed its condition store; the"
                + " waiter misses both and is late by its first sleep, WaitWord.FIRST_SLICE_NANOS = 50 us, at most")
@Outcome(id = "0, 1, 1", expect = Expect.FORBIDDEN,
        desc = "the waiter read the bumped sequence but not the condition: it would sleep through the wake")
@Outcome(id = "[01], 0, 1", expect = Expect.FORBIDDEN, desc = "the sequence moved without a signal")
@State
public class WaitWordWakeTest {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /** The condition word, on a cache line of its own (as a queue's tail is). */
    private static final long CONDITION = 64;

    private final MemorySegment seg = Arena.ofAuto().allocate(128, 64);
    private final WaitWord word = new WaitWord(seg, 0);

    @Actor
    public void waiter(III_Result r) {
        r.r3 = word.prepare();
        r.r1 = (int) INT.getAcquire(seg, CONDITION);
        // no finish(): a waiter that missed the condition would now be asleep, still counted
    }

    @Actor
    public void waker(III_Result r) {
        INT.setRelease(seg, CONDITION, 1);
        r.r2 = word.signal() ? 1 : 0;
    }
}
