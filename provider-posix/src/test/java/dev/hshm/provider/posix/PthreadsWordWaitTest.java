package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.ThreadModel;
import dev.hshm.provider.posix.internal.PosixNative;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The pthreads model's wait on a word of shared memory: on Linux a shared futex, which two mappings of one
 * segment (as two processes have) meet on, since the kernel keys it by the page's file and offset.
 */
@EnabledOnOs(OS.LINUX)
class PthreadsWordWaitTest {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private final ShmTestNames segs = new ShmTestNames("hshm-ww");
    private final ThreadModel model = new PthreadsThreadModelProvider().create();

    @AfterEach
    void cleanUp() {
        segs.close();
    }

    private PosixShmMmap[] twoMappings() {
        String name = segs.name();
        PosixShmMmap created = segs.track(PosixShmMmap.create(MemoryBackendId.get(7), 64 * 1024, name, 0600));
        PosixShmMmap attached = segs.track(PosixShmMmap.attach(name));
        return new PosixShmMmap[] {created, attached};
    }

    @Test
    void theFutexIsBoundOnLinux() {
        assertTrue(PosixNative.hasFutex(), "futex not bound: " + PosixNative.support());
        assertTrue(PosixNative.hasWordWait(), "the kernel word wait is not the futex here");
    }

    @Test
    void aWakeThroughOneMappingReachesASleeperOnTheOther() throws Exception {
        PosixShmMmap[] m = twoMappings();
        long sleeperAddress = m[0].data().address() + 128;
        AtomicBoolean returned = new AtomicBoolean();
        Thread sleeper = Thread.ofPlatform().start(() -> {
            PosixNative.futexWait(sleeperAddress, 0, Long.MAX_VALUE);
            returned.set(true);
        });
        // wake until the kernel reports a sleeper it woke: proves the sleeper was in the kernel on this futex
        int woken = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (woken == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            woken = PosixNative.futexWake(m[1].data().address() + 128, ThreadModel.WAKE_ALL);
        }
        sleeper.join(10_000);
        assertEquals(1, woken, "the wake through the second mapping found no sleeper");
        assertTrue(returned.get());
    }

    @Test
    void waitOnWordReturnsWhenAnotherMappingChangesTheWordAndWakes() throws Exception {
        PosixShmMmap[] m = twoMappings();
        AtomicBoolean saw = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            while ((int) INT.getVolatile(m[0].data(), 256L) == 0) {
                model.waitOnWord(m[0].data(), 256, 0, Long.MAX_VALUE);
            }
            saw.set(true);
        });
        Thread.sleep(50);
        INT.setVolatile(m[1].data(), 256L, 1);
        model.wakeWord(m[1].data(), 256, 1);
        waiter.join(10_000);
        assertTrue(saw.get(), "the waiter did not return within 10 s");
    }

    @Test
    void aTimedWaitEndsAfterItsTimeoutAndAChangedWordReturnsAtOnce() {
        PosixShmMmap[] m = twoMappings();
        long start = System.nanoTime();
        assertFalse(model.waitOnWord(m[0].data(), 64, 0, 30_000_000L), "nobody woke it: the timeout passed");
        assertTrue(System.nanoTime() - start >= 25_000_000L, "returned well before its 30 ms timeout");
        INT.setVolatile(m[0].data(), 64L, 5);
        assertTrue(model.waitOnWord(m[0].data(), 64, 0, Long.MAX_VALUE), "the word differs: no sleep");
    }

    @Test
    void aVirtualThreadWaitsWithoutPinningItsCarrier() throws Exception {
        PosixShmMmap[] m = twoMappings();
        AtomicBoolean saw = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            while ((int) INT.getVolatile(m[0].data(), 512L) == 0) {
                model.waitOnWord(m[0].data(), 512, 0, Long.MAX_VALUE);
            }
            saw.set(true);
        });
        Thread.sleep(20);
        INT.setVolatile(m[1].data(), 512L, 1);
        model.wakeWord(m[1].data(), 512, 1);
        waiter.join(10_000);
        assertTrue(saw.get(), "the virtual waiter did not return within 10 s");
    }
}
