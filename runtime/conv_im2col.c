/* conv_im2col.c: convolution as im2col followed by one cblas_sgemm.
 *
 * The im2col matrix of a sample has one row per output position and one column
 * per (ky, kx, c) in that order, so the Keras kernel [kh][kw][cin][cout] is
 * already its row-major [kh*kw*cin][cout] right operand.  Batches are split
 * into chunks whose columns fit the workspace; the kernel gradient accumulates
 * over chunks (beta = 1 after the first).
 */
#include "conv.h"

#include <string.h>

#include "blas.h"

long rt_conv_cols_per_sample(const rt_conv_geom *g)
{
    return (long)g->oh * g->ow * g->kh * g->kw * g->ic;
}

static void im2col(const rt_conv_geom *g, const float *x, int n, float *cols)
{
    int kc = g->kw * g->ic;     /* floats per kernel row */
    for (int s = 0; s < n; s++) {
        const float *xs = x + (long)s * g->ih * g->iw * g->ic;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                int x0 = ox * g->sw - g->pl;
                for (int ky = 0; ky < g->kh; ky++) {
                    int iy = oy * g->sh - g->pt + ky;
                    float *dst = cols + (long)ky * kc;
                    if (iy < 0 || iy >= g->ih) {
                        memset(dst, 0, sizeof *dst * (size_t)kc);
                        continue;
                    }
                    const float *row = xs + (long)iy * g->iw * g->ic;
                    for (int kx = 0; kx < g->kw; kx++) {
                        int ix = x0 + kx;
                        float *d = dst + kx * g->ic;
                        if (ix < 0 || ix >= g->iw)
                            memset(d, 0, sizeof *d * (size_t)g->ic);
                        else
                            memcpy(d, row + (long)ix * g->ic, sizeof *d * (size_t)g->ic);
                    }
                }
                cols += (long)g->kh * kc;
            }
    }
}

/* DX += the columns scattered back to their input positions. */
static void col2im(const rt_conv_geom *g, const float *cols, int n, float *dx)
{
    int kc = g->kw * g->ic;
    for (int s = 0; s < n; s++) {
        float *xs = dx + (long)s * g->ih * g->iw * g->ic;
        for (int oy = 0; oy < g->oh; oy++)
            for (int ox = 0; ox < g->ow; ox++) {
                int x0 = ox * g->sw - g->pl;
                for (int ky = 0; ky < g->kh; ky++) {
                    int iy = oy * g->sh - g->pt + ky;
                    if (iy < 0 || iy >= g->ih)
                        continue;
                    const float *src = cols + (long)ky * kc;
                    float *row = xs + (long)iy * g->iw * g->ic;
                    for (int kx = 0; kx < g->kw; kx++) {
                        int ix = x0 + kx;
                        if (ix < 0 || ix >= g->iw)
                            continue;
                        const float *sp = src + kx * g->ic;
                        float *d = row + (long)ix * g->ic;
                        for (int c = 0; c < g->ic; c++)
                            d[c] += sp[c];
                    }
                }
                cols += (long)g->kh * kc;
            }
    }
}

static int chunk_samples(const rt_conv_geom *g, long work_size)
{
    long per = rt_conv_cols_per_sample(g);
    long c = work_size / (per > 0 ? per : 1);
    return c < 1 ? 1 : c > g->n ? g->n : (int)c;
}

void rt_conv_im2col_forward(const rt_conv_geom *g, const float *x, const float *w,
                            float *z, float *work, long work_size)
{
    int chunk = chunk_samples(g, work_size);
    int k = g->kh * g->kw * g->ic;
    long in_per = (long)g->ih * g->iw * g->ic, out_rows = (long)g->oh * g->ow;
    for (int s = 0; s < g->n; s += chunk) {
        int m = g->n - s < chunk ? g->n - s : chunk;
        im2col(g, x + s * in_per, m, work);
        rt_sgemm(false, false, (int)(m * out_rows), g->oc, k, 1.0f, work, k, w, g->oc, 0.0f,
                 z + s * out_rows * g->oc, g->oc);
    }
}

void rt_conv_im2col_backward(const rt_conv_geom *g, const float *x, const float *w,
                             const float *dz, float *dw, float *dx, float *work,
                             long work_size)
{
    int chunk = chunk_samples(g, work_size);
    int k = g->kh * g->kw * g->ic;
    long in_per = (long)g->ih * g->iw * g->ic, out_rows = (long)g->oh * g->ow;
    if (dx)
        memset(dx, 0, sizeof *dx * (size_t)(g->n * in_per));
    for (int s = 0; s < g->n; s += chunk) {
        int m = g->n - s < chunk ? g->n - s : chunk;
        int rows = (int)(m * out_rows);
        const float *dzs = dz + s * out_rows * g->oc;
        im2col(g, x + s * in_per, m, work);
        rt_sgemm(true, false, k, g->oc, rows, 1.0f, work, k, dzs, g->oc, s ? 1.0f : 0.0f, dw,
                 g->oc);
        if (dx) {
            rt_sgemm(false, true, rows, k, g->oc, 1.0f, dzs, g->oc, w, g->oc, 0.0f, work, k);
            col2im(g, work, m, dx + s * in_per);
        }
    }
}
