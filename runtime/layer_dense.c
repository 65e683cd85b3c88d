/* layer_dense.c: the dense (fully connected) layer.
 *
 * As Keras's Dense, it maps the last axis: an input of extents h x w x c is
 * h*w rows of c values, each multiplied by the kernel [c, units] (so a plain
 * vector is one row).  Forward, kernel gradient and input gradient are one
 * cblas_sgemm each over the whole batch.
 */
#include "layer.h"

#include <stdio.h>

#include "blas.h"

static int dense_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                       size_t errsize)
{
    const ir_node *nd = L->node;
    L->out = (rt_dims){L->in.h, L->in.w, nd->units};
    int k = 0;
    specs[k++] = (rt_param_spec){"kernel", 2, {L->in.c, nd->units}, true, &nd->init, 0,
                                 nd->regularizer.kind != IR_REG_NONE ? &nd->regularizer : NULL};
    if (nd->bias)
        specs[k++] = (rt_param_spec){"bias", 1, {nd->units}, true, &nd->bias_init, 0, NULL};
    return k;
}

static void dense_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    int in = L->in.c, units = L->out.c;
    long rows = (long)n * L->in.h * L->in.w;
    rt_sgemm(false, false, (int)rows, units, in, 1.0f, L->x, in, L->pv[RT_KERNEL], units,
             0.0f, L->z, units);
    if (L->pv[RT_BIAS])
        rt_add_bias(L->z, L->pv[RT_BIAS], rows, units);
}

static void dense_backward(rt_net *net, rt_layer *L, int n)
{
    int in = L->in.c, units = L->out.c;
    long rows = (long)n * L->in.h * L->in.w;
    rt_sgemm(true, false, in, units, (int)rows, 1.0f, L->x, in, L->dz, units, 0.0f,
             L->pg[RT_KERNEL], units);
    if (L->pg[RT_BIAS])
        rt_sum_rows(L->dz, L->pg[RT_BIAS], rows, units);
    if (L->dx)
        rt_sgemm(false, true, (int)rows, in, units, 1.0f, L->dz, units, L->pv[RT_KERNEL],
                 units, 0.0f, L->dx, in);
}

const rt_layer_ops rt_layer_dense = {dense_setup, dense_forward, dense_backward};
