/**
 * The native layer of the POSIX provider, on the floor plan every provider module has:
 * {@link dev.hshm.provider.posix.internal.PosixNative} (the one binding class: every downcall and its
 * translation into {@code NativeException}), {@link dev.hshm.provider.posix.internal.PosixApi} (the calls the
 * backends make, as an interface tests mock), {@link dev.hshm.provider.posix.internal.PosixErrors} (errno names
 * per OS, and the advice a failed call carries) and {@link dev.hshm.provider.posix.internal.DevShm} (what Linux
 * shows of shared memory under {@code /dev/shm}).
 */
package dev.hshm.provider.posix.internal;
