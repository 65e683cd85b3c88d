/* search_autotrainer.c: AutoTrainer's symptom-driven repair (Zhang et al.,
 * ICSE 2021), as the issue lists its fix sequences.
 *
 * The current program (at first the faulty one) is trained with the symptom
 * monitor (pool.h).  For the first symptom it shows, the fixes of that
 * symptom's sequence are tried in order, each retrained and re-monitored;
 * the first that removes the symptom or improves the validation score is
 * kept, and the new program is examined again.  A symptom none of its fixes
 * cures is set aside.  The search ends when no symptom remains, every
 * sequence is exhausted, or the budget is spent: AutoTrainer acts only on
 * the symptoms it sees (and sees none on a program that trains smoothly to
 * a poor result).
 *
 *   vanishing gradient  selu, relu, batchnorm
 *   exploding gradient  selu, relu, gradient clipping, tanh, batchnorm
 *   dying relu          selu, batchnorm, initialiser, leaky relu
 *   oscillating loss    adam, learning rate, batch size, momentum, initialiser
 *   slow convergence    optimiser, learning rate, initialiser
 * Activation, initialiser and batchnorm fixes apply to every hidden layer,
 * as AutoTrainer's do.
 */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    AT_SELU, AT_RELU, AT_TANH, AT_LEAKY, AT_BATCHNORM, AT_CLIP, AT_INIT, AT_ADAM, AT_LR_DOWN,
    AT_LR_UP, AT_BATCH_UP, AT_MOMENTUM, AT_FIX_COUNT
} at_fix;

static const at_fix sequences[RP_SYM_COUNT][6] = {
    [RP_SYM_VANISHING] = {AT_SELU, AT_RELU, AT_BATCHNORM, AT_FIX_COUNT},
    [RP_SYM_EXPLODING] = {AT_SELU, AT_RELU, AT_CLIP, AT_TANH, AT_BATCHNORM, AT_FIX_COUNT},
    [RP_SYM_DYING_RELU] = {AT_SELU, AT_BATCHNORM, AT_INIT, AT_LEAKY, AT_FIX_COUNT},
    [RP_SYM_OSCILLATING] = {AT_ADAM, AT_LR_DOWN, AT_BATCH_UP, AT_MOMENTUM, AT_INIT, AT_FIX_COUNT},
    [RP_SYM_SLOW] = {AT_ADAM, AT_LR_UP, AT_INIT, AT_FIX_COUNT},
};

/* Appends the changes of FIX to CUR's program P (whose changes CUR holds). */
static bool make_fix(const rp_session *s, const ir_program *p, at_fix fix, rp_symptom sym, rp_changes *out)
{
    const ir_model *m = ir_train_model(p);
    char why[160];
    snprintf(why, sizeof why, "AutoTrainer: %s", rp_symptom_names[sym]);
    memset(out, 0, sizeof *out);
    rp_change c;
    const ir_train *t = &p->train;
    switch (fix) {
    case AT_SELU: case AT_RELU: case AT_TANH: case AT_LEAKY: {
        int act = fix == AT_SELU ? IR_ACT_SELU : fix == AT_RELU ? IR_ACT_RELU : fix == AT_TANH ? IR_ACT_TANH
                                                                                              : IR_ACT_LEAKY_RELU;
        int oi = rp_output_index(m);
        for (int i = 1; i < m->n_nodes; i++)
            if (ir_op_has_activation(m->nodes[i].op) && i != oi && !rp_is_activation(&m->nodes[i], act)) {
                c = rp_set_node(p, &m->nodes[i], IR_NATTR_ACTIVATION, &act, REPAIR_ACTIVATION, why);
                rp_changes_push(out, &c);
            }
        break;
    }
    case AT_BATCHNORM:
        for (int i = 1; i < m->n_nodes; i++) {
            if (!rp_is_hidden_weighted(m, i) || (i + 1 < m->n_nodes && m->nodes[i + 1].op == IR_OP_BATCHNORM))
                continue;
            ir_node bn;
            memset(&bn, 0, sizeof bn);
            ir_node_defaults(&bn, IR_OP_BATCHNORM);
            char base[RP_NAME_MAX + 8];
            snprintf(base, sizeof base, "%s.bn", m->nodes[i].name);
            char *name = ir_unique_name(m, base);
            c = rp_insert_after(p, &m->nodes[i], name, &bn, REPAIR_BATCHNORM, why);
            free(name);
            rp_changes_push(out, &c);
        }
        break;
    case AT_CLIP: {
        double v = 1;
        if (t->clipnorm == 0) {
            c = rp_set_train(p, IR_TATTR_CLIPNORM, &v, REPAIR_CLIPPING, why);
            rp_changes_push(out, &c);
        }
        break;
    }
    case AT_INIT:
        for (int i = 1; i < m->n_nodes; i++) {
            if (!ir_op_has_weights(m->nodes[i].op) || m->nodes[i].init.kind == IR_INIT_HE_UNIFORM)
                continue;
            ir_initializer he = {IR_INIT_HE_UNIFORM, 0};
            c = rp_set_node(p, &m->nodes[i], IR_NATTR_INIT, &he, REPAIR_INIT, why);
            rp_changes_push(out, &c);
        }
        break;
    case AT_ADAM: {
        int k = IR_OPT_ADAM;
        if (t->optimizer != IR_OPT_ADAM) {
            c = rp_set_train(p, IR_TATTR_OPTIMIZER, &k, REPAIR_OPTIMIZER, why);
            rp_changes_push(out, &c);
        }
        break;
    }
    case AT_LR_DOWN: case AT_LR_UP: {
        double lr = rp_scaled(t->learning_rate, fix == AT_LR_DOWN ? 0.1 : 10);
        if (lr >= 1e-6 && lr <= 10) {
            c = rp_set_train(p, IR_TATTR_LEARNING_RATE, &lr, REPAIR_LEARNING_RATE, why);
            rp_changes_push(out, &c);
        }
        break;
    }
    case AT_BATCH_UP: {
        int b = t->batch * 2;
        if (b <= s->facts.train_n) {
            c = rp_set_train(p, IR_TATTR_BATCH, &b, REPAIR_BATCH, why);
            rp_changes_push(out, &c);
        }
        break;
    }
    case AT_MOMENTUM: {
        double mo = 0.9;
        if ((t->optimizer == IR_OPT_SGD || t->optimizer == IR_OPT_RMSPROP) && t->momentum != mo) {
            c = rp_set_train(p, IR_TATTR_MOMENTUM, &mo, REPAIR_OPTIMIZER, why);
            rp_changes_push(out, &c);
        }
        break;
    }
    case AT_FIX_COUNT:
        break;
    }
    return out->n > 0;
}

