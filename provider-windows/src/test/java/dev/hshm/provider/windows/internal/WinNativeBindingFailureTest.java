package dev.hshm.provider.windows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.testkit.ChildJvm;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Windows-only binding path where it fails, run here: a child JVM is told it runs on Windows
 * ({@code -Dos.name="Windows 11"}), so {@link WinNative} really tries to look up {@code kernel32}. Whether the
 * lookup fails (no such library) or native access is denied, the providers' reason says which, calls throw
 * {@link UnsupportedOperationException} with it, and no {@link UnsatisfiedLinkError} or other linkage error
 * escapes.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "on Windows the lookup succeeds; WinNativeWindowsTest covers it")
class WinNativeBindingFailureTest {

    private static ChildJvm probe(String... jvmFlags) throws IOException, InterruptedException {
        Module m = WinNative.class.getModule();
        assumeTrue(m.isNamed(), "needs the module path (tests run on the class path)");
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null, "no jdk.module.path");
        return ChildJvm.java().name("probe").jvmArgs("-Dos.name=Windows 11").jvmArgs(jvmFlags)
                .jvmArgs("--module-path", modulePath,
                        "--patch-module", m.getName() + "=" + ChildJvm.location(BindingProbe.class),
                        "-m", m.getName() + "/" + BindingProbe.class.getName())
                .run(60);
    }

    @Test
    void aKernel32ThatCannotBeFoundIsAReasonNotALinkageError() throws Exception {
        ChildJvm r = probe("--enable-native-access=dev.hshm.api,dev.hshm.provider.windows");
        String out = r.output();
        assertEquals("true", r.value("windows"), out);
        assertTrue(r.value("support").startsWith("unsupported (kernel32 functions could not be bound on Windows 11"), out);
        assertTrue(r.value("support").contains("kernel32"), out);
        assertEquals("true", r.value("loadAttempted"), out);
        assertTrue(r.value("call").startsWith(UnsupportedOperationException.class.getName()
                + ": kernel32 is not available: kernel32 functions could not be bound"), out);
    }

    @Test
    void deniedNativeAccessNamesTheFlagToAdd() throws Exception {
        ChildJvm r = probe("--illegal-native-access=deny", "--enable-native-access=dev.hshm.api");
        String out = r.output();
        assertTrue(r.value("support").startsWith("unsupported (native access denied: add"
                + " --enable-native-access=dev.hshm.provider.windows"), out);
        assertTrue(r.value("call").startsWith(UnsupportedOperationException.class.getName()
                + ": kernel32 is not available: native access denied"), out);
    }
}
