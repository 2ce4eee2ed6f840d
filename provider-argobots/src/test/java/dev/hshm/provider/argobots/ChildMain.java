package dev.hshm.provider.argobots;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.ThreadModelProvider;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The program {@link ChildJvm} runs in a second JVM; prints {@code key=value} lines for the test to check.
 * <ul>
 *   <li>{@code select}: which thread model this JVM chose, and from which module.</li>
 *   <li>{@code support}: what the argobots provider says about this JVM (without choosing a model).</li>
 *   <li>{@code one-carrier}: run with one carrier thread; shows that {@code sleepForUs} and {@code yield}
 *       give the carrier to other ULTs, and, as a control, that ULTs spinning <em>without</em> yielding starve
 *       each other, so the yield check can fail.</li>
 * </ul>
 */
public final class ChildMain {

    static final int SLEEPERS = 100;
    static final long SLEEP_US = 100_000;
    static final int ROUNDS = 2_000;
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(60);

    private ChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        switch (args[0]) {
            case "select" -> select();
            case "one-carrier" -> oneCarrier();
            case "support" -> {
                for (ThreadModelProvider p : ProviderRegistry.global().all(ThreadModelProvider.class)) {
                    if (p.name().equals(ThreadModel.ARGOBOTS)) {
                        System.out.println("support=" + p.support());
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0); // ULTs are daemons, but do not wait for stragglers
    }

    private static void select() {
        ThreadModel m = ThreadModel.current();
        System.out.println("model=" + m.name());
        System.out.println("class=" + m.getClass().getName());
        Module mod = m.getClass().getModule();
        System.out.println("module=" + (mod.isNamed() ? mod.getName() : "unnamed"));
        ThreadModelProvider p = ProviderRegistry.global().find(ThreadModelProvider.class, ThreadModel.ARGOBOTS);
        System.out.println("support=" + p.support());
        System.out.println("tidPid=" + (m.getTid() >>> 32));
    }

    /** The name of the carrier a virtual thread runs on, from its toString ("...@ForkJoinPool-1-worker-1"). */
    static String carrier() {
        String s = Thread.currentThread().toString();
        int at = s.lastIndexOf('@');
        return at < 0 ? "?" : s.substring(at + 1);
    }

    private static void oneCarrier() throws InterruptedException {
        ArgobotsThreadModel abt = (ArgobotsThreadModel) ThreadModel.current();
        System.out.println("model=" + abt.name());
        System.out.println("streams=" + ArgobotsThreadModel.executionStreams());
        Set<String> carriers = ConcurrentHashMap.newKeySet();

        // 1. SLEEPERS ULTs each sleep SLEEP_US. If a sleep held the carrier, they would run one after another
        //    (peak 1, SLEEPERS sleeps long); parked ULTs unmount, so they all sleep at once.
        AtomicInteger sleeping = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicLong minSlept = new AtomicLong(Long.MAX_VALUE);
        Thread[] ts = new Thread[SLEEPERS];
        long t0 = System.nanoTime();
        for (int i = 0; i < SLEEPERS; i++) {
            ts[i] = abt.spawn(() -> {
                carriers.add(carrier());
                peak.accumulateAndGet(sleeping.incrementAndGet(), Math::max);
                long s = System.nanoTime();
                abt.sleepForUs(SLEEP_US);
                minSlept.accumulateAndGet(System.nanoTime() - s, Math::min);
                sleeping.decrementAndGet();
                carriers.add(carrier());
            });
        }
        boolean sleptAll = joinAll(ts);
        long elapsed = System.nanoTime() - t0;
        System.out.println("sleep.done=" + sleptAll);
        System.out.println("sleep.elapsedMs=" + elapsed / 1_000_000);
        System.out.println("sleep.minSleptUs=" + minSlept.get() / 1_000);
        System.out.println("sleep.peak=" + peak.get());

        // 2. Ping-pong: each ULT waits for its turn by yielding. On one carrier, with no preemption, the
        //    waiting ULT only lets the other run if yield() really gives the carrier away.
        System.out.println("yield.rounds=" + pingPong(abt, abt::yield, carriers, Duration.ofSeconds(60)));
        System.out.println("carriers=" + carriers.size() + " " + carriers);

        // 3. Control: the same ping-pong spinning with onSpinWait (no yield) completes no round trip on one
        //    carrier; after the limit this thread (not a ULT: the carrier is taken) tells the spinners to stop.
        System.out.println("control.rounds=" + pingPong(abt, Thread::onSpinWait, carriers, Duration.ofSeconds(2)));
    }

    /**
     * Two ULTs hand a turn back and forth ROUNDS times, waiting with {@code pause}; returns the rounds completed
     * within {@code limit}, then stops them. Both are started by a parent ULT, as ULTs start ULTs in Argobots:
     * on JDK 25 that puts them in the carrier's own submission queue, where a yielding ULT is re-queued
     * behind the other (a ULT started from a platform thread waits in another queue; see docs/argobots.md).
     */
    private static int pingPong(ArgobotsThreadModel abt, Runnable pause, Set<String> carriers, Duration limit)
            throws InterruptedException {
        AtomicInteger turn = new AtomicInteger();
        AtomicInteger rounds = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread parent = abt.spawn(() -> {
            Thread a = abt.spawn(() -> {
                carriers.add(carrier());
                for (int r = 0; r < ROUNDS; r++) {
                    while (turn.get() != 0) {
                        if (stop.get()) {
                            return;
                        }
                        pause.run();
                    }
                    turn.set(1);
                }
            });
            Thread b = abt.spawn(() -> {
                carriers.add(carrier());
                for (int r = 0; r < ROUNDS; r++) {
                    while (turn.get() != 1) {
                        if (stop.get()) {
                            return;
                        }
                        pause.run();
                    }
                    turn.set(0);
                    rounds.incrementAndGet();
                }
            });
            try {
                a.join();
                b.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        parent.join(limit);
        int done = rounds.get();
        stop.set(true);
        parent.join(JOIN_LIMIT);
        return done;
    }

    private static boolean joinAll(Thread[] ts) throws InterruptedException {
        long deadline = System.nanoTime() + JOIN_LIMIT.toNanos();
        for (Thread t : ts) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }
}
