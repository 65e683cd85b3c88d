/* layer.c: the table of layer kinds and helpers every kind shares.
 *
 * The table is generated from IR_OPS, so it has exactly one entry per op.
 * The bias and relu helpers are written on simd.h vectors: at -O2 GCC does
 * not vectorise loops whose width is only known at run time.
 */
#include "layer.h"

#include <string.h>

#include "simd.h"

#define RT_X_LAYER_ENTRY(id, name) [IR_OP_##id] = &rt_layer_##name,
const rt_layer_ops *const rt_layer_table[IR_OP_COUNT] = {IR_OPS(RT_X_LAYER_ENTRY)};

int rt_window_extent(int in, int k, int s, ir_pad pad, int *pad_before)
{
    if (pad == IR_PAD_SAME) {
        int out = (in + s - 1) / s;
        int total = (out - 1) * s + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
        return out;
    }
    *pad_before = 0;
    return in < k ? 0 : (in - k) / s + 1;
}

rt_dims rt_dims_of_shape(const ir_shape *s)
{
    rt_dims d = {1, 1, 1};
    if (s->rank == 1)
        d.c = s->dim[0];
    else if (s->rank == 2)
        d.w = s->dim[0], d.c = s->dim[1];
    else if (s->rank == 3)
        d.h = s->dim[0], d.w = s->dim[1], d.c = s->dim[2];
    return d;
}

void rt_bias_act(float *y, const float *b, bool relu, long rows, int width)
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

void rt_relu_mask_sum(float *dy, const float *y, float *db, long rows, int width)
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
