package dev.hshm.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed's objective as a bound: allocating 64 MiB in mixed sizes (64 B .. 64 KiB, every byte written) on a
 * 4 GiB {@code posix_mmap} backend grows the resident set by at most 1.15 x 64 MiB (the allocator's
 * creation-time metadata is counted before). The backend's resident pages are counted with {@code mincore(2)},
 * so nothing else the JVM does can move the figure. Linux only (the process-wide figure printed beside it
 * comes from {@code /proc/self/status}).
 */
@EnabledOnOs(OS.LINUX)
class ResidentMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {Allocator.THREAD_LOCAL, Allocator.SCALABLE_PAGE})
    void pagesFaultedInStayCloseToBytesAllocated(String type) {
        ResidentMemory.Result r = ResidentMemory.measure(type, type.equals(Allocator.THREAD_LOCAL) ? 90 : 92);
        System.out.printf("%s: requested %d MiB, backend pages resident +%.1f MiB, ratio %.3f (process RSS +%.1f MiB),"
                + " footprint %.1f MiB%n", type, r.requested() >> 20, r.residentGrowth() / 1048576.0, r.ratio(),
                r.processGrowth() / 1048576.0, r.footprint() / 1048576.0);
        long bound = (long) (1.15 * r.requested());
        assertTrue(r.residentGrowth() <= bound, type + ": resident growth " + r.residentGrowth() + " > bound " + bound);
        assertTrue(r.residentGrowth() >= r.requested() * 9 / 10,
                type + ": the measurement saw too little growth (" + r.residentGrowth() + "); is RSS being read?");
    }
}
