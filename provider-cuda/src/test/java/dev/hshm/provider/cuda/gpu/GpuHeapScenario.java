package dev.hshm.provider.cuda.gpu;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.ThreadModel;
import dev.hshm.provider.cuda.CudaBackend;
import dev.hshm.provider.cuda.CudaThreadModel;
import dev.hshm.provider.cuda.internal.CudaNative;
import dev.hshm.provider.cuda.internal.CudaProbe;
import dev.hshm.provider.cuda.internal.CudaThreadModelProvider;
import dev.hshm.testkit.ChildJvm;
import java.io.File;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jcuda.runtime.cudaStream_t;

/**
 * The GPU test's two processes, runnable without JUnit (see {@code docs/gpu.md}):
 * <ol>
 *   <li><b>parent</b> (this JVM): creates a {@code cuda_shm_mmap} backend through {@link MemoryManager} with a
 *       {@code thread_local} allocator, allocates {@value #BLOCKS} input blocks of different sizes, one output block
 *       each, a table of their offsets and a sums block, and writes the inputs from the host. A kernel
 *       ({@code square_blocks}) reads every input <em>by offset from the backend's device pointer</em> and writes
 *       {@code out[i] = in[i]^2 + block} into the outputs, on the parent's per-thread stream. The parent checks the
 *       outputs from the host.</li>
 *   <li><b>child</b> (a second JVM, {@code -Dhshm.thread.model=cuda}): attaches the backend by name as
 *       {@code cuda_shm_mmap} (registering its own mapping), attaches the allocator from the backend's directory,
 *       finds the table through the allocator's custom header, verifies every output from the host, then runs
 *       {@code sum_outputs} on its own device pointer and stream, which writes each block's sum into a sums block,
 *       and checks the GPU's sums against its own.</li>
 *   <li>the parent then reads the sums the child's kernel wrote, and destroys the backend.</li>
 * </ol>
 * Every line the test relies on starts with {@code PARENT} or {@code CHILD}. As a program: exit code 0 and
 * {@code GPU TEST PASSED} when it passed, 3 when CUDA is not usable (the reason is printed), 1 on any failure.
 */
public final class GpuHeapScenario {

    static final int BLOCKS = 64;
    static final long MAGIC = 0x4755_5448_4541_5021L; // "GUTHEAP!"
    private static final int BACKEND_ID = 21;
    private static final AllocatorId ALLOCATOR = AllocatorId.of(21, 0);


    private GpuHeapScenario() {
    }

