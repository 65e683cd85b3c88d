/* shape.c: shape inference and the structural rules of a sequential model.
 *
 * Shapes exclude the batch dimension.  Convolutions and pools follow Keras:
 * "valid" gives floor((n - k) / s) + 1, "same" gives ceil(n / s).  Used by the
 * lowering, the IR reader and the verifier, so every IR that exists has
 * consistent shapes.
 */
#include "ir_verify.h"

#include <stdio.h>

#define MAX_ELEMENTS (1L << 26)   /* floats per sample in one layer's output */
#define MAX_WEIGHTS (1L << 28)    /* weights in one layer */

/* Output extent of a window of size K and stride S over N positions. */
static int window_out(int n, int k, int s, ir_pad pad)
{
    return pad == IR_PAD_SAME ? (n + s - 1) / s : (n - k) / s + 1;
}

static bool infer_node(ir_model *m, int i, diag_ctx *d)
{
    ir_node *n = &m->nodes[i];
    const ir_shape *in = &n->in_shape;
    ir_shape *out = &n->out_shape;
    char buf[64];
    *out = *in;
    switch (n->op) {
    case IR_OP_INPUT:
        *out = n->shape;
        break;
    case IR_OP_DENSE:
        if (in->rank != 1) {
            ir_shape_format(in, buf, sizeof buf);
            diag_error(d, n->span, "dense layer '%s' needs a flat input, but its input has shape %s",
                       n->name, buf);
            diag_note(d, n->span, "add 'flatten' before it");
            return false;
        }
        if ((long)in->dim[0] * n->units > MAX_WEIGHTS) {
            diag_error(d, n->span, "dense layer '%s' would have %ld weights; at most %ld are supported",
                       n->name, (long)in->dim[0] * n->units, MAX_WEIGHTS);
            return false;
        }
        *out = (ir_shape){1, {n->units}};
        break;
    case IR_OP_CONV2D:
    case IR_OP_MAXPOOL:
    case IR_OP_AVGPOOL: {
        const char *kind = ir_enum_name(&ir_op_table, (int)n->op);
        if (in->rank != 3) {
            ir_shape_format(in, buf, sizeof buf);
            diag_error(d, n->span, "%s layer '%s' needs an input of shape [height, width, channels], got %s",
                       kind, n->name, buf);
            if (in->rank == 2)
                diag_note(d, n->span, "give the input a channel axis: input [%d, %d, 1]", in->dim[0], in->dim[1]);
            return false;
        }
        ir_int2 k = n->op == IR_OP_CONV2D ? n->kernel : n->pool;
        if (n->padding == IR_PAD_VALID && (k.h > in->dim[0] || k.w > in->dim[1])) {
            ir_shape_format(in, buf, sizeof buf);
            diag_error(d, n->span, "%s layer '%s' has a %dx%d window, larger than its %dx%d input %s",
                       kind, n->name, k.h, k.w, in->dim[0], in->dim[1], buf);
            diag_note(d, n->span, "use a smaller window or padding = same");
            return false;
        }
        int channels = n->op == IR_OP_CONV2D ? n->units : in->dim[2];
        *out = (ir_shape){3, {window_out(in->dim[0], k.h, n->stride.h, n->padding),
                              window_out(in->dim[1], k.w, n->stride.w, n->padding), channels}};
        if (n->op == IR_OP_CONV2D && (long)k.h * k.w * in->dim[2] * n->units > MAX_WEIGHTS) {
            diag_error(d, n->span, "conv2d layer '%s' has too many weights", n->name);
            return false;
        }
        break;
    }
    case IR_OP_FLATTEN:
        *out = (ir_shape){1, {(int)ir_shape_size(in)}};
        break;
    case IR_OP_DROPOUT:
    case IR_OP_BATCHNORM:
    case IR_OP_ACTIVATION: /* keep their input's shape (*out is set to it above) */
        break;
    case IR_OP_COUNT: /* not a kind; every kind is named, so -Wswitch flags a new one */
        break;
    }
    if (ir_shape_size(out) > MAX_ELEMENTS) {
        ir_shape_format(out, buf, sizeof buf);
        diag_error(d, n->span, "layer '%s' outputs %s, more than %ld values per sample", n->name, buf,
                   MAX_ELEMENTS);
        return false;
    }
    return true;
}

bool ir_infer_shapes(ir_model *m, diag_ctx *d)
{
    if (m->n_nodes == 0 || m->nodes[0].op != IR_OP_INPUT) {
        diag_error(d, m->n_nodes ? m->nodes[0].span : m->span,
                   "model '%s' must start with an input layer, such as input [28, 28]", m->name);
        return false;
    }
    bool ok = true;
    for (int i = 1; i < m->n_nodes; i++)
        if (m->nodes[i].op == IR_OP_INPUT) {
            diag_error(d, m->nodes[i].span, "only the first layer of a model can be an input");
            ok = false;
        }
    if (m->n_nodes < 2) {
        diag_error(d, m->span, "model '%s' has no layers after its input", m->name);
        ok = false;
    }
    if (!ok)
        return false;
    m->nodes[0].in_shape = m->nodes[0].shape;
    for (int i = 0; i < m->n_nodes; i++) {
        if (i > 0)
            m->nodes[i].in_shape = m->nodes[i - 1].out_shape;
        if (!infer_node(m, i, d))
            return false;
    }
    return true;
}
