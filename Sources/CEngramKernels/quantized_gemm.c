#include "CEngramQuantizedGemm.h"
#include <string.h>

#define NR ENGRAM_QGEMM_NR
#define MR 8        // rows of C per register tile
#define NB 32       // columns of C per register tile: two panels
#define MC 64       // rows whose codes stay in L1/L2 while every column tile passes over them

ptrdiff_t engram_qgemm_padded_depth(ptrdiff_t k) { return (k + 3) & ~(ptrdiff_t)3; }

ptrdiff_t engram_qgemm_packed_bytes(ptrdiff_t n, ptrdiff_t k) {
    return ((n + NR - 1) / NR) * NR * engram_qgemm_padded_depth(k);
}

void engram_qgemm_pack_b(const signed char *b, ptrdiff_t n, ptrdiff_t k, signed char *packed) {
    ptrdiff_t k4 = engram_qgemm_padded_depth(k), panels = (n + NR - 1) / NR;
    for (ptrdiff_t panel = 0; panel < panels; panel++) {
        signed char *out = packed + panel * NR * k4;
        for (ptrdiff_t g = 0; g < k4 / 4; g++) {
            for (ptrdiff_t jj = 0; jj < NR; jj++) {
                ptrdiff_t j = panel * NR + jj;
                for (ptrdiff_t q = 0; q < 4; q++) {
                    ptrdiff_t p = 4 * g + q;
                    out[g * 4 * NR + jj * 4 + q] = (j < n && p < k) ? b[j * k + p] : 0;
                }
            }
        }
    }
}

/// One row's codes through the portable loop; its scale is computed by the caller.
static void quantize_row_portable(const float *row, ptrdiff_t k, float inverse, unsigned char *out) {
    for (ptrdiff_t p = 0; p < k; p++) {
        float v = row[p] * inverse;
        if (v > 127.0f) v = 127.0f;
        else if (v < -127.0f) v = -127.0f;
        else if (v != v) v = 0.0f;
        out[p] = (unsigned char)((int)__builtin_rintf(v) + ENGRAM_QGEMM_ZERO_POINT);
    }
}

static float largest_magnitude_portable(const float *row, ptrdiff_t k) {
    float largest = 0;
    for (ptrdiff_t p = 0; p < k; p++) {
        float magnitude = row[p] < 0 ? -row[p] : row[p];
        if (magnitude > largest) largest = magnitude;
    }
    return largest;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

/// largest_magnitude_portable, 16 lanes at a time: `max(|x|, acc)` keeps acc where |x| is NaN,
/// as the portable comparison does.
VNNI static float largest_magnitude_avx512(const float *row, ptrdiff_t k) {
    __m512 acc = _mm512_setzero_ps();
    ptrdiff_t p = 0;
    for (; p + 16 <= k; p += 16) acc = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(row + p)), acc);
    float largest = _mm512_reduce_max_ps(acc);
    float rest = largest_magnitude_portable(row + p, k - p);
    return rest > largest ? rest : largest;
}

/// quantize_row_portable, 16 lanes at a time: the same product, clamp, NaN → 0 and
/// round-to-nearest-even conversion, so the codes are identical.
VNNI static void quantize_row_avx512(const float *row, ptrdiff_t k, float inverse, unsigned char *out) {
    const __m512 scale = _mm512_set1_ps(inverse), high = _mm512_set1_ps(127.0f), low = _mm512_set1_ps(-127.0f);
    const __m512i zero_point = _mm512_set1_epi32(ENGRAM_QGEMM_ZERO_POINT);
    ptrdiff_t p = 0;
    for (; p + 16 <= k; p += 16) {
        __m512 v = _mm512_mul_ps(_mm512_loadu_ps(row + p), scale);
        __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        v = _mm512_min_ps(_mm512_max_ps(v, low), high);
        v = _mm512_mask_mov_ps(v, nan, _mm512_setzero_ps());
        __m512i codes = _mm512_add_epi32(_mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), zero_point);
        _mm_storeu_si128((__m128i *)(out + p), _mm512_cvtepi32_epi8(codes));
    }
    quantize_row_portable(row + p, k - p, inverse, out + p);
}

