package dev.hshm.cli;

import dev.hshm.api.HshmException;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.MemoryBackendProvider;
import dev.hshm.api.spi.NamedProvider;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.Support;
import dev.hshm.api.spi.ThreadModelProvider;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hshm info}: the platform, whether our modules have native access, every provider of each SPI that
 * the {@link ProviderRegistry} found (supported or not, and why; priority, class, module), the providers that
 * failed to load, and the thread model this process chose. Exit code 1 if no thread model could be chosen
 * (a {@code -Dhshm.thread.model} naming one that is missing or unsupported).
 */
@Command(name = "info", description = {"Show the platform, native access, every provider found (supported or not, "
        + "and why) and the thread model chosen."})
final class InfoCommand implements Callable<Integer> {

    /** One section of the output: an SPI and its title. */
    private record Section(String title, Class<? extends NamedProvider> spi) {
    }

    private static final List<Section> SECTIONS = List.of(
            new Section("memory backends", MemoryBackendProvider.class),
            new Section("allocators", AllocatorProvider.class),
            new Section("thread models", ThreadModelProvider.class));

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProviderRegistry reg = ProviderRegistry.global();
        Map<Section, List<? extends NamedProvider>> found = new LinkedHashMap<>();
        for (Section sec : SECTIONS) {
            found.put(sec, reg.all(sec.spi()));
        }

        out.println("hshm-java " + Main.Version.version());
        new TextTable("", "")
                .row("os:", System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + ")")
                .row("jdk:", Runtime.version() + ", " + System.getProperty("java.vendor") + " ("
                        + System.getProperty("java.vm.name") + ")")
                .row("java home:", System.getProperty("java.home"))
                .row("launched on:", InfoCommand.class.getModule().isNamed() ? "the module path" : "the class path")
                .row("native access:", nativeAccess(found))
                .printRows(out, "  ");

        for (Map.Entry<Section, List<? extends NamedProvider>> e : found.entrySet()) {
            List<? extends NamedProvider> providers = e.getValue();
            out.println();
            out.println(e.getKey().title() + " (" + e.getKey().spi().getSimpleName() + "): " + providers.size()
                    + " found, " + providers.stream().filter(p -> ProviderRegistry.safeSupport(p).supported()).count()
                    + " supported");
            if (providers.isEmpty()) {
                out.println("  (none: is a provider module on the module path, its jar on the class path?)");
                continue;
            }
            TextTable t = new TextTable("NAME", ">PRIORITY", "STATE", "MODULE", "CLASS").noteColumn(2);
            for (NamedProvider p : providers) {
                Support s = ProviderRegistry.safeSupport(p);
                t.row(p.name(), p.priority() == Integer.MIN_VALUE ? "min" : Integer.toString(p.priority()),
                        s.supported() ? "supported" : "UNSUPPORTED", moduleOf(p), p.getClass().getName());
                t.note((s.supported() ? "" : "why: ") + s.reason());
            }
            t.print(out, "  ");
        }

        out.println();
        List<String> errors = reg.loadErrors();
        out.println("providers that failed to load: " + (errors.isEmpty() ? "none" : errors.size()));
        errors.forEach(e -> out.println("  " + e));

        out.println();
        String forced = System.getProperty("hshm.thread.model");
        try {
            ThreadModel tm = ThreadModel.current();
            out.println("thread model chosen: " + tm.name() + " (" + (forced != null && !forced.isBlank()
                    ? "forced with -Dhshm.thread.model=" + forced
                    : "the supported one with the highest priority; force another with -Dhshm.thread.model=NAME") + ")");
            return 0;
        } catch (HshmException e) {
            out.println("thread model chosen: NONE - " + e.getMessage());
            out.flush();
            return 1;
        }
    }

    static String moduleOf(Object provider) {
        Module m = provider.getClass().getModule();
        return m.isNamed() ? m.getName() : "class path";
    }

    /**
     * Native access of the modules that make native calls — every provider's module (the built-ins' for libc
     * malloc) — as one line, with the flag to add when one lacks it. The api and the cli make none.
     */
    private static String nativeAccess(Map<Section, List<? extends NamedProvider>> found) {
        Map<String, Boolean> modules = new TreeMap<>();
        List<Module> candidates = new ArrayList<>();
        found.values().forEach(l -> l.forEach(p -> candidates.add(p.getClass().getModule())));
        for (Module m : candidates) {
            modules.merge(m.isNamed() ? m.getName() : "ALL-UNNAMED", m.isNativeAccessEnabled(), Boolean::logicalAnd);
        }
        List<String> on = modules.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        List<String> off = modules.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        if (off.isEmpty()) {
            return "enabled for " + String.join(", ", on);
        }
        return "NOT enabled for " + String.join(", ", off) + " - add --enable-native-access=" + String.join(",", off)
                + " to the java command (JDK 25 warns; later JDKs refuse)"
                + (on.isEmpty() ? "" : "; enabled for " + String.join(", ", on));
    }
}
