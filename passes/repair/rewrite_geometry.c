/* rewrite_geometry.c: the repair pass over feature-map geometry
 * (change_geometry).
 *
 * For each convolution and pooling layer of the model: a convolution's
 * stride back to 1, its valid padding to same (no shrinking by the kernel),
 * a pooling window above 2 down to 2 (and its stride with it), and a pooling
 * layer removed.  Each edit keeps more of the spatial layout for the
 * classifier; the emitter's shape inference rejects the ones that do not
 * fit (a dense layer after flatten grows with the map).  These are the
 * fixes of the feature-map rule (rules_geometry.c).
 */
#include <stdio.h>

#include "rewrite.h"

static bool spatial(const ir_node *n)
{
    return (n->op == IR_OP_CONV2D || n->op == IR_OP_MAXPOOL || n->op == IR_OP_AVGPOOL) &&
           n->in_shape.rank == 3;
}

void rp_pass_geometry(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    char reason[200];
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!spatial(n))
            continue;
        /* A layer that leaves a tiny map is the likelier culprit. */
        bool tiny = n->out_shape.dim[0] * n->out_shape.dim[1] <= 4;
        if (n->op == IR_OP_CONV2D) {
            if (n->stride.h > 1 || n->stride.w > 1) {
                ir_int2 one = {1, 1};
                snprintf(reason, sizeof reason, "stride 1 for %s: its map keeps its size", n->name);
                rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_STRIDE, &one, REPAIR_GEOMETRY, reason);
                rp_emit1(ctx, out, &c, tiny ? 0.4 : 0.15);
            }
            if (n->padding == IR_PAD_VALID && (n->kernel.h > 1 || n->kernel.w > 1)) {
                int same = IR_PAD_SAME;
                snprintf(reason, sizeof reason, "same padding for %s: its kernel no longer "
                         "shrinks the map", n->name);
                rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_PADDING, &same, REPAIR_GEOMETRY, reason);
                rp_emit1(ctx, out, &c, tiny ? 0.3 : 0.08);
            }
            continue;
        }
        if (n->pool.h > 2 || n->pool.w > 2) {
            ir_int2 two = {n->pool.h > 2 ? 2 : n->pool.h, n->pool.w > 2 ? 2 : n->pool.w};
            rp_changes cs = {0};
            snprintf(reason, sizeof reason, "a 2x2 window for %s: it shrinks the map less", n->name);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_POOL, &two, REPAIR_GEOMETRY, reason);
            rp_changes_push(&cs, &c);
            if (n->stride.h > two.h || n->stride.w > two.w) {
                c = rp_set_node(ctx->prog, n, IR_NATTR_STRIDE, &two, REPAIR_GEOMETRY, reason);
                rp_changes_push(&cs, &c);
            }
            rp_emit(ctx, out, &cs, REPAIR_GEOMETRY, tiny ? 0.4 : 0.15);
        }
        snprintf(reason, sizeof reason, "no pooling at %s: the map keeps its size", n->name);
        rp_change c = rp_remove(ctx->prog, n, REPAIR_GEOMETRY, reason);
        rp_emit1(ctx, out, &c, tiny ? 0.3 : 0.08);
    }
}