#define AVX2 __attribute__((target("avx2")))

/// largest_magnitude_portable, 8 lanes at a time (NaN kept out as in the AVX-512 form).
AVX2 static float largest_magnitude_avx2(const float *row, ptrdiff_t k) {
    const __m256 magnitude_bits = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 acc = _mm256_setzero_ps();
    ptrdiff_t p = 0;
    for (; p + 8 <= k; p += 8) acc = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(row + p), magnitude_bits), acc);
    float lanes[8], largest = 0;
    _mm256_storeu_ps(lanes, acc);
    for (int i = 0; i < 8; i++) largest = lanes[i] > largest ? lanes[i] : largest;
    float rest = largest_magnitude_portable(row + p, k - p);
    return rest > largest ? rest : largest;
}

/// quantize_row_portable, 8 lanes at a time: the same product, clamp, NaN → 0 and
/// round-to-nearest-even conversion (the default rounding mode), so the codes are identical.
AVX2 static void quantize_row_avx2(const float *row, ptrdiff_t k, float inverse, unsigned char *out) {
    const __m256 scale = _mm256_set1_ps(inverse), high = _mm256_set1_ps(127.0f), low = _mm256_set1_ps(-127.0f);
    const __m256i zero_point = _mm256_set1_epi32(ENGRAM_QGEMM_ZERO_POINT);
    ptrdiff_t p = 0;
    for (; p + 8 <= k; p += 8) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(row + p), scale);
        __m256 ordered = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
        v = _mm256_and_ps(_mm256_min_ps(_mm256_max_ps(v, low), high), ordered);
        __m256i codes = _mm256_add_epi32(_mm256_cvtps_epi32(v), zero_point);
        __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(codes), _mm256_extracti128_si256(codes, 1));
        _mm_storel_epi64((__m128i *)(out + p), _mm_packus_epi16(words, words));
    }
    quantize_row_portable(row + p, k - p, inverse, out + p);
}
#endif

static void quantize_rows(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, unsigned char *codes,
                          ptrdiff_t ldc, float *scales, int kernel) {
    ptrdiff_t k4 = engram_qgemm_padded_depth(k);
    for (ptrdiff_t i = 0; i < m; i++) {
        const float *row = x + i * ldx;
        unsigned char *out = codes + i * ldc;
        float largest;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (kernel == ENGRAM_QGEMM_VNNI) largest = largest_magnitude_avx512(row, k);
        else if (kernel == ENGRAM_QGEMM_AVX2) largest = largest_magnitude_avx2(row, k);
        else
#endif
            largest = largest_magnitude_portable(row, k);
        float inverse = largest > 0 ? 127.0f / largest : 1.0f;
        scales[i] = largest > 0 ? largest / 127.0f : 1.0f;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (kernel == ENGRAM_QGEMM_VNNI) quantize_row_avx512(row, k, inverse, out);
        else if (kernel == ENGRAM_QGEMM_AVX2) quantize_row_avx2(row, k, inverse, out);
        else
#endif
            quantize_row_portable(row, k, inverse, out);
        for (ptrdiff_t p = k; p < k4; p++) out[p] = ENGRAM_QGEMM_ZERO_POINT;
    }
}

void engram_qgemm_quantize_rows(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                unsigned char *codes, ptrdiff_t ldc, float *scales, int kernel) {
    quantize_rows(m, k, x, ldx, codes, ldc, scales, kernel);
}

/// The integer tile: tile[r·NB + c] = Σ_p rows[r][p]·B[p][c] over the padded depth, for the two
/// panels b0 (columns 0..15) and b1 (16..31), reading each panel's 64-byte groups.
static void tile_portable(const unsigned char *const rows[MR], const signed char *b0, const signed char *b1,
                          ptrdiff_t k4, int *tile) {
    for (int r = 0; r < MR; r++) {
        int sums[NB] = {0};
        for (ptrdiff_t g = 0; g < k4 / 4; g++) {
            const unsigned char *x = rows[r] + 4 * g;
            for (int c = 0; c < NB; c++) {
                const signed char *w = (c < NR ? b0 : b1) + g * 4 * NR + (c % NR) * 4;
                sums[c] += x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + x[3] * w[3];
            }
        }
        memcpy(tile + r * NB, sums, sizeof sums);
    }
}

