/* rewrite_act.c: repair passes over activations and the loss.
 *
 * change_activation tries every activation of the language, and each of the
 * program's own (user functions without parameters), on each hidden layer; fix_output_activation makes the output agree with the loss and the
 * labels (alone, or together with the loss that suits the labels);
 * change_loss tries the losses that the data's labels admit.  Priors encode
 * common practice (relu-family hidden layers, softmax + cross-entropy for
 * classes, linear + mse for regression); evidence from diagnosis reorders
 * them at search time.
 */
#include <stdio.h>
#include <string.h>

#include "rewrite.h"

/* Prior of one of the program's own activations on a hidden layer: its
 * author chose it for this program, but dnnc knows nothing of its shape. */
#define USER_ACTIVATION_PRIOR 0.3

/* Prior of activation A on hidden layer N. */
static double hidden_prior(ir_act a, const ir_node *n)
{
    double p = 0.05;
    switch (a) {
    case IR_ACT_RELU: p = 0.5; break;
    case IR_ACT_SELU: case IR_ACT_ELU: case IR_ACT_TANH: case IR_ACT_LEAKY_RELU: p = 0.35; break;
    case IR_ACT_SWISH: case IR_ACT_GELU: p = 0.25; break;
    case IR_ACT_SIGMOID: p = 0.2; break;
    case IR_ACT_SOFTPLUS: case IR_ACT_SOFTSIGN: p = 0.15; break;
    case IR_ACT_LINEAR: p = 0.1; break;
    case IR_ACT_SOFTMAX: p = 0.02; break;
    case IR_ACT_EXPONENTIAL: case IR_ACT_HARD_SIGMOID: p = 0.05; break;
    case IR_ACT_COUNT: break;   /* not a kind; every kind is named, so -Wswitch flags a new one */
    }
    /* A saturating, unbounded or missing non-linearity is a likelier fault
     * (a user function's shape is unknown). */
    if (rp_is_activation(n, IR_ACT_LINEAR) || rp_is_activation(n, IR_ACT_EXPONENTIAL) ||
        rp_is_activation(n, IR_ACT_HARD_SIGMOID) || rp_is_activation(n, IR_ACT_SOFTMAX))
        p += 0.2;
    return p > 1 ? 1 : p;
}

/* Every hidden layer that has activation CUR (there are several) gets A at
 * once: a deep stack of saturating layers needs them all changed. */
static void whole_stack(const rp_ctx *ctx, rp_edits *out, const ir_model *m, int outi)
{
    static const ir_act better[] = {IR_ACT_RELU, IR_ACT_SELU, IR_ACT_TANH, IR_ACT_LEAKY_RELU, IR_ACT_ELU};
    char reason[200];
    for (int cur = 0; cur < IR_ACT_COUNT; cur++) {
        int count = 0;
        const ir_node *first = NULL;
        for (int i = 1; i < m->n_nodes; i++)
            if (i != outi && ir_op_has_weights(m->nodes[i].op) && rp_is_activation(&m->nodes[i], cur)) {
                count++;
                first = first ? first : &m->nodes[i];
            }
        if (count < 2)
            continue;
        for (size_t k = 0; k < sizeof better / sizeof better[0]; k++) {
            int a = (int)better[k];
            if (a == cur)
                continue;
            rp_changes cs = {0};
            snprintf(reason, sizeof reason, "all %d hidden %s layers: %s instead", count,
                     ir_enum_name(&ir_act_table, cur), ir_enum_name(&ir_act_table, a));
            for (int i = 1; i < m->n_nodes; i++)
                if (i != outi && ir_op_has_weights(m->nodes[i].op) && rp_is_activation(&m->nodes[i], cur)) {
                    rp_change c = rp_set_node(ctx->prog, &m->nodes[i], IR_NATTR_ACTIVATION, &a, REPAIR_ACTIVATION,
                                              reason);
                    rp_changes_push(&cs, &c);
                }
            rp_emit(ctx, out, &cs, REPAIR_ACTIVATION, hidden_prior((ir_act)a, first) * (count >= 3 ? 1.2 : 0.8));
        }
    }
}

