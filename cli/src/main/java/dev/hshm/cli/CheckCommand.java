package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.Units;
import dev.hshm.api.spi.BackendHeader;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hshm check NAME}: attaches and runs {@link Allocator#check()} on every allocator in the segment. Prints
 * OK or the {@link CorruptSegmentException}'s message per allocator; exit code 0 if all are OK, 1 if the header,
 * the directory or any allocator is corrupt (or cannot be attached).
 */
@Command(name = "check", description = {"Verify a segment's header and the metadata of every allocator in it. "
        + "Exit code 0 if all is OK, 1 if anything is corrupt."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SegmentArgument segment;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Segments.Opened o;
        try {
            o = segment.open();
        } catch (CorruptSegmentException e) {
            out.println(segment.name + ": CORRUPT: " + e.getMessage());
            return 1;
        }
        int bad = 0;
        try (o) {
            for (Map.Entry<BackendHeader.DirectoryEntry, String> e : o.notAttached.entrySet()) {
                bad++;
                out.println("allocator " + e.getKey().id() + " " + e.getKey().type() + ": NOT CHECKED: " + e.getValue());
            }
            for (Allocator a : o.allocators) {
                try {
                    a.check();
                    out.println("allocator " + a.id() + " " + a.type() + ": OK (" + Units.format(a.bytesInUse())
                            + " in use)");
                } catch (CorruptSegmentException e) {
                    bad++;
                    out.println("allocator " + a.id() + " " + a.type() + ": CORRUPT: " + e.getMessage());
                }
            }
            out.println(segment.name + ": header OK, " + o.allocators.size() + " allocator(s) checked, "
                    + (bad == 0 ? "all OK" : bad + " not OK"));
        }
        return bad == 0 ? 0 : 1;
    }
}
