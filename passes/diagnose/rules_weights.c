/* rules_weights.c: static rules on how weights start and what pulls on them:
 * constant kernel initialisers (every unit of a layer computes the same thing
 * and gets the same gradient, so symmetry is never broken; DeepCrime's
 * "change weights initialisation" mutation), initialiser scales that make
 * pre-activations explode or vanish (the variance argument behind Glorot and
 * He initialisation), bias initialisers that start a ReLU layer dead
 * (DeepCrime's "change bias initialisation"), and regularisers whose penalty
 * at initialisation dwarfs the data loss (DeepCrime's "add weights
 * regularisation").
 */
#include "diagnose_int.h"

#include <math.h>

/* Variance gain fan_in * E[w^2] beyond which pre-activations explode (He's is
 * 2, Glorot's about 1), and below which the signal fades in a deep stack. */
#define DX_GAIN_HIGH 20.0
#define DX_GAIN_LOW 0.01

static const char *init_name(const ir_initializer *init)
{
    return ir_enum_name(&ir_init_table, (int)init->kind);
}

static bool constant_init(ir_init k)
{
    return k == IR_INIT_ZEROS || k == IR_INIT_ONES || k == IR_INIT_CONSTANT;
}

int dx_rule_constant_init(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        /* The output layer's units get different targets, which breaks its
         * symmetry; a hidden layer's units never see anything different. */
        if (!ir_op_has_weights(n->op) || !constant_init(n->init.kind) || n->units < 2 ||
            dx_next_weight_layer(m, i) < 0)
            continue;
        suspect *s = dx_find(ctx->found, "constant-init", 0.8, DX_R(INIT),
                             "%s starts every kernel weight of %s at %g: its %d units stay "
                             "identical", init_name(&n->init), n->name,
                             n->init.kind == IR_INIT_ONES ? 1.0 : n->init.param, n->units);
        dx_at_node(s, n, IR_NATTR_INIT);
        dx_evidence(s, "init=%s, units=%d, fan-in %ld", init_name(&n->init), n->units,
                    dx_fan_in(n));
        found++;
    }
    return found;
}

int dx_rule_init_scale(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (!ir_op_has_weights(n->op) || constant_init(n->init.kind))
            continue;
        double mean_abs, mean_sq;
        long fan_in = dx_fan_in(n);
        dx_init_moments(&n->init, fan_in, dx_fan_out(n), &mean_abs, &mean_sq);
        double gain = (double)fan_in * mean_sq;
        double score;
        const char *what;
        if (gain > DX_GAIN_HIGH) {
            score = 0.4 + 0.15 * log10(gain / DX_GAIN_HIGH);
            what = "grow";
        } else if (gain < DX_GAIN_LOW && f->n_weight_layers >= 3) {
            score = 0.3 + 0.1 * log10(DX_GAIN_LOW / gain);
            what = "shrink";
        } else {
            continue;
        }
        suspect *s = dx_find(ctx->found, "init-scale", score > 0.75 ? 0.75 : score, DX_R(INIT),
                             "%s on %s makes pre-activations %s about %.3gx per layer",
                             init_name(&n->init), n->name, what, sqrt(gain));
        dx_at_node(s, n, IR_NATTR_INIT);
        dx_evidence(s, "fan-in %ld x mean w^2 %.3g = variance gain %.3g (He: 2, Glorot: ~1)",
                    fan_in, mean_sq, gain);
        found++;
    }
    return found;
}

/* A constant bias this many standard deviations of the kernel's part of the
 * pre-activation below 0 makes ~98% of a ReLU unit's inputs negative (a
 * normal's 2-sigma tail): the unit outputs 0 and gets no gradient. */
#define DX_DEAD_BIAS 2.0

/* Mean square of the inputs of weight layer I of F's model: the data's
 * (after preprocessing) for the first, 1 for a hidden layer (activations of
 * unit scale) or when the data is not loaded. */
