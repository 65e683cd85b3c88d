/* rules_output.c: static rules on the output end of a model: output units
 * against the classes or targets, output activation against the loss and
 * the labels, the loss against the kind of labels, softmax in hidden layers.
 *
 * These are the checks of Neuralint's graph rules and UMLAUT's "last layer
 * activation / loss" heuristics, stated for dnnc's semantics (target.h: class
 * labels reach a loss one-hot for several output units, as 0/1 for one unit,
 * as the index for the sparse loss; losses follow Keras, loss.h).
 * Scores: 0.85-0.95 for combinations that cannot train (a softmax over one
 * unit, cross-entropy on unbounded outputs), about 0.5-0.7 for combinations
 * that train badly, below 0.5 for ones that only train worse.
 */
#include "diagnose_int.h"

#include <math.h>
#include <stdio.h>

/* Losses that read the output as probabilities. */
static bool probability_loss(ir_loss l)
{
    return l == IR_LOSS_CATEGORICAL_CROSSENTROPY || l == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ||
           l == IR_LOSS_BINARY_CROSSENTROPY || l == IR_LOSS_KL_DIVERGENCE;
}

/* Losses for class labels. */
static bool classification_loss(ir_loss l)
{
    return probability_loss(l) || l == IR_LOSS_HINGE || l == IR_LOSS_SQUARED_HINGE ||
           l == IR_LOSS_CATEGORICAL_HINGE;
}

/* Losses that treat each output as its own yes/no question. */
static bool binary_loss(ir_loss l)
{
    return l == IR_LOSS_BINARY_CROSSENTROPY || l == IR_LOSS_HINGE || l == IR_LOSS_SQUARED_HINGE;
}

/* Range of an activation's outputs ([-inf, inf] when unbounded). */
static void act_range(ir_act a, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (a) {
    case IR_ACT_SIGMOID:
    case IR_ACT_HARD_SIGMOID:
    case IR_ACT_SOFTMAX: *lo = 0.0; *hi = 1.0; break;
    case IR_ACT_TANH:
    case IR_ACT_SOFTSIGN: *lo = -1.0; *hi = 1.0; break;
    case IR_ACT_RELU:
    case IR_ACT_SOFTPLUS:
    case IR_ACT_EXPONENTIAL: *lo = 0.0; break;
    case IR_ACT_ELU: *lo = -1.0; break;
    case IR_ACT_SELU: *lo = -1.7581; break;   /* -scale * alpha */
    case IR_ACT_GELU: *lo = -0.17; break;
    case IR_ACT_SWISH: *lo = -0.28; break;
    case IR_ACT_LINEAR:
    case IR_ACT_LEAKY_RELU:
    case IR_ACT_COUNT: break;
    }
}

static const char *act_name(ir_act a)
{
    return ir_enum_name(&ir_act_table, (int)a);
}

static const char *loss_name(ir_loss l)
{
    return ir_enum_name(&ir_loss_table, (int)l);
}

/* The output activation's finding, located at the node that applies it. */
static suspect *output_finding(pass_ctx *ctx, double score, const char *msg)
{
    const dx_facts *f = ctx->facts;
    const ir_node *n = &f->model->nodes[f->out_act_node];
    suspect *s = dx_find(ctx->found, "output-activation", score,
                         DX_R(OUTPUT_ACTIVATION) | DX_R(ACTIVATION) | DX_R(LOSS), "%s", msg);
    dx_at_node(s, n, IR_NATTR_ACTIVATION);
    return s;
}

int dx_rule_output_units(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    if (f->out < 0)
        return 0;
    const ir_node *n = &f->model->nodes[f->out];
    suspect *s = NULL;
    if (f->task == DX_TASK_CLASSIFICATION && f->classes > 0) {
        bool fits = f->out_units == f->classes || (f->out_units == 1 && f->classes == 2);
        if (!fits)
            s = dx_find(ctx->found, "output-units", 0.95, DX_R(OUTPUT_UNITS),
                        "%d output units for %d classes", f->out_units, f->classes);
    } else if (f->task == DX_TASK_REGRESSION && f->targets > 0 && f->out_units != f->targets) {
        s = dx_find(ctx->found, "output-units", 0.95, DX_R(OUTPUT_UNITS),
                    "%d output units for %d target values per sample", f->out_units, f->targets);
    }
    if (!s)
        return 0;
    dx_at_node(s, n, IR_NATTR_UNITS);
    dx_evidence(s, "units=%d, classes=%d, targets=%d", f->out_units, f->classes, f->targets);
    return 1;
}

