/* diagnose_int.h: the interfaces between the parts of the diagnosis.
 *
 * diagnose_facts.c works out what is known about the problem a program
 * solves (dx_facts) and answers questions about its model that several rules
 * ask (fan-in, initialiser moments, the activation after a layer).
 * diagnose_find.c creates findings with their source locations.  The static
 * rules (rules_*.c, passes of pass.h) read the facts and add findings; the
 * dynamic part (symptoms.c) trains once and detects symptoms, which
 * symptoms_map.c turns into findings; rank.c merges and orders them all.
 */
#ifndef DNNC_DIAGNOSE_INT_H
#define DNNC_DIAGNOSE_INT_H

#include <stdbool.h>

#include "data.h"
#include "diagnose.h"
#include "ir.h"
#include "pass.h"
#include "suspect.h"

/* ---- facts (diagnose_facts.c) ---- */

typedef enum {
    DX_TASK_UNKNOWN,         /* labels not known without loading the data */
    DX_TASK_CLASSIFICATION,  /* class labels */
    DX_TASK_REGRESSION       /* target values */
} dx_task;

/* What is known about the problem a program solves. */
typedef struct dx_facts {
    const ir_program *prog;    /* the program */
    const ir_model *model;     /* the model trained (NULL: no train block) */
    const ir_dataset *dataset; /* its dataset (NULL: none) */
    const rt_data *data;       /* the loaded data, or NULL */
    dx_task task;              /* classification, regression or unknown */
    int classes;               /* classification: number of classes (0: unknown) */
    int targets;               /* regression: values per sample (0: unknown) */
    double target_min;         /* regression with data: smallest target */
    double target_max;         /* ... and largest */
    double majority;           /* classification with data: share of the largest class */
    int n_train;               /* training samples (0: unknown) */
    long steps;                /* optimiser steps of the whole training (0: unknown) */
    int n_weight_layers;       /* dense and conv2d layers */
    int out;                   /* node index of the last weight layer (-1: none) */
    int out_act_node;          /* node that applies the output activation */
    ir_act out_act;            /* the output activation */
    bool out_user_act;         /* ... is a user function (out_act says linear) */
    int out_units;             /* units of the last weight layer */
} dx_facts;

/* Works out the facts of P with DATA (may be NULL). */
void dx_facts_init(dx_facts *f, const ir_program *p, const rt_data *data);

/* The activation that follows weight layer I of M: its own when non-linear,
 * else the first non-linear one of the activation layers after it, before the
 * next weight or pooling layer; linear when none.  *AT gets the index of the
 * node that applies it (I itself when linear). */
ir_act dx_act_after(const ir_model *m, int i, int *at);
/* Whether nothing non-linear (built-in activation or user function) follows
 * weight layer I of M before the next weight or pooling layer. */
bool dx_linear_after(const ir_model *m, int i);
/* Whether a node applies a non-linear activation (built-in or user function). */
bool dx_node_nonlinear(const ir_node *n);
/* Sigmoid-like activations whose gradient vanishes for large inputs. */
bool dx_act_saturating(ir_act a);
/* Index of the first weight layer after node I of M, or -1. */
int dx_next_weight_layer(const ir_model *m, int i);
/* Inputs and outputs per unit of weight layer N (for initialiser scales). */
long dx_fan_in(const ir_node *n);
long dx_fan_out(const ir_node *n);
/* Number of kernel weights of N. */
long dx_kernel_size(const ir_node *n);
/* Mean |w| and mean w^2 of initialiser INIT for FAN_IN, FAN_OUT (Keras's
 * definitions: glorot, he and lecun scale with the fans). */
void dx_init_moments(const ir_initializer *init, long fan_in, long fan_out,
                     double *mean_abs, double *mean_sq);
/* Chance accuracy: the majority share when known, else 1 / classes. */
double dx_chance(const dx_facts *f);

/* ---- the training run's length (diagnose_work.c) ---- */

/* Estimated work of a model, in multiply-adds. */
typedef struct dx_work {
    double forward;           /* one sample's forward pass (evaluation) */
    double train;             /* one sample's forward and backward pass */
    double params;            /* trainable parameters (the optimiser's work per step) */
} dx_work;

