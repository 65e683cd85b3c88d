/* repair.h: a repair session: budget, baseline, evaluation and validation.
 *
 * A session holds what every search strategy shares: the faulty program and
 * its loaded data, the worker pool, the budget, the faulty program's own
 * baseline runs, the suspect ranking, and the log of every candidate
 * trained.  Strategies (search.h) call rp_evaluate to train candidates and
 * rp_search_may_train to know when to stop; the common phases after the
 * search (validation, minimisation, report) are in repair.c, minimize.c and
 * repair_report.c.
 *
 * The budget's clock is not the wall clock: every training is charged the
 * cost repair_cost.h works out for it from the program and the data alone,
 * and a batch of trainings its makespan on the workers, so the same program
 * and seed give the same decisions, and the same fixes, on an idle and on a
 * loaded machine.  The unit of "20x" is that cost of one training of the
 * faulty program (test evaluation included); the report gives the measured
 * wall-clock times too.
 *
 * Seeds: the baseline and every validation train with seeds seed+1 ..
 * seed+R; the search (screening and confirmation) with seeds after those, so
 * the runs that validate a fix are never the runs that selected it.
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
#include "pool.h"
#include "repair_cost.h"
#include "rewrite.h"
#include "suspect.h"

#define RP_WORST (-1e30)
/* The most --runs repair keeps per program (it compares arrays of runs). */
#define RP_MAX_RUNS 64
/* The workers the budget's clock plans and charges every batch of
 * trainings on, and the search sizes its batches for, whatever --jobs
 * runs: so the same seed takes the same decisions, and gives the same
 * fixes, with any number of workers (and on any machine).  Two, the
 * machine the cost model was fitted on and the results of doc/REPAIR.md
 * were measured with. */
#define RP_VIRTUAL_WORKERS 2
/* Share of the training data held out for validation when the program has none. */
#define RP_CARVED_VALIDATION 0.15

/* Which budget rules. */
typedef enum {
    RP_BUDGET_TIMES,    /* multiples of the faulty program's mean training time */
    RP_BUDGET_SECONDS,  /* seconds: model seconds, and the wall clock as well */
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
    double seconds;                 /* mean measured wall-clock seconds per run */
    int failed;                     /* runs that did not train or diverged */
    int cut;                        /* runs that stopped before their planned batches */
    char error[256];                /* why the first run that did not train failed ("" if none) */
} rp_runs;

/* One candidate trained during the search. */
typedef struct rp_trial {
    rp_changes changes;     /* what it changes in the faulty program */
    double fraction;        /* share of its full training it was given */
    double score;           /* mean validation score over its seeds */
    int seeds;              /* runs averaged (search seeds 0 .. seeds-1) */
    double cost;            /* model seconds of one full training with the test split */
    double found_at;        /* budget clock (model seconds) when it finished */
} rp_trial;

/* A validated fix. */
typedef struct rp_fix {
    rp_changes changes;     /* minimised changes */
    int attrs_before_min;   /* changes before minimisation */
    rp_runs runs;           /* its validation runs */
    double p, a12;          /* test split (else validation): MWU p and A12 vs the baseline */
    double p_val;           /* the same p on the validation split */
    double improvement;     /* mean metric gain, in "higher is better" terms */
    double rate;            /* improvement rate against the reference (NAN: none given) */
    double found_at;        /* budget clock (model seconds) when the search trained it */
    double validated_at;    /* ... when it was validated */
    double validated_wall;  /* wall-clock seconds since the repair began, when validated */
} rp_fix;

/* A dataset the repair loaded for candidates whose dataset attributes
 * (preprocessing) differ from the faulty program's (repair_data.c). */
typedef struct rp_variant {
    char *key;              /* the dataset's attributes, as the IR prints them */
    rt_data *data;          /* loaded as `dnnc --train` loads it for such a program */
} rp_variant;

