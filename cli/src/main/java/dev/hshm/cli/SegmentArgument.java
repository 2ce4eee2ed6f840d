package dev.hshm.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The segment a one-segment command works on: its name and, optionally, the backend kind to attach it as (a picocli
 * mixin of {@code stat} and {@code check}).
 */
final class SegmentArgument {

    @Parameters(paramLabel = "NAME", description = "The segment's name (its url, as hshm ls shows it).")
    String name;

    @Option(names = "--kind", paramLabel = "KIND", description = "Attach as this backend kind (default: the kind "
            + "that lists NAME, else posix_shm_mmap).")
    String kind;

    /** Attaches to the segment read-only, as {@link Segments.Opened} does. */
    Segments.Opened open() {
        return new Segments.Opened(name, Segments.providerFor(name, kind), true);
    }
}
