package dev.hshm.provider.cuda.internal;

import dev.hshm.api.spi.NativeAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * The cheap first check: can the NVIDIA driver library {@code libcuda.so.1} be opened at all? It is opened
 * with the dynamic linker's own search ({@code dlopen} through {@link SymbolLookup#libraryLookup(String, Arena)}
 * — {@code LD_LIBRARY_PATH}, the {@code ld.so} cache, the default directories), exactly as the CUDA runtime
 * inside jcuda will open it, and closed again. No jcuda class is touched, so {@code hshm info} on a machine
 * without a driver stays fast and never meets a linkage error.
 */
public final class DriverLibrary {

    /** The driver library's name, as the CUDA runtime opens it. */
    public static final String NAME = "libcuda.so.1";

    private DriverLibrary() {
    }

    /**
     * Tries to open the driver library.
     *
     * @return {@code null} if it opened; otherwise why not
     */
    @SuppressWarnings("restricted")
    public static String problem() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib = SymbolLookup.libraryLookup(NAME, arena);
            if (lib.find("cuInit").isEmpty()) {
                return NAME + " was opened but has no cuInit symbol: not an NVIDIA driver library";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return NAME + " not found (no NVIDIA driver): " + e.getMessage();
        } catch (IllegalCallerException e) {
            return NativeAccess.denied(nativeAccessNames(), e.getMessage());
        }
    }

    /**
     * What {@code --enable-native-access} must name for this provider to work in this JVM.
     *
     * @return {@code dev.hshm.provider.cuda,jcuda} on the module path (plus the api and POSIX modules), or
     *         {@code ALL-UNNAMED}
     */
    public static String nativeAccessNames() {
        Module m = DriverLibrary.class.getModule();
        return m.isNamed() ? "dev.hshm.api,dev.hshm.provider.posix," + m.getName() + ",jcuda" : "ALL-UNNAMED";
    }
}
