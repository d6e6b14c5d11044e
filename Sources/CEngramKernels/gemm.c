#include "CEngramGemm.h"
#include "CEngramKernels.h"
#include <string.h>

#define MR 6
#define NR ENGRAM_GEMM_NR
#define KC 256

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

/// The portable block: c[mr × nr] (=|+=) a[mr × kc]·bp[kc × 16] (+ bias), any mr ≤ 6, nr ≤ 16.
static void block_portable(ptrdiff_t mr, ptrdiff_t nr, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                           const float *bp, const float *bias, int accumulate, float *c, ptrdiff_t ldc) {
    for (ptrdiff_t r = 0; r < mr; r++) {
        float row[NR];
        for (ptrdiff_t jj = 0; jj < NR; jj++) {
            row[jj] = accumulate ? (jj < nr ? c[r * ldc + jj] : 0) : (bias && jj < nr ? bias[jj] : 0);
        }
        for (ptrdiff_t p = 0; p < kc; p++) {
            float x = a[r * lda + p];
            for (ptrdiff_t jj = 0; jj < NR; jj++) row[jj] += x * bp[p * NR + jj];
        }
        for (ptrdiff_t jj = 0; jj < nr; jj++) c[r * ldc + jj] = row[jj];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_FMA __attribute__((target("avx2,fma")))

/// The register block: c[6 × 16] (=|+=) a[6 × kc]·bp[kc × 16] (+ bias), 12 accumulators.
AVX2_FMA static void block_6x16(ptrdiff_t kc, const float *a, ptrdiff_t lda, const float *bp,
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
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda, *a4 = a + 4 * lda, *a5 = a + 5 * lda;
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(bp + p * NR), b1 = _mm256_loadu_ps(bp + p * NR + 8);
        __m256 x;
        x = _mm256_broadcast_ss(a0 + p); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a1 + p); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a2 + p); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a3 + p); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a4 + p); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a5 + p); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    }
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}
#endif

/// One block of C, through the register kernel when it is a full 6 × 16 block on an AVX2 CPU, else
/// through zero-padded tiles (edge blocks) or the portable loop.
static void block(ptrdiff_t mr, ptrdiff_t nr, ptrdiff_t kc, const float *a, ptrdiff_t lda, const float *bp,
                  const float *bias, int accumulate, float *c, ptrdiff_t ldc) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (engram_cpu_has_avx2_fma()) {
        if (mr == MR && nr == NR) {
            block_6x16(kc, a, lda, bp, bias, accumulate, c, ldc);
            return;
        }
        float a_tile[MR * KC];
        float c_tile[MR * NR];
        float bias_tile[NR];
        memset(a_tile, 0, sizeof a_tile);
        memset(c_tile, 0, sizeof c_tile);
        memset(bias_tile, 0, sizeof bias_tile);
        for (ptrdiff_t r = 0; r < mr; r++) {
            memcpy(a_tile + r * kc, a + r * lda, (size_t)kc * sizeof(float));
            if (accumulate) memcpy(c_tile + r * NR, c + r * ldc, (size_t)nr * sizeof(float));
        }
        if (bias) memcpy(bias_tile, bias, (size_t)nr * sizeof(float));
        block_6x16(kc, a_tile, kc, bp, bias ? bias_tile : NULL, accumulate, c_tile, NR);
        for (ptrdiff_t r = 0; r < mr; r++) memcpy(c + r * ldc, c_tile + r * NR, (size_t)nr * sizeof(float));
        return;
    }
#endif
    block_portable(mr, nr, kc, a, lda, bp, bias, accumulate, c, ldc);
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
    for (ptrdiff_t j = n0; j < n1; j += NR) {
        ptrdiff_t nr = n1 - j < NR ? n1 - j : NR;
        const float *panel = packed_b + (j / NR) * NR * k;
        for (ptrdiff_t pc = 0; pc < k; pc += KC) {
            ptrdiff_t kc = k - pc < KC ? k - pc : KC;
            for (ptrdiff_t i = 0; i < m; i += MR) {
                ptrdiff_t mr = m - i < MR ? m - i : MR;
                block(mr, nr, kc, a + i * lda + pc, lda, panel + pc * NR, bias ? bias + j : NULL, pc > 0,
                      c + i * ldc + j, ldc);
            }
        }
    }
}

void engram_sgemm_packed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                         const float *packed_b, const float *bias, float *c, ptrdiff_t ldc) {
    engram_sgemm_packed_columns(m, n, k, a, lda, packed_b, bias, c, ldc, 0, n);
}
