/* layer_kernels.c: the vectorised loops of the layer kinds (layer.h).
 *
 * A layer's bias and relu in one pass and relu's backward with the bias
 * gradient (dense and convolution layers), max pooling's 2x2 windows
 * (layer_pool.c) and dropout's mask and product (layer_dropout.c), on
 * simd.h's 8-float vectors: at -O2 GCC does not vectorise loops whose width
 * is only known at run time.  A kernel source (kernels.h): compiled once per
 * kernel set, each external function named through RT_KERNEL.
 */
#include "layer.h"

#include <string.h>

#include "kernels.h"
#include "simd.h"

void RT_KERNEL(rt_bias_act)(float *y, const float *b, bool relu, long rows, int width)
{
    const v8 zero = splat(0.0f);
    for (long r = 0; r < rows; r++) {
        float *yr = y + r * width;
        int j = 0;
        for (; j + 8 <= width; j += 8) {
            v8 v = load8(yr + j);
            if (b)
                v += load8(b + j);
            store8(yr + j, relu ? select8(v > zero, v, zero) : v);
        }
        for (; j < width; j++) {
            float v = b ? yr[j] + b[j] : yr[j];
            yr[j] = relu && !(v > 0.0f) ? 0.0f : v;
        }
    }
}

void RT_KERNEL(rt_relu_mask_sum)(float *dy, const float *y, float *db, long rows, int width)
{
    /* In blocks of rows, column blocks of 8 outer and rows inner, so that a
     * column block's sums stay in a register; each column is still summed in
     * row order. */
    enum { ROWS = 64 };
    const v8 zero = splat(0.0f);
    for (long r0 = 0; r0 < rows; r0 += ROWS) {
        long r1 = r0 + ROWS < rows ? r0 + ROWS : rows;
        int j = 0;
        for (; j + 8 <= width; j += 8) {
            v8 sum = db && r0 > 0 ? load8(db + j) : zero;
            for (long r = r0; r < r1; r++) {
                float *d = dy + r * width + j;
                v8 v = load8(d);
                if (y) {
                    v = select8(load8(y + r * width + j) > zero, v, zero);
                    store8(d, v);
                }
                sum += v;
            }
            if (db)
                store8(db + j, sum);
        }
        for (; j < width; j++) {
            float sum = db && r0 > 0 ? db[j] : 0.0f;
            for (long r = r0; r < r1; r++) {
                float *d = dy + r * width + j;
                if (y && !(y[r * width + j] > 0.0f))
                    *d = 0.0f;
                sum += *d;
            }
            if (db)
                db[j] = sum;
        }
    }
    if (db && rows <= 0)
        memset(db, 0, sizeof *db * (size_t)width);
}

/* Max and argmax of full 2x2 windows, for the outputs [O0, O1) of sample S
 * of a valid 2x2 pool with stride 2 (every window full), 8 channels at a time
 * and without branches (with random data, compare-and-branch mispredicts half
 * the time).  Ties go to the first in scan order, NaN propagates from the
 * first element as in the scalar path.  A channel group narrower than 8
 * reads past the window, so the windows whose reads would leave the input
 * are left to the scalar path (returns the first output not done). */
long RT_KERNEL(rt_maxpool_2x2)(const rt_layer *L, int s, float *z, int *arg)
{
    int c = L->in.c, ow = L->out.w, iw = L->in.w;
    long row = (long)iw * c, in_total = (long)(s + 1) * L->in_size;
    v8i lane = {0, 1, 2, 3, 4, 5, 6, 7};
    long done = 0, sample_out = (long)L->out.h * ow * c;
    for (int oy = 0; oy < L->out.h; oy++)
        for (int ox = 0; ox < ow; ox++) {
            long i = (((long)s * L->in.h + 2 * oy) * iw + 2 * ox) * c;
            if (i + row + c + 8 > in_total)
                return done;
            long o = ((long)oy * ow + ox) * c;
            for (int k0 = 0; k0 < c; k0 += 8) {
                int k = k0 + 8 <= c || c < 8 ? k0 : c - 8;   /* last group overlaps */
                const float *p = L->x + i + k;
                v8 a = load8(p), b = load8(p + c), d = load8(p + row), e = load8(p + row + c);
                v8i s1 = b > a, s2 = e > d;
                v8 m1 = select8(s1, b, a), m2 = select8(s2, e, d);
                v8i top = m2 > m1;
                v8 m = select8(top, m2, m1);
                v8i right = (v8i)select8(top, s2, s1);
                v8i at = (int)(i + k) + lane + (top & (int)row) + (right & c);
                if (o + k + 8 <= sample_out) {  /* spill into the next pixel, written later */
                    store8(z + o + k, m);
                    store8i(arg + o + k, at);
                    continue;
                }
                int n = c - k < 8 ? c - k : 8;
                for (int q = 0; q < n; q++) {
                    z[o + k + q] = m[q];
                    arg[o + k + q] = at[q];
                }
            }
            done++;
        }
    return done;
}

void RT_KERNEL(rt_dropout_mask)(float *mask, const float *x, float *z, long count, float rate)
{
    float keep = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    const v8 r8 = splat(rate), k8 = splat(keep), zero = splat(0.0f);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        v8 m = select8(load8(mask + i) >= r8, k8, zero);
        store8(mask + i, m);
        store8(z + i, load8(x + i) * m);
    }
    for (; i < count; i++) {
        mask[i] = mask[i] >= rate ? keep : 0.0f;
        z[i] = x[i] * mask[i];
    }
}

void RT_KERNEL(rt_mul_elementwise)(const float *a, const float *b, float *out, long count)
{
    long i = 0;
    for (; i + 8 <= count; i += 8)
        store8(out + i, load8(a + i) * load8(b + i));
    for (; i < count; i++)
        out[i] = a[i] * b[i];
}