/* How many batches the diagnosis trains, and what they cost. */
typedef struct dx_plan {
    long batches;             /* batches to train */
    double work;              /* their estimated multiply-adds (validation included) */
    double full_work;         /* ... of the whole training as the program states it */
    bool by_budget;           /* the work budget, not the program, sets the length */
} dx_plan;

/* The estimated work of model M (from its inferred shapes). */
void dx_work_model(const ir_model *m, dx_work *w);
/* Estimated work of the first BATCHES batches of a run over N_TRAIN samples
 * in batches of BATCH (<= N_TRAIN), N_VAL validation samples evaluated at the
 * end of each epoch begun. */
double dx_work_spent(const dx_work *w, int n_train, int n_val, int batch, long batches);
/* Plans a run of EPOCHS over N_TRAIN samples in batches of BATCH (<= N_TRAIN),
 * with N_VAL validation samples evaluated per epoch, within BUDGET
 * multiply-adds (0: no limit) but of at least MIN_BATCHES batches (or the
 * whole training when shorter). */
void dx_work_plan(const dx_work *w, int n_train, int n_val, int batch, int epochs,
                  double budget, long min_batches, dx_plan *plan);

/* ---- findings (diagnose_find.c) ---- */

/* Adds a finding of RULE with SCORE (0..1) and REPAIRS (bits of 1u <<
 * repair_class) to L; MESSAGE is a printf format.  Its place is set by one of
 * the dx_at_* calls below, its numbers by dx_evidence. */
