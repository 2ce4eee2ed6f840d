package dev.hshm.provider.cuda.internal;

import dev.hshm.api.NativeException;
import dev.hshm.provider.cuda.CudaThreadModel;

/**
 * Turns a failed CUDA call into a {@link NativeException}: the function, the {@code cudaError_t} code, its
 * symbolic name, CUDA's own description, what the call was for, and advice for the errors users meet. This is
 * the one place where CUDA codes are translated; callers only say which call failed and on what.
 */
public final class CudaErrors {

    /** {@code cudaErrorInvalidValue}. */
    public static final int INVALID_VALUE = 1;
    /** {@code cudaErrorMemoryAllocation}. */
    public static final int MEMORY_ALLOCATION = 2;
    /** {@code cudaErrorCudartUnloading}. */
    public static final int CUDART_UNLOADING = 4;
    /** {@code cudaErrorInsufficientDriver}: also what the runtime answers when {@code libcuda.so.1} is missing. */
    public static final int INSUFFICIENT_DRIVER = 35;
    /** {@code cudaErrorNoDevice}. */
    public static final int NO_DEVICE = 100;
    /** {@code cudaErrorInvalidDevice}. */
    public static final int INVALID_DEVICE = 101;
    /** {@code cudaErrorOperatingSystem}. */
    public static final int OPERATING_SYSTEM = 304;
    /** {@code cudaErrorHostMemoryAlreadyRegistered}. */
    public static final int HOST_MEMORY_ALREADY_REGISTERED = 712;
    /** {@code cudaErrorHostMemoryNotRegistered}. */
    public static final int HOST_MEMORY_NOT_REGISTERED = 713;
    /** {@code cudaErrorNotPermitted}. */
    public static final int NOT_PERMITTED = 800;
    /** {@code cudaErrorNotSupported}. */
    public static final int NOT_SUPPORTED = 801;
    /** {@code cudaErrorSystemDriverMismatch}. */
    public static final int SYSTEM_DRIVER_MISMATCH = 803;

    private CudaErrors() {
    }

    /**
     * Throws if {@code code} is not {@link CudaApi#SUCCESS}.
     *
     * @param api the binding (for the error's name and description)
     * @param function the CUDA function that was called, e.g. {@code cudaHostRegister}
     * @param code what it returned
     * @param what what the call was for, with the values involved ({@code key=value})
     * @throws NativeException describing the failure
     */
    public static void check(CudaApi api, String function, int code, String what) {
        if (code != CudaApi.SUCCESS) {
            throw failure(api, function, code, what);
        }
    }

    /**
     * The exception for a failed call.
     *
     * @param api the binding
     * @param function the CUDA function
     * @param code the error code (not success)
     * @param what what the call was for
     * @return the exception, not thrown
     */
    public static NativeException failure(CudaApi api, String function, int code, String what) {
        String advice = advice(function, code);
        return new NativeException(function, code, name(api, code), what + ": " + description(api, code)
                + (advice.isEmpty() ? "" : "; " + advice));
    }

    /**
     * The symbolic name of a code, falling back to {@code cudaError(N)} if the binding cannot say.
     *
     * @param api the binding
     * @param code the code
     * @return the name
     */
    public static String name(CudaApi api, int code) {
        try {
            String n = api.errorName(code);
            if (n != null && !n.isBlank() && !n.startsWith("INVALID")) {
                return n;
            }
        } catch (RuntimeException | LinkageError e) {
            // the name is a courtesy: fall through to the number
        }
        return "cudaError(" + code + ")";
    }

    private static String description(CudaApi api, int code) {
        try {
            String s = api.errorString(code);
            if (s != null && !s.isBlank()) {
                return s;
            }
        } catch (RuntimeException | LinkageError e) {
            // as for the name
        }
        return "no description";
    }

    /**
     * What to do about an error, for the ones users meet; empty if there is nothing useful to say.
     *
     * @param function the CUDA function that failed
     * @param code its error code
     * @return the advice, or {@code ""}
     */
    static String advice(String function, int code) {
        return switch (code) {
            case MEMORY_ALLOCATION -> function.equals("cudaHostRegister")
                    ? "page-locking needs the whole range in physical memory and within the locked-memory limit"
                      + " (ulimit -l / RLIMIT_MEMLOCK, or the container's memlock limit): raise the limit or use a"
                      + " smaller backend"
                    : "the device or host is out of memory";
            case HOST_MEMORY_ALREADY_REGISTERED -> "this process registered that range already: attach a"
                    + " cuda_shm_mmap backend once per process (the same MemoryBackend can be shared by all threads)";
            case HOST_MEMORY_NOT_REGISTERED -> "the range is not registered in this process (unregistered twice,"
                    + " or registered by another process: registrations are per process)";
            case INVALID_VALUE -> function.startsWith("cudaHost")
                    ? "CUDA rejected the address, length or flags (a range that is not mapped in this process?)"
                    : "";
            case NOT_SUPPORTED -> function.startsWith("cudaHost")
                    ? "this device or platform cannot register or map host memory (check that the GPU supports"
                      + " mapped pinned memory, canMapHostMemory, and that the memory is a regular shared mapping)"
                    : "";
            case NOT_PERMITTED -> "the operation is not permitted in this context (inside stream capture, say)";
            case INSUFFICIENT_DRIVER -> "no NVIDIA driver that supports the CUDA 12.0 runtime in jcuda 12.0.0 was"
                    + " found (libcuda.so.1 missing or older than CUDA 12.0): install or update the NVIDIA driver";
            case SYSTEM_DRIVER_MISMATCH -> "the kernel module and the user-space driver (libcuda.so.1) have"
                    + " different versions: reboot or reinstall the driver";
            case NO_DEVICE -> "no CUDA-capable device is visible: check nvidia-smi and CUDA_VISIBLE_DEVICES";
            case INVALID_DEVICE -> "the device ordinal is out of range: check -D" + CudaThreadModel.DEVICE_PROPERTY
                    + " and CUDA_VISIBLE_DEVICES";
            case CUDART_UNLOADING -> "the CUDA runtime is shutting down (the JVM is exiting); the driver frees"
                    + " everything with the process";
            case OPERATING_SYSTEM -> "an OS call inside CUDA failed (for cudaHostRegister: the pages could not be"
                    + " pinned; check ulimit -l and that the mapping is still there)";
            default -> "";
        };
    }
}
