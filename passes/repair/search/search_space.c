/* search_space.c: the study's search space (search_space.h). */
#include "search_space.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The study's 13 losses, in its order. */
static const int study_losses[] = {
    IR_LOSS_MSE, IR_LOSS_MAE, IR_LOSS_MAPE, IR_LOSS_MSLE, IR_LOSS_SQUARED_HINGE, IR_LOSS_HINGE,
    IR_LOSS_CATEGORICAL_HINGE, IR_LOSS_LOGCOSH, IR_LOSS_CATEGORICAL_CROSSENTROPY,
    IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, IR_LOSS_BINARY_CROSSENTROPY, IR_LOSS_KL_DIVERGENCE,
    IR_LOSS_POISSON,
};
/* Keras's 11 activations. */
static const int study_acts[] = {
    IR_ACT_ELU, IR_ACT_SOFTMAX, IR_ACT_SELU, IR_ACT_SOFTPLUS, IR_ACT_SOFTSIGN, IR_ACT_RELU,
    IR_ACT_TANH, IR_ACT_SIGMOID, IR_ACT_HARD_SIGMOID, IR_ACT_EXPONENTIAL, IR_ACT_LINEAR,
};
static const int study_batches[] = {16, 32, 64, 128, 256, 512};

/* Adds a categorical dimension with VALUES, plus FAULTY when missing. */
static void add_dim(sp_space *sp, sp_kind kind, int node, const int *values, int n, int faulty)
{
    if (sp->n >= SP_MAX_DIMS)
        return;
    sp_dim *d = &sp->dims[sp->n++];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->node = node;
    d->faulty = -1;
    for (int i = 0; i < n && d->n < SP_MAX_CHOICES; i++) {
        bool dup = false;
        for (int j = 0; j < d->n; j++)
            dup |= d->values[j] == values[i];
        if (!dup)
            d->values[d->n++] = values[i];
    }
    for (int i = 0; i < d->n; i++)
        if (d->values[i] == faulty)
            d->faulty = i;
    if (d->faulty < 0 && d->n < SP_MAX_CHOICES) {
        d->values[d->n] = faulty;
        d->faulty = d->n++;
    }
}

void sp_build(const rp_session *s, rt_rng *rng, sp_space *sp)
{
    memset(sp, 0, sizeof *sp);
    const ir_train *t = &s->prog->train;
    const ir_model *m = ir_train_model(s->prog);
    int opts[IR_OPT_COUNT], inits[IR_INIT_COUNT];
    for (int i = 0; i < IR_OPT_COUNT; i++)
        opts[i] = i;
    for (int i = 0; i < IR_INIT_COUNT; i++)
        inits[i] = i;
    add_dim(sp, SP_LOSS, -1, study_losses, 13, (int)t->loss);
    add_dim(sp, SP_OPTIMIZER, -1, opts, IR_OPT_COUNT, (int)t->optimizer);
    sp->dims[sp->n++] = (sp_dim){SP_LR, -1, 0, {0}, 0};
    sp->lr_faulty = t->learning_rate;
    add_dim(sp, SP_BATCH, -1, study_batches, 6, t->batch);
    /* Epochs: e, floor(e m^k) for k = 0..4, and floor(e / m^k) while above 1. */
    double mfac = 1.1 + 0.2 * rt_rng_double(rng);
    int ep[12], ne = 0, e = t->epochs;
    for (int k = 0; k <= 4; k++)
        ep[ne++] = (int)floor(e * pow(mfac, k));
    for (int k = 1; k <= 4; k++) {
        int v = (int)floor(e / pow(mfac, k));
        if (v > 1)
            ep[ne++] = v;
    }
    add_dim(sp, SP_EPOCHS, -1, ep, ne, e);
    for (int i = 1; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (ir_op_has_activation(n->op))   /* a user function: a value of its own, SP_USER_FN */
            add_dim(sp, SP_ACT, i, study_acts, 11, n->activation_fn ? SP_USER_FN : (int)n->activation);
        if (ir_op_has_weights(n->op)) {
            add_dim(sp, SP_KERNEL_INIT, i, inits, IR_INIT_COUNT, (int)n->init.kind);
            if (n->bias)
                add_dim(sp, SP_BIAS_INIT, i, inits, IR_INIT_COUNT, (int)n->bias_init.kind);
        }
        if (n->op == IR_OP_DENSE && rp_is_hidden_weighted(m, i) && n->in_shape.rank == 1) {
            int units[3] = {n->units / 2 > 0 ? n->units / 2 : n->units, n->units, n->units * 2};
            add_dim(sp, SP_UNITS, i, units, 3, n->units);
            int copies[3] = {0, 1, 2};
            add_dim(sp, SP_COPIES, i, copies, 3, 1);
        }
    }
}

void sp_faulty(const sp_space *sp, sp_point *pt)
{
    for (int i = 0; i < sp->n; i++)
        pt->choice[i] = sp->dims[i].faulty;
    pt->lr = sp->lr_faulty;
}

