#ifndef CENGRAM_PAIR_STDP_H
#define CENGRAM_PAIR_STDP_H

/// The two weight walks of pair STDP inside a network (EngramSpiking's `PairSTDPInNetwork`): a
/// presynaptic spike updates its neuron's synapses, contiguous, with the postsynaptic traces of
/// their targets; a postsynaptic spike updates the synapses onto its neuron, scattered, with the
/// presynaptic traces of their sources.
///
/// Every synapse goes through exactly the operations of the Swift rule, in the same order and
/// rounding (no fused multiply-adds, Swift's `min`/`max` operand order), so for finite traces the
/// weights are the Swift rule's bit for bit, with or without AVX-512 (a NaN sum clips to w_min in
/// the vector path, where Swift keeps the NaN). "Pre" and "post" name the spike that triggers an
/// update, not its sign: with the usual negative A_post the presynaptic update depresses.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The bounds and the form of the rule: additive or multiplicative, clipped to [w_min, w_max].
typedef struct {
    double w_min, w_max;
    int32_t additive;
} engram_pair_bounds;

/// The presynaptic update of `count` contiguous synapses: `w[k] = clip(w[k] + a)` (additive) or
/// `clip(w[k] + a · w[k])` (multiplicative), with `a = post_trace[targets[k]]`.
void engram_pair_pre_update_f32(const uint32_t *targets, float *weights, ptrdiff_t count, const float *post_trace,
                                engram_pair_bounds bounds);
void engram_pair_pre_update_f64(const uint32_t *targets, double *weights, ptrdiff_t count, const double *post_trace,
                                engram_pair_bounds bounds);

/// The portable loops of the two above, which they run without AVX-512 (and off x86-64); public so
/// that tests check them on every machine.
void engram_pair_pre_update_portable_f32(const uint32_t *targets, float *weights, ptrdiff_t count, const float *post_trace,
                                         engram_pair_bounds bounds);
void engram_pair_pre_update_portable_f64(const uint32_t *targets, double *weights, ptrdiff_t count, const double *post_trace,
                                         engram_pair_bounds bounds);

/// The postsynaptic update of the synapses onto each neuron of `fired` (`fired_count` neurons):
/// for k in `column_start[j] ..< column_start[j + 1]`, `w = weights[positions[k]]` becomes
/// `clip(w + a)` (additive) or `clip(w + a · (w_max − w))` (multiplicative), with
/// `a = pre_trace[sources[k]]`. While one neuron's synapses are updated the cache lines of the
/// next neuron's weights are asked for, so that the scattered reads overlap.
void engram_pair_post_update_f32(const int32_t *fired, ptrdiff_t fired_count, const ptrdiff_t *column_start,
                                 const int32_t *positions, const int32_t *sources, float *weights, const float *pre_trace,
                                 engram_pair_bounds bounds);
void engram_pair_post_update_f64(const int32_t *fired, ptrdiff_t fired_count, const ptrdiff_t *column_start,
                                 const int32_t *positions, const int32_t *sources, double *weights, const double *pre_trace,
                                 engram_pair_bounds bounds);

#ifdef __cplusplus
}
#endif

#endif
