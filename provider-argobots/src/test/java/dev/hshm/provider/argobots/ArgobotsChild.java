package dev.hshm.provider.argobots;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.ThreadModel;
import dev.hshm.testkit.ChildJvm;
import java.util.List;

/**
 * Runs {@link ChildMain} in a fresh JVM (the testkit's launcher), with this module and the api either on the
 * module path (the test classes patched into {@code dev.hshm.provider.argobots}, as surefire does) or on the
 * class path; the child prints {@code key=value} lines, read with {@link ChildJvm#value}.
 */
final class ArgobotsChild {

    /** How the child finds the jars. */
    enum Launch { MODULE_PATH, CLASS_PATH }

    private ArgobotsChild() {
    }

    private static String testClasses() {
        String dir = System.getProperty("argobots.testClasses");
        assertTrue(dir != null && !dir.isBlank(), "surefire must set -Dargobots.testClasses (see pom.xml)");
        return dir;
    }

    static ChildJvm run(Launch launch, List<String> jvmFlags, String scenario) throws Exception {
        String api = ChildJvm.location(ThreadModel.class);
        String main = ChildJvm.location(ArgobotsThreadModel.class);
        ChildJvm.Builder b = ChildJvm.java().name("argobots-" + scenario).jvmArgs("-Xshare:auto").jvmArgs(jvmFlags);
        if (launch == Launch.MODULE_PATH) {
            b.jvmArgs("--module-path", api + java.io.File.pathSeparator + main,
                    "--patch-module", "dev.hshm.provider.argobots=" + testClasses(),
                    "--module", "dev.hshm.provider.argobots/" + ChildMain.class.getName());
        } else {
            b.classPath(List.of(api, main, testClasses())).main(ChildMain.class.getName());
        }
        return b.args(scenario).run(120);
    }
}
