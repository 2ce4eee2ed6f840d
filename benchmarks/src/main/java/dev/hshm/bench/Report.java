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
 * Runs the measurements in one go and prints a markdown report: JMH {@link AllocFree} at 1 and 2 threads with each
 * figure as a ratio to libc malloc from the same run, the cross-process throughput, and the resident-memory ratio.
 *
 * <ul>
 *   <li>no option: every implementation and size, 1 fork, short iterations (minutes);</li>
 *   <li>{@code --long}: the same with 3 forks and 1 s iterations (about 40 minutes on 2 cores);</li>
 *   <li>{@code --targets}: only the points the targets are about (64 B), 3 forks each, and the cross-process
 *       runs three times (about 10 minutes on 2 cores): so that a ratio is not one draw.</li>
 * </ul>
 */
public final class Report {

    private static final String[] IMPLS = {"libcMalloc", "libcMallocCritical", "threadLocal", "scalablePage",
        "mallocAllocator", "nettyPooledDirect", "nettyPooledDirectAllThreads", "arenaConfined", "slicingLowerBound",
        "sharedCasFloor"};
    private static final String[] SIZES = {"64", "1024", "65536"};
    /** The points the targets are about: implementations at 64 B, per thread count. */
    private static final Map<Integer, String[]> TARGET_POINTS = Map.of(
            1, new String[] {"libcMalloc", "libcMallocCritical", "threadLocal", "scalablePage", "nettyPooledDirect",
                "nettyPooledDirectAllThreads"},
            2, new String[] {"libcMalloc", "threadLocal", "scalablePage"});

    private Report() {
    }

    /** A measured point: ns/op and JMH's 99.9 % confidence half-width (NaN with too few samples). */
    private record Point(double ns, double error) {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        List<String> opts = List.of(args);
        boolean longRun = opts.contains("--long");
        boolean targets = opts.contains("--targets");
        int forks = longRun || targets ? 3 : 1;
        int warmups = longRun || targets ? 3 : 2;
        int iterations = longRun || targets ? 5 : 3;
        TimeValue time = longRun || targets ? TimeValue.seconds(1) : TimeValue.milliseconds(500);
        int xpSeconds = longRun || targets ? 10 : 3;
        int xpRounds = targets ? 3 : 1;
        String[] sizes = targets ? new String[] {"64"} : SIZES;

        // results.get(threads).get(impl).get(size)
        Map<Integer, Map<String, Map<String, Point>>> results = new LinkedHashMap<>();
        int total = targets ? TARGET_POINTS.get(1).length + TARGET_POINTS.get(2).length : 2 * IMPLS.length;
        int done = 0;
        for (int threads : new int[] {1, 2}) {
            Map<String, Map<String, Point>> byImpl = new LinkedHashMap<>();
            for (String impl : targets ? TARGET_POINTS.get(threads) : IMPLS) {
                progress(++done, total, impl + " x" + threads);
                ChainedOptionsBuilder ob = new OptionsBuilder()
                        .include(AllocFree.class.getName() + "\\." + impl + "$")
                        .param("size", sizes)
                        .threads(threads).forks(forks).warmupIterations(warmups).warmupTime(time)
                        .measurementIterations(iterations).measurementTime(time)
                        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                                "-Xms512m", "-Xmx512m")
                        .verbosity(VerboseMode.SILENT);
                Map<String, Point> bySize = new LinkedHashMap<>();
                for (RunResult r : new Runner(ob.build()).run()) {
                    bySize.put(r.getParams().getParam("size"),
                            new Point(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
                }
                byImpl.put(impl, bySize);
            }
            results.put(threads, byImpl);
        }
        System.err.println();
        System.err.println("cross-process throughput (" + xpSeconds + " s per point, " + xpRounds + " round(s)) ...");
        List<CrossProcess.Result> xp = new ArrayList<>();
        for (int round = 0; round < xpRounds; round++) {
            for (String type : new String[] {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE}) {
                for (int p : new int[] {1, 2}) {
                    xp.add(CrossProcess.run(type, p, xpSeconds));
                }
            }
        }
        List<ResidentMemory.Result> rss = List.of();
        if (!targets) {
            System.err.println("resident memory ...");
            rss = List.of(ResidentMemory.measure(Allocator.THREAD_LOCAL, 80),
                    ResidentMemory.measure(Allocator.SCALABLE_PAGE, 82));
        }
        print(results, sizes, xp, xpRounds, rss, longRun ? "long run" : targets ? "target points" : "short run", forks,
                warmups, iterations, time);
    }

    private static void progress(int i, int n, String what) {
        int width = 30;
        int filled = i * width / n;
        System.err.printf("\r[%s%s] %2d/%d %-36s", "#".repeat(filled), ".".repeat(width - filled), i, n, what);
    }

    private static double ratio(Map<String, Map<String, Point>> r, String impl, String size) {
        return r.get(impl).get(size).ns() / r.get("libcMalloc").get(size).ns();
    }

    private static void print(Map<Integer, Map<String, Map<String, Point>>> r, String[] sizes,
                              List<CrossProcess.Result> xp, int xpRounds, List<ResidentMemory.Result> rss, String kind,
                              int forks, int warmups, int iterations, TimeValue time) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Results ").append(LocalDate.now()).append(" (").append(kind).append(")\n\n");
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        sb.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(' ')
                .append(System.getProperty("os.arch")).append('\n');
        sb.append("- JMH: ").append(forks).append(" fork(s), ").append(warmups).append('x').append(time)
                .append(" warm-up, ").append(iterations).append('x').append(time).append(" measurement, mode avgt\n\n");
        sb.append("One operation = allocate, write the first 8 bytes, free. ns/op per thread (lower is better), with")
                .append(" JMH's 99.9 % error where it has one; in brackets: the ratio to `libcMalloc` (libc malloc/free")
                .append(" through the FFM Linker) for the same size and thread count, measured in the same run.\n\n");
        sb.append("| implementation |");
        for (int t : r.keySet()) {
            for (String s : sizes) {
                sb.append(' ').append(s).append(" B, ").append(t).append(" thr |");
            }
        }
        sb.append("\n|---|").append("---|".repeat(sizes.length * r.size())).append('\n');
        for (String impl : IMPLS) {
            if (r.values().stream().noneMatch(m -> m.containsKey(impl))) {
                continue;
            }
            sb.append("| `").append(impl).append("` |");
            for (int t : r.keySet()) {
                for (String s : sizes) {
                    Point p = r.get(t).containsKey(impl) ? r.get(t).get(impl).get(s) : null;
                    if (p == null) {
                        sb.append(" - |");
                    } else {
                        double q = ratio(r.get(t), impl, s);
                        sb.append(Double.isNaN(p.error())
                                ? String.format(Locale.ROOT, " %.1f (%.2f) |", p.ns(), q)
                                : String.format(Locale.ROOT, " %.1f ± %.1f (%.2f) |", p.ns(), p.error(), q));
                    }
                }
            }
            sb.append('\n');
        }
        Map<String, Map<String, Point>> one = r.get(1);
        Map<String, Map<String, Point>> two = r.get(2);
        sb.append("\n### Against the targets\n\n");
        sb.append(String.format(Locale.ROOT, "- `thread_local` 64 B, 1 thread: %.2f x libc malloc/free (target <= 0.50)"
                + " [%.1f ± %.1f ns against %.1f ± %.1f ns]; `libcMallocCritical`: %.2f x%n", ratio(one, "threadLocal", "64"),
                one.get("threadLocal").get("64").ns(), one.get("threadLocal").get("64").error(),
                one.get("libcMalloc").get("64").ns(), one.get("libcMalloc").get("64").error(),
                ratio(one, "libcMallocCritical", "64")));
        sb.append(String.format(Locale.ROOT, "- Netty pooled direct, 64 B, 1 thread: %.2f x libc as shipped (no cache for"
                + " non-Netty threads), %.2f x with `useCacheForAllThreads`; `thread_local` is %.2f x the latter%n",
                ratio(one, "nettyPooledDirect", "64"), ratio(one, "nettyPooledDirectAllThreads", "64"),
                one.get("threadLocal").get("64").ns() / one.get("nettyPooledDirectAllThreads").get("64").ns()));
        sb.append(String.format(Locale.ROOT, "- `thread_local` 64 B, 2 threads: aggregate throughput %.2f x one thread"
                + " (target >= 1.8)%n", 2 * one.get("threadLocal").get("64").ns() / two.get("threadLocal").get("64").ns()));
        sb.append(String.format(Locale.ROOT, "- `scalable_page` 64 B, 1 thread: %.2f x libc malloc/free (target <= 2)%n",
                ratio(one, "scalablePage", "64")));
        sb.append(String.format(Locale.ROOT, "- `scalable_page` 64 B, 2 threads: aggregate throughput %.2f x one thread"
                + " (target >= 1.0)%n", 2 * one.get("scalablePage").get("64").ns() / two.get("scalablePage").get("64").ns()));
        for (String type : new String[] {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE}) {
            StringBuilder each = new StringBuilder();
            double sum1 = 0;
            double sum2 = 0;
            for (int round = 0; round < xpRounds; round++) {
                double p1 = xp.get(round * 4 + (type.equals(Allocator.THREAD_LOCAL) ? 0 : 2)).opsPerSecond();
                double p2 = xp.get(round * 4 + (type.equals(Allocator.THREAD_LOCAL) ? 1 : 3)).opsPerSecond();
                sum1 += p1;
                sum2 += p2;
                each.append(String.format(Locale.ROOT, "%s%.2f", round == 0 ? "" : ", ", p2 / p1));
            }
            sb.append(String.format(Locale.ROOT, "- `%s`, processes on one shared heap: 1 process %.1f Mops/s,"
                    + " 2 processes %.1f Mops/s aggregate = %.2f x (target >= %s)%s%n", type, sum1 / xpRounds / 1e6,
                    sum2 / xpRounds / 1e6, sum2 / sum1, type.equals(Allocator.THREAD_LOCAL) ? "1.6" : "1.0",
                    xpRounds > 1 ? "; per round: " + each : ""));
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
