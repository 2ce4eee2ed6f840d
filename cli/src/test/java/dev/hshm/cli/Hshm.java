package dev.hshm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the hshm command in-process, or builds the command line that runs it as another JVM. */
final class Hshm {

    record Result(int rc, String out, String err) {
        String all() {
            return "exit code " + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        /** The pids named by {@code [pid N]} prefixes in stdout and stderr. */
        Set<Long> pids() {
            Set<Long> pids = new TreeSet<>();
            Matcher m = Pattern.compile("\\[pid (\\d+)\\]").matcher(out + err);
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
            return pids;
        }
    }

    private Hshm() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(rc, out.toString(), err.toString());
    }

    /** {@code java ... -m dev.hshm.cli/dev.hshm.cli.Main ARGS} on this test JVM's module path. */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=dev.hshm.api,dev.hshm.provider.posix,dev.hshm.cli");
        cmd.add("-p");
        cmd.add(System.getProperty("jdk.module.path"));
        cmd.add("--add-modules");
        cmd.add("ALL-MODULE-PATH");
        cmd.add("-m");
        cmd.add("dev.hshm.cli/dev.hshm.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    static boolean shmExists(String name) {
        return Files.exists(Path.of("/dev/shm", name));
    }
}
