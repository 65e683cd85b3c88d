/* pass.h: the pass table: every pass of dnnc, its kind, and the order they run in.
 *
 * A pass is a function over the IR with a name, a kind and a result.  One
 * X-macro list (PASSES) names them all; pass.c turns it into the table, and
 * pass_run_kind runs the passes of one kind in the list's order, which is
 * the order they are meant to run in.  Analysis passes (the static fault
 * rules) append findings to ctx->found; transform and repair passes work on
 * ctx->ir and keep their own state in ctx->state, and their output goes
 * through ir_verify_pass_result.
 *
 * To add a pass: one X(...) line in PASSES, in the place where it should run.
 */
#ifndef DNNC_PASS_H
#define DNNC_PASS_H

#include <stdbool.h>

#include "data.h"
#include "ir.h"
#include "suspect.h"

typedef enum {
    PASS_ANALYSIS,   /* reads the IR, reports findings */
    PASS_TRANSFORM,  /* rewrites the IR without changing what it means */
    PASS_REPAIR      /* rewrites the IR to change what it does (records each change) */
} pass_kind;

/* Flags of a pass. */
#define PASS_NEEDS_DATA 1u   /* needs the loaded dataset; skipped without it */

struct dx_facts;

/* What a pass works on. */
typedef struct pass_ctx {
    const ir_program *prog;        /* the program analysed (never modified by analyses) */
    ir_program *ir;                /* transform/repair: the program to rewrite (a clone) */
    const rt_data *data;           /* its loaded dataset, or NULL when it could not load */
    const struct dx_facts *facts;  /* analysis: what is known about the problem */
    suspect_list *found;           /* analysis: where findings go (unranked) */
    void *state;                   /* transform/repair: the pass family's own state */
} pass_ctx;

/* Runs a pass; returns how many findings or rewrites it made, or -1 on error. */
typedef int (*pass_fn)(pass_ctx *ctx);

/* One row of the table. */
typedef struct pass_info {
    const char *name;      /* its name; for an analysis also the rule id it reports */
    pass_kind kind;        /* analysis, transform or repair */
    unsigned flags;        /* PASS_NEEDS_DATA, ... */
    pass_fn run;           /* the pass */
    const char *summary;   /* what it checks or does, one line */
} pass_info;

/* Every pass, in run order: X(name, kind, flags, function, summary).
 * Static fault rules (passes/rules_*.c) come first, then the repair passes
 * (passes/rewrite*.c; rewrite_table.c adapts them: ctx->state is an rp_edits). */
