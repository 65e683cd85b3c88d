/* rewrite_recipe.c: repair passes over the training recipe.
 *
 * change_optimizer (each other optimiser with Keras's defaults, clipping
 * kept; the same optimiser with one parameter back to its default), change_learning_rate (decades up and down, and the optimiser's
 * default), change_batch (the study's sizes 16..512), change_epochs (x2, x3,
 * x5, /2) and add_clipping (clipnorm 1, clipvalue 0.5; a bound that is set
 * removed).  Learning-rate priors
 * lean towards the usual range of the optimiser: far above it, smaller rates
 * come first; far below, larger ones.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rewrite.h"

void rp_pass_optimizer(const rp_ctx *ctx, rp_edits *out)
{
    static const double prior[IR_OPT_COUNT] = {
        [IR_OPT_SGD] = 0.2, [IR_OPT_RMSPROP] = 0.35, [IR_OPT_ADAGRAD] = 0.1,
        [IR_OPT_ADADELTA] = 0.05, [IR_OPT_ADAM] = 0.5, [IR_OPT_ADAMAX] = 0.3, [IR_OPT_NADAM] = 0.35,
    };
    const ir_train *t = &ctx->prog->train;
    char reason[200];
    for (int k = 0; k < IR_OPT_COUNT; k++) {
        if (k == (int)t->optimizer)
            continue;
        snprintf(reason, sizeof reason, "%s with Keras defaults instead of %s",
                 ir_enum_name(&ir_opt_table, k), ir_enum_name(&ir_opt_table, (int)t->optimizer));
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_OPTIMIZER, &k, REPAIR_OPTIMIZER, reason);
        rp_emit1(ctx, out, &c, prior[k]);
    }
    /* The same optimiser with one of its parameters (momentum, rho, the
     * betas, epsilon, ...) back to Keras's default. */
    static const ir_tattr params[] = {IR_TATTR_MOMENTUM, IR_TATTR_NESTEROV, IR_TATTR_RHO,
                                      IR_TATTR_BETA_1, IR_TATTR_BETA_2, IR_TATTR_EPSILON,
                                      IR_TATTR_INITIAL_ACCUMULATOR_VALUE};
    ir_train def = *t;
    ir_train_optimizer_defaults(&def, t->optimizer);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        const ir_attr_desc *d = ir_attr_by_id(ir_train_attrs, ir_train_attr_count, (int)params[i]);
        if (!d || !ir_attr_applies(d, (int)t->optimizer))
            continue;
        const char *now = (const char *)t + d->offset, *was = (const char *)&def + d->offset;
        size_t size = d->type == IR_T_BOOL ? sizeof(bool) : sizeof(double);
        if (memcmp(now, was, size) == 0)
            continue;
        snprintf(reason, sizeof reason, "%s's default %s", ir_enum_name(&ir_opt_table, (int)t->optimizer),
                 d->name);
        rp_change c = rp_set_train(ctx->prog, (int)params[i], was, REPAIR_OPTIMIZER, reason);
        rp_emit1(ctx, out, &c, 0.2);
    }
}

void rp_pass_learning_rate(const rp_ctx *ctx, rp_edits *out)
{
    const ir_train *t = &ctx->prog->train;
    ir_train def;
    ir_train_optimizer_defaults(&def, t->optimizer);
    double lr = t->learning_rate;
    /* How many decades the rate is above (+) or below (-) the optimiser's default. */
    double off = lr > 0 ? log10(lr / def.learning_rate) : 0;
    static const double factors[] = {0.1, 10, 0.01, 100, 0.001, 1000};
    char reason[200];
    double tried[8];
    int n_tried = 0;
    for (size_t i = 0; i <= sizeof factors / sizeof factors[0]; i++) {
        bool to_default = i == sizeof factors / sizeof factors[0];
        double v = to_default ? def.learning_rate : rp_scaled(lr, factors[i]);
        if (v < 1e-6 || v > 10 || fabs(v - lr) <= 1e-12 * lr)
            continue;
        bool dup = false;
        for (int j = 0; j < n_tried; j++)
            dup |= fabs(tried[j] - v) <= 1e-9 * v;
        if (dup)
            continue;
        tried[n_tried++] = v;
        double step = log10(v / lr);   /* decades moved */
        double prior = 0.35 - 0.08 * fabs(step);
        if (off * step < 0)            /* moving towards the usual range */
            prior += fabs(off) >= 1.5 ? 0.3 : 0.1;
        if (to_default)
            prior = fabs(off) >= 1 ? 0.55 : 0.15;
        if (prior < 0.03)
            prior = 0.03;
        if (to_default)
            snprintf(reason, sizeof reason, "the default rate of %s", ir_enum_name(&ir_opt_table, (int)t->optimizer));
        else
            snprintf(reason, sizeof reason, "learning rate x%g", factors[i]);
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_LEARNING_RATE, &v, REPAIR_LEARNING_RATE, reason);
        rp_emit1(ctx, out, &c, prior);
    }
}

