/* rewrite.h: the repair passes, one per repair class of suspect.h.
 *
 * A repair pass looks at the faulty program (and what is known about its
 * data) and proposes edits: each edit is a short list of changes (change.h)
 * that together make one rewrite, such as "fc1's activation sigmoid -> relu"
 * or "insert batchnorm after fc1".  A pass never edits the program: every
 * edit it emits has been applied to a clone and passed ir_verify_pass_result
 * and the data-compatibility check (rp_fits_data), so every candidate it
 * proposes compiles and trains.  Search strategies (search.h) decide which
 * edits to train and how to combine them.
 */
#ifndef DNNC_REWRITE_H
#define DNNC_REWRITE_H

#include <stdbool.h>

#include "change.h"
#include "data.h"
#include "ir.h"
#include "suspect.h"

/* What a pass knows about the training data (filled from rt_data). */
typedef struct rp_facts {
    int classes;            /* >= 2 classification, 0 regression */
    int target_size;        /* regression: values per sample */
    int train_n;            /* training samples */
    double raw_min, raw_max;/* range of the inputs before preprocessing */
    double range_ratio;     /* largest / smallest per-feature range of the raw inputs */
    double prep_min, prep_max; /* range after the program's preprocessing */
} rp_facts;

/* Everything a pass reads. */
typedef struct rp_ctx {
    const ir_program *prog; /* the faulty program (never modified) */
    rp_facts facts;         /* its data */
} rp_ctx;

/* One proposed rewrite. */
typedef struct rp_edit {
    rp_changes changes;     /* applied together */
    repair_class cls;       /* the pass that proposed it */
    double prior;           /* 0..1: how likely it helps, before any evidence */
} rp_edit;

typedef struct rp_edits {
    rp_edit *items;         /* in the order proposed */
    int n, cap;             /* count and capacity */
} rp_edits;

void rp_edits_free(rp_edits *l);

/* Fills FACTS from loaded data. */
void rp_facts_from_data(const rt_data *d, rp_facts *facts);

typedef void (*rp_pass_fn)(const rp_ctx *ctx, rp_edits *out);

/* A repair pass: one row of REPAIR_CLASSES (suspect.h). */
typedef struct rp_pass {
    const char *name;       /* its repair class's name ("change_activation") */
    repair_class cls;       /* which class */
    rp_pass_fn run;         /* appends its edits to out */
    const char *summary;    /* what it proposes, one line */
} rp_pass;

/* The pass functions (rewrite_act.c, rewrite_arch.c, rewrite_data.c,
 * rewrite_recipe.c, rewrite_weights.c), declared from the registry; each
 * appends its verified edits to OUT. */
#define RP_X_DECLARE(id, name, fn, summary) void fn(const rp_ctx *ctx, rp_edits *out);
REPAIR_CLASSES(RP_X_DECLARE)

/* Every repair pass, in repair_class order. */
extern const rp_pass rp_passes[REPAIR_CLASS_COUNT];

/* Runs the passes whose class bit is in MASK; appends their edits to OUT. */
void rp_generate(const rp_ctx *ctx, unsigned mask, rp_edits *out);

/* ---- helpers the passes share (rewrite.c) ---- */

/* Verifies the program of C (a single change) and appends it as an edit. */
void rp_emit1(const rp_ctx *ctx, rp_edits *out, const rp_change *c, double prior);
/* Verifies the program of CS and appends it as one edit (takes CS). */
void rp_emit(const rp_ctx *ctx, rp_edits *out, rp_changes *cs, repair_class cls, double prior);
/* Whether P's output fits data of FACTS (units, loss and label kind), as the
 * runtime checks before training. */
bool rp_fits_data(const ir_program *p, const rp_facts *facts);
/* Index of the output layer of M (the last with an activation), or -1. */
int rp_output_index(const ir_model *m);
/* Index of the last dense layer of M (whose units are the outputs), or -1. */
int rp_output_dense(const ir_model *m);
/* Whether node I of M is a hidden layer with weights (dense or conv2d, not the output). */
bool rp_is_hidden_weighted(const ir_model *m, int i);
/* The activation the output should have for P's loss and data (-1: any). */
int rp_output_activation_for(const ir_program *p, const rp_facts *facts);
/* Whether layer N applies built-in activation A (a user function as
 * activation is none of the built-ins, not even linear). */
bool rp_is_activation(const ir_node *n, int a);
/* N's activation as the IR writes it: "relu", or "@name" for a user function. */
void rp_activation_name(const ir_node *n, char *buf, size_t size);

#endif
