/**
 * hshm-java's testkit, for the tests of providers (ours and third parties'): the contracts every backend,
 * allocator and provider must meet ({@link dev.hshm.testkit.MemoryBackendContract},
 * {@link dev.hshm.testkit.AllocatorContract}, {@link dev.hshm.testkit.ProviderContract}), unique names for
 * shared-memory objects ({@link dev.hshm.testkit.ShmTestNames}) and the one launcher of child JVMs
 * ({@link dev.hshm.testkit.ChildJvm}), which the demo and the benchmarks use too.
 *
 * <p>An open module, so that JUnit reaches the contracts' test methods without {@code --add-opens}. JUnit is
 * required only by the contracts ({@code static}): the launcher runs without it.
 */
open module dev.hshm.testkit {
    requires transitive dev.hshm.api;
    requires static org.junit.jupiter.api;

    exports dev.hshm.testkit;
}
