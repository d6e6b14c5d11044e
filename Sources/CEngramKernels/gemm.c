#include "CEngramGemm.h"
#include "CEngramKernels.h"
#include <string.h>

#define MR 6
#define NR ENGRAM_GEMM_NR
#define KC 256
#define MC 96

ptrdiff_t engram_sgemm_packed_count(ptrdiff_t n, ptrdiff_t k) {
    return ((n + NR - 1) / NR) * NR * k;
}

void engram_sgemm_pack_b(const float *b, ptrdiff_t ldb, int b_is_n_by_k, ptrdiff_t n, ptrdiff_t k, float *packed) {
    ptrdiff_t panels = (n + NR - 1) / NR;
    for (ptrdiff_t panel = 0; panel < panels; panel++) {
        float *out = packed + panel * NR * k;
        for (ptrdiff_t p = 0; p < k; p++) {
            for (ptrdiff_t jj = 0; jj < NR; jj++) {
                ptrdiff_t j = panel * NR + jj;
                float value = 0;
                if (j < n) value = b_is_n_by_k ? b[j * ldb + p] : b[p * ldb + j];
                out[p * NR + jj] = value;
            }
        }
    }
}

/// The portable block: c[mr × nr] (=|+=) A·B (+ bias) for packed A and B, any mr ≤ 6, nr ≤ 16.
static void block_portable(ptrdiff_t mr, ptrdiff_t nr, ptrdiff_t kc, const float *ap,
                           const float *bp, const float *bias, int accumulate, float *c, ptrdiff_t ldc) {
    for (ptrdiff_t r = 0; r < mr; r++) {
        float row[NR];
        for (ptrdiff_t jj = 0; jj < NR; jj++) {
            row[jj] = accumulate ? (jj < nr ? c[r * ldc + jj] : 0) : (bias && jj < nr ? bias[jj] : 0);
        }
        for (ptrdiff_t p = 0; p < kc; p++) {
            float x = ap[p * MR + r];
            for (ptrdiff_t jj = 0; jj < NR; jj++) row[jj] += x * bp[p * NR + jj];
        }
        for (ptrdiff_t jj = 0; jj < nr; jj++) c[r * ldc + jj] = row[jj];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_FMA __attribute__((target("avx2,fma")))

/// The register block: c[6 × 16] (=|+=) A·B (+ bias) with 12 accumulators, A packed as kc groups of
/// 6 row values (ap[p·6 + r]) and B as kc rows of 16 (bp[p·16 + j]).
AVX2_FMA static void block_6x16(ptrdiff_t kc, const float *ap, const float *bp,
                                const float *bias, int accumulate, float *c, ptrdiff_t ldc) {
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
        c00 = _mm256_loadu_ps(c + 0 * ldc); c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
        c10 = _mm256_loadu_ps(c + 1 * ldc); c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc); c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc); c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc); c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
        c50 = _mm256_loadu_ps(c + 5 * ldc); c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
    } else if (bias) {
        c00 = c10 = c20 = c30 = c40 = c50 = _mm256_loadu_ps(bias);
        c01 = c11 = c21 = c31 = c41 = c51 = _mm256_loadu_ps(bias + 8);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
    }
#define ENGRAM_GEMM_STEP(P)                                                                          \
    do {                                                                                             \
        const float *a_ = ap + (P) * MR;                                                             \
        __m256 b0 = _mm256_loadu_ps(bp + (P) * NR), b1 = _mm256_loadu_ps(bp + (P) * NR + 8), x;      \
        x = _mm256_broadcast_ss(a_ + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01); \
        x = _mm256_broadcast_ss(a_ + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11); \
        x = _mm256_broadcast_ss(a_ + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21); \
        x = _mm256_broadcast_ss(a_ + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31); \
        x = _mm256_broadcast_ss(a_ + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41); \
        x = _mm256_broadcast_ss(a_ + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51); \
    } while (0)
    ptrdiff_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        ENGRAM_GEMM_STEP(p);
        ENGRAM_GEMM_STEP(p + 1);
        ENGRAM_GEMM_STEP(p + 2);
        ENGRAM_GEMM_STEP(p + 3);
    }
    for (; p < kc; p++) ENGRAM_GEMM_STEP(p);
