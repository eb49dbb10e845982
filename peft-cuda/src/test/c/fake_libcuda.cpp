// A fake libcuda.so.1 for peft-cuda's tests on machines without a GPU.
//
// It implements the driver calls peft4j makes (same names, same C signatures as cuda.h) on host
// memory: "device" pointers are host addresses, so the kernels of lora_kernels.cu, compiled here
// for the host (-DPEFT_HOST), run on them. It checks what a real driver would reject or what
// would crash a real GPU silently: unknown or freed pointers, copies outside an allocation,
// launches of a function the loaded PTX does not define, wrong block sizes, pointer arguments
// that do not point into live device memory. Each block runs on blockDim host threads (one per
// CUDA thread; __syncthreads() is a barrier of those threads), the blocks one after another.
// Bookkeeping for the tests: fake_cuda_live_allocations(), fake_cuda_live_bytes(),
// fake_cuda_launches(), fake_cuda_fail_next(call, status), fake_cuda_last_error().
#include "lora_kernels.cu"

#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_INVALID_PTX = 218,
};

thread_local peft_dim3 peft_threadIdx, peft_blockIdx, peft_blockDim, peft_gridDim;
static thread_local std::barrier<> *block_barrier;
static thread_local char *block_shared;
static thread_local size_t shared_offset;
static const size_t SHARED_BYTES = 48 * 1024;

void peft_host_syncthreads() { block_barrier->arrive_and_wait(); }

void *peft_host_shared(size_t bytes) {
    size_t start = (shared_offset + 15) & ~(size_t) 15;
    if (start + bytes > SHARED_BYTES) {
        fprintf(stderr, "fake libcuda: kernel asks for more than %zu bytes of shared memory\n", SHARED_BYTES);
        abort();
    }
    shared_offset = start + bytes;
    return block_shared + start;
}

float peft_host_atomic_add(float *address, float value) {
    uint32_t *bits = (uint32_t *) address;
    uint32_t old = __atomic_load_n(bits, __ATOMIC_SEQ_CST), next;
    float before;
    do {
        memcpy(&before, &old, sizeof before);
        float sum = before + value;
        memcpy(&next, &sum, sizeof next);
    } while (!__atomic_compare_exchange_n(bits, &old, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    return before;
}

namespace {

struct Kernel {
    const char *name;
    const char *signature;  // one letter per parameter: p pointer, i int, l long long, u unsigned, q u64, f float
    unsigned block_x;
    void (*run)(void **params);
};

template <typename V> V arg(void **params, int i) { return *(V *) params[i]; }

#define P(i) arg<void *>(params, i)
#define I(i) arg<int>(params, i)
#define L(i) arg<long long>(params, i)
#define U(i) arg<unsigned int>(params, i)
#define Q(i) arg<unsigned long long>(params, i)
#define F(i) arg<float>(params, i)

#define TRAMPOLINES(SUFFIX, T)                                                                            \
    void run_lora_shrink_##SUFFIX(void **params) {                                                        \
        peft_lora_shrink_##SUFFIX((const T *) P(0), (const T *) P(1), (float *) P(2), I(3), I(4), I(5),   \
                                  L(6), L(7), F(8), Q(9), Q(10), U(11), F(12));                           \
    }                                                                                                     \
    void run_lora_expand_##SUFFIX(void **params) {                                                        \
        peft_lora_expand_##SUFFIX((const float *) P(0), (const T *) P(1), (float *) P(2), I(3), I(4),     \
                                  I(5), L(6), L(7), F(8), Q(9), Q(10), U(11), F(12));                     \
    }                                                                                                     \
    void run_lora_outer_##SUFFIX(void **params) {                                                         \
        peft_lora_outer_##SUFFIX((const T *) P(0), (const float *) P(1), (float *) P(2), I(3), I(4),      \
                                 I(5), L(6), L(7), I(8), F(9), Q(10), Q(11), U(12), F(13));               \
    }                                                                                                     \
    void run_bgmv_shrink_##SUFFIX(void **params) {                                                        \
        peft_bgmv_shrink_##SUFFIX((const T *) P(0), (const T *) P(1), (const int *) P(2),                 \
                                  (const float *) P(3), (float *) P(4), I(5), I(6), I(7), I(8));          \
    }                                                                                                     \
    void run_bgmv_expand_##SUFFIX(void **params) {                                                        \
        peft_bgmv_expand_##SUFFIX((const float *) P(0), (const T *) P(1), (const int *) P(2),             \
                                  (float *) P(3), I(4), I(5), I(6), I(7));                                \
    }                                                                                                     \
    void run_sgmv_shrink_##SUFFIX(void **params) {                                                        \
        peft_sgmv_shrink_##SUFFIX((const T *) P(0), (const T *) P(1), (const int *) P(2),                 \
                                  (const int *) P(3), (const float *) P(4), (float *) P(5), I(6), I(7),   \
                                  I(8));                                                                  \
    }                                                                                                     \
    void run_sgmv_expand_##SUFFIX(void **params) {                                                        \
        peft_sgmv_expand_##SUFFIX((const float *) P(0), (const T *) P(1), (const int *) P(2),             \
                                  (const int *) P(3), (float *) P(4), I(5), I(6), I(7));                  \
    }

