package dev.hshm.cli;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hshm info}: the platform, every provider found with its state and reason, the thread model chosen. */
@Command(name = "info", description = "Show the platform, every provider found (supported or not, and why), "
        + "and the thread model chosen.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProviderRegistry reg = ProviderRegistry.global();
        out.printf("hshm-java %s%n", new Main.Version().getVersion()[0].replace("hshm-java ", ""));
        out.printf("  OS:             %s %s (%s)%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        out.printf("  JDK:            %s %s (%s)%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"));
        boolean modulePath = InfoCommand.class.getModule().isNamed();
        out.printf("  launched on:    %s%n", modulePath ? "the module path" : "the class path");
        out.printf("  native access:  %s%n", nativeAccess(reg));
        section(out, "memory backends", reg.all(MemoryBackendProvider.class));
        section(out, "allocators", reg.all(AllocatorProvider.class));
        section(out, "thread models", reg.all(ThreadModelProvider.class));
        if (!reg.loadErrors().isEmpty()) {
            out.println();
            out.println("providers that failed to load:");
            reg.loadErrors().forEach(e -> out.println("  " + e));
        }
        out.println();
        ThreadModel tm = ThreadModel.current();
        String forced = System.getProperty("hshm.thread.model");
        out.printf("thread model chosen: %s (%s)%n", tm.name(), forced != null ? "forced with -Dhshm.thread.model="
                + forced : "the highest-priority supported one; force another with -Dhshm.thread.model=NAME");
        return 0;
    }

    private static String nativeAccess(ProviderRegistry reg) {
        Set<Module> modules = new TreeSet<>((a, b) -> String.valueOf(a.getName()).compareTo(String.valueOf(b.getName())));
        modules.add(InfoCommand.class.getModule());
        for (Class<? extends NamedProvider> spi : List.of(MemoryBackendProvider.class, AllocatorProvider.class,
                ThreadModelProvider.class)) {
            for (NamedProvider p : reg.all(spi)) {
                modules.add(p.getClass().getModule());
            }
        }
        List<String> off = modules.stream().filter(m -> !m.isNativeAccessEnabled())
                .map(m -> m.isNamed() ? m.getName() : "ALL-UNNAMED").distinct().toList();
        if (off.isEmpty()) {
            return "enabled for every provider module";
        }
        return "NOT enabled for " + off + ": add --enable-native-access=" + String.join(",", off)
                + " (the JDK warns now and will refuse later)";
    }

    private static void section(PrintWriter out, String title, List<? extends NamedProvider> providers) {
        out.println();
        out.println(title + ":");
        if (providers.isEmpty()) {
            out.println("  (none found)");
            return;
        }
        out.printf("  %-16s %5s  %-12s %-28s %s%n", "NAME", "PRIO", "STATE", "FROM", "DETAIL");
        for (NamedProvider p : providers) {
            Support s = ProviderRegistry.safeSupport(p);
            Module m = p.getClass().getModule();
            String from = m.isNamed() ? m.getName() : "class path";
            out.printf("  %-16s %5d  %-12s %-28s %s%n", p.name(), p.priority(), s.supported() ? "supported" : "UNSUPPORTED",
                    from, s.reason());
        }
    }
}
