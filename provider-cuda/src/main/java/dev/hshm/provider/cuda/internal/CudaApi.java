package dev.hshm.provider.cuda.internal;

/**
 * The CUDA runtime calls this provider makes, as plain Java: each method is one CUDA function, returns its
 * {@code cudaError_t} code ({@link #SUCCESS} or an error) and passes results back through one-element arrays,
 * as the C function does through pointers. What a result means, which call comes first, and how a failure is
 * reported ({@link CudaErrors}) is decided by the callers ({@link HostRegistration}, {@link CudaShmMmap},
 * {@link CudaThreadModelImpl}, {@link CudaProbe}), so that logic is tested with this interface mocked.
 *
 * <p>The one implementation that calls CUDA is {@link CudaNative} (through jcuda). Out-values are meaningful only
 * when the call returned {@link #SUCCESS}: CUDA leaves them undefined on error.
 */
public interface CudaApi {

    /** {@code cudaSuccess}. */
    int SUCCESS = 0;
    /** {@code cudaHostRegisterPortable}: the memory is pinned for every CUDA context of the process. */
    int HOST_REGISTER_PORTABLE = 1;
    /** {@code cudaHostRegisterMapped}: the memory is mapped into the device address space. */
    int HOST_REGISTER_MAPPED = 2;

    /**
     * {@code cudaGetDeviceCount}.
     *
     * @param count receives the number of devices
     * @return the error code
     */
    int getDeviceCount(int[] count);

    /**
     * {@code cudaDriverGetVersion}: the CUDA version the installed driver supports ({@code 1000*major +
     * 10*minor}), 0 if there is no driver.
     *
     * @param version receives the version
     * @return the error code
     */
    int driverGetVersion(int[] version);

    /**
     * {@code cudaRuntimeGetVersion}: the version of the CUDA runtime in the binding.
     *
     * @param version receives the version
     * @return the error code
     */
    int runtimeGetVersion(int[] version);

    /**
     * {@code cudaGetDevice}: the calling thread's current device.
     *
     * @param device receives the device ordinal
     * @return the error code
     */
    int getDevice(int[] device);

    /**
     * {@code cudaSetDevice}: makes {@code device} the calling thread's current device.
     *
     * @param device the device ordinal
     * @return the error code
     */
    int setDevice(int device);

    /**
     * {@code cudaHostRegister}: page-locks {@code bytes} bytes at {@code address} and registers them with CUDA.
     *
     * @param address the host address
     * @param bytes the length
     * @param flags {@link #HOST_REGISTER_PORTABLE}, {@link #HOST_REGISTER_MAPPED}, ...
     * @return the error code
     */
    int hostRegister(long address, long bytes, int flags);

    /**
     * {@code cudaHostUnregister}: unregisters the range that starts at {@code address}.
     *
     * @param address the address given to {@link #hostRegister}
     * @return the error code
     */
    int hostUnregister(long address);

    /**
     * {@code cudaHostGetDevicePointer(&dev, host, 0)}: the device address of registered, mapped host memory.
     *
     * @param hostAddress an address inside a range registered with {@link #HOST_REGISTER_MAPPED}
     * @param devicePointer receives the device address
     * @return the error code
     */
    int hostGetDevicePointer(long hostAddress, long[] devicePointer);

    /**
     * {@code cudaStreamCreate} on the calling thread's current device.
     *
     * @param stream receives the stream handle (the {@code cudaStream_t} value)
     * @return the error code
     */
    int streamCreate(long[] stream);

    /**
     * {@code cudaStreamDestroy}.
     *
     * @param stream a handle from {@link #streamCreate}
     * @return the error code
     */
    int streamDestroy(long stream);

    /**
     * {@code cudaStreamSynchronize}.
     *
     * @param stream a handle from {@link #streamCreate}
     * @return the error code
     */
    int streamSynchronize(long stream);

    /**
     * The symbolic name of an error code, e.g. {@code cudaErrorMemoryAllocation}.
     *
     * @param code the error code
     * @return the name (never {@code null})
     */
    String errorName(int code);

    /**
     * {@code cudaGetErrorString}: CUDA's description of an error code.
     *
     * @param code the error code
     * @return the description (never {@code null})
     */
    String errorString(int code);
}
