package dev.hshm.provider.cuda;

import dev.hshm.api.ThreadModel;

/**
 * The {@value ThreadModel#CUDA} thread model: JVM threads that drive CUDA devices. Besides the
 * {@link ThreadModel} operations (JVM thread-local storage, ids unique across processes, {@code yield} and
 * {@code sleepForUs} as any JVM thread), each thread has a <em>device</em> and a <em>stream</em> of its own,
 * created on first use and kept in thread-local storage:
 * <ul>
 *   <li>{@link #device()} selects the thread's device ({@code cudaSetDevice}) the first time: the one given by
 *       {@code -Dhshm.cuda.device} (default 0), or by {@link #useDevice(int)};</li>
 *   <li>{@link #stream()} creates the thread's stream ({@code cudaStreamCreate}) the first time;</li>
 *   <li>{@link #release()} destroys it ({@code cudaStreamDestroy}). A thread that ends without calling it
 *       has its stream destroyed later by a {@link java.lang.ref.Cleaner} (a backstop, not a promise of
 *       timeliness).</li>
 * </ul>
 * The model is chosen only when forced ({@code -Dhshm.thread.model=cuda}) or when no other model is
 * supported: its priority (20) is below {@code pthreads} (50). Reach it with
 * {@code (CudaThreadModel) ThreadModel.current()}.
 */
public interface CudaThreadModel extends ThreadModel {

    /** The system property that names the device a thread uses unless it calls {@link #useDevice(int)}. */
    String DEVICE_PROPERTY = "hshm.cuda.device";

    /**
     * The number of CUDA devices this process sees.
     *
     * @return {@code >= 1} (the model is unsupported without a device)
     */
    int deviceCount();

    /**
     * The calling thread's device, selecting it with {@code cudaSetDevice} on first use.
     *
     * @return the device ordinal
     * @throws dev.hshm.api.NativeException if {@code cudaSetDevice} fails
     */
    int device();

    /**
     * Makes the calling thread use {@code device}; a stream it had on another device is destroyed first.
     *
     * @param device a device ordinal, {@code 0 <= device < deviceCount()}
     * @throws IllegalArgumentException naming the device and the device count if out of range
     * @throws dev.hshm.api.NativeException if {@code cudaSetDevice} fails
     */
    void useDevice(int device);

    /**
     * The calling thread's stream, created with {@code cudaStreamCreate} on its device on first use: the raw
     * {@code cudaStream_t} value, for FFM downcalls or other bindings.
     *
     * @return the stream handle, never 0
     * @throws dev.hshm.api.NativeException if the stream cannot be created
     */
    long stream();

    /**
     * Waits until all work queued on the calling thread's stream has finished ({@code cudaStreamSynchronize}).
     * Does nothing if the thread has no stream yet.
     *
     * @throws dev.hshm.api.NativeException if the stream reports an error (a kernel that faulted, say)
     */
    void synchronize();

    /**
     * Destroys the calling thread's stream now, if it has one; the next {@link #stream()} creates a new one.
     *
     * @throws dev.hshm.api.NativeException if {@code cudaStreamDestroy} fails (the stream is forgotten anyway)
     */
    void release();
}
