/* layer.h: what every layer kind implements, and the table of kinds.
 *
 * Each layer kind of IR_OPS (ir_enums.h) provides an rt_layer_ops in its own
 * file (layer_dense.c, layer_conv.c, ...); rt_layer_table is generated from
 * the same X-macro list, so a new op without an implementation does not link.
 * setup computes output extents, scratch needs and parameter specs from the
 * IR node; forward and backward run a whole batch.  The activation of dense,
 * conv2d and activation layers is applied by net.c around these calls, so an
 * op's forward writes z and its backward reads dz.
 */
#ifndef DNNC_RT_LAYER_H
#define DNNC_RT_LAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

/* A parameter tensor a layer asks for. */
typedef struct rt_param_spec {
    const char *what;               /* "kernel", "bias", "gamma", ... */
    int rank;                       /* 1 to 4 */
    int shape[4];                   /* Keras layout */
    bool trainable;                 /* updated by the optimiser */
    const ir_initializer *init;     /* initialiser, or NULL for INIT_VALUE */
    float init_value;               /* constant start when INIT is NULL */
    const ir_regularizer *reg;      /* regulariser, or NULL */
} rt_param_spec;

typedef struct rt_layer_ops {
    /* Fills L->out, pads, scratch sizes (for net->max_batch samples) and up to
     * RT_MAX_LAYER_PARAMS SPECS; returns their number, or -1 with ERR set. */
    int (*setup)(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                 size_t errsize);
    /* z = op(x) for N samples. */
    void (*forward)(rt_net *net, rt_layer *L, int n, bool training);
    /* From dz: parameter gradients, and dx when L->dx is set. */
    void (*backward)(rt_net *net, rt_layer *L, int n);
} rt_layer_ops;

#define RT_X_LAYER_DECL(id, name) extern const rt_layer_ops rt_layer_##name;
IR_OPS(RT_X_LAYER_DECL)
#undef RT_X_LAYER_DECL

/* Indexed by ir_op. */
extern const rt_layer_ops *const rt_layer_table[IR_OP_COUNT];

/* Output extent and padding before, along one axis, as TensorFlow computes
 * them: valid gives floor((in - k) / s) + 1, same gives ceil(in / s) with the
 * odd padding element after.  Returns the extent, or 0 if the window does not
 * fit (valid with in < k). */
int rt_window_extent(int in, int k, int s, ir_pad pad, int *pad_before);

/* Input extents of node N as the runtime sees them: [h, w, c] images, vectors
 * as 1 x 1 x n, [a, b] as 1 x a x b. */
rt_dims rt_dims_of_shape(const ir_shape *s);

/* Y[r][j] += B[j] (skipped when B is NULL), then Y[r][j] = max(Y[r][j], 0)
 * when RELU, for ROWS rows of WIDTH: a layer's bias and relu in one pass. */
void rt_bias_act(float *y, const float *b, bool relu, long rows, int width);
/* When Y (a relu output) is given, DY[r][j] = 0 where Y[r][j] <= 0 (relu's
 * backward, in place); then, when DB is given, DB[j] = sum over the ROWS rows
 * of DY[r][j] (the bias gradient, summed in row order). */
void rt_relu_mask_sum(float *dy, const float *y, float *db, long rows, int width);
/* Max pooling's full 2x2 windows with stride 2 for sample S of L: the
 * maxima into Z and their input indices into ARG, in output order, 8
 * channels at a time; stops where a window's vector reads would leave the
 * input and returns the number of outputs done (the rest are the caller's). */
long rt_maxpool_2x2(const rt_layer *L, int s, float *z, int *arg);
/* Dropout: MASK[i] (uniform in [0, 1)) becomes 1 / (1 - RATE) where it is
 * at least RATE, else 0 (0 everywhere when RATE is 1), and Z[i] = X[i] *
 * MASK[i], for COUNT values. */
void rt_dropout_mask(float *mask, const float *x, float *z, long count, float rate);
/* OUT[i] = A[i] * B[i] for COUNT values. */
void rt_mul_elementwise(const float *a, const float *b, float *out, long count);

#endif
