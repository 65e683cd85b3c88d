/* rewrite_arch.c: repair passes over the architecture.
 *
 * change_units (halve or double a hidden dense layer), set_output_units (the
 * output dense gets as many units as the labels need), add_layer (one or two
 * dense layers before the output), remove_layer (a hidden dense layer),
 * add_batchnorm (after a hidden weighted layer; an existing one's momentum
 * and epsilon back to Keras's defaults) and change_dropout (remove,
 * lower or add dropout).  Inserted layers are named after the layer they
 * follow ("fc1.bn", "fc2.dense"), so the rest of the model keeps its names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite.h"

void rp_pass_units(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    char reason[200];
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_DENSE || !rp_is_hidden_weighted(m, i))
            continue;
        int sizes[2] = {n->units * 2, n->units / 2};
        for (int k = 0; k < 2; k++) {
            if (sizes[k] < 1 || sizes[k] == n->units || sizes[k] > (1 << 20))
                continue;
            snprintf(reason, sizeof reason, "%s units of %s", k ? "half the" : "twice the", n->name);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_UNITS, &sizes[k], REPAIR_UNITS, reason);
            /* Narrow layers are the likelier bottleneck. */
            rp_emit1(ctx, out, &c, k == 0 ? (n->units < 16 ? 0.3 : 0.12) : 0.08);
        }
    }
}

void rp_pass_output_units(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    int od = m ? rp_output_dense(m) : -1;
    if (od < 0)
        return;
    const ir_node *o = &m->nodes[od];
    int want = ctx->facts.classes > 0 ? ctx->facts.classes : ctx->facts.target_size;
    if (want <= 0 || o->units == want || (o->units == 1 && ctx->facts.classes == 2))
        return;
    char reason[200];
    snprintf(reason, sizeof reason, "the data has %d %s", want, ctx->facts.classes ? "classes" : "targets");
    rp_change c = rp_set_node(ctx->prog, o, IR_NATTR_UNITS, &want, REPAIR_OUTPUT_UNITS, reason);
    rp_emit1(ctx, out, &c, 0.9);
}

/* A dense layer of UNITS relu units. */
static ir_node dense_layer(int units)
{
    ir_node n;
    memset(&n, 0, sizeof n);
    ir_node_defaults(&n, IR_OP_DENSE);
    n.units = units;
    n.activation = IR_ACT_RELU;
    return n;
}

void rp_pass_add_layer(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    int od = m ? rp_output_dense(m) : -1;
    if (od < 1 || m->nodes[od - 1].out_shape.rank != 1)
        return;
    const ir_node *anchor = &m->nodes[od - 1];
    /* As wide as the widest hidden dense layer, else as the input (capped). */
    int units = 0;
    for (int i = 1; i < od; i++)
        if (m->nodes[i].op == IR_OP_DENSE && m->nodes[i].units > units)
            units = m->nodes[i].units;
    if (units == 0) {
        long in = ir_shape_size(&anchor->out_shape);
        units = in > 128 ? 128 : in < 16 ? 16 : (int)in;
    }
    for (int layers = 1; layers <= 2; layers++) {
        rp_changes cs = {0};
        const ir_node *prev = anchor;
        char base[RP_NAME_MAX + 16];
        ir_node prev_copy;
        char *names[2] = {NULL, NULL};
        for (int k = 0; k < layers; k++) {
            snprintf(base, sizeof base, "%s.dense", prev->name);
            names[k] = ir_unique_name(m, base);
            ir_node n = dense_layer(units);
            char reason[200];
            snprintf(reason, sizeof reason, "%d more hidden dense layer%s of %d relu units", layers,
                     layers > 1 ? "s" : "", units);
            rp_change c = rp_insert_after(ctx->prog, prev, names[k], &n, REPAIR_ADD_LAYER, reason);
            rp_changes_push(&cs, &c);
            prev_copy = n;
            prev_copy.name = names[k];
            prev = &prev_copy;
        }
        rp_emit(ctx, out, &cs, REPAIR_ADD_LAYER, layers == 1 ? 0.15 : 0.08);
        free(names[0]);
        free(names[1]);
    }
}

