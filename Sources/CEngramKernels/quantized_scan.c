#include "CEngramKernels.h"
#include "CEngramQuantizedGemm.h"

// The scan of an 8-bit vector index with an 8-bit query: `vpdpbusd` multiplies 64 unsigned codes
// by 64 signed levels and adds them in groups of four to 16 int32 lanes, four times the work of
// the 16-bit AVX2 scan per instruction.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

VNNI void engram_u8s8_dots_vnni(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const signed char *levels, int *sums) {
    ptrdiff_t full = stride & ~(ptrdiff_t)63;
    __mmask64 tail = (stride & 63) ? (((__mmask64)1 << (stride & 63)) - 1) : 0;
    ptrdiff_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const unsigned char *r0 = codes + r * stride, *r1 = r0 + stride, *r2 = r1 + stride, *r3 = r2 + stride;
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
        __m512i a2 = _mm512_setzero_si512(), a3 = _mm512_setzero_si512();
        ptrdiff_t j = 0;
        for (; j < full; j += 64) {
            __m512i q = _mm512_loadu_si512((const void *)(levels + j));
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)(r0 + j)), q);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(r1 + j)), q);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512((const void *)(r2 + j)), q);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512((const void *)(r3 + j)), q);
        }
        if (tail) {
            __m512i q = _mm512_maskz_loadu_epi8(tail, levels + j);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_maskz_loadu_epi8(tail, r0 + j), q);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_maskz_loadu_epi8(tail, r1 + j), q);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_maskz_loadu_epi8(tail, r2 + j), q);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_maskz_loadu_epi8(tail, r3 + j), q);
        }
        sums[r] = _mm512_reduce_add_epi32(a0);
        sums[r + 1] = _mm512_reduce_add_epi32(a1);
        sums[r + 2] = _mm512_reduce_add_epi32(a2);
        sums[r + 3] = _mm512_reduce_add_epi32(a3);
    }
    for (; r < rows; r++) {
        const unsigned char *row = codes + r * stride;
        __m512i a = _mm512_setzero_si512();
        ptrdiff_t j = 0;
        for (; j < full; j += 64) {
            a = _mm512_dpbusd_epi32(a, _mm512_loadu_si512((const void *)(row + j)), _mm512_loadu_si512((const void *)(levels + j)));
        }
        if (tail) a = _mm512_dpbusd_epi32(a, _mm512_maskz_loadu_epi8(tail, row + j), _mm512_maskz_loadu_epi8(tail, levels + j));
        sums[r] = _mm512_reduce_add_epi32(a);
    }
}

#else

void engram_u8s8_dots_vnni(const unsigned char *codes, ptrdiff_t rows, ptrdiff_t stride, const signed char *levels, int *sums) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        int sum = 0;
        for (ptrdiff_t j = 0; j < stride; j++) sum += (int)codes[r * stride + j] * (int)levels[j];
        sums[r] = sum;
    }
}

#endif
