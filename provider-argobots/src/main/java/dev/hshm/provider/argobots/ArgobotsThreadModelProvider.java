package dev.hshm.provider.argobots;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AbstractThreadModelProvider;
import dev.hshm.api.spi.Support;

/**
 * Provides the {@value ThreadModel#ARGOBOTS} thread model ({@link ArgobotsThreadModel}): Argobots' user-level
 * threads as JVM virtual threads. Supported wherever virtual threads can be created (every JDK 21+; this
 * project needs 25); the reason says so and gives the scheduler's parallelism, e.g.
 * {@code "JVM virtual threads as user-level threads (parallelism=8)"}, or names the failure (a bad
 * {@code -Djdk.virtualThreadScheduler.parallelism}).
 *
 * <p>Its {@linkplain #PRIORITY priority} is below {@code pthreads}' (50) and {@code windows}', so it is chosen
 * only when forced with {@code -Dhshm.thread.model=argobots} or when it is the only thread model present.
 */
public final class ArgobotsThreadModelProvider extends AbstractThreadModelProvider {

    /**
     * Priority among thread models: 10, below the platform models ({@code pthreads} uses 50) and above the
     * built-in {@code java} fallback ({@link Integer#MIN_VALUE}).
     */
    public static final int PRIORITY = 10;

    /** Creates the provider; cheap, starts nothing. */
    public ArgobotsThreadModelProvider() {
        super(ThreadModel.ARGOBOTS, PRIORITY);
        // discovery-time constructor: the scheduler is looked at once, on the first support() call
    }

    @Override
    public Support support() {
        return ArgobotsThreadModel.Scheduler.SUPPORT;
    }

    /**
     * Creates the model.
     *
     * @throws UnsupportedOperationException with the reason if virtual threads cannot be created here
     */
    @Override
    protected ThreadModel newModel() {
        return new ArgobotsThreadModel();
    }
}
