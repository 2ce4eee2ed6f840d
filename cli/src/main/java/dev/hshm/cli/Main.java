package dev.hshm.cli;

import dev.hshm.api.HshmException;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code hshm} command line: {@code info}, {@code demo}, {@code ls}, {@code stat}, {@code check},
 * {@code rm}.
 *
 * <p>Exit codes: 0 success; 1 failure, with {@code hshm: <message>} on standard error (the stack trace only
 * with {@code --verbose}); 2 usage error (unknown command or option, bad or missing argument), with what was
 * wrong and the line to get the command's usage. Run in-process (tests, embedding) through {@link #run(String[], PrintWriter, PrintWriter)},
 * which never calls {@link System#exit}.
 *
 * <p>The usual way to start it is the {@code ./hshm} launcher at the top of the repository, which builds
 * what it needs and puts every jar on the module path (see {@code docs/cli.md}).
 */
@Command(name = "hshm", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "Shared-memory backends, allocators and thread models for the JVM.",
        footer = {"", "Exit codes: 0 success, 1 failure (message on stderr), 2 usage error.",
            "Launcher (./hshm) environment:",
            "  HSHM_JAVA_OPTS  JVM options, e.g. -Dhshm.thread.model=NAME",
            "  HSHM_PLUGINS    extra provider jars or folders of jars, ':'-separated"},
        subcommands = {InfoCommand.class, DemoCommand.class, LsCommand.class, StatCommand.class, CheckCommand.class,
            RmCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @Option(names = "--verbose", description = "Print stack traces of failures, and the demo's second JVM command.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The providers' bound on waiting for a header being published ({@code PosixShmMmap}, the Windows one). */
    static final String ATTACH_TIMEOUT_PROPERTY = "hshm.attach.timeout.ms";

    /** Creates the top-level command; picocli calls it. */
    public Main() {
    }

    /**
     * Entry point: runs the command line and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // A tool looks at segments, it does not wait for them: a header that a creator is still publishing (or
        // that a dead creator never published) is reported after 200 ms, not after the library's 2 s default.
        if (System.getProperty(ATTACH_TIMEOUT_PROPERTY) == null) {
            System.setProperty(ATTACH_TIMEOUT_PROPERTY, "200");
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with the given output streams.
     *
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit code: 0 success, 1 failure, 2 usage error
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter w = cmd.getErr();
            if (e instanceof HshmException || e instanceof CliException || e instanceof IllegalArgumentException) {
                w.println("hshm: " + e.getMessage());
            } else {
                w.println("hshm: unexpected error: " + e + (main.verbose ? "" : " (run with --verbose for the stack trace)"));
            }
            if (main.verbose) {
                e.printStackTrace(w);
            }
            w.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter w = cmd.getErr();
            if (e instanceof CommandLine.UnmatchedArgumentException u && cmd.getParent() == null
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                // picocli says "Unmatched argument at index 0"; a user typed a command that does not exist
                w.println("hshm: unknown command '" + u.getUnmatched().get(0) + "'; the commands are "
                        + String.join(", ", cmd.getSubcommands().keySet()));
            } else {
                w.println("hshm: " + e.getMessage());
            }
            if (e instanceof CommandLine.UnmatchedArgumentException u) {
                CommandLine.UnmatchedArgumentException.printSuggestions(u, w);
            }
            w.println("Run 'hshm " + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help' for usage.");
            w.flush();
            return 2;
        });
        int rc = cl.execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /** {@code hshm} without a command: the usage, on standard error, as a usage error. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("hshm: missing command");
        cl.usage(cl.getErr());
        return 2;
    }

    /** The version from the jar's module descriptor ({@code --module-version}), else "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hshm-java " + version()};
        }

        static String version() {
            ModuleDescriptor d = Main.class.getModule().getDescriptor();
            if (d != null && d.rawVersion().isPresent()) {
                return d.rawVersion().get();
            }
            String impl = Main.class.getPackage().getImplementationVersion();
            return impl != null ? impl : "dev";
        }
    }
}
