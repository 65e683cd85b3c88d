/* suspect.h: the contract between fault localisation and repair.
 *
 * Diagnosis (`dnnc --diagnose`) produces a ranked list of suspects; repair
 * (`dnnc --repair`) reads the same list to decide what to try first.  A
 * suspect names one place in the program (a layer attribute, a training
 * hyperparameter or a data setting), the rule or symptom that implicated it,
 * its evidence, a score, and the classes of repair that address it.
 */
#ifndef DNNC_SUSPECT_H
#define DNNC_SUSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

/* The kinds of rewrite repair can make, one repair pass each, in the order
 * they are tried: X(ID, name, pass function, what it proposes).  The one
 * registry of repair passes: the repair_class enum, the names, the table
 * rp_passes (passes/repair/rewrite.h) and the passes' declarations all come
 * from it.  A pass function lives in the rewrite_*.c file of its theme. */
#define REPAIR_CLASSES(X) \
    X(ACTIVATION, change_activation, rp_pass_activation, \
      "every activation on each hidden layer") \
    X(OUTPUT_ACTIVATION, fix_output_activation, rp_pass_output_activation, \
      "the output activation (and loss) the labels need") \
    X(LOSS, change_loss, rp_pass_loss, \
      "the losses the labels admit") \
    X(OPTIMIZER, change_optimizer, rp_pass_optimizer, \
      "each other optimiser with Keras defaults") \
    X(LEARNING_RATE, change_learning_rate, rp_pass_learning_rate, \
      "the learning rate by decades, and the optimiser's default") \
    X(BATCH, change_batch, rp_pass_batch, \
      "batch sizes 16 to 512") \
    X(EPOCHS, change_epochs, rp_pass_epochs, \
      "epochs x2, x3, x5, x10, /2") \
    X(INIT, change_initializer, rp_pass_init, \
      "variance-scaling kernels, zero biases") \
    X(UNITS, change_units, rp_pass_units, \
      "hidden dense units x2, /2") \
    X(OUTPUT_UNITS, set_output_units, rp_pass_output_units, \
      "the output width the labels need") \
    X(ADD_LAYER, add_layer, rp_pass_add_layer, \
      "one or two dense layers before the output") \
    X(REMOVE_LAYER, remove_layer, rp_pass_remove_layer, \
      "a hidden dense layer removed") \
    X(BATCHNORM, add_batchnorm, rp_pass_batchnorm, \
      "batchnorm after a hidden weighted layer") \
    X(DROPOUT, change_dropout, rp_pass_dropout, \
      "dropout removed, lowered or added") \
    X(REGULARIZER, change_regularizer, rp_pass_regularizer, \
      "a weight penalty removed, lightened or added") \
    X(CLIPPING, add_clipping, rp_pass_clipping, \
      "gradient clipping") \
    X(PREPROCESSING, change_preprocessing, rp_pass_preprocessing, \
      "input scale, standardize or minmax") \
    X(GEOMETRY, change_geometry, rp_pass_geometry, \
      "convolution strides and padding, pooling windows")

#define REPAIR_X_ENUM(id, name, fn, summary) REPAIR_##id,
typedef enum { REPAIR_CLASSES(REPAIR_X_ENUM) REPAIR_CLASS_COUNT } repair_class;

extern const char *const repair_class_names[];

/* What a finding rests on: a static rule, a symptom of the training run, or
 * a probe (a short training of one edit that measurably helped).  X(id, name). */
#define SUSPECT_KINDS(X) X(RULE, "rule") X(SYMPTOM, "symptom") X(PROBE, "probe")
#define SUSPECT_X_KIND(id, name) SUSPECT_##id,
typedef enum { SUSPECT_KINDS(SUSPECT_X_KIND) SUSPECT_KIND_COUNT } suspect_kind;
extern const char *const suspect_kind_names[];

/* Where a suspect points. */
typedef enum {
    SUSPECT_NODE,   /* an attribute of a layer (node names it) */
    SUSPECT_TRAIN,  /* a training hyperparameter, loss or optimiser */
    SUSPECT_DATA    /* a data setting (preprocessing, splits) */
} suspect_target;

typedef struct suspect {
    int rank;                 /* 1 = most suspicious */
    double score;             /* higher is more suspicious (comparable within a report) */
    suspect_target target;    /* what kind of place */
    char node[128];           /* layer name (SUSPECT_NODE), model or dataset name otherwise */
    char attribute[40];       /* "activation", "learning_rate", "loss", "init", "batch",
                                 "epochs", "units", "optimizer", "scale", "layers", ... */
    int line, column;         /* source location (0 when not from the source) */
    char rule[48];            /* the rule or symptom id ("output-activation") */
    suspect_kind kind;        /* what the strongest finding rests on */
    unsigned kinds;           /* ranked suspects: bit set (1u << suspect_kind) of the
                                 kinds of every finding merged into it */
    char message[256];        /* one-line explanation */
    char evidence[256];       /* the numbers behind it */
    unsigned repairs;         /* bit set of repair_class that address it */
    char also[96];            /* other rules and symptoms merged into this suspect,
                                 comma-separated, strongest first ("" if none) */
    char caused_by[176];      /* the place (suspect_place) of a cause this suspect is
                                 a symptom of: ranking keeps it below that place
                                 ("" if none) */
} suspect;

typedef struct suspect_list {
    suspect *items;           /* ranked, best first */
    int n, cap;
} suspect_list;

void suspect_list_free(suspect_list *l);
/* Appends a zeroed suspect to L and returns it (valid until the next add). */
suspect *suspect_list_add(suspect_list *l);
/* Writes S's place as the fault headers write it: NODE.ATTRIBUTE for a
 * layer, train.ATTRIBUTE or data.ATTRIBUTE. */
void suspect_place(const suspect *s, char *buf, size_t size);
/* "node", "train" or "data". */
const char *suspect_target_name(suspect_target t);

#endif
