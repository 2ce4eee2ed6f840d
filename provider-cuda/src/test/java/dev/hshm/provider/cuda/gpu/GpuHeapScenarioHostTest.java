package dev.hshm.provider.cuda.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.posix.PosixShmMmap;
import dev.hshm.testkit.ShmTestNames;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The GPU test's host side, checked here where no GPU is: {@link GpuHeapScenario.Layout} and
 * {@link GpuHeapScenario#verify} against a Java rendering of the two kernels in {@code heap_kernels.cu}, over
 * real POSIX shared memory and a second view of it, so that a GPU run can only fail on what needs the GPU.
 */
@EnabledOnOs(OS.LINUX)
class GpuHeapScenarioHostTest {

    /** {@code square_blocks}, in Java. */
    private static void squareBlocks(MemorySegment data, long tableOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long in = data.get(ValueLayout.JAVA_LONG, tableOffset + 24L * b);
            long out = data.get(ValueLayout.JAVA_LONG, tableOffset + 24L * b + 8);
            long count = data.get(ValueLayout.JAVA_LONG, tableOffset + 24L * b + 16);
            for (long i = 0; i < count; i++) {
                long x = data.get(ValueLayout.JAVA_LONG, in + 8 * i);
                data.set(ValueLayout.JAVA_LONG, out + 8 * i, x * x + b);
            }
        }
    }

    /** {@code sum_outputs}, in Java. */
    private static void sumOutputs(MemorySegment data, long tableOffset, int blocks, long sumsOffset) {
        for (int b = 0; b < blocks; b++) {
            long out = data.get(ValueLayout.JAVA_LONG, tableOffset + 24L * b + 8);
            long count = data.get(ValueLayout.JAVA_LONG, tableOffset + 24L * b + 16);
            long acc = 0;
            for (long i = 0; i < count; i++) {
                acc += data.get(ValueLayout.JAVA_LONG, out + 8 * i);
            }
            data.set(ValueLayout.JAVA_LONG, sumsOffset + 8L * b, acc);
        }
    }

    @Test
    void theLayoutTheKernelsReadIsWrittenPublishedAndVerifiedAsTheyExpect() throws Exception {
        String name = ShmTestNames.unique("hshm-cuda-t-layout");
        AllocatorId id = AllocatorId.of(21, 0);
        AllocatorProvider p = ProviderRegistry.global().find(AllocatorProvider.class, Allocator.THREAD_LOCAL);
        PosixShmMmap creator = PosixShmMmap.create(MemoryBackendId.get(21), 64L << 20, name, 0600);
        try {
            BackendHeader.DirectoryEntry e = BackendHeader.reserveAllocator(creator.header(), creator.dataSize(), id,
                    p.name(), -1);
            Allocator a = p.create(creator, id, e.regionOffset(), e.regionSize(), 64);
            BackendHeader.publishAllocator(creator.header(), e);
            GpuHeapScenario.Layout l = GpuHeapScenario.Layout.write(a, GpuHeapScenario.BLOCKS);
            AssertionError poisoned = assertThrows(AssertionError.class,
                    () -> GpuHeapScenario.verify(a.memory(), l.table(), l.blocks()));
            assertTrue(poisoned.getMessage().contains("out=-1"), "outputs start poisoned: " + poisoned.getMessage());

            squareBlocks(creator.data(), l.table(), l.blocks()); // offsets into data(), as the kernel gets them
            long[] expected = GpuHeapScenario.verify(a.memory(), l.table(), l.blocks());
            assertEquals(GpuHeapScenario.BLOCKS, expected.length);

            PosixShmMmap other = PosixShmMmap.attach(name);
            try {
                Allocator b = p.attach(other, id, e.regionOffset(), e.regionSize());
                GpuHeapScenario.Layout r = GpuHeapScenario.Layout.read(b);
                assertEquals(l, r, "the other process finds the same layout through the custom header");
                assertArrayEquals(expected, GpuHeapScenario.verify(b.memory(), r.table(), r.blocks()));
                sumOutputs(other.data(), r.table(), r.blocks(), r.sums());
                p.release(b);
            } finally {
                other.detach();
            }
            for (int blk = 0; blk < l.blocks(); blk++) {
                assertEquals(expected[blk], creator.data().get(ValueLayout.JAVA_LONG, l.sums() + 8L * blk), "block " + blk);
            }
            p.release(a);
        } finally {
            creator.destroy();
        }
        assertTrue(!Files.exists(Path.of("/dev/shm", name)));
    }
}
