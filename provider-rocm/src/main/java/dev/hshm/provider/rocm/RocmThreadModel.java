package dev.hshm.provider.rocm;

import dev.hshm.api.ThreadModel;

/**
 * The {@value ThreadModel#ROCM} thread model: host threads that drive AMD GPUs. Besides the {@link ThreadModel}
 * operations (TLS, ids, sleep, yield, which behave as for JVM platform threads), each platform thread that
 * drives a GPU has its own HIP device and stream, made on first use:
 * <ul>
 *   <li>{@link #device()}: the thread's HIP device; on first use the default device ({@code -Dhshm.rocm.device},
 *       0 unless set) is made current on the thread ({@code hipSetDevice});</li>
 *   <li>{@link #stream()}: the thread's stream on that device ({@code hipStreamCreate} on first use);</li>
 *   <li>{@link #releaseThread()}: destroys the thread's stream now. A thread that ends without calling it has
 *       its stream destroyed later, when the garbage collector finds its state unreachable (a
 *       {@link java.lang.ref.Cleaner} backstop); call it yourself to release the stream at a known time.</li>
 * </ul>
 * HIP keeps the current device per OS thread, and a virtual thread can move from one carrier thread to another,
 * so the device and stream operations refuse virtual threads ({@link dev.hshm.api.StateException}); the plain
 * {@link ThreadModel} operations work on any thread.
 *
 * <p>Obtain it with {@code (RocmThreadModel) ThreadModel.current()} when the process runs with
 * {@code -Dhshm.thread.model=rocm}.
 */
public interface RocmThreadModel extends ThreadModel {

    /**
     * The calling thread's HIP device, made current on the thread the first time.
     *
     * @return the device ordinal
     * @throws dev.hshm.api.StateException on a virtual thread
     * @throws dev.hshm.api.NativeException if {@code hipSetDevice} fails
     */
    int device();

    /**
     * Makes {@code device} the calling thread's HIP device ({@code hipSetDevice}). If the thread had a stream on
     * another device, that stream is destroyed; the next {@link #stream()} makes one on the new device.
     *
     * @param device a device ordinal, {@code >= 0}
     * @throws dev.hshm.api.StateException on a virtual thread
     * @throws dev.hshm.api.NativeException if a HIP call fails ({@code hipErrorInvalidDevice}: no such device)
     */
    void setDevice(int device);

    /**
     * The calling thread's stream on its {@linkplain #device() device}, created the first time.
     *
     * @return the {@code hipStream_t} handle, never 0
     * @throws dev.hshm.api.StateException on a virtual thread
     * @throws dev.hshm.api.NativeException if a HIP call fails
     */
    long stream();

    /**
     * Destroys the calling thread's stream now ({@code hipStreamDestroy}) and forgets its state; the next
     * {@link #device()} or {@link #stream()} starts afresh. Does nothing if the thread has no state. HIP's
     * current device of the OS thread is left as it is.
     *
     * @throws dev.hshm.api.NativeException if {@code hipStreamDestroy} fails (the state is forgotten anyway)
     */
    void releaseThread();
}
