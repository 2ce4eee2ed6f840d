package dev.hshm.api.spi;

/**
 * What every provider that binds native functions (FFM downcalls) says and does the same way: the flag that
 * grants its module native access, the reason when access is denied, the note when it is not granted yet
 * (the JDK warns now and will refuse later), the filter that lets a {@link VirtualMachineError} through a
 * probe that must otherwise never throw, and the unwrapping of what {@code MethodHandle.invokeExact} throws.
 * Each provider keeps its binding in one class and calls these from there.
 */
public final class NativeAccess {

    private NativeAccess() {
    }

    /**
     * The module to name in {@code --enable-native-access=}: the module of {@code binding}, or
     * {@code ALL-UNNAMED} on the class path.
     *
     * @param binding the class that binds the native functions
     * @return a module name or {@code ALL-UNNAMED}
     */
    public static String moduleFlag(Class<?> binding) {
        Module m = binding.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    /**
     * The reason when binding failed because native access is denied ({@code --illegal-native-access=deny}).
     *
     * @param binding the class that binds the native functions
     * @param e what the linker threw
     * @return {@code "native access denied: add --enable-native-access=MODULE (message)"}
     */
    public static String denied(Class<?> binding, IllegalCallerException e) {
        return denied(moduleFlag(binding), e.getMessage());
    }

    /**
     * The reason when native access is denied, for providers whose functions are bound in several modules.
     *
     * @param modules what {@code --enable-native-access=} must name, comma-separated
     * @param detail what the JDK said
     * @return {@code "native access denied: add --enable-native-access=MODULES (detail)"}
     */
    public static String denied(String modules, String detail) {
        return "native access denied: add --enable-native-access=" + modules + " (" + detail + ")";
    }

    /**
     * A note for a supported verdict when native access works but was not granted explicitly.
     *
     * @param binding the class that binds the native functions
     * @return {@code ""} when granted, else {@code "; native access is not enabled for ... - add ..."}
     */
    public static String note(Class<?> binding) {
        Module m = binding.getModule();
        if (m.isNativeAccessEnabled()) {
            return "";
        }
        return "; native access is not enabled for " + (m.isNamed() ? m.getName() : "the unnamed module")
                + ": the JDK warns now and will refuse later - add --enable-native-access=" + moduleFlag(binding);
    }

    /**
     * For probes that turn every failure into a reason: rethrows {@code t} if it is a
     * {@link VirtualMachineError} other than {@link StackOverflowError} (out of memory, internal error), which
     * no reason can stand for.
     *
     * @param t what the probe caught
     */
    public static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
            throw vme;
        }
    }

    /**
     * What to throw for what {@code invokeExact} threw: a runtime exception as it is, an error rethrown here,
     * a checked exception (downcalls throw none) wrapped.
     *
     * @param t what {@code invokeExact} threw
     * @return the runtime exception to throw
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