void rp_pass_activation(const rp_ctx *ctx, rp_edits *out)
{
    const ir_model *m = ir_train_model(ctx->prog);
    if (!m)
        return;
    int outi = rp_output_index(m);
    char reason[200], cur[RP_NAME_MAX + 2];
    for (int i = 1; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_activation(n->op) || i == outi)
            continue;
        rp_activation_name(n, cur, sizeof cur);
        for (int a = 0; a < IR_ACT_COUNT; a++) {
            if (rp_is_activation(n, a))
                continue;
            snprintf(reason, sizeof reason, "hidden layer %s: %s instead of %s", n->name,
                     ir_enum_name(&ir_act_table, a), cur);
            rp_change c = rp_set_node(ctx->prog, n, IR_NATTR_ACTIVATION, &a, REPAIR_ACTIVATION, reason);
            rp_emit1(ctx, out, &c, hidden_prior((ir_act)a, n));
        }
        /* The program's own activations (those without parameters, whose
         * values only a use could give) are candidates too. */
        for (int k = 0; k < ctx->prog->n_functions; k++) {
            const ir_function *f = &ctx->prog->functions[k];
            if (f->role != IR_FN_ROLE_ACTIVATION || f->params.n > 0 ||
                (n->activation_fn && strcmp(n->activation_fn, f->name) == 0))
                continue;
            snprintf(reason, sizeof reason, "hidden layer %s: the program's function %s instead of %s", n->name,
                     f->name, cur);
            rp_change c = rp_set_node_function(ctx->prog, n, f->name, REPAIR_ACTIVATION, reason);
            rp_emit1(ctx, out, &c, USER_ACTIVATION_PRIOR);
        }
    }
    whole_stack(ctx, out, m, outi);
}

/* The loss and output activation that suit the labels: cross-entropy with
 * softmax (sigmoid for one unit) for classes, mse with linear for values. */
static void canonical_output(const rp_facts *f, int units, ir_loss *loss, ir_act *act)
{
    if (f->classes == 0) {
        *loss = IR_LOSS_MSE;
        *act = IR_ACT_LINEAR;
    } else if (units == 1) {
        *loss = IR_LOSS_BINARY_CROSSENTROPY;
        *act = IR_ACT_SIGMOID;
    } else {
        *loss = IR_LOSS_CATEGORICAL_CROSSENTROPY;
        *act = IR_ACT_SOFTMAX;
    }
}

void rp_pass_output_activation(const rp_ctx *ctx, rp_edits *out)
{
    const ir_program *p = ctx->prog;
    const ir_model *m = ir_train_model(p);
    int oi = m ? rp_output_index(m) : -1, od = m ? rp_output_dense(m) : -1;
    if (oi < 0 || od < 0)
        return;
    const ir_node *o = &m->nodes[oi];
    char reason[200], cur[RP_NAME_MAX + 2];
    rp_activation_name(o, cur, sizeof cur);
    int want = rp_output_activation_for(p, &ctx->facts);
    if (want >= 0 && !rp_is_activation(o, want)) {
        snprintf(reason, sizeof reason, "output %s with %s on %s needs %s", cur,
                 ir_enum_name(&ir_loss_table, (int)p->train.loss),
                 ctx->facts.classes ? "class labels" : "regression targets", ir_enum_name(&ir_act_table, want));
        rp_change c = rp_set_node(p, o, IR_NATTR_ACTIVATION, &want, REPAIR_OUTPUT_ACTIVATION, reason);
        rp_emit1(ctx, out, &c, 0.7);
    }
    /* The loss and activation that suit the labels, together. */
    ir_loss loss;
    ir_act act;
    canonical_output(&ctx->facts, m->nodes[od].units, &loss, &act);
    if (loss != p->train.loss || p->train.loss_fn) {
        rp_changes cs = {0};
        snprintf(reason, sizeof reason, "%s labels: %s output with %s", ctx->facts.classes ? "class" : "numeric",
                 ir_enum_name(&ir_act_table, (int)act), ir_enum_name(&ir_loss_table, (int)loss));
        rp_change c = rp_set_train(p, IR_TATTR_LOSS, &loss, REPAIR_OUTPUT_ACTIVATION, reason);
        rp_changes_push(&cs, &c);
        if (!rp_is_activation(o, (int)act)) {
            int a = (int)act;
            c = rp_set_node(p, o, IR_NATTR_ACTIVATION, &a, REPAIR_OUTPUT_ACTIVATION, reason);
            rp_changes_push(&cs, &c);
        }
        rp_emit(ctx, out, &cs, REPAIR_OUTPUT_ACTIVATION, 0.6);
    }
}

