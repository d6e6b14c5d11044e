#include "CEngramKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int engram_avx2_fma_available = 0;

__attribute__((constructor)) static void engram_detect_avx2_fma(void) {
    __builtin_cpu_init();
    engram_avx2_fma_available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define AVX2_FMA __attribute__((target("avx2,fma")))

/// The sum of the eight lanes.
AVX2_FMA static inline float hsum(__m256 v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

AVX2_FMA float engram_sdot_avx2(const float *a, const float *b, ptrdiff_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    }
    float total = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}

AVX2_FMA void engram_saxpy_avx2(float alpha, const float *x, float *y, ptrdiff_t n) {
    const __m256 scale = _mm256_set1_ps(alpha);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 product = _mm256_mul_ps(scale, _mm256_loadu_ps(x + i));
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), product));
    }
    for (; i < n; i++) {
        float product = alpha * x[i];
        y[i] = y[i] + product;
    }
}

AVX2_FMA void engram_sgemv_avx2(const float *matrix, ptrdiff_t rows, ptrdiff_t columns, const float *x, float *y) {
    ptrdiff_t row = 0;
    for (; row + 4 <= rows; row += 4) {
        const float *r0 = matrix + row * columns, *r1 = r0 + columns, *r2 = r1 + columns, *r3 = r2 + columns;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
        ptrdiff_t j = 0;
        for (; j + 8 <= columns; j += 8) {
            __m256 xj = _mm256_loadu_ps(x + j);
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), xj, acc0);
            acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), xj, acc1);
            acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), xj, acc2);
            acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), xj, acc3);
        }
        float s0 = hsum(acc0), s1 = hsum(acc1), s2 = hsum(acc2), s3 = hsum(acc3);
        for (; j < columns; j++) {
            s0 += r0[j] * x[j];
            s1 += r1[j] * x[j];
            s2 += r2[j] * x[j];
            s3 += r3[j] * x[j];
        }
        y[row] = s0;
        y[row + 1] = s1;
        y[row + 2] = s2;
        y[row + 3] = s3;
    }
    for (; row < rows; row++) y[row] = engram_sdot_avx2(matrix + row * columns, x, columns);
}

#else

int engram_avx2_fma_available = 0;

float engram_sdot_avx2(const float *a, const float *b, ptrdiff_t n) {
    float total = 0;
    for (ptrdiff_t i = 0; i < n; i++) total += a[i] * b[i];
    return total;
}

void engram_saxpy_avx2(float alpha, const float *x, float *y, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) {
        float product = alpha * x[i];
        y[i] = y[i] + product;
    }
}

void engram_sgemv_avx2(const float *matrix, ptrdiff_t rows, ptrdiff_t columns, const float *x, float *y) {
    for (ptrdiff_t row = 0; row < rows; row++) y[row] = engram_sdot_avx2(matrix + row * columns, x, columns);
}

#endif
