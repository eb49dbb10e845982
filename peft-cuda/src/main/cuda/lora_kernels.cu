// LoRA and multi-adapter (BGMV, SGMV) kernels of peft4j, compiled to PTX for sm_90.
//
// Layouts are row-major. Inputs x, dy and the weights A, B are fp32 or bf16 (raw uint16_t bits);
// u, du, y and every gradient are fp32; every sum accumulates in fp32.
//   x (T, K), A (r, K), u (T, r), B (N, r), y (T, N); T tokens, K in_features, N out_features.
//   forward:  u = s * dropout(x) A^T          (lora shrink)
//             y += u B^T                      (lora expand, in place)
//   backward: du = dy B                       (shrink with strided weights, no dropout, s = 1)
//             dB += dy^T u                    (outer)
//             dA += s * du^T dropout(x)       (outer)
//             dx += s * mask * (du A)         (expand with strided weights and the dropout mask)
// Dropout is regenerated from (seed, offset + element index of x), never stored: an element is
// dropped when the top 32 bits of splitmix64(seed, counter) are below drop_threshold (= p * 2^32),
// kept ones are multiplied by keep_scale (= 1 / (1 - p)). DropoutMask.java is the Java twin.
// Multi-adapter inference follows Punica (Chen et al. 2023): BGMV gives every token row its own
// adapter index (negative: no adapter), SGMV gives segments of consecutive rows one adapter each.
#include "peft_portable.cuh"

#define SHRINK_THREADS 128
#define SHRINK_ROWS 4
#define RANK_CHUNK 16
#define EXPAND_THREADS 256
#define OUTER_THREADS 256

__device__ __forceinline__ float load_in(const float *p, long long i) { return p[i]; }
__device__ __forceinline__ float load_in(const uint16_t *p, long long i) {
    return peft_bits_to_float(((uint32_t) p[i]) << 16);
}