/* Prior of LOSS for labels of FACTS and an output of UNITS units with ACT. */
static double loss_prior(ir_loss loss, const rp_facts *f, int units, ir_act act)
{
    if (f->classes == 0) {
        switch (loss) {
        case IR_LOSS_MSE: return 0.5;
        case IR_LOSS_MAE: case IR_LOSS_HUBER: return 0.4;
        case IR_LOSS_LOGCOSH: return 0.3;
        case IR_LOSS_MSLE: case IR_LOSS_POISSON: return 0.08;
        case IR_LOSS_MAPE: return 0.05;
        case IR_LOSS_CATEGORICAL_CROSSENTROPY: case IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        case IR_LOSS_BINARY_CROSSENTROPY: case IR_LOSS_HINGE: case IR_LOSS_SQUARED_HINGE:
        case IR_LOSS_CATEGORICAL_HINGE: case IR_LOSS_KL_DIVERGENCE:
            return 0;   /* classification losses on numbers */
        case IR_LOSS_COUNT: break;   /* not a kind */
        }
        return 0;
    }
    if (units == 1) {
        switch (loss) {
        case IR_LOSS_BINARY_CROSSENTROPY: return act == IR_ACT_SIGMOID ? 0.6 : 0.4;
        case IR_LOSS_MSE: return 0.25;
        case IR_LOSS_HINGE: case IR_LOSS_SQUARED_HINGE: case IR_LOSS_LOGCOSH: return 0.1;
        case IR_LOSS_CATEGORICAL_CROSSENTROPY: case IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        case IR_LOSS_MAE: case IR_LOSS_MAPE: case IR_LOSS_MSLE: case IR_LOSS_CATEGORICAL_HINGE:
        case IR_LOSS_HUBER: case IR_LOSS_KL_DIVERGENCE: case IR_LOSS_POISSON:
            return 0.03;
        case IR_LOSS_COUNT: break;   /* not a kind */
        }
        return 0.03;
    }
    switch (loss) {
    case IR_LOSS_CATEGORICAL_CROSSENTROPY: return act == IR_ACT_SOFTMAX ? 0.6 : 0.4;
    case IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY: return act == IR_ACT_SOFTMAX ? 0.45 : 0.3;
    case IR_LOSS_KL_DIVERGENCE: return 0.2;
    case IR_LOSS_MSE: return 0.15;
    case IR_LOSS_CATEGORICAL_HINGE: return 0.1;
    case IR_LOSS_BINARY_CROSSENTROPY: return 0.1;
    case IR_LOSS_MAE: case IR_LOSS_MAPE: case IR_LOSS_MSLE: case IR_LOSS_HINGE: case IR_LOSS_SQUARED_HINGE:
    case IR_LOSS_LOGCOSH: case IR_LOSS_HUBER: case IR_LOSS_POISSON:
        return 0.03;
    case IR_LOSS_COUNT: break;   /* not a kind; every kind is named, so -Wswitch flags a new one */
    }
    return 0.03;
}

void rp_pass_loss(const rp_ctx *ctx, rp_edits *out)
{
    const ir_program *p = ctx->prog;
    const ir_model *m = ir_train_model(p);
    int oi = m ? rp_output_index(m) : -1, od = m ? rp_output_dense(m) : -1;
    if (oi < 0 || od < 0)
        return;
    char reason[200];
    for (int l = 0; l < IR_LOSS_COUNT; l++) {
        if (l == (int)p->train.loss && !p->train.loss_fn)
            continue;
        double prior = loss_prior((ir_loss)l, &ctx->facts, m->nodes[od].units, m->nodes[oi].activation);
        if (prior <= 0)
            continue;
        snprintf(reason, sizeof reason, "%s instead of %s for %s", ir_enum_name(&ir_loss_table, l),
                 p->train.loss_fn ? p->train.loss_fn : ir_enum_name(&ir_loss_table, (int)p->train.loss),
                 ctx->facts.classes ? "class labels" : "regression targets");
        rp_change c = rp_set_train(p, IR_TATTR_LOSS, &l, REPAIR_LOSS, reason);
        rp_emit1(ctx, out, &c, prior);
    }
}
