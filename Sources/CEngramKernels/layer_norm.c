#include "CEngramLayerNorm.h"
#include "CEngramKernels.h"
#include <math.h>

void engram_add_layer_norm_portable(float *rows, const float *residual, ptrdiff_t count, ptrdiff_t width,
                                    const float *gamma, const float *beta, float epsilon) {
    for (ptrdiff_t r = 0; r < count; r++) {
        float *x = rows + r * width;
        if (residual) {
            const float *y = residual + r * width;
            for (ptrdiff_t i = 0; i < width; i++) x[i] += y[i];
        }
        float sum = 0;
        for (ptrdiff_t i = 0; i < width; i++) sum += x[i];
        const float mean = sum / (float)width;
        float squares = 0;
        for (ptrdiff_t i = 0; i < width; i++) squares += (x[i] - mean) * (x[i] - mean);
        const float inverse = 1 / sqrtf(squares / (float)width + epsilon);
        for (ptrdiff_t i = 0; i < width; i++) x[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "avx2_lanes.h"

AVX2_FMA static void add_layer_norm_avx2(float *rows, const float *residual, ptrdiff_t count, ptrdiff_t width,
                                         const float *gamma, const float *beta, float epsilon) {
    for (ptrdiff_t r = 0; r < count; r++) {
        float *x = rows + r * width;
        __m256 sums = _mm256_setzero_ps();
        for (ptrdiff_t i = 0; i < width; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            if (residual) {
                v = _mm256_add_ps(v, _mm256_loadu_ps(residual + r * width + i));
                _mm256_storeu_ps(x + i, v);
            }
            sums = _mm256_add_ps(sums, v);
        }
        const __m256 mean = _mm256_set1_ps(engram_lane_sum(sums) / (float)width);
        __m256 squares = _mm256_setzero_ps();
        for (ptrdiff_t i = 0; i < width; i += 8) {
            __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), mean);
            squares = _mm256_fmadd_ps(d, d, squares);
        }
        const __m256 inverse = _mm256_set1_ps(1 / sqrtf(engram_lane_sum(squares) / (float)width + epsilon));
        for (ptrdiff_t i = 0; i < width; i += 8) {
            __m256 normalised = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), mean), inverse);
            _mm256_storeu_ps(x + i, _mm256_fmadd_ps(normalised, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
        }
    }
}
#endif

void engram_add_layer_norm(float *rows, const float *residual, ptrdiff_t count, ptrdiff_t width,
                           const float *gamma, const float *beta, float epsilon) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (engram_cpu_has_avx2_fma() && width % 8 == 0) {
        add_layer_norm_avx2(rows, residual, count, width, gamma, beta, epsilon);
        return;
    }
#endif
    engram_add_layer_norm_portable(rows, residual, count, width, gamma, beta, epsilon);
}
