package dev.hshm.stress;

import dev.hshm.structures.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * SPSC publication: a producer writes an element of 16 bytes (a value and its complement) and offers it; a
 * consumer that polls it must see both words the producer wrote, never one of them or a slot's old bytes. Every
 * state gets a fresh ring whose slots hold garbage first.
 */
@JCStressTest
@Outcome(id = "-1, -1", expect = Expect.ACCEPTABLE, desc = "the consumer polled before the offer was published")
@Outcome(id = "42, -43", expect = Expect.ACCEPTABLE, desc = "the whole element")
@Outcome(expect = Expect.FORBIDDEN, desc = "a torn or stale element")
@State
public class SpscPublicationTest {

    private final SpscRing ring;
    private final MemorySegment src = Arena.ofAuto().allocate(16, 8);
    private final MemorySegment dst = Arena.ofAuto().allocate(16, 8);

    public SpscPublicationTest() {
        MemorySegment seg = Arena.ofAuto().allocate(SpscRing.bytesFor(4, 16), 64);
        ring = SpscRing.format(seg, 4, 16);
        // slots hold garbage until written
        ring.offer(fill(7));
        ring.poll(dst);
    }

    private MemorySegment fill(long v) {
        src.set(ValueLayout.JAVA_LONG, 0, v);
        src.set(ValueLayout.JAVA_LONG, 8, ~v);
        return src;
    }

    @Actor
    public void producer() {
        ring.offer(fill(42));
    }

    @Actor
    public void consumer(JJ_Result r) {
        if (ring.poll(dst)) {
            r.r1 = dst.get(ValueLayout.JAVA_LONG, 0);
            r.r2 = dst.get(ValueLayout.JAVA_LONG, 8);
        } else {
            r.r1 = -1;
            r.r2 = -1;
        }
    }

    /** A pollLong variant: an offset published by offer(long) is seen whole. */
    @JCStressTest
    @Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "polled before the offer")
    @Outcome(id = "1234567890123", expect = Expect.ACCEPTABLE, desc = "the offset")
    @Outcome(expect = Expect.FORBIDDEN, desc = "anything else")
    @State
    public static class Offsets {
        private final SpscRing ring = SpscRing.format(Arena.ofAuto().allocate(SpscRing.bytesFor(4, 8), 64), 4, 8);

        @Actor
        public void producer() {
            ring.offer(1234567890123L);
        }

        @Actor
        public void consumer(org.openjdk.jcstress.infra.results.J_Result r) {
            OptionalLong v = ring.pollLong();
            r.r1 = v.isPresent() ? v.getAsLong() : -1;
        }
    }
}
