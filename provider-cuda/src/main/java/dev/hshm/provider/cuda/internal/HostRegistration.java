package dev.hshm.provider.cuda.internal;

import dev.hshm.api.StateException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One process's registration of one host range with CUDA: {@code cudaHostRegister(range, Portable|Mapped)},
 * then {@code cudaHostGetDevicePointer} for the device address of its first byte. {@link #unregister()} undoes
 * it, once.
 *
 * <p>Registrations belong to the process that made them: every process that maps a shared backend registers
 * its own mapping (its own virtual addresses), and must unregister it before unmapping.
 *
 * <p><b>Portable</b> pins the pages for every CUDA context of the process, so any device may use them;
 * <b>Mapped</b> maps them into the device address space, which is what gives kernels a pointer. With unified
 * virtual addressing (all 64-bit Linux platforms CUDA 12 supports) the device pointer equals the host address;
 * this class still asks {@code cudaHostGetDevicePointer} and keeps its answer.
 */
public final class HostRegistration {

    /** The flags every registration uses. */
    public static final int FLAGS = CudaApi.HOST_REGISTER_PORTABLE | CudaApi.HOST_REGISTER_MAPPED;

    private final CudaApi api;
    private final long address;
    private final long bytes;
    private final int device;
    private final long devicePointer;
    private final String what;
    private final AtomicBoolean registered = new AtomicBoolean(true);

    private HostRegistration(CudaApi api, long address, long bytes, int device, long devicePointer, String what) {
        this.api = api;
        this.address = address;
        this.bytes = bytes;
        this.device = device;
        this.devicePointer = devicePointer;
        this.what = what;
    }

    /**
     * Registers {@code range} and looks up its device address. If the device pointer cannot be had, the range is
     * unregistered again before the failure is thrown (an unregister failure is added to it as suppressed).
     *
     * @param api the binding
     * @param address the first byte of host memory mapped in this process for as long as the registration lives
     * @param bytes the length of the range
     * @param what the memory's name for messages (the backend's url)
     * @return the registration
     * @throws dev.hshm.api.NativeException naming the call that failed, the range and advice
     */
    public static HostRegistration register(CudaApi api, long address, long bytes, String what) {
        String where = what + ": address=0x" + Long.toHexString(address) + ", bytes=" + bytes;
        int[] dev = {-1};
        CudaErrors.check(api, "cudaGetDevice", api.getDevice(dev), "current device of the registering thread ("
                + where + ")");
        CudaErrors.check(api, "cudaHostRegister", api.hostRegister(address, bytes, FLAGS),
                "registering shared memory with CUDA (" + where + ", flags=Portable|Mapped, device=" + dev[0] + ")");
        try {
            long[] out = {0};
            CudaErrors.check(api, "cudaHostGetDevicePointer", api.hostGetDevicePointer(address, out),
                    "device address of registered shared memory (" + where + ", device=" + dev[0] + ")");
            if (out[0] == 0) {
                throw new StateException("cudaHostGetDevicePointer returned NULL for " + where
                        + " although it reported success");
            }
            return new HostRegistration(api, address, bytes, dev[0], out[0], what);
        } catch (RuntimeException | Error e) {
            int rc = api.hostUnregister(address);
            if (rc != CudaApi.SUCCESS) {
                e.addSuppressed(CudaErrors.failure(api, "cudaHostUnregister", rc,
                        "undoing the registration after the failure (" + where + ")"));
            }
            throw e;
        }
    }

    /**
     * The device address of the range's first byte.
     *
     * @return the device pointer
     */
    public long devicePointer() {
        return devicePointer;
    }

    /**
     * The host address of the range's first byte.
     *
     * @return the address
     */
    public long address() {
        return address;
    }

    /**
     * The range's length.
     *
     * @return bytes
     */
    public long bytes() {
        return bytes;
    }

    /**
     * The device that was current on the registering thread.
     *
     * @return the device ordinal
     */
    public int device() {
        return device;
    }

    /**
     * Tells whether {@link #unregister()} has not run yet.
     *
     * @return {@code true} while registered
     */
    public boolean isRegistered() {
        return registered.get();
    }

    /**
     * {@code cudaHostUnregister}, once; later calls do nothing. The range must still be mapped.
     *
     * @throws dev.hshm.api.NativeException if CUDA refuses (the registration is considered gone anyway)
     */
    public void unregister() {
        if (registered.compareAndSet(true, false)) {
            CudaErrors.check(api, "cudaHostUnregister", api.hostUnregister(address), "unregistering shared memory ("
                    + what + ": address=0x" + Long.toHexString(address) + ", bytes=" + bytes + ")");
        }
    }

    @Override
    public String toString() {
        return "HostRegistration[" + what + ", host=0x" + Long.toHexString(address) + ", device=0x"
                + Long.toHexString(devicePointer) + ", bytes=" + bytes + ", device=" + device
                + (isRegistered() ? "" : ", unregistered") + "]";
    }
}
