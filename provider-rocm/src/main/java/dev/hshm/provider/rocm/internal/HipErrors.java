package dev.hshm.provider.rocm.internal;

import dev.hshm.api.Units;

/**
 * The {@code hipError_t} codes this module gives advice for (values from HIP's {@code hip_runtime_api.h}), and
 * the advice. The names in exceptions come from the runtime itself ({@code hipGetErrorName}); these constants
 * only pick the advice.
 */
final class HipErrors {

    /** {@code hipSuccess}. */
    static final int SUCCESS = 0;
    /** {@code hipErrorInvalidValue}. */
    static final int INVALID_VALUE = 1;
    /** {@code hipErrorOutOfMemory}. */
    static final int OUT_OF_MEMORY = 2;
    /** {@code hipErrorNotInitialized}. */
    static final int NOT_INITIALIZED = 3;
    /** {@code hipErrorInsufficientDriver}. */
    static final int INSUFFICIENT_DRIVER = 35;
    /** {@code hipErrorNoDevice}. */
    static final int NO_DEVICE = 100;
    /** {@code hipErrorInvalidDevice}. */
    static final int INVALID_DEVICE = 101;
    /** {@code hipErrorHostMemoryAlreadyRegistered}. */
    static final int HOST_MEMORY_ALREADY_REGISTERED = 712;
    /** {@code hipErrorHostMemoryNotRegistered}. */
    static final int HOST_MEMORY_NOT_REGISTERED = 713;
    /** {@code hipErrorNotSupported}. */
    static final int NOT_SUPPORTED = 801;

    /** What to check when the runtime sees no device. */
    static final String NO_DEVICE_ADVICE = "check that the amdgpu kernel driver is loaded (/dev/kfd exists), that this"
            + " user may open /dev/kfd and /dev/dri/renderD* (groups 'video' and 'render'), and that HIP_VISIBLE_DEVICES"
            + " or ROCR_VISIBLE_DEVICES do not hide every device";

    private HipErrors() {
    }

    /**
     * Advice for a failed call.
     *
     * @param function the C function
     * @param code the {@code hipError_t}
     * @param bytes the size involved (for {@code hipHostRegister}), or 0
     * @return the advice, or an empty string
     */
    static String advice(String function, int code, long bytes) {
        return switch (code) {
            case NO_DEVICE -> "no AMD GPU is visible to this process: " + NO_DEVICE_ADVICE;
            case INVALID_DEVICE -> "no such device: the ordinal is out of range, or there is no device at all"
                    + " (hipGetDeviceCount says how many there are; -Dhshm.rocm.device picks the rocm thread model's"
                    + " default)";
            case OUT_OF_MEMORY -> function.equals("hipHostRegister")
                    ? "could not pin " + Units.format(bytes) + " of host memory: raise the locked-memory limit ('ulimit -l',"
                            + " memlock in /etc/security/limits.conf) or use a smaller backend"
                    : "the device is out of memory or resources";
            case HOST_MEMORY_ALREADY_REGISTERED -> "this range, or part of it, is registered with HIP already in this"
                    + " process: a mapping is registered once, by the backend view that mapped it";
            case HOST_MEMORY_NOT_REGISTERED -> "this address is not registered with HIP in this process (unregistered"
                    + " twice?)";
            case NOT_SUPPORTED -> "this device or driver cannot map host memory into the GPU's address space";
            case INSUFFICIENT_DRIVER -> "the amdgpu kernel driver is older than this HIP runtime needs: update the"
                    + " driver, or use the libamdhip64 that matches it (-Dhshm.rocm.library)";
            case NOT_INITIALIZED -> "the HIP runtime failed to initialize (AMD_LOG_LEVEL=4 makes it say why)";
            case INVALID_VALUE -> "the runtime rejected an argument of the call above";
            default -> "";
        };
    }
}
