#ifndef CENGRAM_GEMM_H
#define CENGRAM_GEMM_H

/// Single-precision matrix multiply for the sentence encoder: C = A·B (+ bias), with B packed once
/// into 16-column panels (weights are packed when the model loads). The AVX2 + FMA micro-kernel
/// computes 6×16 blocks of C in registers; without AVX2 a portable loop computes the same product.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per packed panel of B.
enum { ENGRAM_GEMM_NR = 16 };

/// Floats needed to hold B (k × n) packed: n rounded up to a multiple of 16, times k.
ptrdiff_t engram_sgemm_packed_count(ptrdiff_t n, ptrdiff_t k);

/// Packs B into `packed` (engram_sgemm_packed_count(n, k) floats), zero-padding the last panel.
/// When `b_is_n_by_k` is 1, B is given as an n × k row-major matrix (a linear layer's weight,
/// or K in Q·Kᵀ), element (p, j) at b[j·ldb + p]; otherwise as k × n, element (p, j) at b[p·ldb + j].
void engram_sgemm_pack_b(const float *b, ptrdiff_t ldb, int b_is_n_by_k, ptrdiff_t n, ptrdiff_t k, float *packed);

/// C[m × n] = A[m × k] · B (+ bias[n] on every row when bias is not NULL); C is overwritten.
/// A and C are row-major with leading dimensions lda and ldc; B is packed by engram_sgemm_pack_b.
/// Columns [n0, n1) only are computed when called through engram_sgemm_packed_columns, so that
/// threads can share one product; n0 must be a multiple of 16.
void engram_sgemm_packed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                         const float *packed_b, const float *bias, float *c, ptrdiff_t ldc);

void engram_sgemm_packed_columns(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                                 const float *packed_b, const float *bias, float *c, ptrdiff_t ldc,
                                 ptrdiff_t n0, ptrdiff_t n1);

#ifdef __cplusplus
}
#endif

#endif
