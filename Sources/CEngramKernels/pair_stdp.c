#include "CEngramPairSTDP.h"

// The rule's products and sums are rounded one by one, as in Swift: never fuse them.
#pragma clang fp contract(off)

/// Swift's `min(max(v, lo), hi)`, operand order included (it decides which equal value wins).
#define CLIP(v, lo, hi) ({ __typeof__(v) m_ = (lo) >= (v) ? (lo) : (v); (hi) < m_ ? (hi) : m_; })

#define PRE_UPDATE_PORTABLE(T)                                                                    \
    for (ptrdiff_t k = 0; k < count; k++) {                                                       \
        T w = weights[k], a = post_trace[targets[k]];                                                    \
        T dw = additive ? a : a * w;                                                                     \
        weights[k] = CLIP(w + dw, lo, hi);                                                               \
    }

/// While one neuron's synapses are updated, the cache lines of the next neuron's weights are
/// asked for, in one tight loop, so that their scattered reads overlap.
#define POST_UPDATE(T)                                                                                       \
    for (ptrdiff_t f = 0; f < fired_count; f++) {                                                        \
        if (f + 1 < fired_count) {                                                                       \
            for (ptrdiff_t k = column_start[fired[f + 1]]; k < column_start[fired[f + 1] + 1]; k++) {     \
                __builtin_prefetch(weights + positions[k], 1, 3);                                        \
            }                                                                                            \
        }                                                                                                \
        for (ptrdiff_t k = column_start[fired[f]]; k < column_start[fired[f] + 1]; k++) {                 \
            T *w = weights + positions[k];                                                               \
            T a = pre_trace[sources[k]];                                                                 \
            T dw = additive ? a : a * (hi - *w);                                                         \
            *w = CLIP(*w + dw, lo, hi);                                                                  \
        }                                                                                                \
    }

#if defined(__x86_64__)
#include <immintrin.h>

static int engram_avx512_available = 0;

__attribute__((constructor)) static void engram_detect_avx512(void) {
    __builtin_cpu_init();
    engram_avx512_available = __builtin_cpu_supports("avx512f");
}

#define AVX512 __attribute__((target("avx512f")))

/// Sixteen synapses at a time, the last chunk masked; `_mm512_min_ps(hi, _mm512_max_ps(v, lo))`
/// picks between equal values as CLIP does.
AVX512 static void pre_update_f32_avx512(const uint32_t *targets, float *weights, ptrdiff_t count, const float *post_trace,
                                         float lo, float hi, int additive) {
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    for (ptrdiff_t k = 0; k < count; k += 16) {
        __mmask16 lanes = count - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - k)) - 1);
        __m512i j = _mm512_maskz_loadu_epi32(lanes, targets + k);
        __m512 w = _mm512_maskz_loadu_ps(lanes, weights + k);
        __m512 a = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, j, post_trace, 4);
        __m512 dw = additive ? a : _mm512_mul_ps(a, w);
        _mm512_mask_storeu_ps(weights + k, lanes, _mm512_min_ps(vhi, _mm512_max_ps(_mm512_add_ps(w, dw), vlo)));
    }
}

/// As pre_update_f32_avx512, eight float64 synapses at a time.
AVX512 static void pre_update_f64_avx512(const uint32_t *targets, double *weights, ptrdiff_t count, const double *post_trace,
                                         double lo, double hi, int additive) {
    const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
    for (ptrdiff_t k = 0; k < count; k += 8) {
        __mmask8 lanes = count - k >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (count - k)) - 1);
        __m256i j = _mm512_castsi512_si256(_mm512_maskz_loadu_epi32((__mmask16)lanes, targets + k));
        __m512d w = _mm512_maskz_loadu_pd(lanes, weights + k);
        __m512d a = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), lanes, j, post_trace, 8);
        __m512d dw = additive ? a : _mm512_mul_pd(a, w);
        _mm512_mask_storeu_pd(weights + k, lanes, _mm512_min_pd(vhi, _mm512_max_pd(_mm512_add_pd(w, dw), vlo)));
    }
}
#endif

void engram_pair_pre_update_f32(const uint32_t *targets, float *weights, ptrdiff_t count, const float *post_trace,
                                engram_pair_bounds bounds) {
#if defined(__x86_64__)
    if (engram_avx512_available) {
        pre_update_f32_avx512(targets, weights, count, post_trace, (float)bounds.w_min, (float)bounds.w_max, bounds.additive);
        return;
    }
#endif
    engram_pair_pre_update_portable_f32(targets, weights, count, post_trace, bounds);
}

void engram_pair_pre_update_portable_f32(const uint32_t *targets, float *weights, ptrdiff_t count, const float *post_trace,
                                         engram_pair_bounds bounds) {
    const float lo = (float)bounds.w_min, hi = (float)bounds.w_max;
    const int additive = bounds.additive;
    PRE_UPDATE_PORTABLE(float)
}

void engram_pair_pre_update_f64(const uint32_t *targets, double *weights, ptrdiff_t count, const double *post_trace,
                                engram_pair_bounds bounds) {
#if defined(__x86_64__)
    if (engram_avx512_available) {
        pre_update_f64_avx512(targets, weights, count, post_trace, bounds.w_min, bounds.w_max, bounds.additive);
        return;
    }
#endif
    engram_pair_pre_update_portable_f64(targets, weights, count, post_trace, bounds);
}

void engram_pair_pre_update_portable_f64(const uint32_t *targets, double *weights, ptrdiff_t count, const double *post_trace,
                                         engram_pair_bounds bounds) {
    const double lo = bounds.w_min, hi = bounds.w_max;
    const int additive = bounds.additive;
    PRE_UPDATE_PORTABLE(double)
}

void engram_pair_post_update_f32(const int32_t *fired, ptrdiff_t fired_count, const ptrdiff_t *column_start,
                             const int32_t *positions, const int32_t *sources, float *weights, const float *pre_trace,
                             engram_pair_bounds bounds) {
    const float lo = (float)bounds.w_min, hi = (float)bounds.w_max;
    const int additive = bounds.additive;
    POST_UPDATE(float)
}

void engram_pair_post_update_f64(const int32_t *fired, ptrdiff_t fired_count, const ptrdiff_t *column_start,
                             const int32_t *positions, const int32_t *sources, double *weights, const double *pre_trace,
                             engram_pair_bounds bounds) {
    const double lo = bounds.w_min, hi = bounds.w_max;
    const int additive = bounds.additive;
    POST_UPDATE(double)
}
