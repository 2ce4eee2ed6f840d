/**
 * The {@code argobots} thread model: Argobots' user-level threads, execution streams and keys mapped onto JVM
 * virtual threads, their carrier threads and {@link java.lang.ThreadLocal}. libabt itself is not used (there
 * is no JVM binding); see {@link dev.hshm.provider.argobots.ArgobotsThreadModel} and {@code docs/argobots.md}.
 *
 * <p>Select it with {@code -Dhshm.thread.model=argobots}; it is also chosen when it is the only thread model
 * present. Use {@link dev.hshm.provider.argobots.ArgobotsThreadModel#spawn} to start ULTs and
 * {@link dev.hshm.provider.argobots.ArgobotsThreadModel#executionStreams()} to read the number of execution
 * streams.
 */
package dev.hshm.provider.argobots;
