package dev.hshm.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link Queues} and prints a markdown table: messages received per microsecond for each queue, with its
 * ratio to Agrona's ring of the same kind measured in the same run. {@code --long}: 3 forks, 5 x 2 s.
 * Agrona 2.x needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} in the forks (its documented
 * setting), passed here.
 */
public final class QueueReport {

    private QueueReport() {
    }

    /**
     * Entry point.
     *
     * @param args {@code [--long]}
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        boolean longRun = args.length > 0 && args[0].equals("--long");
        int forks = longRun ? 3 : 1;
        int iterations = longRun ? 5 : 3;
        TimeValue time = TimeValue.seconds(longRun ? 2 : 1);
        Options o = new OptionsBuilder().include(Queues.class.getName() + "\\.")
                .forks(forks).warmupIterations(3).warmupTime(time).measurementIterations(iterations)
                .measurementTime(time)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED")
                .build();
        Collection<RunResult> results = new Runner(o).run();
        Map<String, double[]> received = new TreeMap<>();
        for (RunResult r : results) {
            String group = r.getParams().getBenchmark().substring(Queues.class.getName().length() + 1);
            Result<?> rec = r.getSecondaryResults().get("received");
            if (rec != null) {
                received.put(group, new double[] {rec.getScore(), rec.getScoreError()});
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| queue | received msgs/us | error | ratio to Agrona (same kind, same run) |\n|---|---|---|---|\n");
        for (String kind : new String[] {"spsc", "mpsc"}) {
            double[] agrona = received.get(kind + "Agrona");
            for (String impl : new String[] {"Ours", "Agrona", "Jctools"}) {
                double[] v = received.get(kind + impl);
                if (v == null) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s%s | %.2f | %.2f | %s |%n", kind, impl, v[0], v[1],
                        agrona == null ? "-" : String.format(Locale.ROOT, "%.2fx", v[0] / agrona[0])));
            }
        }
        sb.append(String.format(Locale.ROOT, "%n%d fork(s), 3 x %s warm-up, %d x %s measured; 1 consumer and 1 (spsc) "
                + "or 2 (mpsc) producers per group%n", forks, time, iterations, time));
        System.out.println(sb);
    }
}
