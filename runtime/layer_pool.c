/* layer_pool.c: maxpool and avgpool (Keras MaxPooling2D, AveragePooling2D).
 *
 * Windows of pool.h x pool.w moved by stride, with TensorFlow's valid/same
 * extents.  Padded positions never win a max and are not counted in an
 * average (TensorFlow's same-padding average divides by the number of real
 * inputs in the window).  Max pooling remembers the input index of each
 * output's maximum (the first one on ties, as TensorFlow) for the backward
 * pass.  Loops run over whole channel vectors, contiguous in NHWC.
 */
#include "layer.h"

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

/* Max and argmax of a full 2x2 window at input index I (C channels, input
 * rows of ROW floats): branch-free selects the compiler vectorises. */
static void max2x2(const float *x, long i, long row, int c, float *z, int *arg)
{
    const float *a = x + i, *b = a + c, *d = a + row, *e = d + c;
    for (int k = 0; k < c; k++) {
        float m = a[k];
        int at = (int)i + k;
        at = b[k] > m ? (int)i + c + k : at;
        m = b[k] > m ? b[k] : m;
        at = d[k] > m ? (int)(i + row) + k : at;
        m = d[k] > m ? d[k] : m;
        at = e[k] > m ? (int)(i + row) + c + k : at;
        m = e[k] > m ? e[k] : m;
        z[k] = m;
        arg[k] = at;
    }
}

static void maxpool_forward(rt_net *net, rt_layer *L, int n, bool training)
{
    int c = L->in.c;
    bool two = L->node->pool.h == 2 && L->node->pool.w == 2;
    for (int s = 0; s < n; s++)
        for (int oy = 0; oy < L->out.h; oy++)
            for (int ox = 0; ox < L->out.w; ox++) {
                long o = (((long)s * L->out.h + oy) * L->out.w + ox) * c;
                float *z = L->z + o;
                int *arg = L->iscratch + o;
                int y0, y1, x0, x1;
                window(L, oy, ox, &y0, &y1, &x0, &x1);
                if (two && y1 - y0 == 2 && x1 - x0 == 2) {
                    max2x2(L->x, (((long)s * L->in.h + y0) * L->in.w + x0) * c,
                           (long)L->in.w * c, c, z, arg);
                    continue;
                }
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

static void maxpool_backward(rt_net *net, rt_layer *L, int n)
{
    if (!L->dx)
        return;
    long outs = n * L->out_size;
    memset(L->dx, 0, sizeof *L->dx * (size_t)(n * L->in_size));
    for (long o = 0; o < outs; o++)
        L->dx[L->iscratch[o]] += L->dz[o];
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
