/* act.h: activation functions, forward and backward, over whole buffers.
 *
 * One call handles a whole batch: the switch on the activation kind sits
 * outside the element loop, so there is no per-element dispatch.  Softmax works
 * on rows of WIDTH elements (the last axis, as Keras); every other activation
 * is elementwise and ignores WIDTH.
 */
#ifndef DNNC_RT_ACT_H
#define DNNC_RT_ACT_H

#include <stdbool.h>

#include "ir.h"

/* Constants Keras uses (TF 2.x keras.activations). */
#define RT_SELU_ALPHA 1.6732632423543772848170429916717
#define RT_SELU_SCALE 1.0507009873554804934193349852946
#define RT_ELU_ALPHA 1.0        /* activation "elu": alpha = 1 */
#define RT_LEAKY_ALPHA 0.2      /* tf.nn.leaky_relu / Keras 3 leaky_relu default */
#define RT_SATURATION 5.0       /* |pre-activation| beyond this counts as saturated */
#define RT_HARD_SIGMOID_EDGE 2.5 /* hard_sigmoid is flat (gradient 0) beyond +-2.5 */

/* Y = f(Z) for N elements; softmax on rows of WIDTH.  Y may equal Z. */
void rt_act_forward(ir_act a, const float *z, float *y, long n, int width);

/* DZ = DY * f'(Z) for N elements, given Z and Y = f(Z).  DZ may equal DY. */
void rt_act_backward(ir_act a, const float *z, const float *y, const float *dy,
                     float *dz, long n, int width);

/* Whether the monitor's "saturated" statistic applies (sigmoid-like units). */
bool rt_act_saturates(ir_act a);

/* The |pre-activation| beyond which a saturating activation counts as
 * saturated: RT_SATURATION (DeepDiagnosis's +-5, where sigmoid's gradient is
 * below 1% of its peak), or where the activation is flat, if nearer: beyond
 * +-2.5 hard_sigmoid passes no gradient at all. */
double rt_act_saturation_bound(ir_act a);

#endif