/// Writes the tile's mr × nc outputs: (sum − 128·column_sum) · (row_scale · column_scale) + bias.
static void store_tile_portable(const int *tile, ptrdiff_t mr, ptrdiff_t nc, const int *column_sums,
                                const float *row_scales, const float *column_scales, const float *bias,
                                float *c, ptrdiff_t ldc) {
    for (ptrdiff_t r = 0; r < mr; r++) {
        float *out = c + r * ldc;
        for (ptrdiff_t col = 0; col < nc; col++) {
            int centred = tile[r * NB + col] - ENGRAM_QGEMM_ZERO_POINT * column_sums[col];
            float scaled = (float)centred * (row_scales[r] * column_scales[col]);
            out[col] = bias ? scaled + bias[col] : scaled;
        }
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
int engram_avx512_vnni_available = 0;
int engram_qgemm_best_kernel_available = ENGRAM_QGEMM_PORTABLE;

__attribute__((constructor)) static void engram_detect_avx512_vnni(void) {
    __builtin_cpu_init();
    engram_avx512_vnni_available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vnni");
    engram_qgemm_best_kernel_available = engram_avx512_vnni_available ? ENGRAM_QGEMM_VNNI
        : __builtin_cpu_supports("avx2") ? ENGRAM_QGEMM_AVX2 : ENGRAM_QGEMM_PORTABLE;
}

/// The tile for processors with AVX2 but not VNNI, as centred sums Σ (code − 128)·w (the zero
/// point already taken off). `vpmaddubsw` multiplies unsigned by signed bytes and adds pairs
/// into 16 bits with saturation, which raw codes (up to 255) against weights (±127) would reach;
/// recentred codes (±127, codes being 1…255) with the weight's sign moved onto them multiply |w|
/// by sign(w)·(code − 128), two products of at most 127·127 each, so the pairs are exact and
/// `vpmaddwd` by ones adds each column's four. Four rows of one panel at a time (8 accumulators,
/// the panel's group and its magnitudes in registers), and only the groups of four that hold
/// some of the tile's `mr` rows (a short query's last tile is often half empty).
AVX2 static void centred_tile_avx2(const unsigned char *const rows[MR], ptrdiff_t mr, const signed char *b0,
                                   const signed char *b1, ptrdiff_t k4, int *tile) {
    const __m256i ones = _mm256_set1_epi16(1), recentre = _mm256_set1_epi8((char)0x80);
    const signed char *panels[2] = {b0, b1};
    // b1 is b0 when the tile is one panel wide (its second half is not stored).
    for (int half = 0; half < (b1 == b0 ? 1 : 2); half++) {
        const signed char *b = panels[half];
        for (int r0 = 0; r0 < mr; r0 += 4) {
            __m256i low[4], high[4];
            for (int r = 0; r < 4; r++) low[r] = high[r] = _mm256_setzero_si256();
            for (ptrdiff_t g = 0; g < k4 / 4; g++) {
                __m256i w0 = _mm256_loadu_si256((const __m256i *)(b + g * 4 * NR));
                __m256i w1 = _mm256_loadu_si256((const __m256i *)(b + g * 4 * NR + 32));
                __m256i m0 = _mm256_abs_epi8(w0), m1 = _mm256_abs_epi8(w1);
                for (int r = 0; r < 4; r++) {
                    int word;
                    memcpy(&word, rows[r0 + r] + 4 * g, 4);
                    __m256i x = _mm256_xor_si256(_mm256_set1_epi32(word), recentre);
                    low[r] = _mm256_add_epi32(low[r], _mm256_madd_epi16(_mm256_maddubs_epi16(m0, _mm256_sign_epi8(x, w0)), ones));
                    high[r] = _mm256_add_epi32(high[r], _mm256_madd_epi16(_mm256_maddubs_epi16(m1, _mm256_sign_epi8(x, w1)), ones));
                }
            }
            for (int r = 0; r < 4; r++) {
                _mm256_storeu_si256((__m256i *)(tile + (r0 + r) * NB + half * NR), low[r]);
                _mm256_storeu_si256((__m256i *)(tile + (r0 + r) * NB + half * NR + 8), high[r]);
            }
        }
    }
}

/// The dequantisation of store_tile_portable for centred sums, 8 columns at a time: the same
/// conversion, products and sums (no fused multiply-add), so the same floats bit for bit.
AVX2 static void store_centred_tile_avx2(const int *tile, ptrdiff_t mr, ptrdiff_t nc, const float *row_scales,
                                         const float *column_scales, const float *bias, float *c, ptrdiff_t ldc) {
    ptrdiff_t col = 0;
    for (; col + 8 <= nc; col += 8) {
        __m256 scales = _mm256_loadu_ps(column_scales + col);
        __m256 biases = bias ? _mm256_loadu_ps(bias + col) : _mm256_setzero_ps();
        for (ptrdiff_t r = 0; r < mr; r++) {
            __m256i centred = _mm256_loadu_si256((const __m256i *)(tile + r * NB + col));
            __m256 scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(centred), _mm256_mul_ps(_mm256_set1_ps(row_scales[r]), scales));
            if (bias) scaled = _mm256_add_ps(scaled, biases);
            _mm256_storeu_ps(c + r * ldc + col, scaled);
        }
    }
    for (ptrdiff_t r = 0; r < mr; r++) {
        for (ptrdiff_t j = col; j < nc; j++) {
            float scaled = (float)tile[r * NB + j] * (row_scales[r] * column_scales[j]);
            c[r * ldc + j] = bias ? scaled + bias[j] : scaled;
        }
    }
}

/// tile_portable with `vpdpbusd`: 16 accumulators (8 rows × 2 panels), each step broadcasting four
/// codes of a row against a 64-byte group of each panel.
VNNI static void tile_vnni(const unsigned char *const rows[MR], const signed char *b0, const signed char *b1,
                           ptrdiff_t k4, int *tile) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    __m512i c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0;
    for (ptrdiff_t g = 0; g < k4 / 4; g++) {
        __m512i w0 = _mm512_loadu_si512(b0 + g * 4 * NR), w1 = _mm512_loadu_si512(b1 + g * 4 * NR);
        int word;
#define ENGRAM_QGEMM_ROW(R, ACC0, ACC1)                                   \
        memcpy(&word, rows[R] + 4 * g, 4);                                \
        {                                                                 \
            __m512i x = _mm512_set1_epi32(word);                          \
            ACC0 = _mm512_dpbusd_epi32(ACC0, x, w0);                      \
            ACC1 = _mm512_dpbusd_epi32(ACC1, x, w1);                      \
        }
        ENGRAM_QGEMM_ROW(0, a0, c0)
        ENGRAM_QGEMM_ROW(1, a1, c1)
        ENGRAM_QGEMM_ROW(2, a2, c2)
        ENGRAM_QGEMM_ROW(3, a3, c3)
        ENGRAM_QGEMM_ROW(4, a4, c4)
        ENGRAM_QGEMM_ROW(5, a5, c5)
        ENGRAM_QGEMM_ROW(6, a6, c6)
        ENGRAM_QGEMM_ROW(7, a7, c7)
#undef ENGRAM_QGEMM_ROW
    }
    __m512i low[MR] = {a0, a1, a2, a3, a4, a5, a6, a7}, high[MR] = {c0, c1, c2, c3, c4, c5, c6, c7};
    for (int r = 0; r < MR; r++) {
        _mm512_storeu_si512(tile + r * NB, low[r]);
        _mm512_storeu_si512(tile + r * NB + NR, high[r]);
    }
}

