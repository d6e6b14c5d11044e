#ifndef CENGRAM_AVX2_LANES_H
#define CENGRAM_AVX2_LANES_H

// Lane reductions shared by the AVX2 kernels (private to CEngramKernels: not under include/).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define AVX2_FMA __attribute__((target("avx2,fma")))

/// The sum of the eight lanes.
AVX2_FMA static inline float engram_lane_sum(__m256 v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}
#endif

#endif
