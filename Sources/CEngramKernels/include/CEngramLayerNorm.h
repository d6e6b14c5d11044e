#ifndef CENGRAM_LAYER_NORM_H
#define CENGRAM_LAYER_NORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// For each of `count` rows of `width` floats: x ← x + residual (when `residual` is not NULL),
/// then x ← (x − mean) / √(var + ε) · γ + β with the biased variance (two passes over the row).
/// With AVX2 + FMA and width a multiple of 8 the sums run in eight lanes; elsewhere in order.
void engram_add_layer_norm(float *rows, const float *residual, ptrdiff_t count, ptrdiff_t width,
                           const float *gamma, const float *beta, float epsilon);

/// The portable loop of engram_add_layer_norm, whatever the processor (for tests).
void engram_add_layer_norm_portable(float *rows, const float *residual, ptrdiff_t count, ptrdiff_t width,
                                    const float *gamma, const float *beta, float epsilon);

#ifdef __cplusplus
}
#endif

#endif
