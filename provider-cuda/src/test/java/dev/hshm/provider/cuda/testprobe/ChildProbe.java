package dev.hshm.provider.cuda.testprobe;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.ThreadModelProvider;

/**
 * A child JVM's main for {@code ChildJvmTest}: prints how this JVM sees the providers, one line each
 * ({@code backend NAME CLASS SUPPORT}, {@code model NAME CLASS SUPPORT}), the chosen thread model
 * ({@code current NAME} or {@code current failed TYPE: MESSAGE}) and the modules of this class and of the api. It
 * sits in a package of its own so that a child can load it from the class path while the provider is a named
 * module on the module path.
 */
public final class ChildProbe {

    private ChildProbe() {
    }

    /**
     * Prints the lines.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        ProviderRegistry reg = ProviderRegistry.global();
        for (MemoryBackendProvider p : reg.all(MemoryBackendProvider.class)) {
            System.out.println("backend " + p.name() + " " + p.getClass().getName() + " " + ProviderRegistry.safeSupport(p));
        }
        for (ThreadModelProvider p : reg.all(ThreadModelProvider.class)) {
            System.out.println("model " + p.name() + " " + p.getClass().getName() + " " + ProviderRegistry.safeSupport(p));
        }
        try {
            System.out.println("current " + ThreadModel.current().name());
        } catch (RuntimeException e) {
            System.out.println("current failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        System.out.println("module " + ChildProbe.class.getModule() + " / " + MemoryBackendProvider.class.getModule());
    }
}
