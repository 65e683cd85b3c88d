/* rewrite_weights.c: repair passes over weight initialisers and regularisers.
 *
 * change_initializer gives a layer's kernel a standard variance-scaling
 * initialiser (he for relu-like layers, lecun for selu, glorot otherwise
 * first) and resets a non-zero bias initialiser to zeros; constant kernels
 * (zeros, ones, constant), which never break symmetry, and wide normals come
 * first.  change_regularizer removes or weakens an existing regulariser, or
 * adds a light l2 penalty to the widest hidden layer.
 */
#include <stdio.h>

#include "rewrite.h"

static bool relu_like(ir_act a)
{
    return a == IR_ACT_RELU || a == IR_ACT_LEAKY_RELU || a == IR_ACT_ELU || a == IR_ACT_GELU ||
           a == IR_ACT_SWISH;
}

/* Prior of kernel initialiser K on a layer with activation ACT now using CUR. */
static double init_prior(ir_init k, ir_act act, const ir_initializer *cur)
{
    bool constant = cur->kind == IR_INIT_ZEROS || cur->kind == IR_INIT_ONES || cur->kind == IR_INIT_CONSTANT;
    bool wide = (cur->kind == IR_INIT_RANDOM_NORMAL || cur->kind == IR_INIT_TRUNCATED_NORMAL ||
                 cur->kind == IR_INIT_RANDOM_UNIFORM) && cur->param >= 0.3;
    double base;
    switch (k) {
    case IR_INIT_GLOROT_UNIFORM: base = 0.3; break;
    case IR_INIT_HE_NORMAL: case IR_INIT_HE_UNIFORM: base = relu_like(act) ? 0.3 : 0.15; break;
    case IR_INIT_LECUN_NORMAL: base = act == IR_ACT_SELU ? 0.3 : 0.12; break;
    case IR_INIT_GLOROT_NORMAL: case IR_INIT_LECUN_UNIFORM: base = 0.12; break;
    case IR_INIT_ORTHOGONAL: base = 0.08; break;
    default: return 0;   /* constants and fixed-scale random ones are not fixes */
    }
    return base + (constant || wide ? 0.4 : 0);
}

/* Whether a kernel initialiser is a fault candidate: constant or wide. */
static bool suspicious(const ir_initializer *k)
{
    return k->kind == IR_INIT_ZEROS || k->kind == IR_INIT_ONES || k->kind == IR_INIT_CONSTANT ||
           ((k->kind == IR_INIT_RANDOM_NORMAL || k->kind == IR_INIT_TRUNCATED_NORMAL ||
             k->kind == IR_INIT_RANDOM_UNIFORM) && k->param >= 0.3);
}

/* One edit that gives every suspicious kernel, and every non-zero bias, of
 * the model Keras's defaults at once (glorot_uniform, zeros). */
static void reset_all(const rp_ctx *ctx, rp_edits *out, const ir_model *m)
{
    rp_changes cs = {0};
    int layers = 0;
    ir_initializer glorot = {IR_INIT_GLOROT_UNIFORM, 0}, zeros = {IR_INIT_ZEROS, 0};
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_weights(n->op))
            continue;
        bool any = false;
        if (suspicious(&n->init)) {
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_INIT, &glorot, REPAIR_INIT,
                                      "Keras's default initialisers on every layer");
            rp_changes_push(&cs, &c);
            any = true;
        }
        if (n->bias && n->bias_init.kind != IR_INIT_ZEROS) {
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_BIAS_INIT, &zeros, REPAIR_INIT,
                                      "Keras's default initialisers on every layer");
            rp_changes_push(&cs, &c);
            any = true;
        }
        layers += any;
    }
    if (layers >= 2)
        rp_emit(ctx, out, &cs, REPAIR_INIT, 0.75);
    else
        rp_changes_free(&cs);
}

void rp_pass_init(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    char reason[200], cur[64];
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_weights(n->op))
            continue;
        const ir_attr_desc *d = ir_attr_by_id(ir_node_attrs, ir_node_attr_count, IR_NATTR_INIT);
        ir_attr_format(d, n, cur, sizeof cur);
        for (int k = 0; k < IR_INIT_COUNT; k++) {
            double prior = init_prior((ir_init)k, n->activation, &n->init);
            if (prior <= 0 || k == (int)n->init.kind)
                continue;
            ir_initializer v = {(ir_init)k, ir_init_param_default((ir_init)k)};
            snprintf(reason, sizeof reason, "kernel of %s from %s instead of %s", n->name,
                     ir_enum_name(&ir_init_table, k), cur);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_INIT, &v, REPAIR_INIT, reason);
            rp_emit1(ctx, out, &c, prior);
        }
        if (n->bias && n->bias_init.kind != IR_INIT_ZEROS) {
            ir_initializer z = {IR_INIT_ZEROS, 0};
            snprintf(reason, sizeof reason, "bias of %s starts at zero", n->name);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_BIAS_INIT, &z, REPAIR_INIT, reason);
            rp_emit1(ctx, out, &c, 0.35);
        }
    }
    if (m)
        reset_all(ctx, out, m);
}

void rp_pass_regularizer(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    if (!m)
        return;
    char reason[200];
    bool any = false;
    int widest = -1;
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_weights(n->op))
            continue;
        if (rp_is_hidden_weighted(m, i) && n->op == IR_OP_DENSE &&
            (widest < 0 || n->units > m->nodes[widest].units))
            widest = i;
        if (n->regularizer.kind == IR_REG_NONE)
            continue;
        any = true;
        double strength = n->regularizer.l1 + n->regularizer.l2;
        ir_regularizer none = {IR_REG_NONE, 0, 0};
        snprintf(reason, sizeof reason, "the penalty on %s's weights holds them back", n->name);
        rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_REGULARIZER, &none, REPAIR_REGULARIZER, reason);
        rp_emit1(ctx, out, &c, strength >= 0.005 ? 0.45 : 0.2);
        ir_regularizer weaker = n->regularizer;
        weaker.l1 /= 10;
        weaker.l2 /= 10;
        snprintf(reason, sizeof reason, "a ten times lighter penalty on %s", n->name);
        c = rp_set_node(ctx->prog, n, IR_NATTR_REGULARIZER, &weaker, REPAIR_REGULARIZER, reason);
        rp_emit1(ctx, out, &c, strength >= 0.005 ? 0.3 : 0.12);
    }
    if (any || widest < 0)
        return;
    ir_regularizer l2 = {IR_REG_L2, 0, 0.001};
    snprintf(reason, sizeof reason, "a light l2 penalty on %s against overfitting", m->nodes[widest].name);
    rp_change c = rp_set_node(ctx->prog, &m->nodes[widest], IR_NATTR_REGULARIZER, &l2, REPAIR_REGULARIZER,
                              reason);
    rp_emit1(ctx, out, &c, 0.06);
}
