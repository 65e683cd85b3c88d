/* conv_bench.c: LeNet's convolutions with each of the runtime's kernels.
 *
 * For `make bench`: times the direct kernels (conv_direct.c) and im2col +
 * sgemm (conv_im2col.c) on the shapes of examples/fashion_lenet.dnn at batch
 * 128, on one thread, and prints milliseconds per batch and GFLOP/s for the
 * forward pass, the kernel gradient and the input gradient: the measurement
 * behind choosing direct kernels for few channels (layer_conv.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "blas.h"
#include "conv.h"
#include "mem.h"
#include "progress.h"

#define REPS 15

/* Best time of REPS runs of one kernel call (a switch keeps it simple). */
typedef enum { DIRECT_FWD, DIRECT_BWD_W, DIRECT_BWD_WX, COLS_FWD, COLS_BWD_W, COLS_BWD_WX } call;

static double best_of(call c, const rt_conv_geom *g, const float *x, const float *w, float *z,
                      float *dw, float *db, float *dx, float *work, long work_size)
{
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        double t0 = rt_now();
        switch (c) {
        case DIRECT_FWD: rt_conv_direct_forward(g, x, w, NULL, false, z, work, 1); break;
        case DIRECT_BWD_W: rt_conv_direct_backward(g, x, w, NULL, z, dw, db, NULL, work, 1); break;
        case DIRECT_BWD_WX: rt_conv_direct_backward(g, x, w, NULL, z, dw, db, dx, work, 1); break;
        case COLS_FWD: rt_conv_im2col_forward(g, x, w, z, work, work_size); break;
        case COLS_BWD_W: rt_conv_im2col_backward(g, x, w, z, dw, NULL, work, work_size); break;
        case COLS_BWD_WX: rt_conv_im2col_backward(g, x, w, z, dw, dx, work, work_size); break;
        }
        double t = rt_now() - t0;
        best = t < best ? t : best;
    }
    return best;
}

static void layer(const char *name, rt_conv_geom g)
{
    long in = (long)g.n * g.ih * g.iw * g.ic, out = (long)g.n * g.oh * g.ow * g.oc;
    long k = (long)g.kh * g.kw * g.ic * g.oc;
    long cols = rt_conv_cols_per_sample(&g) * g.n, direct = rt_conv_direct_work(&g, 1);
    long work_size = cols > direct ? cols : direct;
    float *x = rt_floats(in), *z = rt_floats(out), *w = rt_floats(k), *dw = rt_floats(k);
    float *dx = rt_floats(in), *db = rt_floats(g.oc), *work = rt_floats(work_size);
    for (long i = 0; i < in; i++)
        x[i] = (float)(i % 13) * 0.1f;
    for (long i = 0; i < k; i++)
        w[i] = (float)(i % 7) * 0.1f - 0.3f;
    for (long i = 0; i < out; i++)
        z[i] = (float)(i % 5) * 0.1f - 0.2f;
    double flop = 2.0 * g.n * g.oh * g.ow * g.oc * g.kh * g.kw * g.ic;
    double t[6];
    for (int c = 0; c < 6; c++)
        t[c] = best_of((call)c, &g, x, w, z, dw, db, dx, work, work_size);
    printf("%s (%dx%dx%d -> %dx%dx%d, %dx%d kernel), ms per batch of %d [GFLOP/s]:\n", name,
           g.ih, g.iw, g.ic, g.oh, g.ow, g.oc, g.kh, g.kw, g.n);
    const char *what[2] = {"direct", "im2col"};
    for (int a = 0; a < 2; a++) {
        double f = t[3 * a], bw = t[3 * a + 1], bx = t[3 * a + 2] - t[3 * a + 1];
        printf("  %-7s forward %6.3f [%5.1f]  kernel grad %6.3f [%5.1f]  input grad %6.3f [%5.1f]\n",
               what[a], f * 1e3, flop / f / 1e9, bw * 1e3, flop / bw / 1e9, bx * 1e3,
               bx > 0 ? flop / bx / 1e9 : 0.0);
    }
    free(x), free(z), free(w), free(dw), free(dx), free(db), free(work);
}

int main(void)
{
    rt_blas_set_threads(1);
    layer("conv1", (rt_conv_geom){128, 28, 28, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2});
    layer("conv2", (rt_conv_geom){128, 14, 14, 6, 10, 10, 16, 5, 5, 1, 1, 0, 0});
    return 0;
}