TRAMPOLINES(f32, float)
TRAMPOLINES(bf16, uint16_t)

#define KERNELS(SUFFIX)                                                                                   \
    {"peft_lora_shrink_" #SUFFIX, "pppiiillfqquf", SHRINK_THREADS, run_lora_shrink_##SUFFIX},             \
    {"peft_lora_expand_" #SUFFIX, "pppiiillfqquf", EXPAND_THREADS, run_lora_expand_##SUFFIX},             \
    {"peft_lora_outer_" #SUFFIX, "pppiiilllfqquf", OUTER_THREADS, run_lora_outer_##SUFFIX},               \
    {"peft_bgmv_shrink_" #SUFFIX, "pppppiiii", SHRINK_THREADS, run_bgmv_shrink_##SUFFIX},                 \
    {"peft_bgmv_expand_" #SUFFIX, "ppppiiii", EXPAND_THREADS, run_bgmv_expand_##SUFFIX},                  \
    {"peft_sgmv_shrink_" #SUFFIX, "ppppppiii", SHRINK_THREADS, run_sgmv_shrink_##SUFFIX},                 \
    {"peft_sgmv_expand_" #SUFFIX, "pppppiii", EXPAND_THREADS, run_sgmv_expand_##SUFFIX},

const Kernel KERNEL_TABLE[] = {KERNELS(f32) KERNELS(bf16)};

struct Module {
    std::string image;
};

std::mutex lock;
bool initialised = false;
int primary_retains = 0;
void *current_context = nullptr;
char primary_context_tag;
std::map<CUdeviceptr, size_t> allocations;
long long launches = 0;
std::map<std::string, CUresult> fail_next;
std::string last_error;

CUresult fail(CUresult status, const std::string &why) {
    last_error = why;
    return status;
}

CUresult injected(const char *call) {
    auto it = fail_next.find(call);
    if (it == fail_next.end()) return CUDA_SUCCESS;
    CUresult status = it->second;
    fail_next.erase(it);
    return fail(status, std::string("injected failure of ") + call);
}

// The allocation holding [ptr, ptr + bytes), or allocations.end().
std::map<CUdeviceptr, size_t>::iterator holding(CUdeviceptr ptr, size_t bytes) {
    auto it = allocations.upper_bound(ptr);
    if (it == allocations.begin()) return allocations.end();
    --it;
    return ptr >= it->first && ptr + bytes <= it->first + it->second ? it : allocations.end();
}

CUresult ready() {
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuInit was not called");
    if (current_context == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, "no current context");
    return CUDA_SUCCESS;
}

}  // namespace

#define GUARD(call)                                                                                       \
    std::lock_guard<std::mutex> guard(lock);                                                              \
    if (CUresult status = injected(call)) return status

extern "C" {

CUresult cuInit(unsigned int flags) {
    GUARD("cuInit");
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit flags must be 0");
    initialised = true;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
    GUARD("cuDriverGetVersion");
    *version = 13000;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
    GUARD("cuDeviceGetCount");
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuInit was not called");
    *count = 1;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    GUARD("cuDeviceGet");
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuInit was not called");
    if (ordinal != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "only device 0 exists");
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
    GUARD("cuDeviceGetName");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "only device 0 exists");
    snprintf(name, length, "peft4j fake CUDA device (host threads)");
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
    GUARD("cuDevicePrimaryCtxRetain");
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuInit was not called");
    if (device != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "only device 0 exists");
    ++primary_retains;
    *context = &primary_context_tag;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    GUARD("cuDevicePrimaryCtxRelease_v2");
    if (device != 0 || primary_retains == 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "primary context not retained");
    if (--primary_retains == 0) current_context = nullptr;
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) {
    GUARD("cuCtxSetCurrent");
    if (context != nullptr && (context != &primary_context_tag || primary_retains == 0))
        return fail(CUDA_ERROR_INVALID_CONTEXT, "not a retained primary context");
    current_context = context;
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize() {
    GUARD("cuCtxSynchronize");
    return ready();
}

CUresult cuModuleLoadData(CUmodule *module, const void *image) {
    GUARD("cuModuleLoadData");
    if (CUresult status = ready()) return status;
    std::string text((const char *) image);
    if (text.find(".version") == std::string::npos || text.find(".target sm_90") == std::string::npos)
        return fail(CUDA_ERROR_INVALID_PTX, "image is not PTX for sm_90");
    *module = new Module{text};
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) {
    GUARD("cuModuleUnload");
    if (module == nullptr) return fail(CUDA_ERROR_INVALID_HANDLE, "null module");
    delete (Module *) module;
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
    GUARD("cuModuleGetFunction");
    if (module == nullptr) return fail(CUDA_ERROR_INVALID_HANDLE, "null module");
    std::string entry = std::string(".entry ") + name + "(";
    if (((Module *) module)->image.find(entry) == std::string::npos)
        return fail(CUDA_ERROR_NOT_FOUND, std::string("the PTX defines no entry ") + name);
    for (const Kernel &kernel : KERNEL_TABLE)
        if (strcmp(kernel.name, name) == 0) {
            *function = (void *) &kernel;
            return CUDA_SUCCESS;
        }
    return fail(CUDA_ERROR_NOT_FOUND, std::string("the fake has no host build of ") + name);
}

CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
    GUARD("cuMemAlloc_v2");
    if (CUresult status = ready()) return status;
    if (bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc of 0 bytes");
    void *memory = aligned_alloc(256, (bytes + 255) & ~(size_t) 255);
    if (memory == nullptr) return fail(CUDA_ERROR_OUT_OF_MEMORY, "host allocation failed");
    *ptr = (CUdeviceptr) memory;
    allocations[*ptr] = bytes;
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr ptr) {
    GUARD("cuMemFree_v2");
    auto it = allocations.find(ptr);
    if (it == allocations.end()) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree of a pointer not allocated (or freed twice)");
    free((void *) ptr);
    allocations.erase(it);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
    GUARD("cuMemcpyHtoD_v2");
    if (CUresult status = ready()) return status;
    if (holding(dst, bytes) == allocations.end()) return fail(CUDA_ERROR_INVALID_VALUE, "copy to device outside an allocation");
    memcpy((void *) dst, src, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
    GUARD("cuMemcpyDtoH_v2");
    if (CUresult status = ready()) return status;
    if (holding(src, bytes) == allocations.end()) return fail(CUDA_ERROR_INVALID_VALUE, "copy from device outside an allocation");
    memcpy(dst, (const void *) src, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t count) {
    GUARD("cuMemsetD32_v2");
    if (CUresult status = ready()) return status;
    if ((dst & 3) != 0 || holding(dst, count * 4) == allocations.end())
        return fail(CUDA_ERROR_INVALID_VALUE, "memset outside an allocation or unaligned");
    uint32_t *words = (uint32_t *) dst;
    for (size_t i = 0; i < count; ++i) words[i] = value;
    return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared_bytes, CUstream stream, void **params, void **extra) {
    const Kernel *kernel = (const Kernel *) function;
    {
        GUARD("cuLaunchKernel");
        if (CUresult status = ready()) return status;
        bool known = false;
        for (const Kernel &k : KERNEL_TABLE) known |= &k == kernel;
        if (!known) return fail(CUDA_ERROR_INVALID_HANDLE, "not a function of a loaded module");
        if (gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535)
            return fail(CUDA_ERROR_INVALID_VALUE, "grid dimensions out of range");
        if (bx != kernel->block_x || by != 1 || bz != 1)
            return fail(CUDA_ERROR_INVALID_VALUE, std::string(kernel->name) + " needs blocks of "
                        + std::to_string(kernel->block_x) + " x 1 x 1 threads, got " + std::to_string(bx)
                        + " x " + std::to_string(by) + " x " + std::to_string(bz));
        if (shared_bytes != 0 || stream != nullptr || extra != nullptr || params == nullptr)
            return fail(CUDA_ERROR_INVALID_VALUE, "dynamic shared memory, streams and extra are not used by peft4j");
        for (int i = 0; kernel->signature[i] != 0; ++i)
            if (kernel->signature[i] == 'p' && holding((CUdeviceptr) P(i), 1) == allocations.end())
                return fail(CUDA_ERROR_INVALID_VALUE, std::string(kernel->name) + " parameter " + std::to_string(i)
                            + " is not a live device pointer");
        ++launches;
    }
    const unsigned threads = bx;
    std::barrier<> barrier((std::ptrdiff_t) threads);
    std::vector<char> shared(SHARED_BYTES);
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (unsigned tid = 0; tid < threads; ++tid) {
        workers.emplace_back([&, tid] {
            block_barrier = &barrier;
            block_shared = shared.data();
            peft_threadIdx = {tid, 0, 0};
            peft_blockDim = {bx, by, bz};
            peft_gridDim = {gx, gy, gz};
            for (unsigned z = 0; z < gz; ++z)
                for (unsigned y = 0; y < gy; ++y)
                    for (unsigned x = 0; x < gx; ++x) {
                        peft_blockIdx = {x, y, z};
                        shared_offset = 0;
                        kernel->run(params);
                        barrier.arrive_and_wait();
                    }
        });
    }
    for (std::thread &worker : workers) worker.join();
    return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult status, const char **name) {
    switch (status) {
#define NAME(code)                                                                                        \
    case code:                                                                                            \
        *name = #code;                                                                                    \
        return CUDA_SUCCESS;
        NAME(CUDA_SUCCESS)
        NAME(CUDA_ERROR_INVALID_VALUE)
        NAME(CUDA_ERROR_OUT_OF_MEMORY)
        NAME(CUDA_ERROR_NOT_INITIALIZED)
        NAME(CUDA_ERROR_INVALID_DEVICE)
        NAME(CUDA_ERROR_INVALID_IMAGE)
        NAME(CUDA_ERROR_INVALID_CONTEXT)
        NAME(CUDA_ERROR_INVALID_HANDLE)
        NAME(CUDA_ERROR_NOT_FOUND)
        NAME(CUDA_ERROR_ILLEGAL_ADDRESS)
        NAME(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
        NAME(CUDA_ERROR_INVALID_PTX)
#undef NAME
    default:
        *name = nullptr;
        return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuGetErrorString(CUresult status, const char **text) {
    switch (status) {
    case CUDA_SUCCESS: *text = "no error"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_VALUE: *text = "invalid argument"; return CUDA_SUCCESS;
    case CUDA_ERROR_OUT_OF_MEMORY: *text = "out of memory"; return CUDA_SUCCESS;
    case CUDA_ERROR_NOT_INITIALIZED: *text = "initialization error"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_DEVICE: *text = "invalid device ordinal"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_IMAGE: *text = "device kernel image is invalid"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_CONTEXT: *text = "invalid device context"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_HANDLE: *text = "invalid resource handle"; return CUDA_SUCCESS;
    case CUDA_ERROR_NOT_FOUND: *text = "named symbol not found"; return CUDA_SUCCESS;
    case CUDA_ERROR_ILLEGAL_ADDRESS: *text = "an illegal memory access was encountered"; return CUDA_SUCCESS;
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: *text = "too many resources requested for launch"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_PTX: *text = "a PTX JIT compilation failed"; return CUDA_SUCCESS;
    default: *text = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
}

// Test bookkeeping (not part of the CUDA driver API).
long long fake_cuda_live_allocations() {
    std::lock_guard<std::mutex> guard(lock);
    return (long long) allocations.size();
}

long long fake_cuda_live_bytes() {
    std::lock_guard<std::mutex> guard(lock);
    long long total = 0;
    for (auto &entry : allocations) total += (long long) entry.second;
    return total;
}

long long fake_cuda_launches() {
    std::lock_guard<std::mutex> guard(lock);
    return launches;
}

int fake_cuda_primary_retains() {
    std::lock_guard<std::mutex> guard(lock);
    return primary_retains;
}

void fake_cuda_fail_next(const char *call, int status) {
    std::lock_guard<std::mutex> guard(lock);
    fail_next[call] = status;
}

const char *fake_cuda_last_error() {
    std::lock_guard<std::mutex> guard(lock);
    return last_error.c_str();
}

}  // extern "C"