#define PASSES(X) \
    X("output-units", PASS_ANALYSIS, 0, dx_rule_output_units, \
      "output units against the number of classes or targets") \
    X("output-activation", PASS_ANALYSIS, 0, dx_rule_output_activation, \
      "output activation against the loss and the labels") \
    X("loss-labels", PASS_ANALYSIS, 0, dx_rule_loss_labels, \
      "loss against the kind of labels (classes or values)") \
    X("hidden-softmax", PASS_ANALYSIS, 0, dx_rule_hidden_softmax, \
      "softmax on a hidden layer") \
    X("linear-stack", PASS_ANALYSIS, 0, dx_rule_linear_stack, \
      "hidden weight layers with no non-linearity after them") \
    X("narrow-layer", PASS_ANALYSIS, 0, dx_rule_narrow_layer, \
      "a hidden layer narrower than the classes it must tell apart") \
    X("saturating-stack", PASS_ANALYSIS, 0, dx_rule_saturating_stack, \
      "saturating activations in a deep stack") \
    X("unbounded-activation", PASS_ANALYSIS, 0, dx_rule_unbounded_activation, \
      "exponential activations that can overflow") \
    X("constant-init", PASS_ANALYSIS, 0, dx_rule_constant_init, \
      "constant kernel initialisers that never break symmetry") \
    X("init-scale", PASS_ANALYSIS, 0, dx_rule_init_scale, \
      "kernel initialisers whose scale explodes or kills the signal") \
    X("bias-init", PASS_ANALYSIS, 0, dx_rule_bias_init, \
      "negative constant biases that start ReLU units dead") \
    X("regularizer-strength", PASS_ANALYSIS, 0, dx_rule_regularizer_strength, \
      "regularisation penalty that dwarfs the loss") \
    X("dropout-rate", PASS_ANALYSIS, 0, dx_rule_dropout_rate, \
      "dropout rates that drop most of the signal") \
    X("batchnorm-order", PASS_ANALYSIS, 0, dx_rule_batchnorm_order, \
      "bias or dropout right before batchnorm, dropout after the output") \
    X("batchnorm-statistics", PASS_ANALYSIS, 0, dx_rule_batchnorm_statistics, \
      "batchnorm momentum, epsilon and batch against the steps and the variance") \
    X("feature-map", PASS_ANALYSIS, 0, dx_rule_feature_map, \
      "convolution and pooling geometry that collapses or skips the feature map") \
    X("learning-rate", PASS_ANALYSIS, 0, dx_rule_learning_rate, \
      "learning rate far outside its optimiser's usual range") \
    X("batch-size", PASS_ANALYSIS, 0, dx_rule_batch_size, \
      "batch larger than the training set, or 1 on a large set") \
    X("training-budget", PASS_ANALYSIS, 0, dx_rule_training_budget, \
      "too few optimiser steps, or steps too small to get anywhere") \
    X("unscaled-input", PASS_ANALYSIS, PASS_NEEDS_DATA, dx_rule_unscaled_input, \
      "inputs in a raw range such as 0..255") \
    X("input-too-small", PASS_ANALYSIS, PASS_NEEDS_DATA, dx_rule_tiny_input, \
      "inputs scaled far below the range networks expect") \
    X("feature-scales", PASS_ANALYSIS, PASS_NEEDS_DATA, dx_rule_feature_scales, \
      "features of wildly different scales") \
    X("change_activation", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_activation, \
      "every activation on each hidden layer") \
    X("fix_output_activation", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_fix_output_activation, \
      "the output activation (and loss) the labels need") \
    X("change_loss", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_loss, \
      "the losses the labels admit") \
    X("change_optimizer", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_optimizer, \
      "each other optimiser with Keras defaults") \
    X("change_learning_rate", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_learning_rate, \
      "the learning rate by decades, and the optimiser's default") \
    X("change_batch", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_batch, \
      "batch sizes 16 to 512") \
    X("change_epochs", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_epochs, \
      "epochs x2, x3, x5, x10, /2") \
    X("change_initializer", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_initializer, \
      "variance-scaling kernels, zero biases") \
    X("change_units", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_units, \
      "hidden dense units x2, /2") \
    X("set_output_units", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_set_output_units, \
      "the output width the labels need") \
    X("add_layer", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_add_layer, \
      "one or two dense layers before the output") \
    X("remove_layer", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_remove_layer, \
      "a hidden dense layer removed") \
    X("add_batchnorm", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_add_batchnorm, \
      "batchnorm after a hidden weighted layer") \
    X("change_dropout", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_dropout, \
      "dropout removed, lowered or added") \
    X("change_regularizer", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_regularizer, \
      "a weight penalty removed, lightened or added") \
    X("add_clipping", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_add_clipping, \
      "gradient clipping") \
    X("change_preprocessing", PASS_REPAIR, PASS_NEEDS_DATA, rp_table_change_preprocessing, \
      "input scale, standardize or minmax")

#define PASS_X_DECLARE(name, kind, flags, fn, summary) int fn(pass_ctx *ctx);
PASSES(PASS_X_DECLARE)

extern const pass_info pass_table[];
extern const int pass_count;

/* The pass called NAME, or NULL. */
const pass_info *pass_find(const char *name);

/* Runs every pass of KIND in table order on CTX; passes that need data are
 * skipped when ctx->data is NULL.  Returns the total of their results, or -1
 * when one fails (the others still run). */
int pass_run_kind(pass_kind kind, pass_ctx *ctx);

#endif