/* Trains CUR once, monitored; returns its score and symptoms. */
static bool examine(rp_session *s, const rp_changes *cur, double *score, unsigned *symptoms)
{
    rp_outcome o;
    memset(&o, 0, sizeof o);
    s->monitor_jobs = true;
    bool ok = rp_evaluate(s, cur, 1, 1, 0, 1, score, &o);
    s->monitor_jobs = false;
    *symptoms = ok ? o.symptoms : 0;
    if (ok && !o.ok)
        *symptoms = 0;
    return ok;
}

void rp_search_autotrainer(rp_session *s)
{
    s->phase = "autotrainer";
    rp_changes cur = {0};
    double score;
    unsigned symptoms, set_aside = 0;
    if (!rp_search_affords(s, &cur, 1, 1) || !examine(s, &cur, &score, &symptoms))
        return;
    for (;;) {
        int sym = -1;
        for (int k = 0; k < RP_SYM_COUNT && sym < 0; k++)
            if ((symptoms & ~set_aside) & (1u << k))
                sym = k;
        if (sym < 0)
            break;
        bool cured = false;
        ir_program *p = rp_apply_all(s->prog, &cur, "autotrainer");
        for (int f = 0; p && sequences[sym][f] != AT_FIX_COUNT && !cured; f++) {
            rp_changes fix, next;
            if (!make_fix(s, p, sequences[sym][f], (rp_symptom)sym, &fix))
                continue;
            /* The fix's changes are made against P; re-anchor them on the faulty program. */
            rp_changes_copy(&next, &cur);
            rp_changes_append(&next, &fix);
            rp_changes_free(&fix);
            ir_program *q = rp_apply_all(s->prog, &next, "autotrainer");
            bool fits = q && rp_fits_data(q, &s->facts);
            ir_program_free(q);
            double sc;
            unsigned sy;
            if (!fits || !rp_search_affords(s, &next, 1, 1) || !examine(s, &next, &sc, &sy)) {
                rp_changes_free(&next);
                if (!rp_search_goes_on(s, 1))
                    break;
                continue;
            }
            if (!(sy & (1u << sym)) || sc > score) {
                rp_changes_free(&cur);
                cur = next;
                score = sc;
                symptoms = sy;
                cured = true;
            } else {
                rp_changes_free(&next);
            }
        }
        ir_program_free(p);
        if (!cured)
            set_aside |= 1u << sym;
        if (!rp_search_goes_on(s, 1))
            break;
    }
    rp_changes_free(&cur);
}
