// Kernels of the cuda_shm_mmap GPU test (CudaHeapGpuTest / GpuHeapScenario). Compiled to PTX by nvcc at build
// time (see pom.xml, profile cuda-ptx) or at test time, and JIT-compiled by the driver (cuModuleLoadData).
//
// Everything they touch lives in a cuda_shm_mmap heap: `data` is the backend's device pointer (the device
// address of the first data byte), and every other pointer is an OFFSET into that data, exactly as the
// thread_local allocator hands them out. No memory is copied to or from the GPU.
//
// table (at data + tableOffset), 3 x u64 per block:  [ inputOffset, outputOffset, count ]

#include <stdint.h>

// For block b: out[i] = in[i] * in[i] + b, for i < count. One thread block per heap block.
extern "C" __global__ void square_blocks(unsigned char *data, unsigned long long tableOffset, int blocks)
{
    const unsigned long long *table = (const unsigned long long *)(data + tableOffset);
    for (int b = blockIdx.x; b < blocks; b += gridDim.x) {
        const long long *in = (const long long *)(data + table[3 * b]);
        long long *out = (long long *)(data + table[3 * b + 1]);
        unsigned long long count = table[3 * b + 2];
        for (unsigned long long i = threadIdx.x; i < count; i += blockDim.x) {
            out[i] = in[i] * in[i] + b;
        }
    }
    __threadfence_system(); // make the writes visible to the host (and other processes) before the kernel ends
}

// For block b: sums[b] = sum of its outputs (sums at data + sumsOffset, one u64 per block). Run by the attaching
// process over ITS OWN registration of the same shared memory. Threads add into a shared-memory accumulator
// (atomics on mapped host memory are not guaranteed over every PCIe link, so none are used on it); one thread per
// block stores the result with a plain write.
extern "C" __global__ void sum_outputs(unsigned char *data, unsigned long long tableOffset, int blocks,
                                       unsigned long long sumsOffset)
{
    __shared__ unsigned long long acc;
    const unsigned long long *table = (const unsigned long long *)(data + tableOffset);
    unsigned long long *sums = (unsigned long long *)(data + sumsOffset);
    for (int b = blockIdx.x; b < blocks; b += gridDim.x) {
        if (threadIdx.x == 0) {
            acc = 0;
        }
        __syncthreads();
        const long long *out = (const long long *)(data + table[3 * b + 1]);
        unsigned long long count = table[3 * b + 2];
        unsigned long long mine = 0;
        for (unsigned long long i = threadIdx.x; i < count; i += blockDim.x) {
            mine += (unsigned long long)out[i];
        }
        atomicAdd(&acc, mine);
        __syncthreads();
        if (threadIdx.x == 0) {
            sums[b] = acc;
        }
        __syncthreads();
    }
    __threadfence_system();
}
