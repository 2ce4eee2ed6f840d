package dev.hshm.bench;

import dev.hshm.api.Allocator;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every measurement in one go and prints a markdown report: JMH {@link AllocFree} at 1 and 2 threads
 * with each figure as a ratio to libc malloc from the same run, the cross-process throughput, and the
 * resident-memory ratio. {@code --long} uses more forks and iterations.
 */
public final class Report {

    private static final String[] IMPLS = {"libcMalloc", "libcMallocCritical", "threadLocal", "scalablePage",
        "mallocAllocator", "nettyPooledDirect", "arenaConfined", "slicingLowerBound", "sharedCasFloor"};
    private static final String[] SIZES = {"64", "1024", "65536"};

    private Report() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        boolean longRun = List.of(args).contains("--long");
        int forks = longRun ? 3 : 1;
        int warmups = longRun ? 3 : 2;
        int iterations = longRun ? 5 : 3;
        TimeValue time = longRun ? TimeValue.seconds(1) : TimeValue.milliseconds(500);
        int xpSeconds = longRun ? 10 : 3;

        // results.get(threads).get(impl).get(size) = ns/op
        Map<Integer, Map<String, Map<String, Double>>> results = new LinkedHashMap<>();
        // "threads/impl/size" = JMH's 99.9 % confidence half-width (NaN with one fork and few iterations)
        Map<String, Double> errors = new LinkedHashMap<>();
        int total = 2 * IMPLS.length;
        int done = 0;
        for (int threads : new int[] {1, 2}) {
            Map<String, Map<String, Double>> byImpl = new LinkedHashMap<>();
            for (String impl : IMPLS) {
                progress(++done, total, impl + " x" + threads);
                ChainedOptionsBuilder ob = new OptionsBuilder()
                        .include(AllocFree.class.getName() + "\\." + impl + "$")
                        .threads(threads).forks(forks).warmupIterations(warmups).warmupTime(time)
                        .measurementIterations(iterations).measurementTime(time)
                        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                                "-Xms512m", "-Xmx512m")
                        .verbosity(VerboseMode.SILENT);
                Map<String, Double> bySize = new LinkedHashMap<>();
                for (RunResult r : new Runner(ob.build()).run()) {
                    bySize.put(r.getParams().getParam("size"), r.getPrimaryResult().getScore());
                    errors.put(threads + "/" + impl + "/" + r.getParams().getParam("size"), r.getPrimaryResult().getScoreError());
                }
                byImpl.put(impl, bySize);
            }
            results.put(threads, byImpl);
        }
        System.err.println();
        System.err.println("cross-process throughput (" + xpSeconds + " s per point) ...");
        List<CrossProcess.Result> xp = new ArrayList<>();
        for (String type : new String[] {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE}) {
            for (int p : new int[] {1, 2}) {
                xp.add(CrossProcess.run(type, p, xpSeconds));
            }
        }
        System.err.println("resident memory ...");
        List<ResidentMemory.Result> rss = List.of(ResidentMemory.measure(Allocator.THREAD_LOCAL, 80),
                ResidentMemory.measure(Allocator.SCALABLE_PAGE, 82));
        print(results, errors, xp, rss, longRun, forks, warmups, iterations, time);
    }

    private static void progress(int i, int n, String what) {
        int width = 30;
        int filled = i * width / n;
        System.err.printf("\r[%s%s] %2d/%d %-32s", "#".repeat(filled), ".".repeat(width - filled), i, n, what);
    }

    private static void print(Map<Integer, Map<String, Map<String, Double>>> r, Map<String, Double> errors,
                              List<CrossProcess.Result> xp, List<ResidentMemory.Result> rss, boolean longRun, int forks,
                              int warmups, int iterations, TimeValue time) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Results ").append(LocalDate.now()).append(longRun ? " (long run)" : " (short run)").append("\n\n");
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        sb.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(' ')
                .append(System.getProperty("os.arch")).append('\n');
        sb.append("- JMH: ").append(forks).append(" fork(s), ").append(warmups).append('x').append(time)
                .append(" warm-up, ").append(iterations).append('x').append(time).append(" measurement, mode avgt\n\n");
        sb.append("One operation = allocate, write the first 8 bytes, free. ns/op per thread (lower is better);")
                .append(" in brackets: the ratio to `libcMalloc` (libc malloc/free through the FFM Linker) for the")
                .append(" same size and thread count, measured in the same run.\n\n");
        sb.append("| implementation |");
        for (int t : r.keySet()) {
            for (String s : SIZES) {
                sb.append(' ').append(s).append(" B, ").append(t).append(" thr |");
            }
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(SIZES.length * r.size())).append('\n');
        for (String impl : IMPLS) {
            sb.append("| `").append(impl).append("` |");
            for (int t : r.keySet()) {
                for (String s : SIZES) {
                    Double v = r.get(t).get(impl).get(s);
                    Double base = r.get(t).get("libcMalloc").get(s);
                    sb.append(v == null ? " - |" : String.format(Locale.ROOT, " %.1f (%.2f) |", v, v / base));
                }
            }
            sb.append('\n');
        }
        Map<String, Map<String, Double>> one = r.get(1);
        Map<String, Map<String, Double>> two = r.get(2);
        sb.append("\n### Against the targets\n\n");
        double tla64 = one.get("threadLocal").get("64") / one.get("libcMalloc").get("64");
        sb.append(String.format(Locale.ROOT, "- `thread_local` 64 B, 1 thread: %.2f x libc malloc/free (target <= 0.50)"
                + " [%.1f +- %.1f ns against %.1f +- %.1f ns]; netty pooled direct: %.2f x%n", tla64,
                one.get("threadLocal").get("64"), errors.get("1/threadLocal/64"), one.get("libcMalloc").get("64"),
                errors.get("1/libcMalloc/64"), one.get("nettyPooledDirect").get("64") / one.get("libcMalloc").get("64")));
        double scale = 2 * one.get("threadLocal").get("64") / two.get("threadLocal").get("64");
        sb.append(String.format(Locale.ROOT, "- `thread_local` 64 B, 2 threads: aggregate throughput %.2f x one thread"
                + " (target >= 1.8)%n", scale));
        sb.append(String.format(Locale.ROOT, "- `scalable_page` 64 B, 1 thread: %.2f x libc malloc/free (target <= 2)%n",
                one.get("scalablePage").get("64") / one.get("libcMalloc").get("64")));
        for (String type : new String[] {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE}) {
            double p1 = xp.stream().filter(x -> x.type().equals(type) && x.processes() == 1).findFirst().orElseThrow()
                    .opsPerSecond();
            double p2 = xp.stream().filter(x -> x.type().equals(type) && x.processes() == 2).findFirst().orElseThrow()
                    .opsPerSecond();
            sb.append(String.format(Locale.ROOT, "- `%s`, processes on one shared heap: 1 process %.1f Mops/s,"
                    + " 2 processes %.1f Mops/s aggregate = %.2f x%s%n", type, p1 / 1e6, p2 / 1e6, p2 / p1,
                    type.equals(Allocator.THREAD_LOCAL) ? " (target >= 1.6)" : ""));
        }
        for (ResidentMemory.Result m : rss) {
            sb.append(String.format(Locale.ROOT, "- resident memory, `%s`: %d MiB requested (64 B..64 KiB, every byte"
                    + " written) made %.1f MiB more of the backend resident (mincore) = %.3f x (target <= 1.15 +"
                    + " fixed metadata); process RSS grew %.1f MiB meanwhile; allocator footprint %.1f MiB%n",
                    m.type(), m.requested() >> 20, m.residentGrowth() / 1048576.0, m.ratio(),
                    m.processGrowth() / 1048576.0, m.footprint() / 1048576.0));
        }
        System.out.println(sb);
    }
}
