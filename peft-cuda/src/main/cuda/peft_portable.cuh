// Portability layer for peft4j's CUDA kernels.
//
// The same kernel bodies compile two ways:
//  - with nvcc (-ptx -arch=sm_90) for the GPU;
//  - with a host C++ compiler and -DPEFT_HOST for the fake libcuda.so.1 of the tests, which runs
//    every block on real threads (one host thread per CUDA thread of a block, the blocks of a grid
//    one after another) and maps __syncthreads() to a barrier of those threads.
// Kernels may therefore use only block-level barriers, shared memory declared with PEFT_SHARED,
// and atomicAdd on float; no warp shuffles, warp votes or cooperative groups.
#ifndef PEFT_PORTABLE_CUH
#define PEFT_PORTABLE_CUH

#ifdef PEFT_HOST
#include <stdint.h>
#include <string.h>

struct peft_dim3 { unsigned int x, y, z; };
extern thread_local peft_dim3 peft_threadIdx, peft_blockIdx, peft_blockDim, peft_gridDim;
void peft_host_syncthreads();
void *peft_host_shared(size_t bytes);
float peft_host_atomic_add(float *address, float value);

#define threadIdx peft_threadIdx
#define blockIdx peft_blockIdx
#define blockDim peft_blockDim
#define gridDim peft_gridDim
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __syncthreads() peft_host_syncthreads()
#define atomicAdd(address, value) peft_host_atomic_add((address), (value))
#define PEFT_SHARED(type, name, count) type *name = (type *) peft_host_shared(sizeof(type) * (count))

static inline float peft_bits_to_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
#else
#include <stdint.h>
#define PEFT_SHARED(type, name, count) __shared__ type name##_storage[count]; type *name = name##_storage
#define peft_bits_to_float(bits) __uint_as_float(bits)
#endif

#endif
