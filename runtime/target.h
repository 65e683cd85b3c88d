/* target.h: from a dataset's labels to what the loss and the metric see.
 *
 * Classification data carries class indices.  The loss sees, per sample:
 *   - sparse_categorical_crossentropy: the class index itself (one float);
 *   - a model with one output unit: the class index as 0 / 1 (binary);
 *   - otherwise: the one-hot vector, as wide as the output.
 * Regression data carries target vectors, seen as they are.  The metric is
 * Keras's "accuracy" as it resolves it: binary accuracy (output > 0.5) for one
 * output unit, argmax agreement otherwise; mean absolute error for
 * regression.  A model whose output width does not fit the data (9 units for
 * 10 classes, one unit for 3 classes, 2 outputs for 1 regression target) is
 * refused with a message, before any training.
 */
#ifndef DNNC_RT_TARGET_H
#define DNNC_RT_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "ir.h"

typedef struct rt_targets {
    ir_loss loss;           /* the training loss */
    int units;              /* model outputs per sample */
    int width;              /* target floats per sample */
    int classes;            /* classes in the data (0 for regression) */
    bool classification;    /* labels are class indices */
    bool sparse;            /* the target is the class index */
    bool binary;            /* one output unit: the class index as 0 / 1 */
} rt_targets;

/* Decides how data D feeds a model of UNITS outputs trained with LOSS; MODEL
 * names it in messages.  Returns 0, or -1 with a message in ERR. */
int rt_targets_setup(rt_targets *t, const rt_data *d, ir_loss loss, int units,
                     const char *model, char *err, size_t errsize);

/* Writes the targets of samples IDX[0..N-1] of split S into OUT (N x width). */
void rt_targets_fill(const rt_targets *t, const rt_data *d, const rt_split *s,
                     const int *idx, int n, float *out);

/* Sum over the N samples of their metric (1 / 0 for a right / wrong class,
 * else the mean absolute error of the sample) given the model's OUTPUT. */
double rt_targets_metric(const rt_targets *t, const rt_data *d, const rt_split *s,
                         const int *idx, int n, const float *output);

#endif
