/* diagnose.h: fault localisation, the library behind `dnnc --diagnose`.
 *
 * dx_diagnose looks at a checked program (and its loaded data, when there is
 * one) in two ways and returns one ranked suspect_list (suspect.h):
 *
 *   - static rules, each a pass of the pass table (pass.h), over the IR and
 *     the data's raw statistics: output activation against loss and labels,
 *     initialisers, learning rate, batch, epochs, preprocessing, structure;
 *   - dynamic symptoms, from one short training run watched through the
 *     runtime's monitor hook: vanishing and exploding gradients, dying ReLU,
 *     saturation, NaN loss, loss not decreasing, oscillation, slow
 *     convergence, accuracy at chance, weights not changing or changing too
 *     fast.  A table of published symptom-to-fault mappings turns each
 *     symptom into the IR attributes it implicates;
 *   - probes (probe.h): one short training per editable place of the
 *     program, within a work budget, kept when it measurably helps.
 *
 * Ranking (rank.c) merges findings that point at the same attribute and
 * orders them by score.  Repair calls dx_diagnose in-process with the data it
 * has already loaded; `dnnc --diagnose` (mode_diagnose.c) prints the list.
 * Every threshold is a field of dx_thresholds, with the published defaults
 * (see symptoms.c and doc/DIAGNOSIS.md for the sources).
 */
#ifndef DNNC_DIAGNOSE_H
#define DNNC_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "ir.h"
#include "probe.h"
#include "suspect.h"

/* Detection conditions of the dynamic symptoms (defaults: dx_options_default). */
typedef struct dx_thresholds {
    double vanish_ratio;    /* first/last kernel gradient norm below this (AutoTrainer beta_1 1e-3) */
    double vanish_norm;     /* ... and first kernel gradient norm below this (beta_2 1e-4) */
    double explode_ratio;   /* first/last kernel gradient norm above this (beta_3 70) */
    double dead_grad;       /* fraction of exactly-zero kernel gradients (gamma 0.7) */
    double dead_output;     /* fraction of ReLU outputs <= 0 (DeepDiagnosis 0.7) */
    double saturated;       /* fraction of pre-activations beyond +-5 (DeepDiagnosis 0.5) */
    double osc_amplitude;   /* smallest max-min swing that counts (AutoTrainer zeta 0.03) */
    double osc_rate;        /* swings per checkpoint that make oscillation (eta 0.2) */
    double slow_gain;       /* best checkpoint-to-checkpoint accuracy gain (delta 0.01) */
    double satisfied;       /* share of the way from chance to 1 that counts as trained (0.7) */
    double loss_decrease;   /* relative loss decrease below which loss is "not decreasing" */
    double chance_margin;   /* accuracy within this of the majority class is "at chance" */
    double update_low;      /* kernel update / kernel norm per step below this: unchanged */
    double update_high;     /* ... above this: changing too fast */
} dx_thresholds;

/* How to diagnose.  The training run's length comes from the program: its
 * own epochs, cut where the estimated work reaches work_budget
 * (diagnose_work.c), so the same program, data, seed and thread count give
 * the same run however fast or busy the machine is.  The time limit is only a safety net for programs whose work
 * the estimate misjudges; when it fires the report says so, because then the
 * result depends on the machine's speed. */
typedef struct dx_options {
    bool static_only;       /* skip the training run */
    int epochs;             /* epochs of the training run (-1: the program's) */
    long seed;              /* seed of the training run (-1: the program's) */
    int threads;            /* maths threads (0: all cores; results are reproducible per count) */
    double work_budget;     /* estimated multiply-adds the training run may do (0: no limit) */
    double time_limit;      /* safety net: seconds the training run may take (0: no limit) */
    long max_batches;       /* batches it may take (0: no limit) */
    int checkpoints;        /* monitor calls spread over the run (>= 2) */
    double min_score;       /* suspects scoring below this are dropped */
    double probe_budget;    /* estimated multiply-adds the probes may do (0: no probing) */
    const dx_trainer *trainer; /* how probes train (NULL: in-process on the data) */
    dx_thresholds th;       /* symptom detection conditions */
} dx_options;

/* One symptom the training run showed (before mapping to places). */
typedef struct dx_symptom_seen {
    char name[32];          /* symptom id ("dying-relu") */
    char layer[128];        /* layer where it shows, "" for the whole network */
    double strength;        /* 0..1 */
    char evidence[200];     /* the numbers */
} dx_symptom_seen;

#define DX_MAX_SEEN 16

/* What ended the training run before the end of the program's training. */
#define DX_LIMITS(X) \
    X(NONE, "none") X(WORK, "work") X(BATCHES, "batches") X(TIME, "time")
#define DX_X_LIMIT_ENUM(id, name) DX_LIMIT_##id,
typedef enum { DX_LIMITS(DX_X_LIMIT_ENUM) DX_LIMIT_COUNT } dx_limit;
extern const char *const dx_limit_names[];

/* What the training run saw, for reports (all zero when it did not run). */
typedef struct dx_run_summary {
    bool ran;               /* a training run happened */
    bool classification;    /* metric is accuracy (else mae) */
    int epochs;             /* epochs completed */
    long batches;           /* batches trained */
    double seconds;         /* wall-clock time of training (not in reports: not reproducible) */
    double work;            /* estimated multiply-adds of the batches trained */
    double full_work;       /* ... of the program's whole training (epochs as overridden) */
    double first_loss;      /* mean loss of the first batches */
    double last_loss;       /* mean loss of the last checkpoint window */
    double last_metric;     /* accuracy (or mae) of the last checkpoint window */
    double chance;          /* majority-class accuracy (classification) */
    bool diverged;          /* the loss became NaN or infinite */
    bool cut_short;         /* a limit ended it (limit says which) */
    dx_limit limit;         /* the limit that ended it, DX_LIMIT_NONE when none did */
    int symptoms;           /* symptoms detected */
    dx_symptom_seen seen[DX_MAX_SEEN]; /* the first of them, in detection order */
    char note[320];         /* why it did not run, or "" */
    dx_probe_summary probing; /* what the probing stage did */
} dx_run_summary;

/* Default work budget of the training run, in estimated multiply-adds: a few
 * seconds of the optimised build for a small convolutional network (see
 * doc/DIAGNOSIS.md for the measurement). */
#define DX_WORK_BUDGET 1e11
/* Default work budget of the probing stage, in the same unit. */
#define DX_PROBE_BUDGET 2e11

/* The defaults every threshold and limit starts from. */
void dx_options_default(dx_options *o);

/* Diagnoses P trained on DATA (NULL when the data could not be loaded: rules
 * that need data and the training run are skipped).  Fills OUT (ranked, best
 * first; caller frees with suspect_list_free) and, when not NULL, SUMMARY.
 * Returns 0, or -1 with a message in ERR (an internal error). */
int dx_diagnose(const ir_program *p, const rt_data *data, const dx_options *o,
                suspect_list *out, dx_run_summary *summary, char *err, size_t errsize);

#endif
