package dev.hshm.provider.cuda.internal;

import dev.hshm.api.spi.NativeAccess;
import dev.hshm.api.spi.Support;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Whether CUDA can be used in this process, decided once, and the binding if it can. The checks run in order
 * of cost and stop at the first that fails, so the reason names the first missing piece:
 * <ol>
 *   <li>Linux on x86_64 (the jcuda natives this provider ships are {@code linux-x86_64});</li>
 *   <li>{@code libcuda.so.1} opens ({@link DriverLibrary}; no jcuda class is touched before this);</li>
 *   <li>jcuda's classes are visible and its native library loads ({@link CudaNative#load()});</li>
 *   <li>{@code cudaGetDeviceCount} succeeds and finds at least one device.</li>
 * </ol>
 * Nothing here throws: linkage errors, denied native access and CUDA errors all become the unsupported
 * {@link Support}'s reason. {@link #probe(Environment)} is the same logic over an {@link Environment}, so tests
 * can supply each outcome.
 */
public final class CudaProbe {

    /**
     * The outcome of the probe.
     *
     * @param support supported, or why not
     * @param api the binding when supported, else {@code null}
     * @param deviceCount devices found (0 when unsupported)
     */
    public record State(Support support, CudaApi api, int deviceCount) {
    }

    /** What the probe asks of the machine; {@link #SYSTEM} asks the real one. */
    public interface Environment {

        /**
         * The OS name ({@code os.name}).
         *
         * @return e.g. {@code Linux}
         */
        String osName();

        /**
         * The CPU architecture ({@code os.arch}).
         *
         * @return e.g. {@code amd64}
         */
        String osArch();

        /**
         * Whether the driver library opens.
         *
         * @return {@code null} if it does, else why not
         */
        String driverLibraryProblem();

        /**
         * Loads the binding; may throw anything a missing class or library throws.
         *
         * @return the binding
         */
        CudaApi loadBinding();
    }

    /** The real machine. */
    public static final Environment SYSTEM = new Environment() {
        @Override
        public String osName() {
            return System.getProperty("os.name", "?");
        }

        @Override
        public String osArch() {
            return System.getProperty("os.arch", "?");
        }

        @Override
        public String driverLibraryProblem() {
            return DriverLibrary.problem();
        }

        @Override
        public CudaApi loadBinding() {
            return CudaNative.load();
        }
    };

    private CudaProbe() {
    }

    private static final class Holder {
        static final State STATE = probe(SYSTEM);
    }

    /**
     * This process's state, probed on first use.
     *
     * @return the state
     */
    public static State state() {
        return Holder.STATE;
    }

    /**
     * Whether CUDA can be used here, and why not.
     *
     * @return the support
     */
    public static Support support() {
        return Holder.STATE.support();
    }

    /**
     * The binding.
     *
     * @param what what the caller wants to do, for the message ({@code "backend kind 'cuda_shm_mmap'"})
     * @return the binding
     * @throws UnsupportedOperationException naming the reason if CUDA is not usable here
     */
    public static CudaApi api(String what) {
        State s = Holder.STATE;
        if (!s.support().supported()) {
            throw new UnsupportedOperationException(what + " is not supported here: " + s.support().reason());
        }
        return s.api();
    }

    /**
     * Runs the checks against {@code env}. Never throws (except for {@link VirtualMachineError}s other than
     * stack overflow, which are not ours to hide).
     *
     * @param env the machine
     * @return the state
     */
    public static State probe(Environment env) {
        try {
            return doProbe(env);
        } catch (Throwable t) {
            NativeAccess.rethrowIfFatal(t);
            return new State(Support.no("CUDA probe failed: " + summarize(t)), null, 0);
        }
    }

