package dev.hshm.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Counts the resident pages of one mapping with {@code mincore(2)}: unlike the process's resident set, the
 * count cannot be moved by anything else the JVM does at the same time (a garbage collector returning heap
 * pages, another mapping being unmapped). The benchmarks' only native binding; measurement code, not product.
 */
final class Mincore {

    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("mincore"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));
    private static final long PAGE = 4096;

    private Mincore() {
    }

    /**
     * Bytes of {@code region} that are resident, in whole pages (the region is widened to page boundaries).
     *
     * @param region a mapped region
     * @return resident bytes
     */
    static long residentBytes(MemorySegment region) {
        long start = region.address() & -PAGE;
        long end = (region.address() + region.byteSize() + PAGE - 1) & -PAGE;
        long pages = (end - start) / PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = arena.allocate(pages);
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int rc = (int) MINCORE.invokeExact(state, MemorySegment.ofAddress(start), end - start, vec);
            if (rc != 0) {
                int errno = state.get(ValueLayout.JAVA_INT,
                        Linker.Option.captureStateLayout().byteOffset(
                                java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
                throw new IllegalStateException("mincore failed for [0x" + Long.toHexString(start) + ", 0x"
                        + Long.toHexString(end) + "): errno " + errno);
            }
            long resident = 0;
            for (long i = 0; i < pages; i++) {
                resident += vec.get(ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident * PAGE;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mincore call failed: " + t, t);
        }
    }
}
