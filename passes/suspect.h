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

#include "ir.h"

/* The kinds of rewrite repair can make; one pass (or pass family) each. */
#define REPAIR_CLASSES(X) \
    X(ACTIVATION, change_activation) \
    X(OUTPUT_ACTIVATION, fix_output_activation) \
    X(LOSS, change_loss) \
    X(OPTIMIZER, change_optimizer) \
    X(LEARNING_RATE, change_learning_rate) \
    X(BATCH, change_batch) \
    X(EPOCHS, change_epochs) \
    X(INIT, change_initializer) \
    X(UNITS, change_units) \
    X(OUTPUT_UNITS, set_output_units) \
    X(ADD_LAYER, add_layer) \
    X(REMOVE_LAYER, remove_layer) \
    X(BATCHNORM, add_batchnorm) \
    X(DROPOUT, change_dropout) \
    X(REGULARIZER, change_regularizer) \
    X(CLIPPING, add_clipping) \
    X(PREPROCESSING, change_preprocessing)

#define REPAIR_X_ENUM(id, name) REPAIR_##id,
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
} suspect;

typedef struct suspect_list {
    suspect *items;           /* ranked, best first */
    int n, cap;
} suspect_list;

void suspect_list_free(suspect_list *l);
/* Appends a zeroed suspect to L and returns it (valid until the next add). */
suspect *suspect_list_add(suspect_list *l);
/* "node", "train" or "data". */
const char *suspect_target_name(suspect_target t);

#endif
