#include "CEngramActivations.h"
#include "CEngramKernels.h"
#include <math.h>

static const float inverse_root2 = 0.70710678118654752f;

static void gelu_portable(float *x, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inverse_root2));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_FMA __attribute__((target("avx2,fma")))

/// erf(x) as p(x)/q(x): an odd degree-13 numerator over an even degree-8 denominator in x², fitted
/// on [-4, 4] (the coefficients used by Eigen and XLA for float erf).
AVX2_FMA static inline __m256 erf_avx2(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-4.0f)), _mm256_set1_ps(4.0f));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-2.72614225801306e-10f);
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.77068142495902e-08f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.10102402082508e-06f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.69250639462346e-05f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-7.34990630326855e-04f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.95459980854025e-03f));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.60960333262415e-02f));
    p = _mm256_mul_ps(p, x);
    __m256 q = _mm256_set1_ps(-1.45660718464996e-05f);
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-2.13374055278905e-04f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.68282697438203e-03f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-7.37332916720468e-03f));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.42647390514189e-02f));
    return _mm256_div_ps(p, q);
}

AVX2_FMA static void gelu_avx2(float *x, ptrdiff_t n) {
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), scale = _mm256_set1_ps(inverse_root2);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = erf_avx2(_mm256_mul_ps(v, scale));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
    }
    if (i < n) {
        float tail[8] = {0};
        for (ptrdiff_t j = i; j < n; j++) tail[j - i] = x[j];
        __m256 v = _mm256_loadu_ps(tail);
        __m256 e = erf_avx2(_mm256_mul_ps(v, scale));
        _mm256_storeu_ps(tail, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
        for (ptrdiff_t j = i; j < n; j++) x[j] = tail[j - i];
    }
}
#endif

void engram_gelu(float *x, ptrdiff_t n) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (engram_cpu_has_avx2_fma()) {
        gelu_avx2(x, n);
        return;
    }
#endif
    gelu_portable(x, n);
}
