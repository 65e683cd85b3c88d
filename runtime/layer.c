/* layer.c: the table of layer kinds and helpers every kind shares.
 *
 * The table is generated from IR_OPS, so it has exactly one entry per op.
 * The vectorised helpers the kinds share (bias and relu) are kernels, in
 * layer_kernels.c.
 */
#include "layer.h"


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