suspect *dx_find(suspect_list *l, const char *rule, double score, unsigned repairs,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sets the evidence of S (printf format). */
void dx_evidence(suspect *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Points S at attribute ATTR of node N (its source span, else the node's). */
void dx_at_node(suspect *s, const ir_node *n, ir_nattr attr);
/* Points S at the whole node N ("layer": remove, move or insert around it). */
void dx_at_layer(suspect *s, const ir_node *n);
/* Points S at training attribute ATTR of P (its span, else the optimizer's or
 * the train block's). */
void dx_at_train(suspect *s, const ir_program *p, ir_tattr attr);
/* Points S at attribute ATTR of dataset D (its span, else the dataset's). */
void dx_at_data(suspect *s, const ir_dataset *d, ir_dattr attr);
/* Bit of repair class C, for dx_find's REPAIRS. */
#define DX_R(c) (1u << REPAIR_##c)

/* ---- dynamic symptoms (symptoms.c, symptoms_map.c) ---- */

/* Every symptom: X(id, name).  Names are the rule ids findings carry. */
#define DX_SYMPTOMS(X) \
    X(NAN_LOSS, "nan-loss") \
    X(EXPLODING_GRADIENT, "exploding-gradient") \
    X(VANISHING_GRADIENT, "vanishing-gradient") \
    X(DYING_RELU, "dying-relu") \
    X(SATURATED, "saturated-activation") \
    X(LOSS_FLAT, "loss-not-decreasing") \
    X(ACCURACY_FLAT, "accuracy-not-increasing") \
    X(AT_CHANCE, "accuracy-at-chance") \
    X(OSCILLATION, "oscillation") \
    X(SLOW_CONVERGENCE, "slow-convergence") \
    X(WEIGHTS_UNCHANGED, "weights-unchanged") \
    X(WEIGHTS_TOO_FAST, "weights-too-fast") \
    X(STILL_LEARNING, "still-learning") \
    X(PLATEAU, "plateau") \
    X(MODE_GAP, "train-eval-gap") \
    X(CLIPPING_ACTIVE, "clipping-active") \
    X(CLIPPING_SHRINKS, "clipping-shrinks")

#define DX_X_SYM_ENUM(id, name) DX_SYM_##id,
typedef enum { DX_SYMPTOMS(DX_X_SYM_ENUM) DX_SYM_COUNT } dx_symptom_id;
extern const char *const dx_symptom_names[];

/* One symptom seen in the training run. */
typedef struct dx_symptom {
    dx_symptom_id id;         /* which */
    int layer;                /* model node index where it shows (-1: the whole network) */
    double strength;          /* 0..1: how clearly it shows */
    double extent;            /* still-learning: training length a good result needs,
                                 in multiples of the run (0: not measured) */
    char evidence[200];       /* the numbers */
} dx_symptom;

typedef struct dx_symptom_list {
    dx_symptom *items;        /* in detection order */
    int n, cap;               /* count and capacity */
} dx_symptom_list;

void dx_symptom_list_free(dx_symptom_list *l);

/* One observation of the run (a monitor call): the window of batches before it. */
typedef struct dx_point {
    long step;                /* batches done */
    int epoch;                /* epoch it fell in */
    double loss;              /* mean batch loss over the window */
    double metric;            /* accuracy (or mae) over the window, NaN when unknown */
    long samples;             /* samples the window's metric covers */
} dx_point;

/* Per-layer statistics kept from one monitor call (see monitor.h). */
typedef struct dx_layer_point {
    double grad_norm;         /* kernel gradient L2 norm */
    double grad_zero;         /* fraction of exactly-zero kernel gradient entries */
    double weight_norm;       /* kernel L2 norm */
    double update_ratio;      /* kernel update norm / kernel norm */
    double act_dead;          /* fraction of outputs <= 0 */
    double act_dead_units;    /* fraction of units never > 0 */
    double act_saturated;     /* fraction of pre-activations beyond +-5 (+-2.5 hard_sigmoid) */
    double act_nonfinite;     /* fraction of non-finite outputs */
} dx_layer_point;

/* Everything the run recorded, and the run's outcome. */
typedef struct dx_trace {
    dx_point *points;         /* one per monitor call, in order */
    int n_points, cap_points; /* count and capacity */
    dx_layer_point *layers;   /* n_points x n_layers, row per point */
    int n_layers;             /* layers per point (model nodes minus the input) */
    int *node_of;             /* model node index of each layer column */
    ir_act *act_of;           /* activation of each layer column */
    bool *kernel_of;          /* whether each layer column has a kernel */
    double first_loss;        /* mean loss of the first batches */
    bool diverged;            /* a batch loss became NaN or infinite */
    long diverged_step;       /* the batch where it did */
    int epochs;               /* epochs completed */
    double *epoch_loss;       /* training loss of each completed epoch */
    double *epoch_metric;     /* training accuracy (or mae) of each completed epoch */
    long batches;             /* batches trained */
    double seconds;           /* training time */
    bool cut_short;           /* a limit ended the run */
    dx_limit limit;           /* which (DX_LIMIT_NONE: the program's own end) */
    double work;              /* estimated multiply-adds of the batches trained */
    double full_work;         /* ... of the program's whole training */
    bool classification;      /* metric is accuracy */
    double eval_metric;       /* the trained model's metric in evaluation mode on the
                                 first eval_samples training samples (NaN: not measured,
                                 as in a model with no layer that differs between modes) */
    long eval_samples;        /* samples eval_metric covers */
} dx_trace;

void dx_trace_free(dx_trace *t);

/* Trains P on DATA once (bounded by O) and records TRACE.  Returns 0, or -1
 * with ERR set when the program cannot train on the data. */
int dx_trace_run(const ir_program *p, const rt_data *data, const dx_options *o,
                 dx_trace *trace, char *err, size_t errsize);

/* Detects the symptoms in TRACE with thresholds TH; fills SUMMARY's view of
 * the run when it is not NULL. */
void dx_detect(const dx_trace *trace, const dx_facts *f, const dx_thresholds *th,
               dx_symptom_list *out, dx_run_summary *summary);

/* Turns symptoms into findings through the published symptom-to-fault
 * mappings.  EXPLAINED says a strong static finding already explains a poor
 * outcome: then outcome symptoms only corroborate, they add no new places. */
void dx_map_symptoms(const dx_symptom_list *syms, const dx_facts *f, bool explained,
                     suspect_list *found);

/* ---- ranking (rank.c) ---- */

/* Merges findings at the same place (strongest first, scores combined),
 * drops those below MIN_SCORE, sorts by score and numbers the ranks. */
void dx_rank(suspect_list *l, double min_score);

/* Score at or above which a static finding explains a poor outcome. */
#define DX_EXPLAINS 0.5

#endif
