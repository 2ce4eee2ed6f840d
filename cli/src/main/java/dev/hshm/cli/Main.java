package dev.hshm.cli;

import dev.hshm.api.HshmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code hshm} command line. Exit codes: 0 success, 1 failure (message on stderr), 2 usage error. */
@Command(name = "hshm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Shared-memory backends, allocators and thread models for the JVM.",
        subcommands = {InfoCommand.class, DemoCommand.class, LsCommand.class, StatCommand.class, CheckCommand.class,
            RmCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", description = "Print stack traces of failures.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Entry point.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with the given output streams (tests use it in-process).
     *
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose");
            if (e instanceof HshmException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("hshm: " + e.getMessage());
            } else {
                cmd.getErr().println("hshm: " + e);
            }
            if (verbose) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return 1;
        });
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's module descriptor, if any. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getModule().getDescriptor() != null
                    ? Main.class.getModule().getDescriptor().rawVersion().orElse("dev") : "dev";
            return new String[] {"hshm-java " + v};
        }
    }
}