    private static State doProbe(Environment env) {
        String os = env.osName();
        String arch = env.osArch();
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return unsupported("the CUDA provider needs Linux on x86_64 (it ships jcuda's linux-x86_64 natives);"
                    + " this is " + os + " on " + arch);
        }
        String driver = env.driverLibraryProblem();
        if (driver != null) {
            return unsupported(driver);
        }
        CudaApi api;
        try {
            api = env.loadBinding();
        } catch (Throwable t) {
            NativeAccess.rethrowIfFatal(t);
            return unsupported(bindingProblem(t));
        }
        int[] driverVersion = {0};
        int[] runtimeVersion = {0};
        api.driverGetVersion(driverVersion);
        api.runtimeGetVersion(runtimeVersion);
        String versions = "driver supports CUDA " + version(driverVersion[0]) + ", jcuda's runtime is CUDA "
                + version(runtimeVersion[0]);
        int[] count = {0};
        int rc = api.getDeviceCount(count);
        if (rc == CudaErrors.NO_DEVICE || (rc == CudaApi.SUCCESS && count[0] <= 0)) {
            return unsupported("no CUDA device (cudaGetDeviceCount=0"
                    + (rc == CudaApi.SUCCESS ? "" : ", " + CudaErrors.name(api, rc) + ": " + api.errorString(rc))
                    + "; " + versions + "; check nvidia-smi and CUDA_VISIBLE_DEVICES)");
        }
        if (rc != CudaApi.SUCCESS) {
            return unsupported("CUDA is not usable: " + CudaErrors.failure(api, "cudaGetDeviceCount", rc,
                    "counting devices (" + versions + ")").getMessage());
        }
        return new State(Support.yes(count[0] + (count[0] == 1 ? " CUDA device, " : " CUDA devices, ") + versions),
                api, count[0]);
    }

    private static State unsupported(String reason) {
        return new State(Support.no(reason), null, 0);
    }

    /**
     * Formats a CUDA version number ({@code 1000*major + 10*minor}).
     *
     * @param v the number
     * @return e.g. {@code 13.0}, or {@code none} for 0
     */
    static String version(int v) {
        return v <= 0 ? "none" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /**
     * Why the binding did not load, with what to do.
     *
     * @param t what loading threw
     * @return the reason
     */
    static String bindingProblem(Throwable t) {
        Throwable root = t;
        if (t instanceof ExceptionInInitializerError e && e.getCause() != null) {
            root = e.getCause();
        }
        if (root instanceof NoClassDefFoundError && String.valueOf(root.getMessage()).startsWith("jcuda")) {
            return "jcuda is not visible to " + moduleText() + " (" + summarize(root) + "): put jcuda-12.0.0.jar and"
                    + " jcuda-natives-12.0.0-linux-x86_64.jar on the class path, or on the module path with"
                    + " --add-modules jcuda; inside OSGi a bundle must export jcuda's packages (jcuda's jar is"
                    + " not a bundle)";
        }
        if (root instanceof IllegalCallerException) {
            return "native access denied to jcuda: add --enable-native-access=" + DriverLibrary.nativeAccessNames()
                    + " (" + summarize(root) + ")";
        }
        if (root instanceof UnsatisfiedLinkError) {
            return "jcuda's native library could not be loaded: " + summarize(root);
        }
        return "jcuda could not be loaded: " + summarize(root);
    }

    private static String moduleText() {
        Module m = CudaProbe.class.getModule();
        return m.isNamed() ? "module " + m.getName() : "this class loader";
    }

    /**
     * A one-line summary of a failure: its type and the informative lines of its message (jcuda's
     * {@code UnsatisfiedLinkError} carries whole stack traces in its message), at most about 400 characters.
     *
     * @param t the failure
     * @return the summary
     */
    static String summarize(Throwable t) {
        String msg = String.valueOf(t.getMessage());
        Set<String> lines = new LinkedHashSet<>();
        for (String line : msg.lines().map(String::strip).toList()) {
            boolean informative = !line.isEmpty() && !line.startsWith("at ") && !line.startsWith("---")
                    && !line.startsWith("Operating system") && !line.startsWith("Architecture")
                    && !line.startsWith("Stack trace") && !line.startsWith("...");
            if (informative) {
                lines.add(line);
            }
        }
        String text = t.getClass().getSimpleName() + ": " + String.join(" / ", lines);
        return text.length() <= 400 ? text : text.substring(0, 397) + "...";
    }
}
