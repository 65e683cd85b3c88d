/* repair.h: a repair session: budget, baseline, evaluation and validation.
 *
 * A session holds what every search strategy shares: the faulty program and
 * its loaded data, the worker pool, the budget, the faulty program's own
 * baseline runs, the suspect ranking, and the log of every candidate
 * trained.  Strategies (search.h) call rp_evaluate to train candidates and
 * rp_budget_left to know when to stop; the common phases after the search
 * (validation, minimisation, report) are in repair.c, minimize.c and
 * repair_report.c.
 *
 * Scores: every figure is turned into "higher is better" (accuracy, or the
 * negated mean absolute error for regression); a run that failed or
 * diverged scores RP_WORST.  Candidates are compared on the validation
 * split; the test split is read only to report the validated fixes.
 */
#ifndef DNNC_REPAIR_H
#define DNNC_REPAIR_H

#include <stdbool.h>
#include <stdio.h>

#include "change.h"
#include "data.h"
#include "driver.h"
#include "pool.h"
#include "rewrite.h"
#include "suspect.h"

#define RP_WORST (-1e30)
#define RP_MAX_RUNS 64

/* Which budget rules. */
typedef enum {
    RP_BUDGET_TIMES,    /* multiples of the faulty program's mean training time */
    RP_BUDGET_SECONDS,  /* wall-clock seconds */
    RP_BUDGET_TRIALS    /* number of search trainings (validation comes on top) */
} rp_budget_kind;

/* A parsed --budget / --trials. */
typedef struct rp_budget {
    rp_budget_kind kind;    /* what the amount counts */
    double amount;          /* multiples, seconds or trainings */
} rp_budget;

/* Scores of R seeded runs of one program. */
typedef struct rp_runs {
    int n;                          /* runs */
    double val[RP_MAX_RUNS];        /* validation scores (higher is better) */
    double test[RP_MAX_RUNS];       /* test metrics as reported (accuracy or MAE) */
    double seconds;                 /* mean wall-clock seconds per run */
    int failed;                     /* runs that did not train or diverged */
    int cut;                        /* runs that stopped before their planned batches */
} rp_runs;

/* One candidate trained during the search. */
typedef struct rp_trial {
    rp_changes changes;     /* what it changes in the faulty program */
    double fraction;        /* share of its full training it was given */
    double score;           /* mean validation score over its seeds */
    int seeds;              /* runs averaged */
    double seconds;         /* mean seconds per run */
    double found_at;        /* seconds since the repair began, when it finished */
} rp_trial;

/* A validated fix. */
typedef struct rp_fix {
    rp_changes changes;     /* minimised changes */
    int attrs_before_min;   /* changes before minimisation */
    rp_runs runs;           /* its validation runs */
    double p, a12;          /* test split (else validation): MWU p and A12 vs the baseline */
    double p_val;           /* the same p on the validation split */
    double improvement;     /* mean metric gain, in "higher is better" terms */
    double found_at;        /* seconds since the repair began, when the search trained it */
    double validated_at;    /* ... when it was validated */
} rp_fix;

typedef struct rp_session {
    const ir_program *prog;     /* the faulty program */
    const dnnc_source *src;     /* its source text */
    const dnnc_options *opt;    /* command line */
    rt_data *data;              /* its data, loaded once */
    bool carved_validation;     /* repair carved the validation split itself */
    bool has_test;              /* the data has a test split */
    rp_facts facts;             /* what the passes know about the data */
    rp_pool pool;               /* trainings */
    suspect_list suspects;      /* ranked suspects */
    rp_runs baseline;           /* R runs of the faulty program */
    double t0;                  /* start time (rt_now) */
    rp_budget budget;           /* as given */
    double unit;                /* seconds of one faulty training (the budget's unit) */
    double overhead;            /* measured seconds a round of trainings adds to the trainings
                                   themselves (forks, pipes, program checks) */
    double deadline;            /* seconds since t0 when the budget is spent */
    long search_trainings;      /* trainings of the search phase */
    rp_trial *log;              /* every candidate trained, in order */
    int n_log, cap_log;
    double best_score;          /* best full-training validation score so far */
    int runs;                   /* R */
    long seed;                  /* first training seed */
    const char *phase;          /* for the progress line */
    bool progress;              /* print progress on stderr */
    bool monitor_jobs;          /* rp_evaluate watches for AutoTrainer's symptoms */
} rp_session;

/* Parses "20x", "300s" or "--trials N"; false with ERR on a bad value. */
bool rp_budget_parse(const char *text, int trials, rp_budget *b, char *err, size_t errsize);

/* Seconds since the repair began. */
double rp_elapsed(const rp_session *s);
/* Seconds of budget left (can be negative); for --trials, a large number. */
double rp_budget_left(const rp_session *s);
/* Whether the search may train N more candidates of about SECONDS each
 * while keeping RESERVE seconds for validation. */
bool rp_search_may_train(const rp_session *s, int n, double seconds, double reserve);
/* Seconds the validation of K fixes will take (R runs each, on all workers),
 * with a safety margin. */
double rp_validation_reserve(const rp_session *s, int k);

/* Higher-is-better metric of an outcome on the validation split. */
double rp_metric_score(const rp_outcome *o);
/* The same with the validation loss as a tie-breaker (for ranking candidates). */
double rp_score(const rp_outcome *o);

/* Trains candidates CANDS[0..N-1] (change lists against the faulty program)
 * at FRACTION of their training, SEEDS runs each; SCORES[i] gets each mean
 * validation score (RP_WORST when it did not train).  Logs the trials.
 * Returns false when the budget ran out before anything was trained. */
bool rp_evaluate(rp_session *s, const rp_changes *cands, int n, double fraction, int seeds,
                 double *scores, rp_outcome *first_outcome);

/* Runs JOBS on the pool and updates the measured per-round overhead. */
void rp_run_jobs(rp_session *s, const rp_job *jobs, int n, rp_outcome *out);

/* Trains CHANGES R times at full length into RUNS (seeds seed+1..seed+R). */
void rp_run_seeds(rp_session *s, const rp_changes *changes, rp_runs *runs);

/* Compares RUNS with the baseline: fills p, a12, p_val, improvement.
 * Returns true when significant (p < 0.05 and mean improvement > 0 on both
 * splits). */
bool rp_compare(const rp_session *s, const rp_runs *runs, rp_fix *fix);

/* Prints the progress line (phase, trainings, best, budget left). */
void rp_progress(rp_session *s);

/* The reason suspects give for an edit of class CLS at change C, appended
 * to REASON; returns the boost to its prior (1: no suspect). */
double rp_suspect_boost(const rp_session *s, const rp_change *c, repair_class cls, char *reason, size_t size);

/* Whether a change list is in the log already at FRACTION or more. */
const rp_trial *rp_log_find(const rp_session *s, const rp_changes *l, double fraction);

/* Change lists equal as sets (order aside). */
bool rp_changes_same(const rp_changes *a, const rp_changes *b);

#endif
