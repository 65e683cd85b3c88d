/* rules_training.c: static rules on the training recipe: a learning rate far
 * outside its optimiser's usual range, a batch larger than the training set
 * or of one sample on a large set, and a training too short to get anywhere:
 * too few optimiser steps (blamed on the batch first when it holds a quarter
 * of the data), or (for the adaptive optimisers, whose steps move each weight
 * by about the learning rate, or less and less for Adagrad) steps that cannot
 * add up to the weight changes the problem needs (reach_needed).
 *
 * The usual ranges bracket the Keras defaults and the rates practitioners
 * use (a decade or so either side); adadelta's is around the 1.0 of its
 * paper, because Keras's default of 0.001 barely trains (the study's M1 and
 * U7 mutants).  A finding's score grows with the log of how far outside it is.
 */
#include "diagnose_int.h"

#include <math.h>

/* Optimiser steps below which training is very short. */
#define DX_FEW_STEPS 100.0
/* For adaptive optimisers, learning_rate x steps below which weights cannot
 * travel far enough (classification; regression also looks at the targets). */
#define DX_MIN_REACH 0.05

/* The usual learning-rate range of optimiser K. */
static void usual_range(ir_opt k, double *lo, double *hi)
{
    switch (k) {
    case IR_OPT_SGD: *lo = 1e-4; *hi = 0.5; return;
    case IR_OPT_ADAGRAD: *lo = 1e-4; *hi = 1.0; return;
    case IR_OPT_ADADELTA: *lo = 0.05; *hi = 10.0; return;
    case IR_OPT_RMSPROP:
    case IR_OPT_ADAM:
    case IR_OPT_ADAMAX:
    case IR_OPT_NADAM:
    case IR_OPT_COUNT: break;
    }
    *lo = 1e-5;
    *hi = 0.1;   /* small models take up to 0.1 (the study's D6 and D7 fixes) */
}

static const char *opt_name(ir_opt k)
{
    return ir_enum_name(&ir_opt_table, (int)k);
}

int dx_rule_learning_rate(pass_ctx *ctx)
{
    const ir_train *t = &ctx->prog->train;
    if (!ctx->prog->has_train)
        return 0;
    double lo, hi;
    usual_range(t->optimizer, &lo, &hi);
    double lr = t->learning_rate, factor = lr > hi ? lr / hi : lr < lo ? lo / lr : 1.0;
    if (factor <= 1.0 || !(lr > 0.0))
        return 0;
    double score = 0.45 + 0.15 * log10(factor);
    suspect *s = dx_find(ctx->found, "learning-rate", score > 0.9 ? 0.9 : score,
                         DX_R(LEARNING_RATE) | DX_R(OPTIMIZER),
                         "learning rate %g is %.3gx %s the usual range of %s", lr, factor,
                         lr > hi ? "above" : "below", opt_name(t->optimizer));
    dx_at_train(s, ctx->prog, IR_TATTR_LEARNING_RATE);
    dx_evidence(s, "learning_rate=%g, %s usually in [%g, %g]", lr, opt_name(t->optimizer), lo, hi);
    /* A rate too small for this optimiser but usual for Adam and RMSprop (the
     * rate of another optimiser, or a Keras default that changed, as
     * Adadelta's 1.0 -> 0.001): the mismatch is between two attributes and
     * either may be the wrong one; the rate, which the rule measured, first. */
    double alo, ahi;
    usual_range(IR_OPT_ADAM, &alo, &ahi);
    if (lr >= lo || lr < alo || lr > ahi)
        return 1;
    suspect *o = dx_find(ctx->found, "learning-rate", 0.8 * s->score, DX_R(OPTIMIZER),
                         "learning rate %g suits adam or rmsprop, not %s", lr,
                         opt_name(t->optimizer));
    dx_at_train(o, ctx->prog, IR_TATTR_OPTIMIZER);
    dx_evidence(o, "learning_rate=%g, %s usually in [%g, %g], adam and rmsprop in [%g, %g]", lr,
                opt_name(t->optimizer), lo, hi, alo, ahi);
    return 2;
}

/* Whether the model has a batchnorm layer. */
static bool has_batchnorm(const ir_model *m)
{
    for (int i = 0; m && i < m->n_nodes; i++)
        if (m->nodes[i].op == IR_OP_BATCHNORM)
            return true;
    return false;
}

