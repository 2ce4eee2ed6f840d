package dev.hshm.provider.cuda.gpu;

import dev.hshm.provider.cuda.internal.CudaNative;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.runtime.cudaStream_t;

/**
 * The test kernels of {@code src/test/cuda/heap_kernels.cu}, loaded from PTX with the CUDA driver API through
 * jcuda ({@code cuModuleLoadData}, {@code cuModuleGetFunction}, {@code cuLaunchKernel}) into the context the CUDA
 * runtime made current on the calling thread (the thread model's device). The PTX comes from the build (nvcc,
 * profile {@code cuda-ptx}) or, failing that, from nvcc found on this machine at run time.
 *
 * <p>Test code: the provider's main code calls jcuda only in {@link CudaNative}; launching kernels is the test's
 * business.
 */
final class Kernels implements AutoCloseable {

    static final String PTX = "heap_kernels.ptx";
    static final String SOURCE = "heap_kernels.cu";

    private final CUmodule module;
    private final CUfunction squareBlocks = new CUfunction();
    private final CUfunction sumOutputs = new CUfunction();

    private Kernels(String ptx) {
        CudaNative.prepareNatives("JCudaDriver");
        check("cuInit", JCudaDriver.cuInit(0));
        CUcontext current = new CUcontext();
        check("cuCtxGetCurrent", JCudaDriver.cuCtxGetCurrent(current));
        if (current.equals(new CUcontext())) {
            throw new IllegalStateException("no current CUDA context on this thread: select the device (and create the"
                    + " stream) through the cuda thread model first");
        }
        CUmodule m = new CUmodule();
        check("cuModuleLoadData", JCudaDriver.cuModuleLoadData(m, ptx));
        module = m;
        check("cuModuleGetFunction(square_blocks)", JCudaDriver.cuModuleGetFunction(squareBlocks, module, "square_blocks"));
        check("cuModuleGetFunction(sum_outputs)", JCudaDriver.cuModuleGetFunction(sumOutputs, module, "sum_outputs"));
    }

    /**
     * Loads the kernels into the calling thread's current context: the build's PTX if there is one, else (or if
     * this driver rejects its PTX version) PTX compiled now by this machine's nvcc.
     */
    static Kernels load() throws IOException, InterruptedException {
        Optional<String> built = builtPtx();
        if (built.isPresent()) {
            try {
                return new Kernels(built.get());
            } catch (KernelException e) {
                boolean ptxTooNew = e.code == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION
                        || e.code == CUresult.CUDA_ERROR_INVALID_PTX;
                if (!ptxTooNew || nvcc().isEmpty()) {
                    throw e;
                }
                System.out.println("the build's PTX was rejected (" + e.getMessage() + "); compiling " + SOURCE
                        + " with " + nvcc().get());
            }
        }
        return new Kernels(compiledPtx().orElseThrow(() -> new IllegalStateException(ptxProblem())));
    }

    /** Whether {@link #load()} has PTX to load: from the build, or an nvcc to make it. */
    static boolean available() {
        return Kernels.class.getResource(PTX) != null || (nvcc().isPresent() && Kernels.class.getResource(SOURCE) != null);
    }

    private static Optional<String> builtPtx() throws IOException {
        try (InputStream in = Kernels.class.getResourceAsStream(PTX)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    private static Optional<String> compiledPtx() throws IOException, InterruptedException {
        Optional<Path> nvcc = nvcc();
        if (nvcc.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("hshm-cuda-ptx");
        Path cu = dir.resolve(SOURCE);
        Path out = dir.resolve(PTX);
        try (InputStream src = Kernels.class.getResourceAsStream(SOURCE)) {
            if (src == null) {
                return Optional.empty();
            }
            Files.copy(src, cu);
        }
        Process p = new ProcessBuilder(nvcc.get().toString(), "--ptx", "-arch=compute_75", "-o", out.toString(),
                cu.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(nvcc.get() + " failed on " + cu + ":\n" + log);
        }
        return Optional.of(Files.readString(out, StandardCharsets.US_ASCII));
    }

    static String ptxProblem() {
        return "no " + PTX + " among the test classes (built where /usr/local/bin/nvcc exists) and no nvcc here"
                + " (looked in $CUDA_HOME/bin, /usr/local/cuda/bin, /usr/local/bin and $PATH)";
    }

    static Optional<Path> nvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        candidates.add(Path.of("/usr/local/bin/nvcc"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isBlank()) {
                    candidates.add(Path.of(d, "nvcc"));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** {@code square_blocks<<<blocks, 128, 0, stream>>>(data, tableOffset, blocks)}. */
    void squareBlocks(cudaStream_t stream, long data, long tableOffset, int blocks) {
        launch("square_blocks", squareBlocks, stream, blocks, Pointer.to(Pointer.to(new long[] {data}),
                Pointer.to(new long[] {tableOffset}), Pointer.to(new int[] {blocks})));
    }

    /** {@code sum_outputs<<<blocks, 128, 0, stream>>>(data, tableOffset, blocks, sumsOffset)}. */
    void sumOutputs(cudaStream_t stream, long data, long tableOffset, int blocks, long sumsOffset) {
        launch("sum_outputs", sumOutputs, stream, blocks, Pointer.to(Pointer.to(new long[] {data}),
                Pointer.to(new long[] {tableOffset}), Pointer.to(new int[] {blocks}), Pointer.to(new long[] {sumsOffset})));
    }

    private static void launch(String name, CUfunction f, cudaStream_t stream, int blocks, Pointer params) {
        check("cuLaunchKernel(" + name + ")", JCudaDriver.cuLaunchKernel(f, Math.max(1, Math.min(blocks, 1024)), 1, 1,
                128, 1, 1, 0, new CUstream(stream), params, null));
    }

    static void check(String call, int rc) {
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new KernelException(call, rc);
        }
    }

    /** A driver-API call of the test that failed. */
    static final class KernelException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        final int code;

        KernelException(String call, int code) {
            super(call + " failed: " + CUresult.stringFor(code) + " (" + code + ")");
            this.code = code;
        }
    }

    @Override
    public void close() {
        check("cuModuleUnload", JCudaDriver.cuModuleUnload(module));
    }
}
