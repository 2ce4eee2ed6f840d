package dev.hshm.provider.windows.internal;

/**
 * Run in a child JVM by {@link WinNativeBindingFailureTest}: prints what the binding says about itself and
 * what a call does, one {@code key=value} per line.
 */
public final class BindingProbe {

    private BindingProbe() {
    }

    /**
     * Prints the support, whether kernel32 was looked up, and the outcome of one call.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("windows=" + WinNative.isWindows());
        System.out.println("support=" + WinNative.support());
        System.out.println("loadAttempted=" + WinNative.libraryLoadAttempted());
        try {
            NativeWinApi.INSTANCE.getCurrentThreadId();
            System.out.println("call=returned");
        } catch (Throwable t) {
            System.out.println("call=" + t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
