/* loss.h: loss functions, value and gradient, with Keras semantics.
 *
 * A loss sees N rows of K outputs and N rows of targets (K values each, or one
 * class index per row for sparse_categorical_crossentropy).  Its value is the
 * mean over rows of each row's loss (Keras's SUM_OVER_BATCH_SIZE reduction);
 * the gradient written is that of the mean, so the 1/N is already in it.
 *
 * Fusion (Keras does the same): categorical and sparse categorical
 * cross-entropy after a softmax output, and binary cross-entropy after a
 * sigmoid output, are computed from the logits (the pre-activation), which is
 * exact and stable, and their gradient is taken with respect to the logits.
 * Otherwise the output is clipped to [1e-7, 1 - 1e-7] as Keras does.
 */
#ifndef DNNC_RT_LOSS_H
#define DNNC_RT_LOSS_H

#include <stdbool.h>

#include "ir.h"

#define RT_KERAS_EPSILON 1e-7   /* keras.backend.epsilon() */

/* Whether loss L after an output activation A is computed from the logits. */
bool rt_loss_fused(ir_loss l, ir_act a);

/* Floats of target per row: 1 for sparse_categorical_crossentropy, else K. */
int rt_loss_target_width(ir_loss l, int k);

/* Mean loss of N rows of K outputs.  OUT is the logits when FUSED, else the
 * activated output.  When GRAD is not NULL it receives dloss/dOUT (N x K). */
double rt_loss(ir_loss l, bool fused, const float *out, const float *target,
               int n, int k, float *grad);

#endif