typedef struct rp_session {
    const ir_program *prog;     /* the faulty program */
    rt_data *data;              /* its data, loaded once */
    rp_sizes sizes;             /* the data's split sizes */
    bool carved_validation;     /* repair carved the validation split itself */
    bool has_test;              /* the data has a test split */
    rp_facts facts;             /* what the passes know about the data */
    rp_pool pool;               /* trainings */
    suspect_list suspects;      /* ranked suspects */
    rp_runs baseline;           /* R runs of the faulty program */
    rp_runs reference;          /* R runs of the --reference program (n = 0: none) */
    double reference_seconds;   /* measured seconds they took (left out of rp_elapsed) */
    double t0;                  /* wall-clock start (rt_now) */
    double load_seconds;        /* measured seconds loading the data took (not charged) */
    rp_budget budget;           /* as given */
    double unit;                /* model seconds of one training of the faulty program: the unit of "20x" */
    double clock;               /* model seconds charged so far */
    double total;               /* model seconds the budget allows (INFINITY for --trials) */
    long search_trainings;      /* trainings of the search phase */
    rp_trial *log;              /* every candidate trained, in order */
    int n_log, cap_log;         /* its length and capacity */
    double best_score;          /* best full-training validation score so far */
    int runs;                   /* R */
    long seed;                  /* validation runs use seeds seed+1 .. seed+R */
    rp_variant *variants;       /* datasets loaded for candidates */
    int n_variants;             /* how many */
    FILE *cost_log;             /* calibration lines (DNNC_REPAIR_COST_LOG), or NULL */
    const char *phase;          /* for the progress line */
    bool progress;              /* print progress on stderr */
    bool monitor_jobs;          /* rp_evaluate watches for AutoTrainer's symptoms */
    struct rp_journal *journal; /* finished trainings recorded, and replayed on --resume (NULL: none) */
    long replayed;              /* trainings answered from the journal instead of trained */
} rp_session;

/* Parses "20x", "300s" or "--trials N"; false with ERR on a bad value. */
bool rp_budget_parse(const char *text, int trials, rp_budget *b, char *err, size_t errsize);

/* The signal (SIGINT, SIGTERM) that stopped the repair, else 0: once
 * stopped, the budget left is -infinity and nothing new is trained. */
int rp_stopped(const rp_session *s);

/* Wall-clock seconds since the repair began, the --reference runs left out
 * (for reports only). */
double rp_elapsed(const rp_session *s);
/* Workers the pool runs at once (1 in-process): --jobs, for the report;
 * the clock plans on RP_VIRTUAL_WORKERS. */
int rp_workers(const rp_session *s);
/* Model seconds of budget left (can be negative); a large number for --trials. */
double rp_budget_left(const rp_session *s);
/* Model seconds of training CANDS[0..N-1] at FRACTION, SEEDS runs each, on
 * the workers (their makespan), loading their data included. */
double rp_plan_cost(const rp_session *s, const rp_changes *cands, int n, double fraction, int seeds);
/* Model seconds of validating CHANGES: R full runs with the test split. */
double rp_validation_cost(const rp_session *s, const rp_changes *changes);
/* Whether the search may spend COST more model seconds and keep RESERVE
 * (for --trials: whether N more search trainings are allowed). */
bool rp_search_may_train(const rp_session *s, int n, double cost, double reserve);
/* The distinct full-length candidates of the log whose score beats the
 * baseline's mean, best first, into OUT[0..CAP-1]; returns how many.  A
 * candidate's score is that of its trial with the most seeds behind it. */
int rp_candidates(const rp_session *s, const rp_trial **out, int cap);
/* Top candidates the confirmation phase retrains on two more seeds, and
 * validations the search keeps budget for. */
#define RP_CONFIRM_KEEP 3
#define RP_VALIDATE_KEEP 2
/* What the search keeps for what follows it: confirming the best
 * RP_CONFIRM_KEEP full-length candidates and validating the best
 * RP_VALIDATE_KEEP of them (a fix that fails validation gets a second
 * chance), or as many of those validations as fit the budget at all; a
 * candidate whose validation no longer fits the budget left is passed over
 * for the next (validation skips it too); with no candidate yet, or none
 * that fits, validating a fix that costs what the faulty program costs. */
