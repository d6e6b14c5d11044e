#include "CEngramAttention.h"
#include "CEngramKernels.h"
#include <float.h>
#include <math.h>

static ptrdiff_t padded_length(ptrdiff_t length) { return (length + 7) / 8 * 8; }

ptrdiff_t engram_attention_scratch_count(ptrdiff_t length, ptrdiff_t head_size) {
    return (head_size + 8) * padded_length(length);
}

void engram_attention_portable(const float *qkv, ptrdiff_t length, ptrdiff_t heads, ptrdiff_t head_size, float scale,
                               float *context, float *scratch) {
    const ptrdiff_t h = heads * head_size, stride = 3 * h;
    float *scores = scratch;
    for (ptrdiff_t head = 0; head < heads; head++) {
        const float *queries = qkv + head * head_size, *keys = queries + h, *values = keys + h;
        for (ptrdiff_t i = 0; i < length; i++) {
            const float *q = queries + i * stride;
            float maximum = -INFINITY;
            for (ptrdiff_t j = 0; j < length; j++) {
                const float *k = keys + j * stride;
                float dot = 0;
                for (ptrdiff_t c = 0; c < head_size; c++) dot += q[c] * k[c];
                scores[j] = dot * scale;
                if (scores[j] > maximum) maximum = scores[j];
            }
            float total = 0;
            for (ptrdiff_t j = 0; j < length; j++) {
                scores[j] = expf(scores[j] - maximum);
                total += scores[j];
            }
            float *out = context + i * h + head * head_size;
            for (ptrdiff_t c = 0; c < head_size; c++) out[c] = 0;
            for (ptrdiff_t j = 0; j < length; j++) {
                const float *v = values + j * stride;
                for (ptrdiff_t c = 0; c < head_size; c++) out[c] += scores[j] * v[c];
            }
            const float inverse = 1 / total;
            for (ptrdiff_t c = 0; c < head_size; c++) out[c] *= inverse;
        }
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "avx2_lanes.h"

/// exp(x) for x ≤ 0 as in Cephes' expf: x = n·ln 2 + r with |r| ≤ ln2/2, a degree-6 polynomial for
/// e^r, and 2ⁿ built in the exponent bits; x below −87.3 (where e^x underflows) gives about 1e-38.
AVX2_FMA static inline __m256 exp_nonpositive(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

AVX2_FMA static inline float horizontal_max(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}


/// Scores of eight consecutive queries (rows past the sequence repeat its last one and are
/// ignored) with every key: eight independent accumulators per block of eight keys, so that the
/// multiply-adds of one block do not wait on each other.
AVX2_FMA static void scores_of_eight_queries(const float *queries, ptrdiff_t stride, ptrdiff_t first, ptrdiff_t length,
                                             const float *transposed, ptrdiff_t padded, ptrdiff_t head_size, float *scores) {
    const float *q[8];
    for (int r = 0; r < 8; r++) q[r] = queries + (first + r < length ? first + r : length - 1) * stride;
    for (ptrdiff_t j = 0; j < padded; j += 8) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (ptrdiff_t c = 0; c < head_size; c++) {
            const __m256 k = _mm256_loadu_ps(transposed + c * padded + j);
            a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[0] + c), k, a0);
            a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[1] + c), k, a1);
            a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[2] + c), k, a2);
            a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[3] + c), k, a3);
            a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[4] + c), k, a4);
            a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[5] + c), k, a5);
            a6 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[6] + c), k, a6);
            a7 = _mm256_fmadd_ps(_mm256_broadcast_ss(q[7] + c), k, a7);
        }
        _mm256_storeu_ps(scores + 0 * padded + j, a0);
        _mm256_storeu_ps(scores + 1 * padded + j, a1);
        _mm256_storeu_ps(scores + 2 * padded + j, a2);
        _mm256_storeu_ps(scores + 3 * padded + j, a3);
        _mm256_storeu_ps(scores + 4 * padded + j, a4);
        _mm256_storeu_ps(scores + 5 * padded + j, a5);
        _mm256_storeu_ps(scores + 6 * padded + j, a6);
        _mm256_storeu_ps(scores + 7 * padded + j, a7);
    }
}

/// Softmax of one query's scores in place (times `scale` first), lanes past the sequence at 0;
/// returns 1 / the sum of the unnormalised weights.
AVX2_FMA static float softmax_weights(float *scores, ptrdiff_t length, ptrdiff_t padded, float scale) {
    const __m256 scales = _mm256_set1_ps(scale);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), lengths = _mm256_set1_epi32((int)length);
    __m256 maximum = _mm256_set1_ps(-FLT_MAX);
    for (ptrdiff_t j = 0; j < padded; j += 8) {
        __m256 s = _mm256_mul_ps(_mm256_loadu_ps(scores + j), scales);
        // Lanes past the sequence take no part in the maximum (their weight is set to 0 below).
        __m256 inside = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lengths, _mm256_add_epi32(_mm256_set1_epi32((int)j), lanes)));
        s = _mm256_blendv_ps(_mm256_set1_ps(-FLT_MAX), s, inside);
        _mm256_storeu_ps(scores + j, s);
        maximum = _mm256_max_ps(maximum, s);
    }
    const __m256 top = _mm256_set1_ps(horizontal_max(maximum));
    __m256 totals = _mm256_setzero_ps();
    for (ptrdiff_t j = 0; j < padded; j += 8) {
        __m256 inside = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lengths, _mm256_add_epi32(_mm256_set1_epi32((int)j), lanes)));
        __m256 e = _mm256_and_ps(exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(scores + j), top)), inside);
        _mm256_storeu_ps(scores + j, e);
        totals = _mm256_add_ps(totals, e);
    }
    return 1 / engram_lane_sum(totals);
}

