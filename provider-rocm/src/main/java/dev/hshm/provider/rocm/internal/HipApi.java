package dev.hshm.provider.rocm.internal;

/**
 * The HIP runtime calls this module makes, as Java methods: what {@link RocmShmMmap} and {@link RocmThreadModelImpl}
 * are written against. {@link HipNative} implements it with downcalls into {@code libamdhip64}; tests use a
 * mock, so the registration and clean-up logic is tested on machines without an AMD GPU.
 *
 * <p>Every method either succeeds or throws {@link dev.hshm.api.NativeException} naming the C function, the
 * {@code hipError_t} code, its name as the runtime spells it ({@code hipErrorNoDevice}) and advice. Addresses
 * and handles are plain {@code long}s: the implementation turns them into pointers. Implementations are safe
 * for use by many threads (the HIP runtime is).
 */
public interface HipApi {

    /** {@code hipHostRegisterPortable} (0x1): the registration is seen by every device, not only the current one. */
    int HOST_REGISTER_PORTABLE = 0x1;
    /** {@code hipHostRegisterMapped} (0x2): map the range into the device's address space ({@code hipHostGetDevicePointer}). */
    int HOST_REGISTER_MAPPED = 0x2;

    /**
     * {@code hipGetDeviceCount}.
     *
     * @return the number of devices, {@code >= 1}
     * @throws dev.hshm.api.NativeException {@code hipErrorNoDevice} (100) when there is none
     */
    int deviceCount();

    /**
     * {@code hipGetDevice}: the calling OS thread's current device.
     *
     * @return the device ordinal
     */
    int getDevice();

    /**
     * {@code hipSetDevice}: makes {@code device} the calling OS thread's current device.
     *
     * @param device the device ordinal
     */
    void setDevice(int device);

    /**
     * {@code hipHostRegister(address, bytes, flags)}: pins a host range and, with
     * {@link #HOST_REGISTER_MAPPED}, maps it for the GPU.
     *
     * @param address the start of the range
     * @param bytes its length
     * @param flags {@code hipHostRegister*} flags
     */
    void hostRegister(long address, long bytes, int flags);

    /**
     * {@code hipHostUnregister(address)}.
     *
     * @param address the start of a range registered by {@link #hostRegister}
     */
    void hostUnregister(long address);

    /**
     * {@code hipHostGetDevicePointer(&devicePointer, address, 0)}: the device address of a registered, mapped
     * host address.
     *
     * @param address a host address inside a range registered with {@link #HOST_REGISTER_MAPPED}
     * @return the device address, never 0
     */
    long hostGetDevicePointer(long address);

    /**
     * {@code hipStreamCreate}: a stream on the calling thread's current device.
     *
     * @return the {@code hipStream_t} handle, never 0
     */
    long streamCreate();

    /**
     * {@code hipStreamDestroy}.
     *
     * @param stream a handle from {@link #streamCreate}
     */
    void streamDestroy(long stream);

    /**
     * {@code hipRuntimeGetVersion}.
     *
     * @return the version as HIP encodes it: {@code major * 10_000_000 + minor * 100_000 + patch}
     */
    int runtimeVersion();

    /**
     * {@code hipGetErrorName(code)}.
     *
     * @param code a {@code hipError_t}
     * @return its name, e.g. {@code hipErrorNoDevice}
     */
    String errorName(int code);
}