double rp_search_reserve(const rp_session *s);
/* Whether the search may train CANDS[0..N-1] at FRACTION (one seed each)
 * and keep its reserve. */
bool rp_search_affords(const rp_session *s, const rp_changes *cands, int n, double fraction);
/* Whether the search may still train the faulty program at FRACTION and
 * keep its reserve: the loop condition of the strategies. */
bool rp_search_goes_on(const rp_session *s, double fraction);

/* The seed-to-seed spread of the faulty program's validation score: the
 * sample sd of its baseline runs that trained. */
double rp_baseline_noise(const rp_session *s);

/* Higher-is-better metric of an outcome on the validation split. */
double rp_metric_score(const rp_outcome *o);
/* The same with the validation loss as a tie-breaker (for ranking candidates). */
double rp_score(const rp_outcome *o);

/* Trains candidates CANDS[0..N-1] (change lists against the faulty program)
 * at FRACTION of their training, with search seeds SEED0 .. SEED0+SEEDS-1;
 * SCORES[i] gets each mean validation score (RP_WORST when it did not
 * train).  Logs the trials.  Returns false when the budget ran out before
 * anything was trained. */
bool rp_evaluate(rp_session *s, const rp_changes *cands, int n, double fraction, int seed0, int seeds,
                 double *scores, rp_outcome *first_outcome);

/* Runs JOBS on the pool and charges their cost to the budget's clock.  A
 * job the journal holds is answered from it (and charged the same), every
 * other is recorded in it as it finishes.  When the repair is stopped
 * meanwhile, the outcomes are not to be used and nothing is charged. */
void rp_run_jobs(rp_session *s, const rp_job *jobs, int n, rp_outcome *out);

/* Trains CHANGES R times at full length into RUNS (seeds seed+1..seed+R). */
void rp_run_seeds(rp_session *s, const rp_changes *changes, rp_runs *runs);
/* The same for another program P (the --reference program). */
void rp_run_program(rp_session *s, const ir_program *p, rp_runs *runs);

/* Compares RUNS with the baseline: fills p, a12, p_val, improvement.
 * Returns true when significant (p < 0.05 and mean improvement > 0 on both
 * splits). */
bool rp_compare(const rp_session *s, const rp_runs *runs, rp_fix *fix);

/* Prints the progress line (phase, trainings, best, budget left). */
void rp_progress(rp_session *s);

/* Whether suspect SP points at the place change C touches. */
bool rp_suspect_points_at(const suspect *sp, const rp_change *c);
/* The reason suspects give for an edit of class CLS at change C, appended
 * to REASON; returns the boost to its prior (1: no suspect). */
double rp_suspect_boost(const rp_session *s, const rp_change *c, repair_class cls, char *reason, size_t size);

/* Whether a change list is in the log already at FRACTION or more. */
const rp_trial *rp_log_find(const rp_session *s, const rp_changes *l, double fraction);

/* Change lists equal as sets (order aside). */
bool rp_changes_same(const rp_changes *a, const rp_changes *b);

/* ---- the --reference program (repair_reference.c) ---- */

/* Loads the --reference program at PATH: it must compile and train on the
 * faulty program's data.  NULL with ERR set otherwise. */
ir_program *rp_load_reference(const rp_session *s, const char *path, char *err, size_t errsize);

/* ---- data of candidates (repair_data.c) ---- */

/* The data P trains on: the session's, or, when P's dataset attributes
 * differ from the faulty program's, a load of its own (made once, charged to
 * the budget's clock). */
const rt_data *rp_data_for(rp_session *s, const ir_program *p);
/* Whether P needs a load of its own that is not made yet. */
bool rp_data_pending(const rp_session *s, const ir_program *p);
/* Frees the loads rp_data_for made. */
void rp_data_free_variants(rp_session *s);

#endif
