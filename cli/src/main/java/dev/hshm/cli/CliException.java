package dev.hshm.cli;

/**
 * A failure the command reports in one line ({@code hshm: <message>}, exit code 1) rather than a bug: the
 * demo's second process failed, a segment is not what the command needs, the user interrupted the demo.
 * Library failures arrive as {@link dev.hshm.api.HshmException} and are reported the same way.
 */
class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
