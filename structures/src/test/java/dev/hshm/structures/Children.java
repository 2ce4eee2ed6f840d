package dev.hshm.structures;

import dev.hshm.api.MemoryManager;
import dev.hshm.testkit.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts a second JVM (testkit's {@link ChildJvm}) running {@link ChildMain}, or another main class of these
 * tests, with this module and its tests, the api, the built-in allocators and the POSIX provider on the class
 * path, found where this JVM loaded them from.
 */
final class Children {

    private Children() {
    }

    static ChildJvm start(String... args) {
        return startMain(ChildMain.class, args);
    }

    /** A child running {@code main} (a class of this module's tests) instead of {@link ChildMain}. */
    static ChildJvm startMain(Class<?> main, String... args) {
        try {
            return ChildJvm.java().name(main.getSimpleName()).nativeAccess("ALL-UNNAMED")
                    .jvmArgs("-Xshare:auto", "-XX:TieredStopAtLevel=1")
                    .classPath(List.of(ChildJvm.location(ChildMain.class), ChildJvm.location(NamedObjects.class),
                            ChildJvm.location(MemoryManager.class), module("dev.hshm.allocators"),
                            module("dev.hshm.provider.posix")))
                    .main(main.getName()).args(args).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String module(String name) {
        return ModuleLayer.boot().configuration().findModule(name)
                .flatMap(m -> m.reference().location()).map(u -> Path.of(u).toString())
                // class-path run of the tests: every jar is on java.class.path already
                .orElseGet(() -> System.getProperty("java.class.path"));
    }
}
