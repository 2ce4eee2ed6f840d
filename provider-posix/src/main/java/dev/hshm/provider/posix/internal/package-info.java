/**
 * The native layer of the POSIX provider: {@link dev.hshm.provider.posix.internal.PosixNative} (every downcall,
 * error translation and advice), {@link dev.hshm.provider.posix.internal.PosixErrors} (errno names per OS) and
 * {@link dev.hshm.provider.posix.internal.DevShm} (what Linux shows of shared memory under {@code /dev/shm}).
 */
package dev.hshm.provider.posix.internal;