void rp_pass_batch(const rp_ctx *ctx, rp_edits *out)
{
    static const int sizes[] = {16, 32, 64, 128, 256, 512};
    const ir_train *t = &ctx->prog->train;
    char reason[200];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int b = sizes[i];
        if (b == t->batch || (ctx->facts.train_n > 0 && b > ctx->facts.train_n))
            continue;
        double ratio = fabs(log2((double)b / t->batch));
        double prior = 0.25 - 0.03 * ratio;
        /* Batch 1 (noisy, slow) or one larger than a sizeable share of the data. */
        if (t->batch <= 2 || (ctx->facts.train_n > 0 && t->batch * 4 > ctx->facts.train_n))
            prior += b >= 32 && b <= 128 ? 0.3 : 0.1;
        snprintf(reason, sizeof reason, "batch %d instead of %d", b, t->batch);
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_BATCH, &b, REPAIR_BATCH, reason);
        rp_emit1(ctx, out, &c, prior < 0.03 ? 0.03 : prior);
    }
}

void rp_pass_epochs(const rp_ctx *ctx, rp_edits *out)
{
    static const struct { double factor; double prior; } steps[] = {
        {2, 0.3}, {3, 0.2}, {5, 0.15}, {10, 0.08}, {0.5, 0.05},
    };
    const ir_train *t = &ctx->prog->train;
    char reason[200];
    int last = t->epochs;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int e = (int)floor(t->epochs * steps[i].factor);
        if (e < 1 || e == t->epochs || e == last)
            continue;
        last = e;
        double prior = steps[i].prior + (t->epochs <= 5 && steps[i].factor > 1 ? 0.1 : 0);
        snprintf(reason, sizeof reason, "%d epochs instead of %d", e, t->epochs);
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_EPOCHS, &e, REPAIR_EPOCHS, reason);
        rp_emit1(ctx, out, &c, prior);
    }
}

void rp_pass_clipping(const rp_ctx *ctx, rp_edits *out)
{
    const ir_train *t = &ctx->prog->train;
    if (t->clipnorm == 0 && t->clipvalue == 0) {
        double v = 1.0;
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_CLIPNORM, &v, REPAIR_CLIPPING,
                                   "clip each gradient's norm to 1 against exploding gradients");
        rp_emit1(ctx, out, &c, 0.15);
        v = 0.5;
        c = rp_set_train(ctx->prog, IR_TATTR_CLIPVALUE, &v, REPAIR_CLIPPING,
                         "clip gradient values to 0.5 against exploding gradients");
        rp_emit1(ctx, out, &c, 0.08);
    } else if (t->clipnorm > 0 && t->clipnorm > 1.0) {
        double v = 1.0;
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_CLIPNORM, &v, REPAIR_CLIPPING,
                                   "tighter gradient clipping");
        rp_emit1(ctx, out, &c, 0.1);
    }
    /* Clipping that may hold the steps back: without it (a bound far below
     * the gradients' norms shrinks every step). */
    double off = 0.0;
    if (t->clipnorm > 0) {
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_CLIPNORM, &off, REPAIR_CLIPPING,
                                   "no gradient norm clipping");
        rp_emit1(ctx, out, &c, t->clipnorm < 0.1 ? 0.35 : 0.1);
    }
    if (t->clipvalue > 0) {
        rp_change c = rp_set_train(ctx->prog, IR_TATTR_CLIPVALUE, &off, REPAIR_CLIPPING,
                                   "no gradient value clipping");
        rp_emit1(ctx, out, &c, t->clipvalue < 0.01 ? 0.35 : 0.1);
    }
}
