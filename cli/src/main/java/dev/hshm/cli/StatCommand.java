package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorStats;
import dev.hshm.api.Units;
import dev.hshm.api.spi.BackendHeader;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hshm stat NAME}: one segment's header fields and allocator directory, and for every allocator in it
 * its statistics ({@link Allocator#stats()}): capacity, bytes and blocks in use, footprint, cached bytes,
 * thread slots, and the per-size-class table.
 */
@Command(name = "stat", description = {"Show one segment: header fields, allocator directory, and each allocator's "
        + "statistics (capacity, bytes in use, blocks, footprint, cached bytes, thread slots, size classes)."})
final class StatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SegmentArgument segment;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Segments.Opened o = segment.open()) {
            Segments.Header h = o.header;
            out.println("segment " + h.name());
            new TextTable("", "")
                    .row("kind:", h.creatorKind() + " (as created; attached here as " + h.attachedAs() + ")")
                    .row("backend id:", h.backendId())
                    .row("layout version:", h.layoutVersion())
                    .row("header:", Units.format(h.headerSize()) + " (data starts at byte " + h.headerSize() + ")")
                    .row("data:", Units.format(h.dataSize()) + ", of which " + Units.format(h.givenToAllocators())
                            + " given to allocator regions")
                    .row("creator:", "pid " + h.creator() + (h.creatorStartMillis() > 0
                            ? ", started " + Instant.ofEpochMilli(h.creatorStartMillis()) : ""))
                    .row("attached:", h.otherAttachers() + " other process(es) (attach count " + h.attachCount()
                            + ", this one included)")
                    .printRows(out, "  ");

            out.println();
            out.println("directory: " + o.directory.size() + " of " + BackendHeader.DIR_ENTRIES + " entries used");
            if (!o.directory.isEmpty()) {
                TextTable t = new TextTable(">#", "ALLOCATOR", "TYPE", "STATE", ">REGION OFFSET", ">REGION SIZE");
                for (BackendHeader.DirectoryEntry e : o.directory) {
                    t.row(e.index(), e.id(), e.type(), e.state() == BackendHeader.STATE_READY ? "ready" : "reserved",
                            "0x" + Long.toHexString(e.regionOffset()), Units.format(e.regionSize()));
                }
                t.print(out, "  ");
            }
            for (Map.Entry<BackendHeader.DirectoryEntry, String> e : o.notAttached.entrySet()) {
                out.println();
                out.println("allocator " + e.getKey().id() + " " + e.getKey().type() + ": not attached: " + e.getValue());
            }
            for (Allocator a : o.allocators) {
                printStats(out, a.stats());
            }
        }
        return 0;
    }

    private void printStats(PrintWriter out, AllocatorStats st) {
        out.println();
        out.println("allocator " + st.id() + " " + st.type());
        new TextTable("", "")
                .row("capacity:", Units.format(st.capacity()))
                .row("bytes in use:", Units.format(st.bytesInUse()) + (st.bytesInUse() >= 1024 ? " (" + st.bytesInUse()
                        + " B)" : "") + " in " + st.blocksInUse() + " block(s)")
                .row("footprint:", st.footprint() < 0 ? "unknown" : Units.format(st.footprint())
                        + " handed to size classes and large blocks")
                .row("cached:", Units.format(st.cachedBytes()) + " in per-thread caches")
                .row("thread slots:", st.threadSlotsInUse() + " leased")
                .printRows(out, "  ");
        if (st.sizeClasses().isEmpty()) {
            out.println("  size classes:  none in use");
            return;
        }
        out.println("  size classes:  " + st.sizeClasses().size() + " with blocks carved");
        TextTable t = new TextTable(">BLOCK SIZE", ">IN USE", ">CACHED", ">FREE");
        for (AllocatorStats.SizeClass c : st.sizeClasses()) {
            t.row(c.blockSize() < 1024 ? c.blockSize() + " B" : Units.format(c.blockSize()) + " (" + c.blockSize() + " B)",
                    c.blocksInUse(), c.blocksCached(), c.blocksFree());
        }
        t.print(out, "    ");
    }
}
