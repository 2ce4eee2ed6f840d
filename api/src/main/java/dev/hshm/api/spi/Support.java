package dev.hshm.api.spi;

import java.util.Objects;

/**
 * Whether a provider can run in this process, and if not, why (no libcuda, not Windows, no device,
 * native access denied, ...). Every capability flag comes with its reason.
 *
 * @param supported {@code true} if the provider works here
 * @param reason why not, or a short description of what was found when it is supported
 */
public record Support(boolean supported, String reason) {

    /**
     * Validates the reason.
     *
     * @param supported whether the provider works here
     * @param reason a non-null explanation
     */
    public Support {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Supported.
     *
     * @param detail what was found, e.g. {@code "libamdhip64 5.2, 1 device"}
     * @return a supported result
     */
    public static Support yes(String detail) {
        return new Support(true, detail);
    }

    /**
     * Not supported.
     *
     * @param reason why, e.g. {@code "libcuda.so.1 not found"}
     * @return an unsupported result
     */
    public static Support no(String reason) {
        return new Support(false, reason);
    }

    /**
     * Evaluates a check, turning anything it throws (an {@link UnsatisfiedLinkError} from a missing
     * native library included) into an unsupported result that names the failure.
     *
     * @param check the check
     * @return its result, or unsupported with the failure as reason
     */
    public static Support evaluate(java.util.function.Supplier<Support> check) {
        try {
            return Objects.requireNonNull(check.get(), "support check returned null");
        } catch (Throwable t) {
            NativeAccess.rethrowIfFatal(t);
            return no(t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    @Override
    public String toString() {
        return (supported ? "supported" : "unsupported") + " (" + reason + ")";
    }
}