static double input_mean_square(const dx_facts *f, int i)
{
    if (!f->data)
        return 1.0;
    for (int j = 0; j < i; j++)
        if (ir_op_has_weights(f->model->nodes[j].op))
            return 1.0;
    const rt_raw_stats *x = &f->data->prep;
    return x->mean * x->mean + x->stddev * x->stddev;
}

int dx_rule_bias_init(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        int at;
        if (!ir_op_has_weights(n->op) || !n->bias || n->bias_init.kind != IR_INIT_CONSTANT ||
            n->bias_init.param >= 0 || dx_act_after(m, i, &at) != IR_ACT_RELU)
            continue;
        double mean_abs, mean_sq;
        long fan_in = dx_fan_in(n);
        dx_init_moments(&n->init, fan_in, dx_fan_out(n), &mean_abs, &mean_sq);
        double sd = sqrt((double)fan_in * mean_sq * input_mean_square(f, i));
        double depth = sd > 0 ? -n->bias_init.param / sd : INFINITY;
        if (depth < DX_DEAD_BIAS)
            continue;
        double score = 0.45 + 0.1 * (depth - DX_DEAD_BIAS);
        suspect *s = dx_find(ctx->found, "bias-init", score > 0.85 ? 0.85 : score, DX_R(INIT),
                             "bias %g starts the ReLU units of %s dead: %.3g standard "
                             "deviations below their pre-activations", n->bias_init.param,
                             n->name, depth);
        dx_at_node(s, n, IR_NATTR_BIAS_INIT);
        dx_evidence(s, "bias_init=constant(%g); kernel part of the pre-activation: sd %.3g "
                    "(fan-in %ld x mean w^2 %.3g x mean input^2 %.3g)", n->bias_init.param, sd,
                    fan_in, mean_sq, input_mean_square(f, i));
        found++;
    }
    return found;
}

/* The data loss a fresh model starts from: log(classes) for cross-entropy,
 * else about 1 (a unit-scale error). */
static double initial_loss(const dx_facts *f, ir_loss l)
{
    bool xent = l == IR_LOSS_CATEGORICAL_CROSSENTROPY ||
                l == IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || l == IR_LOSS_KL_DIVERGENCE;
    if (xent && f->classes > 1)
        return log((double)f->classes);
    if (l == IR_LOSS_BINARY_CROSSENTROPY)
        return log(2.0);
    return 1.0;
}

int dx_rule_regularizer_strength(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    /* A user loss's scale is unknown: taken as 1, like a regression loss's. */
    double loss0 = ctx->prog->train.loss_fn ? 1.0 : initial_loss(f, ctx->prog->train.loss);
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        const ir_regularizer *r = &n->regularizer;
        if (!ir_op_has_weights(n->op) || r->kind == IR_REG_NONE)
            continue;
        double mean_abs, mean_sq, size = (double)dx_kernel_size(n);
        dx_init_moments(&n->init, dx_fan_in(n), dx_fan_out(n), &mean_abs, &mean_sq);
        double l1 = r->kind == IR_REG_L1 || r->kind == IR_REG_L1_L2 ? r->l1 : 0.0;
        double l2 = r->kind == IR_REG_L2 || r->kind == IR_REG_L1_L2 ? r->l2 : 0.0;
        double penalty = size * (l1 * mean_abs + l2 * mean_sq);
        double ratio = penalty / loss0;
        if (ratio <= 1.0)
            continue;
        double score = 0.45 + 0.15 * log10(ratio);
        suspect *s = dx_find(ctx->found, "regularizer-strength", score > 0.85 ? 0.85 : score,
                             DX_R(REGULARIZER),
                             "the %s penalty on %s starts %.3gx larger than the loss it "
                             "regularises", ir_enum_name(&ir_reg_table, (int)r->kind), n->name,
                             ratio);
        dx_at_node(s, n, IR_NATTR_REGULARIZER);
        dx_evidence(s, "%.0f weights, l1=%g, l2=%g: penalty ~%.3g at init vs loss ~%.3g",
                    size, l1, l2, penalty, loss0);
        found++;
    }
    return found;
}