/* Output activation with a loss for class labels. */
static int classification_output(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    ir_loss l = ctx->prog->train.loss;
    ir_act a = f->out_act;
    if (ctx->prog->train.loss_fn)
        return 0;   /* nothing known about what a user loss needs */
    bool probs = a == IR_ACT_SOFTMAX || a == IR_ACT_SIGMOID || a == IR_ACT_HARD_SIGMOID;
    char msg[256];
    double score = 0.0;
    if (probability_loss(l) && !probs) {
        score = 0.85;
        snprintf(msg, sizeof msg, "%s output with %s: the loss needs probabilities, outputs "
                 "outside (0, 1) are clipped and get no gradient", act_name(a), loss_name(l));
    } else if (probability_loss(l) && l != IR_LOSS_BINARY_CROSSENTROPY && f->out_units > 1 &&
               a != IR_ACT_SOFTMAX) {
        score = 0.45;
        snprintf(msg, sizeof msg, "%s output with %s: the outputs do not sum to 1 over the "
                 "classes (softmax does)", act_name(a), loss_name(l));
    } else if (l == IR_LOSS_BINARY_CROSSENTROPY && f->out_units > 1 && a == IR_ACT_SOFTMAX) {
        score = 0.5;
        snprintf(msg, sizeof msg, "%s output with %s: softmax couples the units that the loss "
                 "scores as independent yes/no outputs", act_name(a), loss_name(l));
    }
    if (score == 0.0)
        return 0;
    suspect *s = output_finding(ctx, score, msg);
    if (f->classes > 0)
        dx_evidence(s, "activation=%s, units=%d, loss=%s, classes=%d", act_name(a), f->out_units,
                    loss_name(l), f->classes);
    else
        dx_evidence(s, "activation=%s, units=%d, loss=%s, classes unknown", act_name(a),
                    f->out_units, loss_name(l));
    return 1;
}

/* Output activation on regression targets. */
static int regression_output(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    ir_act a = f->out_act;
    double lo, hi;
    act_range(a, &lo, &hi);
    if (isinf(lo) && isinf(hi))
        return 0;
    bool known = f->data != NULL;
    double tmin = f->target_min, tmax = f->target_max;
    char msg[256];
    double score;
    if (a == IR_ACT_SOFTMAX) {
        score = 0.9;
        snprintf(msg, sizeof msg, "softmax output on a regression target: the outputs always "
                 "sum to 1");
    } else if (known && (tmin < lo - 1e-9 || tmax > hi + 1e-9)) {
        score = 0.85;
        snprintf(msg, sizeof msg, "%s output cannot reach the regression targets: it stays in "
                 "its range", act_name(a));
    } else if (!known && !isinf(hi)) {
        score = 0.4;
        snprintf(msg, sizeof msg, "bounded %s output on a regression target", act_name(a));
    } else {
        return 0;
    }
    suspect *s = output_finding(ctx, score, msg);
    if (known)
        dx_evidence(s, "activation=%s outputs in [%g, %g], targets in [%g, %g]", act_name(a),
                    lo, hi, tmin, tmax);
    else
        dx_evidence(s, "activation=%s outputs in [%g, %g], targets unknown", act_name(a), lo, hi);
    return 1;
}

int dx_rule_output_activation(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    if (f->out < 0 || f->out_user_act)
        return 0;   /* nothing known about a user function's range */
    if (f->out_act == IR_ACT_SOFTMAX && f->out_units == 1) {
        suspect *s = output_finding(ctx, 0.95, "softmax on a 1-unit output always outputs 1.0");
        dx_evidence(s, "activation=softmax, units=1, loss=%s", loss_name(ctx->prog->train.loss));
        return 1;
    }
    if (f->task == DX_TASK_CLASSIFICATION ||
        (f->task == DX_TASK_UNKNOWN && !ctx->prog->train.loss_fn && classification_loss(ctx->prog->train.loss)))
        return classification_output(ctx);
    if (f->task == DX_TASK_REGRESSION)
        return regression_output(ctx);
    return 0;
}

