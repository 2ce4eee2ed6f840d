package dev.hshm.provider.cuda.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.JCudaVersion;
import jcuda.LibUtils;
import jcuda.Pointer;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;
import jcuda.runtime.cudaStream_t;

/**
 * {@link CudaApi} through jcuda 12.0.0: the only class of this provider that calls jcuda. Each method is one
 * {@code jcuda.runtime.JCuda} call, returning its {@code cudaError_t} code (jcuda's exceptions must stay
 * disabled, which is jcuda's default).
 *
 * <p><b>Pointers.</b> jcuda hands a {@link Pointer} to its JNI code, which reads the pointer's
 * {@code nativePointer + byteOffset}. A pointer to a raw address is made with {@code Pointer}'s protected
 * {@code Pointer(long)} constructor, through the subclass {@link Address}. ({@code Pointer.to(ByteBuffer)} of
 * a direct buffer is not used: jcuda's {@code cudaHostGetDevicePointer} reads only {@code nativePointer}, which
 * is 0 for buffer pointers, and a {@code ByteBuffer} cannot span more than 2 GiB.)
 *
 * <p><b>Streams.</b> jcuda represents a stream by a {@link cudaStream_t} object whose native value only JNI
 * sets; this class keeps the objects it created by their value (the handle the rest of the provider sees), and
 * reads the value through the subclass {@link Stream}.
 *
 * <p><b>Native library.</b> {@code libJCudaRuntime-12.0.0-linux-x86_64.so} links the CUDA runtime statically: it
 * loads on a machine without a driver, and its calls then return {@code cudaErrorInsufficientDriver}; only
 * {@code libcuda.so.1} (the driver) is needed for real work. jcuda extracts the library from
 * {@code jcuda-natives-12.0.0-linux-x86_64.jar} into {@code java.io.tmpdir} and loads it from there. On the
 * module path jcuda is a named (automatic) module, and a named module's {@code Class.getResourceAsStream} only
 * searches that module, so jcuda cannot see the natives jar; {@link #prepareNatives(String)} then does the
 * extraction jcuda would do (same file name, same directory) before jcuda is touched.
 */
public final class CudaNative implements CudaApi {

    /** {@code cudaErrorInvalidResourceHandle}: what CUDA answers for a stream it does not know. */
    static final int INVALID_RESOURCE_HANDLE = 400;

    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();

    private CudaNative() {
    }

    /**
     * Loads jcuda's runtime binding ({@code libJCudaRuntime}), preparing its native library on the module path.
     *
     * @return the binding
     * @throws LinkageError if jcuda or its native library cannot be loaded ({@code NoClassDefFoundError},
     *         {@code UnsatisfiedLinkError}, {@code ExceptionInInitializerError})
     * @throws IllegalCallerException if native access is denied to jcuda
     */
    public static CudaNative load() {
        prepareNatives("JCudaRuntime");
        int[] v = {0};
        JCuda.cudaRuntimeGetVersion(v); // runs JCuda's static initializer, which loads the library
        if (JCuda.cudaHostRegisterPortable != HOST_REGISTER_PORTABLE || JCuda.cudaHostRegisterMapped != HOST_REGISTER_MAPPED) {
            throw new IllegalStateException("jcuda's cudaHostRegister flags differ from CUDA's: Portable="
                    + JCuda.cudaHostRegisterPortable + ", Mapped=" + JCuda.cudaHostRegisterMapped);
        }
        return new CudaNative();
    }

    /**
     * On the module path, extracts jcuda's native library {@code base} (e.g. {@code "JCudaRuntime"},
     * {@code "JCudaDriver"}) to where jcuda will look for it, if it is not there yet; on the class path and in
     * OSGi does nothing (jcuda finds its resources itself there).
     *
     * @param base the library's base name, without version, platform, prefix or suffix
     * @return the file jcuda will load, or {@code null} if nothing was prepared
     */
    public static Path prepareNatives(String base) {
        if (!LibUtils.class.getModule().isNamed()) {
            return null;
        }
        String file = LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName(base + "-" + JCudaVersion.get()));
        Path target = Path.of(System.getProperty("java.io.tmpdir"), file);
        if (Files.exists(target)) {
            return target; // jcuda loads an existing file as it is, as it does on the class path
        }
        ClassLoader loader = CudaNative.class.getClassLoader();
        try (InputStream in = loader == null ? null : loader.getResourceAsStream("lib/" + file)) {
            if (in == null) {
                return null; // jcuda will report that it found no library
            }
            Path tmp = Files.createTempFile(target.getParent(), file, ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                // another JVM extracted it at the same moment: use theirs
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("cannot extract jcuda's " + file + " to " + target.getParent() + ": " + e);
        }
    }

    @Override
    public int getDeviceCount(int[] count) {
        return JCuda.cudaGetDeviceCount(count);
    }

    @Override
    public int driverGetVersion(int[] version) {
        return JCuda.cudaDriverGetVersion(version);
    }

    @Override
    public int runtimeGetVersion(int[] version) {
        return JCuda.cudaRuntimeGetVersion(version);
    }

    @Override
    public int getDevice(int[] device) {
        return JCuda.cudaGetDevice(device);
    }

    @Override
    public int setDevice(int device) {
        return JCuda.cudaSetDevice(device);
    }

    @Override
    public int hostRegister(long address, long bytes, int flags) {
        return JCuda.cudaHostRegister(new Address(address), bytes, flags);
    }

    @Override
    public int hostUnregister(long address) {
        return JCuda.cudaHostUnregister(new Address(address));
    }

    @Override
    public int hostGetDevicePointer(long hostAddress, long[] devicePointer) {
        Address out = new Address(0);
        int rc = JCuda.cudaHostGetDevicePointer(out, new Address(hostAddress), 0);
        if (rc == SUCCESS) {
            devicePointer[0] = out.value();
        }
        return rc;
    }

    @Override
    public int streamCreate(long[] stream) {
        Stream s = new Stream();
        int rc = JCuda.cudaStreamCreate(s);
        if (rc == SUCCESS) {
            stream[0] = s.value();
            streams.put(s.value(), s);
        }
        return rc;
    }

    @Override
    public int streamDestroy(long stream) {
        Stream s = streams.remove(stream);
        return s == null ? INVALID_RESOURCE_HANDLE : JCuda.cudaStreamDestroy(s);
    }

    @Override
    public int streamSynchronize(long stream) {
        Stream s = streams.get(stream);
        return s == null ? INVALID_RESOURCE_HANDLE : JCuda.cudaStreamSynchronize(s);
    }

    @Override
    public String errorName(int code) {
        return cudaError.stringFor(code);
    }

    @Override
    public String errorString(int code) {
        return JCuda.cudaGetErrorString(code);
    }

    /**
     * The jcuda object of a stream this binding created, for code that launches kernels through jcuda's driver
     * API ({@code new CUstream(jcudaStream(handle))}).
     *
     * @param handle a handle from {@link #streamCreate}
     * @return the stream object
     * @throws IllegalArgumentException if this binding did not create it or it was destroyed
     */
    public cudaStream_t jcudaStream(long handle) {
        Stream s = streams.get(handle);
        if (s == null) {
            throw new IllegalArgumentException("no live stream with handle 0x" + Long.toHexString(handle));
        }
        return s;
    }

    /** A jcuda pointer to a raw address (through the protected constructor meant for subclasses). */
    static final class Address extends Pointer {
        Address(long address) {
            super(address);
        }

        long value() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** A jcuda stream whose native value can be read. */
    static final class Stream extends cudaStream_t {
        long value() {
            return getNativePointer();
        }
    }
}
