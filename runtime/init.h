/* init.h: weight initialisers with Keras semantics.
 *
 * A tensor is initialised from its shape (Keras layout: dense kernels
 * [in, units], conv kernels [kh, kw, in_channels, filters], vectors [n]) so the
 * fans, and thus the scale, are those Keras computes.
 */
#ifndef DNNC_RT_INIT_H
#define DNNC_RT_INIT_H

#include <stddef.h>

#include "ir.h"
#include "rng.h"

/* Fills W (the product of SHAPE[0..RANK-1] floats) as INIT says, drawing from R.
 * Returns 0, or -1 with a message in ERR when the initialiser cannot apply
 * (orthogonal on a vector). */
int rt_init_fill(const ir_initializer *init, float *w, int rank, const int *shape,
                 rt_rng *r, char *err, size_t errsize);

#endif
