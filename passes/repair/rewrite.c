/* rewrite.c: the repair pass table and what the passes share.
 *
 * The passes themselves live by theme: rewrite_act.c (activations, loss),
 * rewrite_recipe.c (optimiser, learning rate, batch, epochs, clipping),
 * rewrite_arch.c (units, layers, batchnorm, dropout), rewrite_weights.c
 * (initialisers, regularisers), rewrite_data.c (preprocessing) and
 * rewrite_geometry.c (strides, padding and pooling).  Here:
 * the table, the emitters that verify every proposed program, and the
 * questions about a model that several passes ask.
 */
#include "rewrite.h"

#include <stdlib.h>
#include <string.h>

#define RP_X_ROW(id, name, fn, summary) {#name, REPAIR_##id, fn, summary},
const rp_pass rp_passes[REPAIR_CLASS_COUNT] = {REPAIR_CLASSES(RP_X_ROW)};

void rp_edits_free(rp_edits *l)
{
    for (int i = 0; i < l->n; i++)
        rp_changes_free(&l->items[i].changes);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void rp_facts_from_data(const rt_data *d, rp_facts *f)
{
    memset(f, 0, sizeof *f);
    f->classes = d->classes;
    f->target_size = d->target_size;
    f->train_n = d->train.n;
    f->raw_min = d->raw.min;
    f->raw_max = d->raw.max;
    f->range_ratio = d->raw.feature_range_ratio;
    f->prep_min = d->prep.min;
    f->prep_max = d->prep.max;
}

void rp_generate(const rp_ctx *ctx, unsigned mask, rp_edits *out)
{
    for (int i = 0; i < REPAIR_CLASS_COUNT; i++)
        if (mask & (1u << rp_passes[i].cls))
            rp_passes[i].run(ctx, out);
}

void rp_emit(const rp_ctx *ctx, rp_edits *out, rp_changes *cs, repair_class cls, double prior)
{
    ir_program *p = rp_apply_all(ctx->prog, cs, repair_class_names[cls]);
    bool ok = p && rp_fits_data(p, &ctx->facts);
    ir_program_free(p);
    if (!ok) {
        rp_changes_free(cs);
        return;
    }
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 32;
        out->items = ir_realloc(out->items, sizeof *out->items * (size_t)out->cap);
    }
    out->items[out->n++] = (rp_edit){*cs, cls, prior};
    memset(cs, 0, sizeof *cs);
}

void rp_emit1(const rp_ctx *ctx, rp_edits *out, const rp_change *c, double prior)
{
    rp_changes cs = {0};
    rp_changes_push(&cs, c);
    rp_emit(ctx, out, &cs, c->cls, prior);
}

int rp_output_index(const ir_model *m)
{
    for (int i = m->n_nodes - 1; i > 0; i--)
        if (ir_op_has_activation(m->nodes[i].op))
            return i;
    return -1;
}

int rp_output_dense(const ir_model *m)
{
    for (int i = m->n_nodes - 1; i > 0; i--)
        if (m->nodes[i].op == IR_OP_DENSE)
            return i;
    return -1;
}

bool rp_is_hidden_weighted(const ir_model *m, int i)
{
    return i > 0 && ir_op_has_weights(m->nodes[i].op) && i != rp_output_dense(m);
}

static bool is_cross_entropy(ir_loss l)
{
    return l == IR_LOSS_CATEGORICAL_CROSSENTROPY || l == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ||
           l == IR_LOSS_BINARY_CROSSENTROPY || l == IR_LOSS_KL_DIVERGENCE;
}

bool rp_is_activation(const ir_node *n, int a)
{
    return !n->activation_fn && (int)n->activation == a;
}

void rp_activation_name(const ir_node *n, char *buf, size_t size)
{
    ir_attr_format(ir_attr_by_id(ir_node_attrs, ir_node_attr_count, IR_NATTR_ACTIVATION), n, buf, size);
}

int rp_output_activation_for(const ir_program *p, const rp_facts *facts)
{
    const ir_model *m = ir_train_model(p);
    int od = m ? rp_output_dense(m) : -1;
    if (od < 0)
        return -1;
    ir_loss loss = p->train.loss;
    if (p->train.loss_fn)
        return -1;   /* what a user loss needs is unknown */
    if (facts->classes == 0)
        return loss == IR_LOSS_POISSON ? -1 : IR_ACT_LINEAR;
    if (loss == IR_LOSS_HINGE || loss == IR_LOSS_SQUARED_HINGE || loss == IR_LOSS_CATEGORICAL_HINGE)
        return -1;
    int units = m->nodes[od].units;
    if (units == 1)
        return IR_ACT_SIGMOID;
    if (is_cross_entropy(loss) || loss == IR_LOSS_POISSON || loss == IR_LOSS_MSE ||
        loss == IR_LOSS_MAE || loss == IR_LOSS_LOGCOSH || loss == IR_LOSS_HUBER)
        return IR_ACT_SOFTMAX;
    return -1;
}

bool rp_fits_data(const ir_program *p, const rp_facts *facts)
{
    const ir_model *m = ir_train_model(p);
    if (!m)
        return false;
    int od = rp_output_dense(m);
    if (od < 0 || od != m->n_nodes - 1) {
        /* Layers after the output dense must keep its width (activation, dropout, batchnorm). */
        for (int i = od + 1; od >= 0 && i < m->n_nodes; i++)
            if (m->nodes[i].op != IR_OP_ACTIVATION && m->nodes[i].op != IR_OP_DROPOUT &&
                m->nodes[i].op != IR_OP_BATCHNORM)
                return false;
        if (od < 0)
            return false;
    }
    int units = m->nodes[od].units;
    if (facts->classes == 0)
        return p->train.loss != IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY &&
               (facts->target_size <= 0 || units == facts->target_size);
    if (p->train.loss == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
        return units == facts->classes;
    return units == facts->classes || (units == 1 && facts->classes == 2);
}
