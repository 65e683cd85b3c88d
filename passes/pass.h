/* pass.h: the pass table: every analysis pass of dnnc (the static fault
 * rules), and the order they run in.
 *
 * A pass is a function over the IR with a name, a kind and a result.  One
 * X-macro list (PASSES) names them all; pass.c turns it into the table, and
 * pass_run_kind runs the passes of one kind in the list's order, which is
 * the order they are meant to run in.  Analysis passes append findings to
 * ctx->found.  The repair passes, which rewrite the IR, have their own one
 * list, REPAIR_CLASSES (suspect.h), since a suspect names the repair classes
 * that address it; strategies are RP_STRATEGIES (search.h) and mutation
 * operators MU_OPERATORS (mutate.c).
 *
 * To add a rule: one X(...) line in PASSES, in the place where it should run.
 */
#ifndef DNNC_PASS_H
#define DNNC_PASS_H

#include <stdbool.h>

#include "data.h"
#include "ir.h"
#include "suspect.h"

typedef enum {
    PASS_ANALYSIS    /* reads the IR, reports findings */
} pass_kind;

/* Flags of a pass. */
#define PASS_NEEDS_DATA 1u   /* needs the loaded dataset; skipped without it */

struct dx_facts;

/* What a pass works on. */
typedef struct pass_ctx {
    const ir_program *prog;        /* the program analysed (never modified by analyses) */
    const rt_data *data;           /* its loaded dataset, or NULL when it could not load */
    const struct dx_facts *facts;  /* analysis: what is known about the problem */
    suspect_list *found;           /* analysis: where findings go (unranked) */
} pass_ctx;

/* Runs a pass; returns how many findings or rewrites it made, or -1 on error. */
typedef int (*pass_fn)(pass_ctx *ctx);

/* One row of the table. */
typedef struct pass_info {
    const char *name;      /* its name; for an analysis also the rule id it reports */
    pass_kind kind;        /* what it does (analysis) */
    unsigned flags;        /* PASS_NEEDS_DATA, ... */
    pass_fn run;           /* the pass */
    const char *summary;   /* what it checks or does, one line */
} pass_info;

/* Every pass, in run order: X(name, kind, flags, function, summary).
 * The static fault rules are in passes/diagnose/rules_*.c. */
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
      "features of wildly different scales")

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