void rp_pass_remove_layer(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    char reason[200];
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_DENSE || !rp_is_hidden_weighted(m, i) || n->in_shape.rank != 1)
            continue;
        snprintf(reason, sizeof reason, "a shallower model without %s", n->name);
        rp_change c = rp_remove(ctx->prog, n, REPAIR_REMOVE_LAYER, reason);
        rp_emit1(ctx, out, &c, 0.08);
    }
}

void rp_pass_batchnorm(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    if (!m)
        return;
    int weighted = 0;
    for (int i = 1; i < m->n_nodes; i++)
        weighted += ir_op_has_weights(m->nodes[i].op);
    char reason[200], base[RP_NAME_MAX + 8];
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!rp_is_hidden_weighted(m, i))
            continue;
        if (i + 1 < m->n_nodes && m->nodes[i + 1].op == IR_OP_BATCHNORM)
            continue;
        ir_node bn;
        memset(&bn, 0, sizeof bn);
        ir_node_defaults(&bn, IR_OP_BATCHNORM);
        snprintf(base, sizeof base, "%s.bn", n->name);
        char *name = ir_unique_name(m, base);
        snprintf(reason, sizeof reason, "normalise the outputs of %s", n->name);
        rp_change c = rp_insert_after(ctx->prog, n, name, &bn, REPAIR_BATCHNORM, reason);
        free(name);
        rp_emit1(ctx, out, &c, weighted >= 3 ? 0.3 : 0.2);
    }
    /* Batchnorm layers already there: Keras's momentum and epsilon back
     * (moving statistics that settle, a variance epsilon does not swamp). */
    ir_node def;
    memset(&def, 0, sizeof def);
    ir_node_defaults(&def, IR_OP_BATCHNORM);
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_BATCHNORM)
            continue;
        if (n->momentum > def.momentum || n->momentum < 0.5) {
            snprintf(reason, sizeof reason, "momentum %g for %s's moving statistics", def.momentum, n->name);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_MOMENTUM, &def.momentum, REPAIR_BATCHNORM, reason);
            rp_emit1(ctx, out, &c, n->momentum > 0.999 ? 0.4 : 0.15);
        }
        if (n->epsilon > 10 * def.epsilon) {
            snprintf(reason, sizeof reason, "epsilon %g for %s", def.epsilon, n->name);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_EPSILON, &def.epsilon, REPAIR_BATCHNORM, reason);
            rp_emit1(ctx, out, &c, n->epsilon >= 0.1 ? 0.3 : 0.1);
        }
    }
}

void rp_pass_dropout(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    if (!m)
        return;
    char reason[200];
    bool any = false;
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_DROPOUT)
            continue;
        any = true;
        bool high = n->rate >= 0.5;
        snprintf(reason, sizeof reason, "dropout %s drops %g of its inputs", n->name, n->rate);
        rp_change c = rp_remove(ctx->prog, n, REPAIR_DROPOUT, reason);
        rp_emit1(ctx, out, &c, high ? 0.45 : 0.2);
        double rates[2] = {n->rate / 2, 0.1};
        for (int k = 0; k < 2; k++) {
            if (rates[k] >= n->rate || (k == 1 && rates[1] >= rates[0]))
                continue;
            c = rp_set_node(ctx->prog, n, IR_NATTR_RATE, &rates[k], REPAIR_DROPOUT, reason);
            rp_emit1(ctx, out, &c, high ? 0.35 : 0.12);
        }
    }
    if (any)
        return;
    /* No dropout: add some after the widest hidden dense layer (overfitting). */
    int widest = -1;
    for (int i = 1; i < m->n_nodes; i++)
        if (m->nodes[i].op == IR_OP_DENSE && rp_is_hidden_weighted(m, i) &&
            (widest < 0 || m->nodes[i].units > m->nodes[widest].units))
            widest = i;
    if (widest < 0)
        return;
    ir_node d;
    memset(&d, 0, sizeof d);
    ir_node_defaults(&d, IR_OP_DROPOUT);
    d.rate = 0.2;
    char base[RP_NAME_MAX + 10];
    snprintf(base, sizeof base, "%s.dropout", m->nodes[widest].name);
    char *name = ir_unique_name(m, base);
    rp_change c = rp_insert_after(ctx->prog, &m->nodes[widest], name, &d, REPAIR_DROPOUT,
                                  "dropout 0.2 against overfitting");
    free(name);
    rp_emit1(ctx, out, &c, 0.08);
}
