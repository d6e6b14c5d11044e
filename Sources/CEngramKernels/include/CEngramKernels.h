#ifndef CENGRAM_KERNELS_H
#define CENGRAM_KERNELS_H

/// Float32 micro-kernels with AVX2 + FMA, chosen at run time.
///
/// Swift's portable SIMD compiles to the x86-64 baseline (SSE2), because the package may not pass
/// target flags to its users. These few hot kernels are compiled for AVX2 + FMA with a function
/// attribute instead, and EngramKernels calls them only when `engram_cpu_has_avx2_fma()` says the
/// processor has both; everywhere else (other CPUs, other architectures) it uses its Swift code.

#include <stddef.h>
#include "CEngramGemm.h"
#include "CEngramActivations.h"
#include "CEngramQuantizedGemm.h"
#include "CEngramPrefetch.h"
#include "CEngramPairSTDP.h"
#include "CEngramAttention.h"
#include "CEngramLayerNorm.h"

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the processor runs AVX2 and FMA instructions, else 0 (always 0 off x86-64). Set by a
/// load-time constructor, before any Swift code runs, so reading it is a plain load.
extern int engram_avx2_fma_available;

static inline int engram_cpu_has_avx2_fma(void) { return engram_avx2_fma_available; }

/// The processors this process may run on (its CPU affinity on Linux, the online count
/// elsewhere), at least 1.
int engram_available_processors(void);

/// Σ a[i]·b[i] over n floats, with fused multiply-adds in eight-lane accumulators.
/// Call only when engram_cpu_has_avx2_fma() returns 1.
float engram_sdot_avx2(const float *a, const float *b, ptrdiff_t n);

/// Σ (codes[i] − bias)·q[i]: the dot product of an 8-bit code with a float vector, without decoding
/// the code first. Call only when engram_cpu_has_avx2_fma() returns 1.
float engram_code_dot_avx2(const unsigned char *codes, float bias, const float *q, ptrdiff_t n);

/// y[i] = y[i] + (alpha·x[i]) over n floats, the product and the sum rounded separately (no fused
/// multiply-add), so the result is bit-identical to the portable code.
/// Call only when engram_cpu_has_avx2_fma() returns 1.
void engram_saxpy_avx2(float alpha, const float *x, float *y, ptrdiff_t n);

/// sums[r] = Σ_j codes[r·stride + j]·levels[j] for unsigned 8-bit codes and signed 16-bit levels,
/// accumulated in wrapping 32-bit integers, four rows at a time; stride must be a multiple of 16.
/// Call only when engram_cpu_has_avx2_fma() returns 1.
void engram_u8s16_dots_avx2(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const short *levels, int *sums);

/// sums[r] = Σ_j codes[r·stride + j]·levels[j] for unsigned 8-bit codes and signed 8-bit levels
/// (each sum below 2³¹ in magnitude for the index scans: 255·128·stride), four rows at a time with
/// AVX-512 VNNI `vpdpbusd`. Call only when engram_cpu_has_avx512_vnni() returns 1.
void engram_u8s8_dots_vnni(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const signed char *levels, int *sums);

/// y[r] = Σ_j A[r·columns + j]·x[j] for a row-major rows × columns matrix, four rows at a time.
/// Call only when engram_cpu_has_avx2_fma() returns 1.
void engram_sgemv_avx2(const float *matrix, ptrdiff_t rows, ptrdiff_t columns, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif
