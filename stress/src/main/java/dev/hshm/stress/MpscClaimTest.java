package dev.hshm.stress;

import dev.hshm.structures.MpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The MPSC claim: two producers offer a record each at once (the race for the tail), then the arbiter reads the
 * ring. Every record must arrive once and whole (its payload is its type repeated), in either order: r1 = records
 * read, r2 = torn records, r3 = the first record's type. (Two actors: jcstress schedules no more on 2 CPUs.)
 */
@JCStressTest
@Outcome(id = {"2, 0, 1", "2, 0, 2"}, expect = Expect.ACCEPTABLE, desc = "both records, once, whole, either first")
@Outcome(expect = Expect.FORBIDDEN, desc = "a record lost, duplicated or torn")
@State
public class MpscClaimTest {

    private final MpscRing ring = MpscRing.format(Arena.ofAuto().allocate(MpscRing.bytesFor(1024), 64), 1024);
    private final MemorySegment a = payload(1);
    private final MemorySegment b = payload(2);
    private int seen;
    private int torn;
    private int first;

    private static MemorySegment payload(int type) {
        MemorySegment s = Arena.ofAuto().allocate(24, 8);
        for (int i = 0; i < 3; i++) {
            s.set(ValueLayout.JAVA_LONG, 8L * i, type * 0x0101_0101_0101L);
        }
        return s;
    }

    private int drain() {
        return ring.read((type, buf, at, len) -> {
            boolean whole = len == 24;
            for (int i = 0; whole && i < 3; i++) {
                whole = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8L * i) == type * 0x0101_0101_0101L;
            }
            if (!whole) {
                torn++;
            }
            if (seen++ == 0) {
                first = type;
            }
        }, 16);
    }

    @Actor
    public void producer1() {
        ring.offer(1, a);
    }

    @Actor
    public void producer2() {
        ring.offer(2, b);
    }

    @Arbiter
    public void consumer(III_Result r) {
        drain();
        r.r1 = seen;
        r.r2 = torn;
        r.r3 = first;
    }
}