/// The dequantisation of store_tile_portable, 16 columns at a time: the same conversion, products
/// and sums (each rounded once, no fused multiply-add), so the same floats bit for bit.
VNNI static void store_tile_avx512(const int *tile, ptrdiff_t mr, ptrdiff_t nc, const int *column_sums,
                                   const float *row_scales, const float *column_scales, const float *bias,
                                   float *c, ptrdiff_t ldc) {
    for (ptrdiff_t col = 0; col < nc; col += NR) {
        __mmask16 mask = nc - col >= NR ? (__mmask16)0xFFFF : (__mmask16)((1u << (nc - col)) - 1);
        __m512i offsets = _mm512_mullo_epi32(_mm512_maskz_loadu_epi32(mask, column_sums + col),
                                             _mm512_set1_epi32(ENGRAM_QGEMM_ZERO_POINT));
        __m512 scales = _mm512_maskz_loadu_ps(mask, column_scales + col);
        __m512 biases = bias ? _mm512_maskz_loadu_ps(mask, bias + col) : _mm512_setzero_ps();
        for (ptrdiff_t r = 0; r < mr; r++) {
            __m512i centred = _mm512_sub_epi32(_mm512_loadu_si512((const void *)(tile + r * NB + col)), offsets);
            __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(centred), _mm512_mul_ps(_mm512_set1_ps(row_scales[r]), scales));
            if (bias) scaled = _mm512_add_ps(scaled, biases);
            _mm512_mask_storeu_ps(c + r * ldc + col, mask, scaled);
        }
    }
}
#else
int engram_avx512_vnni_available = 0;
int engram_qgemm_best_kernel_available = ENGRAM_QGEMM_PORTABLE;
#endif

