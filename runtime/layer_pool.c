/* layer_pool.c: maxpool and avgpool (Keras MaxPooling2D, AveragePooling2D).
 *
 * Windows of pool.h x pool.w moved by stride, with TensorFlow's valid/same
 * extents.  Padded positions never win a max and are not counted in an
 * average (TensorFlow's same-padding average divides by the number of real
 * inputs in the window).  Max pooling remembers the input index of each
 * output's maximum (the first one on ties, as TensorFlow) for the backward
 * pass.  Loops run over whole channel vectors, contiguous in NHWC; full 2x2
 * windows with stride 2 go through the rt_maxpool_2x2 kernel.  Max
 * pooling cuts the batch into chunks for the workers when the network uses them.
 */
#include "layer.h"
#include "workers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int pool_setup(const rt_net *net, rt_layer *L, rt_param_spec *specs, char *err,
                      size_t errsize)
{
    const ir_node *nd = L->node;
    int oh = rt_window_extent(L->in.h, nd->pool.h, nd->stride.h, nd->padding, &L->pad_top);
    int ow = rt_window_extent(L->in.w, nd->pool.w, nd->stride.w, nd->padding, &L->pad_left);
    if (oh <= 0 || ow <= 0) {
        snprintf(err, errsize, "layer %s: a %dx%d pool does not fit its %dx%d input "
                 "with valid padding", nd->name, nd->pool.h, nd->pool.w, L->in.h, L->in.w);
        return -1;
    }
    L->out = (rt_dims){oh, ow, L->in.c};
    if (L->op == IR_OP_MAXPOOL)
        L->iscratch_size = (long)net->max_batch * oh * ow * L->in.c;
    return 0;
}

/* The window of output (oy, ox) clipped to the input: rows [*y0, *y1), columns [*x0, *x1). */
static void window(const rt_layer *L, int oy, int ox, int *y0, int *y1, int *x0, int *x1)
{
    const ir_node *nd = L->node;
    int ys = oy * nd->stride.h - L->pad_top, xs = ox * nd->stride.w - L->pad_left;
    *y0 = ys < 0 ? 0 : ys;
    *x0 = xs < 0 ? 0 : xs;
    *y1 = ys + nd->pool.h > L->in.h ? L->in.h : ys + nd->pool.h;
    *x1 = xs + nd->pool.w > L->in.w ? L->in.w : xs + nd->pool.w;
}

/* Samples [S0, S1) of the batch through the max pool. */
static void maxpool_samples(rt_layer *L, int s0, int s1)
{
    int c = L->in.c;
    const ir_node *nd = L->node;
    bool fast = nd->pool.h == 2 && nd->pool.w == 2 && nd->stride.h == 2 && nd->stride.w == 2 &&
                L->pad_top == 0 && L->pad_left == 0 && 2 * L->out.h <= L->in.h &&
                2 * L->out.w <= L->in.w;     /* every window full */
    long per = (long)L->out.h * L->out.w;
    for (int s = s0; s < s1; s++) {
        long first = fast ? rt_maxpool_2x2(L, s, L->z + s * per * c, L->iscratch + s * per * c)
                          : 0;
        for (long q = first; q < per; q++) {
            int oy = (int)(q / L->out.w), ox = (int)(q % L->out.w);
            long o = (s * per + q) * c;
            float *z = L->z + o;
            int *arg = L->iscratch + o;
            int y0, y1, x0, x1;
            window(L, oy, ox, &y0, &y1, &x0, &x1);
            for (int k = 0; k < c; k++)
                z[k] = -INFINITY, arg[k] = -1;
            for (int iy = y0; iy < y1; iy++)
                for (int ix = x0; ix < x1; ix++) {
                    long i = (((long)s * L->in.h + iy) * L->in.w + ix) * c;
                    const float *x = L->x + i;
                    for (int k = 0; k < c; k++)
                        if (x[k] > z[k] || arg[k] < 0) {
                            z[k] = x[k];
                            arg[k] = (int)(i + k);
                        }
                }
        }
    }
}

/* Each sample's gradient goes to the maxima of its own windows: a sum where
 * windows overlap, a plain store where they do not (one input is then the
 * maximum of at most one window). */
static void maxpool_back_samples(rt_layer *L, int s0, int s1)
{
    const ir_node *nd = L->node;
    memset(L->dx + s0 * L->in_size, 0, sizeof *L->dx * (size_t)((s1 - s0) * L->in_size));
    long o0 = s0 * L->out_size, o1 = s1 * L->out_size;
    if (nd->stride.h >= nd->pool.h && nd->stride.w >= nd->pool.w)
        for (long o = o0; o < o1; o++)
            L->dx[L->iscratch[o]] = L->dz[o];
    else
        for (long o = o0; o < o1; o++)
            L->dx[L->iscratch[o]] += L->dz[o];
}

/* A pooling pass cut into chunks of samples for the workers. */
typedef struct pool_job {
    rt_layer *L;            /* the layer */
    int n;                  /* samples */
    int chunks;             /* chunks */
    bool backward;          /* gradient pass */
} pool_job;

static void pool_task(void *ctx, int t)
{
    const pool_job *j = ctx;
    int s0 = (int)((long)j->n * t / j->chunks), s1 = (int)((long)j->n * (t + 1) / j->chunks);
    if (j->backward)
        maxpool_back_samples(j->L, s0, s1);
    else
        maxpool_samples(j->L, s0, s1);
}

static void maxpool_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    pool_job j = {L, n, rt_net_chunks(net, n), false};
    rt_workers_run(net->threads, j.chunks, pool_task, &j);
}

static void maxpool_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    pool_job j = {L, n, rt_net_chunks(net, n), true};
    rt_workers_run(net->threads, j.chunks, pool_task, &j);
}

const rt_layer_ops rt_layer_maxpool = {pool_setup, maxpool_forward, maxpool_backward};

static void avgpool_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    int c = L->in.c;
    for (int s = 0; s < n; s++)
        for (int oy = 0; oy < L->out.h; oy++)
            for (int ox = 0; ox < L->out.w; ox++) {
                float *z = L->z + (((long)s * L->out.h + oy) * L->out.w + ox) * c;
                int y0, y1, x0, x1;
                window(L, oy, ox, &y0, &y1, &x0, &x1);
                memset(z, 0, sizeof *z * (size_t)c);
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        const float *x = L->x + (((long)s * L->in.h + iy) * L->in.w + ix) * c;
                        for (int k = 0; k < c; k++)
                            z[k] += x[k];
                    }
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int k = 0; k < c; k++)
                    z[k] *= inv;
            }
}

static void avgpool_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    int c = L->in.c;
    memset(L->dx, 0, sizeof *L->dx * (size_t)(n * L->in_size));
    for (int s = 0; s < n; s++)
        for (int oy = 0; oy < L->out.h; oy++)
            for (int ox = 0; ox < L->out.w; ox++) {
                const float *dz = L->dz + (((long)s * L->out.h + oy) * L->out.w + ox) * c;
                int y0, y1, x0, x1;
                window(L, oy, ox, &y0, &y1, &x0, &x1);
                float inv = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        float *dx = L->dx + (((long)s * L->in.h + iy) * L->in.w + ix) * c;
                        for (int k = 0; k < c; k++)
                            dx[k] += dz[k] * inv;
                    }
            }
}

const rt_layer_ops rt_layer_avgpool = {pool_setup, avgpool_forward, avgpool_backward};