/// out = inverse · Σⱼ weights[j]·vⱼ: 32 components at a time in four accumulators per parity of
/// j (eight independent multiply-add chains), then eight at a time.
AVX2_FMA static void weighted_values(const float *weights, const float *values, ptrdiff_t stride, ptrdiff_t length,
                                     ptrdiff_t head_size, float inverse, float *out) {
    const __m256 scale = _mm256_set1_ps(inverse);
    ptrdiff_t c = 0;
    for (; c + 32 <= head_size; c += 32) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        ptrdiff_t j = 0;
        for (; j + 2 <= length; j += 2) {
            const float *v = values + j * stride + c, *w = v + stride;
            const __m256 p = _mm256_broadcast_ss(weights + j), r = _mm256_broadcast_ss(weights + j + 1);
            a0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v), a0);
            a1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8), a1);
            a2 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 16), a2);
            a3 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 24), a3);
            b0 = _mm256_fmadd_ps(r, _mm256_loadu_ps(w), b0);
            b1 = _mm256_fmadd_ps(r, _mm256_loadu_ps(w + 8), b1);
            b2 = _mm256_fmadd_ps(r, _mm256_loadu_ps(w + 16), b2);
            b3 = _mm256_fmadd_ps(r, _mm256_loadu_ps(w + 24), b3);
        }
        if (j < length) {
            const float *v = values + j * stride + c;
            const __m256 p = _mm256_broadcast_ss(weights + j);
            a0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v), a0);
            a1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8), a1);
            a2 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 16), a2);
            a3 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 24), a3);
        }
        _mm256_storeu_ps(out + c, _mm256_mul_ps(_mm256_add_ps(a0, b0), scale));
        _mm256_storeu_ps(out + c + 8, _mm256_mul_ps(_mm256_add_ps(a1, b1), scale));
        _mm256_storeu_ps(out + c + 16, _mm256_mul_ps(_mm256_add_ps(a2, b2), scale));
        _mm256_storeu_ps(out + c + 24, _mm256_mul_ps(_mm256_add_ps(a3, b3), scale));
    }
    for (; c < head_size; c += 8) {
        __m256 even = _mm256_setzero_ps(), odd = _mm256_setzero_ps();
        ptrdiff_t j = 0;
        for (; j + 2 <= length; j += 2) {
            even = _mm256_fmadd_ps(_mm256_broadcast_ss(weights + j), _mm256_loadu_ps(values + j * stride + c), even);
            odd = _mm256_fmadd_ps(_mm256_broadcast_ss(weights + j + 1), _mm256_loadu_ps(values + (j + 1) * stride + c), odd);
        }
        if (j < length) even = _mm256_fmadd_ps(_mm256_broadcast_ss(weights + j), _mm256_loadu_ps(values + j * stride + c), even);
        _mm256_storeu_ps(out + c, _mm256_mul_ps(_mm256_add_ps(even, odd), scale));
    }
}

/// One head: keys transposed into `transposed` (head_size rows of `padded` floats, zero past the
/// sequence), then eight queries' scores at a time, their softmax, and the weighted values.
AVX2_FMA static void attention_head_avx2(const float *queries, const float *keys, const float *values, ptrdiff_t stride,
                                         ptrdiff_t length, ptrdiff_t head_size, float scale, float *out, ptrdiff_t out_stride,
                                         float *transposed, float *scores) {
    const ptrdiff_t padded = padded_length(length);
    for (ptrdiff_t c = 0; c < head_size; c++) {
        float *row = transposed + c * padded;
        for (ptrdiff_t j = 0; j < length; j++) row[j] = keys[j * stride + c];
        for (ptrdiff_t j = length; j < padded; j++) row[j] = 0;
    }
    for (ptrdiff_t first = 0; first < length; first += 8) {
        scores_of_eight_queries(queries, stride, first, length, transposed, padded, head_size, scores);
        for (ptrdiff_t r = 0; r < 8 && first + r < length; r++) {
            float *weights = scores + r * padded;
            const float inverse = softmax_weights(weights, length, padded, scale);
            weighted_values(weights, values, stride, length, head_size, inverse, out + (first + r) * out_stride);
        }
    }
}

AVX2_FMA static void attention_avx2(const float *qkv, ptrdiff_t length, ptrdiff_t heads, ptrdiff_t head_size, float scale,
                                    float *context, float *scratch) {
    const ptrdiff_t h = heads * head_size, stride = 3 * h;
    float *transposed = scratch, *scores = scratch + head_size * padded_length(length);
    for (ptrdiff_t head = 0; head < heads; head++) {
        const float *queries = qkv + head * head_size;
        attention_head_avx2(queries, queries + h, queries + 2 * h, stride, length, head_size, scale,
                            context + head * head_size, h, transposed, scores);
    }
}
#endif

void engram_attention(const float *qkv, ptrdiff_t length, ptrdiff_t heads, ptrdiff_t head_size, float scale,
                      float *context, float *scratch) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (engram_cpu_has_avx2_fma() && head_size % 8 == 0) {
        attention_avx2(qkv, length, heads, head_size, scale, context, scratch);
        return;
    }
#endif
    engram_attention_portable(qkv, length, heads, head_size, scale, context, scratch);
}
