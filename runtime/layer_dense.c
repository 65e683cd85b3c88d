/* layer_dense.c: the dense (fully connected) layer.
 *
 * As Keras's Dense, it maps the last axis: an input of extents h x w x c is
 * h*w rows of c values, each multiplied by the kernel [c, units] (so a plain
 * vector is one row).  Forward, kernel gradient and input gradient are one
 * cblas_sgemm each over the whole batch, threaded by OpenBLAS; when the
 * network runs OpenBLAS on one thread (net->split_gemm, see net.h) they are
 * cut into chunks for the worker threads instead.  Bias and relu are applied
 * in one pass after the forward product, and their gradients taken in one
 * pass before the backward products (layer.h).
 */
#include "layer.h"

#include <stdio.h>

#include "blas.h"
#include "workers.h"

static int dense_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                       size_t errsize)
{
    const ir_node *nd = L->node;
    L->out = (rt_dims){L->in.h, L->in.w, nd->units};
    L->act_fused = L->act == IR_ACT_RELU;   /* applied with the bias */
    int k = 0;
    specs[k++] = (rt_param_spec){"kernel", 2, {L->in.c, nd->units}, true, &nd->init, 0,
                                 nd->regularizer.kind != IR_REG_NONE ? &nd->regularizer : NULL};
    if (nd->bias)
        specs[k++] = (rt_param_spec){"bias", 1, {nd->units}, true, &nd->bias_init, 0, NULL};
    return k;
}

/* One chunk's share of a dense layer's products (workers.h). */
typedef struct dense_job {
    const rt_layer *L;      /* the layer */
    long rows;              /* rows of the batch (samples x h x w) */
    int chunks;             /* chunks the work is cut into */
    bool backward;          /* gradients instead of the forward product */
} dense_job;

/* Each chunk computes whole output rows of each product: rows of the batch
 * for the forward pass and the input gradient, rows of the kernel (input
 * features) for the kernel gradient.  No chunk's
 * sums depend on another's, and each row is one call over the full inner
 * dimension, as without threads.  (Splitting the kernel gradient by units
 * instead was measured 1.6x slower for LeNet's and the MLP's shapes.) */
static void dense_task(void *ctx, int t)
{
    const dense_job *j = ctx;
    const rt_layer *L = j->L;
    int in = L->in.c, units = L->out.c;
    long r0 = j->rows * t / j->chunks, r1 = j->rows * (t + 1) / j->chunks;
    if (!j->backward) {
        rt_sgemm(false, false, (int)(r1 - r0), units, in, 1.0f, L->x + r0 * in, in,
                 L->pv[RT_KERNEL], units, 0.0f, L->z + r0 * units, units);
        if (L->pv[RT_BIAS] || L->act_fused)
            rt_bias_act(L->z + r0 * units, L->pv[RT_BIAS], L->act_fused, r1 - r0, units);
        return;
    }
    int i0 = (int)((long)in * t / j->chunks), i1 = (int)((long)in * (t + 1) / j->chunks);
    rt_sgemm(true, false, i1 - i0, units, (int)j->rows, 1.0f, L->x + i0, in, L->dz, units,
             0.0f, L->pg[RT_KERNEL] + (long)i0 * units, units);
    if (L->dx)
        rt_sgemm(false, true, (int)(r1 - r0), in, units, 1.0f, L->dz + r0 * units, units,
                 L->pv[RT_KERNEL], units, 0.0f, L->dx + r0 * in, in);
}

/* Chunks for the workers: only when the net runs OpenBLAS on one thread. */
static int dense_chunks(const rt_net *net, const rt_layer *L, long rows)
{
    long least = rows < L->out.c ? rows : L->out.c;
    return rt_net_chunks_coarse(net, least < L->in.c ? least : L->in.c);
}

static void dense_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    long rows = (long)n * L->in.h * L->in.w;
    dense_job j = {L, rows, dense_chunks(net, L, rows), false};
    rt_workers_run(net->threads, j.chunks, dense_task, &j);
}

static void dense_backward(rt_net *net, rt_layer *L, int n)
{
    long rows = (long)n * L->in.h * L->in.w;
    /* relu's mask (dz is dy when it is fused, net.c) and the bias gradient,
     * one pass over dz before the products read it. */
    if (L->pg[RT_BIAS] || L->act_fused)
        rt_relu_mask_sum(L->dz, L->act_fused ? L->y : NULL, L->pg[RT_BIAS], rows, L->out.c);
    dense_job j = {L, rows, dense_chunks(net, L, rows), true};
    rt_workers_run(net->threads, j.chunks, dense_task, &j);
}

const rt_layer_ops rt_layer_dense = {dense_setup, dense_forward, dense_backward};