int dx_rule_batch_size(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_train *t = &ctx->prog->train;
    if (!ctx->prog->has_train || f->n_train <= 0)
        return 0;
    suspect *s = NULL;
    if (t->batch > f->n_train) {
        s = dx_find(ctx->found, "batch-size", 0.4, DX_R(BATCH),
                    "batch %d is larger than the %d training samples: one step per epoch",
                    t->batch, f->n_train);
    } else if (t->batch == 1 && has_batchnorm(f->model)) {
        s = dx_find(ctx->found, "batch-size", 0.7, DX_R(BATCH),
                    "batch 1 with batchnorm: one sample has no batch statistics");
    } else if (t->batch == 1 && f->n_train >= 1000) {
        s = dx_find(ctx->found, "batch-size", 0.4, DX_R(BATCH),
                    "batch 1 on %d samples: every step follows one sample's noisy gradient",
                    f->n_train);
    }
    if (!s)
        return 0;
    dx_at_train(s, ctx->prog, IR_TATTR_BATCH);
    dx_evidence(s, "batch=%d, training samples=%d, steps per epoch=%d", t->batch, f->n_train,
                (f->n_train + t->batch - 1) / t->batch);
    return 1;
}

static bool adaptive(ir_opt k)
{
    return k == IR_OPT_ADAM || k == IR_OPT_ADAMAX || k == IR_OPT_NADAM || k == IR_OPT_RMSPROP ||
           k == IR_OPT_ADAGRAD;
}

/* How far the weights must be able to travel, at least DX_MIN_REACH.
 *
 * To change what a unit outputs its pre-activation must move by about 1.
 * When all of its weights move the same way, as far as an adaptive step lets
 * them (the most favourable case), a unit of fan-in n whose inputs have a
 * root mean square x moves by n x (learning_rate x steps): the layer needs
 * 1 / (n x).  Any one layer that gets there lets the network learn, so the
 * need is the smallest of the layers' (the rule only fires when not even the
 * most favourable layer can).  The model's input scale comes from the data
 * (after preprocessing); a hidden layer's inputs are activations, taken to
 * be of scale 1.  For regression a linear fit also needs w ~ y / x: half the
 * targets' scale over the inputs' (half, as several layers share it). */
static double reach_needed(const dx_facts *f)
{
    double layer_need = INFINITY, x_rms = 0.0;
    if (f->data) {
        const rt_raw_stats *x = &f->data->prep;
        x_rms = sqrt(x->mean * x->mean + x->stddev * x->stddev);
    }
    bool first = true;
    for (int i = 0; f->model && i < f->model->n_nodes; i++) {
        const ir_node *n = &f->model->nodes[i];
        if (!ir_op_has_weights(n->op))
            continue;
        double scale = first ? x_rms : 1.0, fan_in = (double)dx_fan_in(n);
        if (scale > 0.0 && fan_in > 0.0)
            layer_need = fmin(layer_need, 1.0 / (fan_in * scale));
        first = false;
    }
    double need = isfinite(layer_need) ? fmax(DX_MIN_REACH, layer_need) : DX_MIN_REACH;
    if (f->task == DX_TASK_REGRESSION && f->data) {
        double y = fmax(fabs(f->target_min), fabs(f->target_max));
        const rt_raw_stats *x = &f->data->prep;
        double xs = fmax(fabs(x->min), fabs(x->max));
        if (xs > 0.0)
            need = fmax(need, 0.5 * y / xs);
    }
    return need;
}

/* How far STEPS steps of adaptive optimiser K at learning rate LR can move a
 * weight: about LR per step, but Adagrad divides each step by the root of
 * the sum of the squared gradients so far, so steps of one sign add up to at
 * most 2 x LR x sqrt(STEPS) (the sum of 1 / sqrt(t)). */
static double reach_of(ir_opt k, double lr, double steps)
{
    return k == IR_OPT_ADAGRAD ? 2.0 * lr * sqrt(steps) : lr * steps;
}

/* Adds the findings of an adaptive optimiser whose steps cannot add up to
 * NEED: the learning rate, then the epochs; or, when the optimiser's own
 * shrinking steps are the cause (the same rate at a steady step would get
 * there), the optimiser first, then the learning rate. */