static void qgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const unsigned char *codes, ptrdiff_t ldq,
                  const float *row_scales, const signed char *packed_b, const int *column_sums,
                  const float *column_scales, const float *bias, float *c, ptrdiff_t ldc,
                  ptrdiff_t n0, ptrdiff_t n1, int kernel) {
    (void)n;
    if (m <= 0 || n1 <= n0) return;
    ptrdiff_t k4 = engram_qgemm_padded_depth(k), panel_bytes = NR * k4;
    int tile[MR * NB];
    for (ptrdiff_t ic = 0; ic < m; ic += MC) {
        ptrdiff_t mc = m - ic < MC ? m - ic : MC;
        for (ptrdiff_t j = n0; j < n1; j += NB) {
            ptrdiff_t nc = n1 - j < NB ? n1 - j : NB;
            const signed char *b0 = packed_b + (j / NR) * panel_bytes;
            const signed char *b1 = nc > NR ? b0 + panel_bytes : b0;
            for (ptrdiff_t i = ic; i < ic + mc; i += MR) {
                ptrdiff_t mr = ic + mc - i < MR ? ic + mc - i : MR;
                // Rows past the edge repeat the first row; their sums are computed and dropped.
                const unsigned char *rows[MR];
                for (int r = 0; r < MR; r++) rows[r] = codes + (i + (r < mr ? r : 0)) * ldq;
                const float *tile_bias = bias ? bias + j : NULL;
                float *out = c + i * ldc + j;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
                if (kernel == ENGRAM_QGEMM_VNNI) {
                    tile_vnni(rows, b0, b1, k4, tile);
                    store_tile_avx512(tile, mr, nc, column_sums + j, row_scales + i, column_scales + j, tile_bias, out, ldc);
                    continue;
                }
                if (kernel == ENGRAM_QGEMM_AVX2) {
                    centred_tile_avx2(rows, mr, b0, b1, k4, tile);
                    store_centred_tile_avx2(tile, mr, nc, row_scales + i, column_scales + j, tile_bias, out, ldc);
                    continue;
                }
#endif
                tile_portable(rows, b0, b1, k4, tile);
                store_tile_portable(tile, mr, nc, column_sums + j, row_scales + i, column_scales + j, tile_bias, out, ldc);
            }
        }
    }
    (void)kernel;
}

void engram_qgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const unsigned char *codes, ptrdiff_t ldq,
                  const float *row_scales, const signed char *packed_b, const int *column_sums,
                  const float *column_scales, const float *bias, float *c, ptrdiff_t ldc,
                  ptrdiff_t n0, ptrdiff_t n1, int kernel) {
    qgemm(m, n, k, codes, ldq, row_scales, packed_b, column_sums, column_scales, bias, c, ldc, n0, n1, kernel);
}