__device__ __forceinline__ uint32_t peft_hash(uint64_t seed, uint64_t counter) {
    uint64_t z = seed + (counter + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (uint32_t) (z >> 32);
}

struct Dropout {
    uint64_t seed;
    uint64_t offset;
    uint32_t threshold;
    float keep_scale;
};

__device__ __forceinline__ float dropout_factor(const Dropout &d, long long index) {
    if (d.threshold == 0u) {
        return 1.0f;
    }
    return peft_hash(d.seed, d.offset + (uint64_t) index) < d.threshold ? 0.0f : d.keep_scale;
}

// Rows [row0, row0 + nrows) of x times W^T, W(j, k) = w[j * w_sj + k * w_sk], times scale; all
// rows share one weight (w null: no adapter, the u rows are written as zeros). One block of
// SHRINK_THREADS threads strides over k with ROWS x RANK_CHUNK sums in registers, then a
// shared-memory tree reduction per (row, rank) pair.
template <int ROWS, typename T>
__device__ void shrink_rows(const T *__restrict__ x, int K, long long row0, int nrows, const T *__restrict__ w,
                            float scale, long long w_sj, long long w_sk, int r, float *__restrict__ u,
                            const Dropout &d) {
    PEFT_SHARED(float, red, ROWS * RANK_CHUNK * SHRINK_THREADS);
    const int tid = threadIdx.x;
    for (int j0 = 0; j0 < r; j0 += RANK_CHUNK) {
        // compile-time trip counts, so the sums stay in registers
        float acc[ROWS][RANK_CHUNK];
#pragma unroll
        for (int i = 0; i < ROWS; ++i)
#pragma unroll
            for (int jj = 0; jj < RANK_CHUNK; ++jj) acc[i][jj] = 0.0f;
        if (w != 0) {
            for (int k = tid; k < K; k += SHRINK_THREADS) {
                float xv[ROWS];
#pragma unroll
                for (int i = 0; i < ROWS; ++i) {
                    const long long index = (row0 + i) * (long long) K + k;
                    xv[i] = i < nrows ? load_in(x, index) * dropout_factor(d, index) : 0.0f;
                }
                const T *wk = w + j0 * w_sj + k * w_sk;
#pragma unroll
                for (int jj = 0; jj < RANK_CHUNK; ++jj) {
                    if (j0 + jj < r) {
                        const float wv = load_in(wk, jj * w_sj);
#pragma unroll
                        for (int i = 0; i < ROWS; ++i) acc[i][jj] += xv[i] * wv;
                    }
                }
            }
        }
#pragma unroll
        for (int i = 0; i < ROWS; ++i)
#pragma unroll
            for (int jj = 0; jj < RANK_CHUNK; ++jj) red[(i * RANK_CHUNK + jj) * SHRINK_THREADS + tid] = acc[i][jj];
        __syncthreads();
        for (int stride = SHRINK_THREADS / 2; stride > 0; stride >>= 1) {
            if (tid < stride) {
#pragma unroll
                for (int e = 0; e < ROWS * RANK_CHUNK; ++e)
                    red[e * SHRINK_THREADS + tid] += red[e * SHRINK_THREADS + tid + stride];
            }
            __syncthreads();
        }
        if (tid < ROWS * RANK_CHUNK) {
            const int i = tid / RANK_CHUNK, j = j0 + tid % RANK_CHUNK;
            if (i < nrows && j < r) u[(row0 + i) * r + j] = scale * red[tid * SHRINK_THREADS];
        }
        __syncthreads();
    }
}

// One output element y[t, n] += scale * factor(t, n) * sum_j u[t, j] W(n, j).
template <typename T>
__device__ __forceinline__ void expand_one(const float *__restrict__ u, const T *__restrict__ w,
                                           float *__restrict__ y, long long t, int N, int n, int r,
                                           long long w_sn, long long w_sj, float scale,
                                           const Dropout &d) {
    float acc = 0.0f;
    for (int j = 0; j < r; ++j) acc += u[t * r + j] * load_in(w, n * w_sn + j * w_sj);
    const long long index = t * N + n;
    y[index] += scale * dropout_factor(d, index) * acc;
}

template <typename T>
__device__ void lora_shrink(const T *x, const T *w, float *u, int tokens, int K, int r, long long w_sj,
                            long long w_sk, float scale, const Dropout &d) {
    const long long row0 = (long long) blockIdx.x * SHRINK_ROWS;
    const int nrows = tokens - row0 < SHRINK_ROWS ? (int) (tokens - row0) : SHRINK_ROWS;
    shrink_rows<SHRINK_ROWS>(x, K, row0, nrows, w, scale, w_sj, w_sk, r, u, d);
}

template <typename T>
__device__ void lora_expand(const float *u, const T *w, float *y, int tokens, int N, int r, long long w_sn,
                            long long w_sj, float scale, const Dropout &d) {
    const long long t = blockIdx.x;
    const int n = blockIdx.y * EXPAND_THREADS + threadIdx.x;
    if (t < tokens && n < N) expand_one(u, w, y, t, N, n, r, w_sn, w_sj, scale, d);
}

// out[a * out_sa + b * out_sb] += scale * sum_t factor(t, a) l[t, a] s[t, b] over the token chunk
// blockIdx.y; a thread per a, RANK_CHUNK values of b in registers, atomicAdd across chunks.
template <typename T>
__device__ void lora_outer(const T *l, const float *s, float *out, int tokens, int La, int Sb,
                           long long out_sa, long long out_sb, int t_chunk, float scale,
                           const Dropout &d) {
    const int a = blockIdx.x * OUTER_THREADS + threadIdx.x;
    if (a >= La) return;
    const long long t0 = (long long) blockIdx.y * t_chunk;
    const long long t1 = t0 + t_chunk < tokens ? t0 + t_chunk : tokens;
    for (int b0 = 0; b0 < Sb; b0 += RANK_CHUNK) {
        float acc[RANK_CHUNK];
#pragma unroll
        for (int bb = 0; bb < RANK_CHUNK; ++bb) acc[bb] = 0.0f;
        for (long long t = t0; t < t1; ++t) {
            const long long index = t * La + a;
            const float lv = load_in(l, index) * dropout_factor(d, index);
#pragma unroll
            for (int bb = 0; bb < RANK_CHUNK; ++bb)
                if (b0 + bb < Sb) acc[bb] += lv * s[t * Sb + b0 + bb];
        }
#pragma unroll
        for (int bb = 0; bb < RANK_CHUNK; ++bb)
            if (b0 + bb < Sb) atomicAdd(&out[a * out_sa + (b0 + bb) * out_sb], scale * acc[bb]);
    }
}

// BGMV shrink: one block per token row (rows of a block could use different adapters).
template <typename T>
__device__ void bgmv_shrink(const T *x, const T *a_stack, const int *indices, const float *scales, float *u,
                            int tokens, int K, int r, int n_adapters) {
    const long long row = blockIdx.x;
    if (row >= tokens) return;
    const int adapter = indices[row];
    const bool has = adapter >= 0 && adapter < n_adapters;
    const Dropout none = {0ULL, 0ULL, 0u, 1.0f};
    shrink_rows<1>(x, K, row, 1, has ? a_stack + (long long) adapter * r * K : (const T *) 0,
                   has ? scales[adapter] : 0.0f, (long long) K, 1LL, r, u, none);
}

template <typename T>
__device__ void bgmv_expand(const float *u, const T *b_stack, const int *indices, float *y, int tokens, int N,
                            int r, int n_adapters) {
    const long long t = blockIdx.x;
    const int n = blockIdx.y * EXPAND_THREADS + threadIdx.x;
    if (t >= tokens || n >= N) return;
    const int adapter = indices[t];
    if (adapter < 0 || adapter >= n_adapters) return;
    const Dropout none = {0ULL, 0ULL, 0u, 1.0f};
    expand_one(u, b_stack + (long long) adapter * N * r, y, t, N, n, r, (long long) r, 1LL, 1.0f, none);
}

// SGMV: grid (row blocks of the longest segment, 1, segments); the rows of one block share one
// adapter, so its weights are read once for SHRINK_ROWS rows.
template <typename T>
__device__ void sgmv_shrink(const T *x, const T *a_stack, const int *seg_starts, const int *seg_adapters,
                            const float *scales, float *u, int K, int r, int n_adapters) {
    const int seg = blockIdx.z;
    const long long end = seg_starts[seg + 1];
    const long long row0 = seg_starts[seg] + (long long) blockIdx.x * SHRINK_ROWS;
    if (row0 >= end) return;
    const int adapter = seg_adapters[seg];
    const bool has = adapter >= 0 && adapter < n_adapters;
    const int nrows = end - row0 < SHRINK_ROWS ? (int) (end - row0) : SHRINK_ROWS;
    const Dropout none = {0ULL, 0ULL, 0u, 1.0f};
    shrink_rows<SHRINK_ROWS>(x, K, row0, nrows, has ? a_stack + (long long) adapter * r * K : (const T *) 0,
                             has ? scales[adapter] : 0.0f, (long long) K, 1LL, r, u, none);
}

// SGMV expand: grid (rows of the longest segment, column blocks, segments).
template <typename T>
__device__ void sgmv_expand(const float *u, const T *b_stack, const int *seg_starts, const int *seg_adapters,
                            float *y, int N, int r, int n_adapters) {
    const int seg = blockIdx.z;
    const long long t = seg_starts[seg] + (long long) blockIdx.x;
    const int n = blockIdx.y * EXPAND_THREADS + threadIdx.x;
    const int adapter = seg_adapters[seg];
    if (t >= seg_starts[seg + 1] || n >= N || adapter < 0 || adapter >= n_adapters) return;
    const Dropout none = {0ULL, 0ULL, 0u, 1.0f};
    expand_one(u, b_stack + (long long) adapter * N * r, y, t, N, n, r, (long long) r, 1LL, 1.0f, none);
}

#define PEFT_ENTRY_POINTS(SUFFIX, T)                                                                      \
    extern "C" __global__ void peft_lora_shrink_##SUFFIX(                                                 \
        const T *x, const T *w, float *u, int tokens, int K, int r, long long w_sj, long long w_sk,      \
        float scale, unsigned long long seed, unsigned long long offset, unsigned int threshold,          \
        float keep_scale) {                                                                               \
        const Dropout d = {seed, offset, threshold, keep_scale};                                          \
        lora_shrink(x, w, u, tokens, K, r, w_sj, w_sk, scale, d);                                         \
    }                                                                                                     \
    extern "C" __global__ void peft_lora_expand_##SUFFIX(                                                 \
        const float *u, const T *w, float *y, int tokens, int N, int r, long long w_sn, long long w_sj,  \
        float scale, unsigned long long seed, unsigned long long offset, unsigned int threshold,          \
        float keep_scale) {                                                                               \
        const Dropout d = {seed, offset, threshold, keep_scale};                                          \
        lora_expand(u, w, y, tokens, N, r, w_sn, w_sj, scale, d);                                         \
    }                                                                                                     \
    extern "C" __global__ void peft_lora_outer_##SUFFIX(                                                  \
        const T *l, const float *s, float *out, int tokens, int La, int Sb, long long out_sa,             \
        long long out_sb, int t_chunk, float scale, unsigned long long seed, unsigned long long offset,  \
        unsigned int threshold, float keep_scale) {                                                       \
        const Dropout d = {seed, offset, threshold, keep_scale};                                          \
        lora_outer(l, s, out, tokens, La, Sb, out_sa, out_sb, t_chunk, scale, d);                         \
    }                                                                                                     \
    extern "C" __global__ void peft_bgmv_shrink_##SUFFIX(const T *x, const T *a_stack, const int *indices, \
                                                         const float *scales, float *u, int tokens, int K, \
                                                         int r, int n_adapters) {                         \
        bgmv_shrink(x, a_stack, indices, scales, u, tokens, K, r, n_adapters);                            \
    }                                                                                                     \
    extern "C" __global__ void peft_bgmv_expand_##SUFFIX(const float *u, const T *b_stack,                \
                                                         const int *indices, float *y, int tokens, int N,  \
                                                         int r, int n_adapters) {                         \
        bgmv_expand(u, b_stack, indices, y, tokens, N, r, n_adapters);                                    \
    }                                                                                                     \
    extern "C" __global__ void peft_sgmv_shrink_##SUFFIX(                                                 \
        const T *x, const T *a_stack, const int *seg_starts, const int *seg_adapters,                     \
        const float *scales, float *u, int K, int r, int n_adapters) {                                    \
        sgmv_shrink(x, a_stack, seg_starts, seg_adapters, scales, u, K, r, n_adapters);                   \
    }                                                                                                     \
    extern "C" __global__ void peft_sgmv_expand_##SUFFIX(const float *u, const T *b_stack,                \
                                                         const int *seg_starts, const int *seg_adapters,  \
                                                         float *y, int N, int r, int n_adapters) {        \
        sgmv_expand(u, b_stack, seg_starts, seg_adapters, y, N, r, n_adapters);                           \
    }

PEFT_ENTRY_POINTS(f32, float)
PEFT_ENTRY_POINTS(bf16, uint16_t)