static int small_reach_findings(pass_ctx *ctx, double reach, double need)
{
    const dx_facts *f = ctx->facts;
    const ir_train *t = &ctx->prog->train;
    double score = 0.35 + 0.2 * log10(need / reach);
    score = score > 0.8 ? 0.8 : score;
    double steady = t->learning_rate * (double)f->steps;
    if (steady >= need) {
        suspect *s = dx_find(ctx->found, "training-budget", score,
                             DX_R(OPTIMIZER) | DX_R(LEARNING_RATE),
                             "%s's steps shrink as the squared gradients add up: %ld steps x "
                             "%g travel at most %.3g", opt_name(t->optimizer), f->steps,
                             t->learning_rate, reach);
        dx_at_train(s, ctx->prog, IR_TATTR_OPTIMIZER);
        dx_evidence(s, "2 x learning_rate x sqrt(steps) = %.3g, needed ~%.3g; steady steps "
                    "would travel %.3g", reach, need, steady);
        suspect *l = dx_find(ctx->found, "training-budget", score * 0.8, DX_R(LEARNING_RATE),
                             "learning rate %g too small for %s's shrinking steps",
                             t->learning_rate, opt_name(t->optimizer));
        dx_at_train(l, ctx->prog, IR_TATTR_LEARNING_RATE);
        dx_evidence(l, "2 x learning_rate x sqrt(steps) = %.3g, needed ~%.3g", reach, need);
        return 2;
    }
    const char *how = t->optimizer == IR_OPT_ADAGRAD ? "2 x learning_rate x sqrt(steps)"
                                                     : "learning_rate x steps";
    suspect *s = dx_find(ctx->found, "training-budget", score, DX_R(LEARNING_RATE) | DX_R(EPOCHS),
                         "%s moves each weight by %s the learning rate per step: %ld steps x "
                         "%g cannot travel far enough", opt_name(t->optimizer),
                         t->optimizer == IR_OPT_ADAGRAD ? "less and less than" : "about",
                         f->steps, t->learning_rate);
    dx_at_train(s, ctx->prog, IR_TATTR_LEARNING_RATE);
    dx_evidence(s, "%s = %.3g, needed ~%.3g", how, reach, need);
    suspect *e = dx_find(ctx->found, "training-budget", score * 0.8, DX_R(EPOCHS),
                         "%d epochs give %s too few steps at learning rate %g", t->epochs,
                         opt_name(t->optimizer), t->learning_rate);
    dx_at_train(e, ctx->prog, IR_TATTR_EPOCHS);
    dx_evidence(e, "%s = %.3g, needed ~%.3g", how, reach, need);
    return 2;
}

int dx_rule_training_budget(pass_ctx *ctx)
{
    const dx_facts *f = ctx->facts;
    const ir_train *t = &ctx->prog->train;
    if (!ctx->prog->has_train || f->steps <= 0)
        return 0;
    int found = 0;
    double steps = (double)f->steps;
    double reach = reach_of(t->optimizer, t->learning_rate, steps), need = reach_needed(f);
    bool small_reach = adaptive(t->optimizer) && reach < need;
    /* An adaptive optimiser's few steps are a fault only if they are small.
     * When a batch takes a quarter or more of the data, the few steps are
     * the batch's doing, and a smaller batch is the fix that costs nothing
     * (more epochs multiply the training time): the batch comes first. */
    if (steps < DX_FEW_STEPS && (!adaptive(t->optimizer) || small_reach)) {
        double score = 0.35 + 0.2 * log10(DX_FEW_STEPS / steps);
        bool big_batch = t->batch * 4 > f->n_train;
        suspect *s = dx_find(ctx->found, "training-budget", big_batch ? score * 0.8 : score,
                             DX_R(EPOCHS) | DX_R(BATCH),
                             "only %ld optimiser steps in the whole training", f->steps);
        dx_at_train(s, ctx->prog, IR_TATTR_EPOCHS);
        dx_evidence(s, "epochs=%d x %ld steps per epoch (batch %d, %d samples)", t->epochs,
                    f->steps / (t->epochs > 0 ? t->epochs : 1), t->batch, f->n_train);
        found++;
        if (big_batch) {
            suspect *b = dx_find(ctx->found, "training-budget", score, DX_R(BATCH),
                                 "batch %d takes a quarter or more of the %d samples: only "
                                 "%ld steps in the whole training", t->batch, f->n_train,
                                 f->steps);
            dx_at_train(b, ctx->prog, IR_TATTR_BATCH);
            dx_evidence(b, "batch=%d, %d samples, %ld steps in total", t->batch, f->n_train,
                        f->steps);
            found++;
        }
    }
    if (small_reach)
        found += small_reach_findings(ctx, reach, need);
    return found;
}
