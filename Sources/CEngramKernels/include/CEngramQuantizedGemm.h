#ifndef CENGRAM_QUANTIZED_GEMM_H
#define CENGRAM_QUANTIZED_GEMM_H

/// 8-bit matrix multiply for the reduced-precision encoder: C = dequantise(A_q · B_q) + bias.
///
/// B (a linear layer's weight, n × k) is quantised once per output column to signed 8-bit values
/// with a float scale, and packed into 16-column panels of 4-byte groups: the layout whose 64-byte
/// rows `vpdpbusd` multiplies. A (activations, m × k) is quantised per row at call time to unsigned
/// 8-bit codes around a zero point of 128. The integer products are exact, so every kernel (AVX-512
/// VNNI, AVX2, the portable loop) gives the same 32-bit sums and, through the same dequantisation
/// arithmetic, the same floats bit for bit.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Columns per packed panel of B.
enum { ENGRAM_QGEMM_NR = 16 };
/// Zero point of the unsigned activation codes: code = round(x / scale) + 128.
enum { ENGRAM_QGEMM_ZERO_POINT = 128 };

/// 1 when the processor runs AVX-512 F/BW and VNNI (and the OS saves their state), else 0.
extern int engram_avx512_vnni_available;

static inline int engram_cpu_has_avx512_vnni(void) { return engram_avx512_vnni_available; }

/// The product's kernels, slowest first: the portable loop, AVX2 (`vpmaddubsw` on recentred codes,
/// about a third of VNNI's work per instruction) and AVX-512 VNNI (`vpdpbusd`).
enum { ENGRAM_QGEMM_PORTABLE = 0, ENGRAM_QGEMM_AVX2 = 1, ENGRAM_QGEMM_VNNI = 2 };

/// The fastest kernel this processor runs (detected when the library loads).
extern int engram_qgemm_best_kernel_available;

static inline int engram_qgemm_best_kernel(void) { return engram_qgemm_best_kernel_available; }

/// k rounded up to a multiple of 4: the depth of packed panels and quantised rows.
ptrdiff_t engram_qgemm_padded_depth(ptrdiff_t k);

/// Bytes needed to hold B (n × k) packed: n rounded up to 16, times engram_qgemm_padded_depth(k).
ptrdiff_t engram_qgemm_packed_bytes(ptrdiff_t n, ptrdiff_t k);

/// Packs the signed 8-bit n × k row-major matrix b (row j = output column j) into `packed`,
/// zero-padding the last panel and the depth.
void engram_qgemm_pack_b(const signed char *b, ptrdiff_t n, ptrdiff_t k, signed char *packed);

/// Quantises each of the m rows of x (k floats, leading dimension ldx) to unsigned codes in
/// `codes` (leading dimension ldc ≥ engram_qgemm_padded_depth(k), padding set to the zero point):
/// scale = max|x| / 127 (1 for an all-zero row), code = clamp(round-to-even(x · (127 / max|x|)), ±127) + 128;
/// a NaN becomes the zero point. `kernel` (at most engram_qgemm_best_kernel()) picks the vector
/// width; the codes are the same with each.
void engram_qgemm_quantize_rows(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                unsigned char *codes, ptrdiff_t ldc, float *scales, int kernel);

/// C[i][j] = (Σ_p codes[i][p]·b[j][p] − 128·column_sums[j]) · (row_scales[i]·column_scales[j]) + bias[j]
/// for columns [n0, n1) of C (n0 a multiple of 16), the product and the sum rounded separately; bias
/// may be NULL. `codes` has leading dimension ldq, C has ldc. `kernel` is one of the kernels above,
/// at most engram_qgemm_best_kernel(); each gives the same floats.
void engram_qgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const unsigned char *codes, ptrdiff_t ldq,
                  const float *row_scales, const signed char *packed_b, const int *column_sums,
                  const float *column_scales, const float *bias, float *c, ptrdiff_t ldc,
                  ptrdiff_t n0, ptrdiff_t n1, int kernel);

#ifdef __cplusplus
}
#endif

#endif
