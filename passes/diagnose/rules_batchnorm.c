/* rules_batchnorm.c: the static rule on batch normalisation's statistics
 * between training and evaluation mode (`batchnorm-statistics`).
 *
 * In training mode a batchnorm layer normalises with the batch's own mean
 * and variance; in evaluation mode with moving averages, updated once per
 * step as moving = momentum x moving + (1 - momentum) x batch, starting from
 * mean 0 and variance 1 (Keras's BatchNormalization, defaults momentum 0.99
 * and epsilon 1e-3; Ioffe and Szegedy, ICML 2015, for inference with
 * population statistics).  After T steps the moving averages still hold
 * momentum^T of their initial values, so a model can score well in training
 * and badly in evaluation when:
 *
 *   - the momentum is so close to 1 for the number of steps that the moving
 *     averages never settle (momentum^steps >= DX_BN_RESIDUAL);
 *   - epsilon is far above the variance it is added to, so the layer
 *     divides by sqrt(epsilon) instead of the spread of its inputs (the
 *     variance is estimated at initialisation: fan-in x E[w^2] x E[x^2], the
 *     input's E[x^2] from the data for the first layer, 1 for hidden ones);
 *   - the batches are tiny (2 to DX_BN_SMALL_BATCH - 1; batch 1 is the
 *     batch-size rule's), whose statistics are noisy and differ from the
 *     population's (Ioffe, NeurIPS 2017, Batch Renormalization).
 *
 * The thresholds are ours.  The dynamic train-eval-gap symptom (symptoms.c)
 * measures the same difference in the training run.
 */
#include "diagnose_int.h"

#include <math.h>

/* Share of their initial values the moving averages may still hold at the
 * end of training before evaluation is suspected to use unsettled ones. */
#define DX_BN_RESIDUAL 0.3
/* epsilon / estimated variance above which epsilon swamps the variance. */
#define DX_BN_EPSILON_RATIO 1.0
/* Batches below this size (and above 1) give noisy batch statistics. */
#define DX_BN_SMALL_BATCH 8

/* The variance at initialisation of what batchnorm node I of F's model
 * normalises: the pre-activations of the weight layer before it, taken as 1
 * when there is none or its scale is unknown. */
static double input_variance(const dx_facts *f, int i)
{
    const ir_model *m = f->model;
    int w = i - 1;
    while (w > 0 && !ir_op_has_weights(m->nodes[w].op))
        w--;
    if (w <= 0)
        return 1.0;
    const ir_node *n = &m->nodes[w];
    double mean_abs, mean_sq;
    dx_init_moments(&n->init, dx_fan_in(n), dx_fan_out(n), &mean_abs, &mean_sq);
    double x_sq = 1.0;
    if (dx_next_weight_layer(m, 0) == w && f->data)
        x_sq = f->data->prep.mean * f->data->prep.mean + f->data->prep.stddev * f->data->prep.stddev;
    double v = (double)dx_fan_in(n) * mean_sq * x_sq;
    return v > 0 && isfinite(v) ? v : 1.0;
}

int dx_rule_batchnorm_statistics(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_model *m = f->model;
    const ir_program *p = f->prog;
    int found = 0;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op != IR_OP_BATCHNORM)
            continue;
        if (f->steps > 0) {
            double residual = pow(n->momentum, (double)f->steps);
            if (residual >= DX_BN_RESIDUAL) {
                double score = 0.35 + 0.5 * (residual - DX_BN_RESIDUAL) / (1.0 - DX_BN_RESIDUAL);
                suspect *s = dx_find(ctx->found, "batchnorm-statistics", score > 0.85 ? 0.85 : score,
                                     DX_R(BATCHNORM),
                                     "momentum %g is too close to 1 for %ld steps: the moving "
                                     "statistics used in evaluation never settle", n->momentum,
                                     f->steps);
                dx_at_node(s, n, IR_NATTR_MOMENTUM);
                dx_evidence(s, "momentum^steps = %g^%ld = %.2f of the initial mean 0 and "
                            "variance 1 remain at the end (>= %g); about %.0f steps are "
                            "averaged", n->momentum, f->steps, residual, DX_BN_RESIDUAL,
                            n->momentum < 1 ? 1.0 / (1.0 - n->momentum) : INFINITY);
                found++;
            }
        }
        double var = input_variance(f, i), ratio = n->epsilon / var;
        if (ratio >= DX_BN_EPSILON_RATIO) {
            double score = 0.3 + 0.15 * log10(ratio / DX_BN_EPSILON_RATIO);
            suspect *s = dx_find(ctx->found, "batchnorm-statistics", score > 0.7 ? 0.7 : score,
                                 DX_R(BATCHNORM),
                                 "epsilon %g swamps the variance it normalises (about %.3g): "
                                 "the layer divides by sqrt(epsilon), not by its inputs' spread",
                                 n->epsilon, var);
            dx_at_node(s, n, IR_NATTR_EPSILON);
            dx_evidence(s, "epsilon / estimated input variance = %.3g (>= %g); Keras's default "
                        "epsilon is 1e-3", ratio, DX_BN_EPSILON_RATIO);
            found++;
        }
        if (p->has_train && p->train.batch > 1 && p->train.batch < DX_BN_SMALL_BATCH) {
            suspect *s = dx_find(ctx->found, "batchnorm-statistics", 0.3, DX_R(BATCH),
                                 "batches of %d give %s noisy statistics that differ from the "
                                 "moving ones used in evaluation", p->train.batch, n->name);
            dx_at_train(s, p, IR_TATTR_BATCH);
            dx_evidence(s, "batch %d < %d with batchnorm layer %s", p->train.batch,
                        DX_BN_SMALL_BATCH, n->name);
            found++;
        }
    }
    return found;
}
