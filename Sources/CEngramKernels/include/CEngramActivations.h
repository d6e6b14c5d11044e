#ifndef CENGRAM_ACTIVATIONS_H
#define CENGRAM_ACTIVATIONS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// x ← x·Φ(x) = 0.5·x·(1 + erf(x/√2)) in place, the exact ("erf") GELU of BERT.
/// With AVX2 + FMA, erf is a rational minimax approximation on [-4, 4] (clamped outside, where
/// erf is ±1 to float precision) with an absolute error below 5e-7; elsewhere the C library's erff.
void engram_gelu(float *x, ptrdiff_t n);

#ifdef __cplusplus
}
#endif

#endif