    /**
     * Runs a role.
     *
     * @param args {@code [parent]} or {@code child URL}
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        String role = args.length == 0 ? "parent" : args[0];
        switch (role) {
            case "parent" -> {
                if (!CudaProbe.support().supported()) {
                    System.out.println("GPU TEST NOT RUN: CUDA is not usable here: " + CudaProbe.support().reason());
                    System.exit(3);
                }
                parent();
                System.out.println("GPU TEST PASSED");
            }
            case "child" -> child(args[1]);
            default -> throw new IllegalArgumentException("role must be parent or child: " + role);
        }
    }

    static long inputValue(int block, long i) {
        return block * 1000L + i - 300;
    }

    static long count(int block) {
        return 100 + 37L * block; // 100 .. 2431 values: blocks of many size classes
    }

    /** The parent's part; returns the child's output. */
    static String parent() throws Exception {
        System.out.println("PARENT support: " + CudaProbe.support());
        CudaThreadModel gpu = (CudaThreadModel) new CudaThreadModelProvider().create();
        String url = "hshm-cuda-gpu-" + ProcessHandle.current().pid();
        MemoryManager mm = MemoryManager.get();
        MemoryBackendId id = MemoryBackendId.get(BACKEND_ID);
        CudaBackend b = null;
        try {
            int device = gpu.device();
            long stream = gpu.stream();
            System.out.println("PARENT thread model " + ThreadModel.current().name() + "; this thread drives device "
                    + device + " on stream 0x" + Long.toHexString(stream));
            b = (CudaBackend) mm.createBackend(MemoryBackend.CUDA_SHM_MMAP, id, 64L << 20, url);
            System.out.println("PARENT backend " + b + ": host data at 0x" + Long.toHexString(b.data().address())
                    + ", device pointer 0x" + Long.toHexString(b.devicePointer()) + " ("
                    + (b.devicePointer() == b.data().address() ? "equal: unified addressing" : "different") + ")");
            Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, id, ALLOCATOR, 64);
            MemorySegment mem = a.memory();
            Layout l = Layout.write(a, BLOCKS);
            long table = l.table();
            long sums = l.sums();

            long[] expected;
            try (Kernels k = Kernels.load()) {
                k.squareBlocks(jcudaStream(stream), b.devicePointer(), table, BLOCKS);
                gpu.synchronize();
                expected = verify(mem, table, BLOCKS);
            }
            System.out.println("PARENT kernel square_blocks read " + BLOCKS + " input blocks by offset and wrote their"
                    + " outputs; host verified them, total=" + Arrays.stream(expected).sum());

            String childOut = runChild(url);
            for (int blk = 0; blk < BLOCKS; blk++) {
                long got = mem.get(ValueLayout.JAVA_LONG, sums + blk * 8L);
                if (got != expected[blk]) {
                    throw new AssertionError("block " + blk + ": the child's kernel wrote sum=" + got + ", expected "
                            + expected[blk]);
                }
            }
            System.out.println("PARENT read the " + BLOCKS + " sums the child's kernel wrote: all match");
            return childOut;
        } finally {
            try {
                gpu.release();
            } finally {
                if (b != null) {
                    mm.destroyBackend(id);
                    System.out.println("PARENT destroyed " + url);
                }
            }
        }
    }

    /**
     * Where the scenario's data sits in the heap. The allocator's custom header holds
     * {@code [MAGIC, tableOffset, blocks, sumsOffset]} (MAGIC written last); the table holds
     * {@code [inputOffset, outputOffset, count]} per block; the sums block one u64 per block.
     *
     * @param table the table's offset
     * @param blocks the number of blocks
     * @param sums the sums block's offset
     */
    record Layout(long table, int blocks, long sums) {
        private static final long H_MAGIC = 0;
        private static final long H_TABLE = 8;
        private static final long H_BLOCKS = 16;
        private static final long H_SUMS = 24;

        /** Allocates and fills the inputs, the (poisoned) outputs, the table and the sums, and publishes them. */
        static Layout write(Allocator a, int blocks) {
            MemorySegment mem = a.memory();
            long table = a.allocateOffset(MemContext.DEFAULT, blocks * 24L);
            long sums = a.allocateOffset(MemContext.DEFAULT, blocks * 8L);
            for (int blk = 0; blk < blocks; blk++) {
                long n = count(blk);
                long in = a.allocateOffset(MemContext.DEFAULT, n * 8);
                long out = a.allocateOffset(MemContext.DEFAULT, n * 8);
                for (long i = 0; i < n; i++) {
                    mem.set(ValueLayout.JAVA_LONG, in + i * 8, inputValue(blk, i));
                    mem.set(ValueLayout.JAVA_LONG, out + i * 8, -1L);
                }
                mem.set(ValueLayout.JAVA_LONG, table + blk * 24L, in);
                mem.set(ValueLayout.JAVA_LONG, table + blk * 24L + 8, out);
                mem.set(ValueLayout.JAVA_LONG, table + blk * 24L + 16, n);
                mem.set(ValueLayout.JAVA_LONG, sums + blk * 8L, -1L);
            }
            MemorySegment h = a.customHeader();
            h.set(ValueLayout.JAVA_LONG, H_TABLE, table);
            h.set(ValueLayout.JAVA_LONG, H_BLOCKS, blocks);
            h.set(ValueLayout.JAVA_LONG, H_SUMS, sums);
            h.set(ValueLayout.JAVA_LONG, H_MAGIC, MAGIC);
            return new Layout(table, blocks, sums);
        }

        /** Reads what {@link #write} published, from another process's view of the allocator. */
        static Layout read(Allocator a) {
            MemorySegment h = a.customHeader();
            if (h.get(ValueLayout.JAVA_LONG, H_MAGIC) != MAGIC) {
                throw new AssertionError("no table published in the custom header");
            }
            return new Layout(h.get(ValueLayout.JAVA_LONG, H_TABLE), (int) h.get(ValueLayout.JAVA_LONG, H_BLOCKS),
                    h.get(ValueLayout.JAVA_LONG, H_SUMS));
        }
    }

    private static cudaStream_t jcudaStream(long handle) {
        return ((CudaNative) CudaProbe.api("the GPU test")).jcudaStream(handle);
    }

    /** Checks every output from the host; returns each block's sum of outputs. */
    static long[] verify(MemorySegment mem, long table, int blocks) {
        long[] sums = new long[blocks];
        for (int blk = 0; blk < blocks; blk++) {
            long in = mem.get(ValueLayout.JAVA_LONG, table + blk * 24L);
            long out = mem.get(ValueLayout.JAVA_LONG, table + blk * 24L + 8);
            long n = mem.get(ValueLayout.JAVA_LONG, table + blk * 24L + 16);
            if (n != count(blk)) {
                throw new AssertionError("block " + blk + ": table says count=" + n + ", expected " + count(blk));
            }
            for (long i = 0; i < n; i++) {
                long x = mem.get(ValueLayout.JAVA_LONG, in + i * 8);
                long y = mem.get(ValueLayout.JAVA_LONG, out + i * 8);
                if (x != inputValue(blk, i) || y != x * x + blk) {
                    throw new AssertionError("block " + blk + ", value " + i + ": in=" + x + " (expected "
                            + inputValue(blk, i) + "), out=" + y + " (expected " + (x * x + blk) + ")");
                }
                sums[blk] += y;
            }
        }
        return sums;
    }

    private static String runChild(String url) throws Exception {
        // the child runs everything on the class path: this JVM's class path, plus its module path (where a module
        // path entry is a directory of jars, its jars)
        List<String> cp = new ArrayList<>();
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isBlank()) {
            for (String e : modulePath.split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (Files.isDirectory(p) && !Files.exists(p.resolve("module-info.class"))) {
                    try (var jars = Files.list(p)) {
                        jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> cp.add(j.toString()));
                    }
                } else {
                    cp.add(e);
                }
            }
        }
        String classPath = System.getProperty("java.class.path");
        if (classPath != null && !classPath.isBlank()) {
            cp.addAll(Arrays.asList(classPath.split(File.pathSeparator)));
        }
        return ChildJvm.java().name("child").echoTo(System.out).nativeAccess("ALL-UNNAMED")
                .jvmArgs("-Dhshm.thread.model=cuda").classPath(cp).main(GpuHeapScenario.class.getName())
                .args("child", url).run(120).output();
    }

    /** The child's part. */
    static void child(String url) throws Exception {
        ThreadModel model = ThreadModel.current();
        if (!(model instanceof CudaThreadModel gpu)) {
            throw new AssertionError("-Dhshm.thread.model=cuda did not give the cuda model: " + model);
        }
        MemoryManager mm = MemoryManager.get();
        CudaBackend b = null;
        try {
            long stream = gpu.stream();
            System.out.println("CHILD thread model " + gpu.name() + ", device " + gpu.device() + ", stream 0x"
                    + Long.toHexString(stream));
            b = (CudaBackend) mm.attachBackend(MemoryBackend.CUDA_SHM_MMAP, url);
            System.out.println("CHILD attached " + b + ": its own registration, device pointer 0x"
                    + Long.toHexString(b.devicePointer()));
            Allocator a = mm.getAllocator(ALLOCATOR);
            Layout l = Layout.read(a);
            long table = l.table();
            int blocks = l.blocks();
            long sums = l.sums();
            long[] expected = verify(a.memory(), table, blocks);
            System.out.println("CHILD verified " + blocks + " blocks written by the parent's kernel, total="
                    + Arrays.stream(expected).sum());
            try (Kernels k = Kernels.load()) {
                k.sumOutputs(jcudaStream(stream), b.devicePointer(), table, blocks, sums);
                gpu.synchronize();
            }
            for (int blk = 0; blk < blocks; blk++) {
                long got = a.memory().get(ValueLayout.JAVA_LONG, sums + blk * 8L);
                if (got != expected[blk]) {
                    throw new AssertionError("block " + blk + ": kernel sum_outputs over the child's registration gave "
                            + got + ", expected " + expected[blk]);
                }
            }
            System.out.println("CHILD kernel sum_outputs over its own registration: " + blocks + " sums match");
        } finally {
            try {
                gpu.release();
            } finally {
                if (b != null) {
                    mm.detachBackend(b.id());
                }
            }
        }
        System.out.println("CHILD OK");
    }
}
