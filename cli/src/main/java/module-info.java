/**
 * The {@code hshm} command: {@code info}, {@code demo}, {@code ls}, {@code stat}, {@code check}, {@code rm}.
 * picocli reads the command classes reflectively, hence the {@code opens}.
 */
module dev.hshm.cli {
    requires dev.hshm.api;
    requires dev.hshm.structures;
    requires dev.hshm.testkit; // the launcher of the demo's second JVM (JUnit is not needed)
    requires info.picocli;

    opens dev.hshm.cli to info.picocli;
}
