#include "CEngramKernels.h"
#include "avx2_lanes.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int engram_avx2_fma_available = 0;

__attribute__((constructor)) static void engram_detect_avx2_fma(void) {
    __builtin_cpu_init();
    engram_avx2_fma_available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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
    float total = engram_lane_sum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}

AVX2_FMA float engram_code_dot_avx2(const unsigned char *codes, float bias, const float *q, ptrdiff_t n) {
    const __m256 offset = _mm256_set1_ps(bias);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(codes + i));
        __m256 low = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)), offset);
        __m256 high = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8))), offset);
        acc0 = _mm256_fmadd_ps(low, _mm256_loadu_ps(q + i), acc0);
        acc1 = _mm256_fmadd_ps(high, _mm256_loadu_ps(q + i + 8), acc1);
    }
    float total = engram_lane_sum(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) total += ((float)codes[i] - bias) * q[i];
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

/// Σ over one 16-byte group: zero-extend to 16 × Int16, multiply by the levels and add pairs.
AVX2_FMA static inline __m256i u8s16_group(const unsigned char *row, __m256i levels) {
    __m256i bytes = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)row));
    return _mm256_madd_epi16(bytes, levels);
}

AVX2_FMA static inline int hsum_epi32(__m256i v) {
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
    return _mm_cvtsi128_si32(sum);
}

AVX2_FMA void engram_u8s16_dots_avx2(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const short *levels, int *sums) {
    ptrdiff_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const unsigned char *r0 = codes + r * stride, *r1 = r0 + stride, *r2 = r1 + stride, *r3 = r2 + stride;
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        __m256i a2 = _mm256_setzero_si256(), a3 = _mm256_setzero_si256();
        for (ptrdiff_t j = 0; j < stride; j += 16) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(levels + j));
            a0 = _mm256_add_epi32(a0, u8s16_group(r0 + j, q));
            a1 = _mm256_add_epi32(a1, u8s16_group(r1 + j, q));
            a2 = _mm256_add_epi32(a2, u8s16_group(r2 + j, q));
            a3 = _mm256_add_epi32(a3, u8s16_group(r3 + j, q));
        }
        sums[r] = hsum_epi32(a0);
        sums[r + 1] = hsum_epi32(a1);
        sums[r + 2] = hsum_epi32(a2);
        sums[r + 3] = hsum_epi32(a3);
    }
    for (; r < rows; r++) {
        __m256i a = _mm256_setzero_si256();
        for (ptrdiff_t j = 0; j < stride; j += 16) {
            a = _mm256_add_epi32(a, u8s16_group(codes + r * stride + j, _mm256_loadu_si256((const __m256i *)(levels + j))));
        }
        sums[r] = hsum_epi32(a);
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
        float s0 = engram_lane_sum(acc0), s1 = engram_lane_sum(acc1), s2 = engram_lane_sum(acc2), s3 = engram_lane_sum(acc3);
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

float engram_code_dot_avx2(const unsigned char *codes, float bias, const float *q, ptrdiff_t n) {
    float total = 0;
    for (ptrdiff_t i = 0; i < n; i++) total += ((float)codes[i] - bias) * q[i];
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

void engram_u8s16_dots_avx2(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const short *levels, int *sums) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        unsigned int sum = 0;
        for (ptrdiff_t j = 0; j < stride; j++) sum += (unsigned int)((int)codes[r * stride + j] * (int)levels[j]);
        sums[r] = (int)sum;
    }
}

#endif