void sp_draw(const sp_space *sp, rt_rng *rng, sp_point *pt)
{
    for (int i = 0; i < sp->n; i++)
        pt->choice[i] = sp->dims[i].n ? (int)rt_rng_below(rng, (uint64_t)sp->dims[i].n) : 0;
    pt->lr = 1e-6 + (10 - 1e-6) * rt_rng_double(rng);
}

/* The initialiser KIND with Keras's default parameter. */
static ir_initializer init_of(int kind)
{
    return (ir_initializer){(ir_init)kind, ir_init_param_default((ir_init)kind)};
}

bool sp_changes(const rp_session *s, const sp_space *sp, const sp_point *pt, rp_changes *out)
{
    const ir_program *p = s->prog;
    const ir_model *m = ir_train_model(p);
    memset(out, 0, sizeof *out);
    rp_change c;
    const char *why = "random search";
    /* The layer attributes first (a copied layer takes its layer's final values). */
    ir_node *final = ir_alloc(sizeof *final * (size_t)(m ? m->n_nodes : 1));
    for (int i = 0; m && i < m->n_nodes; i++)
        final[i] = m->nodes[i];
    int copies[SP_MAX_DIMS];
    for (int i = 0; m && i < m->n_nodes; i++)
        copies[i < SP_MAX_DIMS ? i : 0] = 1;
    int opt = (int)p->train.optimizer;
    for (int i = 0; i < sp->n; i++) {
        const sp_dim *d = &sp->dims[i];
        int v = d->n ? d->values[pt->choice[i]] : 0;
        bool same = d->n && pt->choice[i] == d->faulty;
        switch (d->kind) {
        case SP_LOSS:
            if (!same) {
                c = rp_set_train(p, IR_TATTR_LOSS, &v, REPAIR_LOSS, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_OPTIMIZER:
            opt = v;
            if (!same) {
                c = rp_set_train(p, IR_TATTR_OPTIMIZER, &v, REPAIR_OPTIMIZER, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_LR:
            if (pt->lr != sp->lr_faulty || opt != (int)p->train.optimizer) {
                double lr = pt->lr;
                c = rp_set_train(p, IR_TATTR_LEARNING_RATE, &lr, REPAIR_LEARNING_RATE, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_BATCH:
            if (!same) {
                c = rp_set_train(p, IR_TATTR_BATCH, &v, REPAIR_BATCH, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_EPOCHS:
            if (!same) {
                c = rp_set_train(p, IR_TATTR_EPOCHS, &v, REPAIR_EPOCHS, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_ACT:
            if (!same) {
                final[d->node].activation = (ir_act)v;
                final[d->node].activation_fn = NULL;
                c = rp_set_node(p, &m->nodes[d->node], IR_NATTR_ACTIVATION, &v, REPAIR_ACTIVATION, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_KERNEL_INIT:
        case SP_BIAS_INIT: {
            bool kernel = d->kind == SP_KERNEL_INIT;
            ir_initializer init = same ? (kernel ? m->nodes[d->node].init : m->nodes[d->node].bias_init) : init_of(v);
            if (kernel)
                final[d->node].init = init;
            else
                final[d->node].bias_init = init;
            if (!same) {
                c = rp_set_node(p, &m->nodes[d->node], kernel ? IR_NATTR_INIT : IR_NATTR_BIAS_INIT, &init,
                                REPAIR_INIT, why);
                rp_changes_push(out, &c);
            }
            break;
        }
        case SP_UNITS:
            final[d->node].units = v;
            if (!same) {
                c = rp_set_node(p, &m->nodes[d->node], IR_NATTR_UNITS, &v, REPAIR_UNITS, why);
                rp_changes_push(out, &c);
            }
            break;
        case SP_COPIES:
            if (d->node < SP_MAX_DIMS)
                copies[d->node] = v;
            break;
        }
    }
    for (int i = 1; m && i < m->n_nodes && i < SP_MAX_DIMS; i++) {
        if (copies[i] == 0) {
            /* The layer goes: its other changes go with it. */
            for (int k = out->n - 1; k >= 0; k--)
                if (out->items[k].target == SUSPECT_NODE && !strcmp(out->items[k].node, m->nodes[i].name)) {
                    memmove(&out->items[k], &out->items[k + 1], sizeof *out->items * (size_t)(out->n - k - 1));
                    out->n--;
                }
            c = rp_remove(p, &m->nodes[i], REPAIR_REMOVE_LAYER, why);
            rp_changes_push(out, &c);
        } else if (copies[i] == 2) {
            char base[RP_NAME_MAX + 8];
            snprintf(base, sizeof base, "%s.copy", m->nodes[i].name);
            char *name = ir_unique_name(m, base);
            ir_node copy = final[i];
            copy.activation_fn = NULL;
            c = rp_insert_after(p, &m->nodes[i], name, &copy, REPAIR_ADD_LAYER, why);
            rp_changes_push(out, &c);
            free(name);
        }
    }
    free(final);
    if (out->n == 0)
        return true;
    ir_program *q = rp_apply_all(p, out, "random search");
    bool ok = q && rp_fits_data(q, &s->facts);
    ir_program_free(q);
    if (!ok)
        rp_changes_free(out);
    return ok;
}