#undef ENGRAM_GEMM_STEP
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}
#endif

/// One block of C, through the register kernel on an AVX2 CPU (edge blocks through a C tile), or
/// through the portable loop.
static void block(ptrdiff_t mr, ptrdiff_t nr, ptrdiff_t kc, const float *ap, const float *bp,
                  const float *bias, int accumulate, float *c, ptrdiff_t ldc) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (engram_cpu_has_avx2_fma()) {
        if (mr == MR && nr == NR) {
            block_6x16(kc, ap, bp, bias, accumulate, c, ldc);
            return;
        }
        float c_tile[MR * NR] = {0};
        float bias_tile[NR] = {0};
        for (ptrdiff_t r = 0; r < mr; r++) {
            if (accumulate) memcpy(c_tile + r * NR, c + r * ldc, (size_t)nr * sizeof(float));
        }
        if (bias) memcpy(bias_tile, bias, (size_t)nr * sizeof(float));
        block_6x16(kc, ap, bp, bias ? bias_tile : NULL, accumulate, c_tile, NR);
        for (ptrdiff_t r = 0; r < mr; r++) memcpy(c + r * ldc, c_tile + r * NR, (size_t)nr * sizeof(float));
        return;
    }
#endif
    block_portable(mr, nr, kc, ap, bp, bias, accumulate, c, ldc);
}

/// Packs rows [0, mc) × columns [0, kc) of A into groups of 6 rows, p-major within a group
/// (out[g·6·kc + p·6 + r]), zero-padding the last group, so the kernel reads A contiguously.
static void pack_a(ptrdiff_t mc, ptrdiff_t kc, const float *a, ptrdiff_t lda, float *out) {
    for (ptrdiff_t g = 0; g < mc; g += MR) {
        float *group = out + g * kc;
        ptrdiff_t rows = mc - g < MR ? mc - g : MR;
        for (ptrdiff_t p = 0; p < kc; p++) {
            ptrdiff_t r = 0;
            for (; r < rows; r++) group[p * MR + r] = a[(g + r) * lda + p];
            for (; r < MR; r++) group[p * MR + r] = 0;
        }
    }
}

void engram_sgemm_packed_columns(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                                 const float *packed_b, const float *bias, float *c, ptrdiff_t ldc,
                                 ptrdiff_t n0, ptrdiff_t n1) {
    if (m <= 0 || n1 <= n0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = n0; j < n1; j++) c[i * ldc + j] = bias ? bias[j] : 0;
        return;
    }
    // Blocked as in BLIS: a KC-deep slice of B is shared by all rows; an MC × KC block of A is packed
    // (and stays in L2) while every 16-column sliver of B (KC × 16, in L1) serves its MC / 6 blocks.
    static _Thread_local float packed_a[MC * KC];
    for (ptrdiff_t pc = 0; pc < k; pc += KC) {
        ptrdiff_t kc = k - pc < KC ? k - pc : KC;
        for (ptrdiff_t ic = 0; ic < m; ic += MC) {
            ptrdiff_t mc = m - ic < MC ? m - ic : MC;
            pack_a(mc, kc, a + ic * lda + pc, lda, packed_a);
            for (ptrdiff_t j = n0; j < n1; j += NR) {
                ptrdiff_t nr = n1 - j < NR ? n1 - j : NR;
                const float *sliver = packed_b + (j / NR) * NR * k + pc * NR;
                for (ptrdiff_t i = 0; i < mc; i += MR) {
                    ptrdiff_t mr = mc - i < MR ? mc - i : MR;
                    block(mr, nr, kc, packed_a + i * kc, sliver, bias ? bias + j : NULL, pc > 0,
                          c + (ic + i) * ldc + j, ldc);
                }
            }
        }
    }
}

void engram_sgemm_packed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                         const float *packed_b, const float *bias, float *c, ptrdiff_t ldc) {
    engram_sgemm_packed_columns(m, n, k, a, lda, packed_b, bias, c, ldc, 0, n);
}
