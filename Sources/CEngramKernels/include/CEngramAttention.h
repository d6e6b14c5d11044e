#ifndef CENGRAM_ATTENTION_H
#define CENGRAM_ATTENTION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Floats of scratch that engram_attention needs for a sequence of `length` tokens.
ptrdiff_t engram_attention_scratch_count(ptrdiff_t length, ptrdiff_t head_size);

/// Multi-head scaled dot-product attention within one sequence, without a mask:
/// for every head and token i, context[i] = Σⱼ softmax_j(scale·qᵢ·kⱼ)·vⱼ.
///
/// `qkv` holds `length` rows of 3·heads·head_size floats, each [queries | keys | values] with
/// the heads side by side (BERT's fused projection); `context` gets `length` rows of
/// heads·head_size floats. `scratch` holds engram_attention_scratch_count(length, head_size)
/// floats. With AVX2 + FMA and head_size a multiple of 8, the keys of a head are transposed once
/// so that eight scores come from one fused multiply-add per component, and exp is a degree-6
/// polynomial after range reduction (within 2 ulp of expf); elsewhere plain loops with expf.
/// Each output is within a few ulp·length of the exact float32 result, the same on both paths
/// up to the order of the sums. Inputs must be finite: the AVX2 path's maximum and exp clamp
/// skip NaN where the portable loop propagates it.
void engram_attention(const float *qkv, ptrdiff_t length, ptrdiff_t heads, ptrdiff_t head_size, float scale,
                      float *context, float *scratch);

/// The portable loop of engram_attention, whatever the processor (for tests).
void engram_attention_portable(const float *qkv, ptrdiff_t length, ptrdiff_t heads, ptrdiff_t head_size, float scale,
                               float *context, float *scratch);

#ifdef __cplusplus
}
#endif

#endif