int dx_rule_loss_labels(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    ir_loss l = ctx->prog->train.loss;
    double score = 0.0;
    char msg[256];
    if (ctx->prog->train.loss_fn)
        return 0;   /* a user loss: which labels it suits is the user's knowledge */
    if (f->task == DX_TASK_CLASSIFICATION) {
        if (f->out_units == 1 && f->classes <= 2 && l == IR_LOSS_CATEGORICAL_CROSSENTROPY) {
            /* Keras's categorical cross-entropy first divides the outputs by
             * their sum: over one unit that is always 1, the loss a constant. */
            score = 0.95;
            snprintf(msg, sizeof msg, "%s on a 1-unit output: the loss divides the outputs by "
                     "their sum, always 1 for one unit, so it is constant and gives no "
                     "gradient (binary_crossentropy is the loss for one unit)", loss_name(l));
        } else if (f->out_units == 1 && f->classes <= 2 && l == IR_LOSS_KL_DIVERGENCE) {
            score = 0.7;
            snprintf(msg, sizeof msg, "%s on a 1-unit output scores only the samples of class "
                     "1: those of class 0 give no gradient (binary_crossentropy is the loss "
                     "for one unit)", loss_name(l));
        } else if (binary_loss(l) && f->classes > 2) {
            score = 0.65;
            snprintf(msg, sizeof msg, "%s on %d classes scores each class as its own yes/no "
                     "question", loss_name(l), f->classes);
        } else if (!classification_loss(l)) {
            /* Absolute and log errors give flat gradients on 0/1 targets; squared
             * error trains, slowly, and is the classic cross-entropy mix-up. */
            bool flat = l == IR_LOSS_MAE || l == IR_LOSS_MAPE || l == IR_LOSS_MSLE ||
                        l == IR_LOSS_POISSON;
            score = flat ? 0.55 : f->out_units > 1 ? 0.5 : 0.3;
            snprintf(msg, sizeof msg, "regression loss %s on class labels: cross-entropy is "
                     "the loss for classes", loss_name(l));
        }
    } else if (f->task == DX_TASK_REGRESSION) {
        if (classification_loss(l)) {
            score = 0.85;
            snprintf(msg, sizeof msg, "classification loss %s on regression targets",
                     loss_name(l));
        } else if ((l == IR_LOSS_MSLE || l == IR_LOSS_POISSON) && f->data && f->target_min < 0) {
            score = 0.7;
            snprintf(msg, sizeof msg, "%s is defined for non-negative targets, these go below 0",
                     loss_name(l));
        } else if (l == IR_LOSS_MAPE && f->data && f->target_min <= 0 && f->target_max >= 0) {
            /* Each error is divided by its target: near 0 the weight is unbounded. */
            score = 0.7;
            snprintf(msg, sizeof msg, "%s divides each error by its target, and these targets "
                     "reach 0: the few nearest 0 outweigh all the others", loss_name(l));
        }
    }
    if (score == 0.0)
        return 0;
    suspect *s = dx_find(ctx->found, "loss-labels", score, DX_R(LOSS) | DX_R(OUTPUT_ACTIVATION),
                         "%s", msg);
    suspect *o = NULL;
    bool probs = f->out_act == IR_ACT_SOFTMAX || f->out_act == IR_ACT_SIGMOID;
    if (f->task == DX_TASK_CLASSIFICATION && !classification_loss(l) && !probs && f->out >= 0 &&
        !f->out_user_act) {
        /* A classifier with a regression loss and a raw output: the pair a
         * cross-entropy fix changes together. */
        o = dx_find(ctx->found, "loss-labels", score * 0.8, DX_R(OUTPUT_ACTIVATION),
                    "%s output on class labels: a classifier's outputs should be probabilities",
                    act_name(f->out_act));
        dx_at_node(o, &f->model->nodes[f->out_act_node], IR_NATTR_ACTIVATION);
        dx_evidence(o, "activation=%s, units=%d, loss=%s, classes=%d", act_name(f->out_act),
                    f->out_units, loss_name(l), f->classes);
    }
    dx_at_train(s, ctx->prog, IR_TATTR_LOSS);
    if (f->task == DX_TASK_CLASSIFICATION)
        dx_evidence(s, "loss=%s, classes=%d, output units=%d", loss_name(l), f->classes,
                    f->out_units);
    else
        dx_evidence(s, "loss=%s, regression targets in [%g, %g]", loss_name(l), f->target_min,
                    f->target_max);
    return o ? 2 : 1;
}

int dx_rule_hidden_softmax(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    int found = 0;
    for (int i = 0; f->model && i < f->model->n_nodes; i++) {
        const ir_node *n = &f->model->nodes[i];
        if (!ir_op_has_activation(n->op) || n->activation != IR_ACT_SOFTMAX || i == f->out_act_node)
            continue;
        suspect *s = dx_find(ctx->found, "hidden-softmax", 0.6, DX_R(ACTIVATION),
                             "softmax on hidden layer %s squeezes its %ld outputs into one "
                             "distribution", n->name, ir_shape_size(&n->out_shape));
        dx_at_node(s, n, IR_NATTR_ACTIVATION);
        dx_evidence(s, "activation=softmax at layer %d of %d", i, f->model->n_nodes - 1);
        found++;
    }
    return found;
}
