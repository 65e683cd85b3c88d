/* pool.h: training many candidate programs at once.
 *
 * Repair trains hundreds of small programs.  The pool runs a batch of jobs on
 * every core: it forks `workers` worker processes (fewer for a smaller
 * batch), each training one job after another single-threaded
 * (rt_set_threads(1)) as the parent hands them out, the first free worker
 * taking the next job, and sending each outcome back through a pipe; the
 * workers exit when the batch is done.  The dataset is loaded once, in
 * the parent, before any fork, so every worker reads the same pages
 * copy-on-write: no worker loads or copies data.  A worker that crashes
 * yields a failed outcome, never a failed repair.  With workers = 0 the pool
 * trains in-process, one job after the other, each with all cores' threads
 * (the alternative that doc/REPAIR.md measures against).
 *
 * A job can stop early: FRACTION < 1 trains that share of the full
 * training's batches (the cheap, short trainings that screen candidates).
 * Only jobs that ask for it evaluate the test split: the search selects on
 * the validation split and never reads the test split.  A job can bring its
 * own data (a candidate whose preprocessing differs from the program's);
 * it too must be loaded before the pool forks.
 * With MONITOR set the worker also watches the run for AutoTrainer's
 * symptoms.
 */
#ifndef DNNC_POOL_H
#define DNNC_POOL_H

#include <signal.h>
#include <stdbool.h>

#include "data.h"
#include "ir.h"

/* AutoTrainer's training symptoms (bits of rp_outcome.symptoms). */
#define RP_SYMPTOMS(X) \
    X(VANISHING, vanishing_gradient) X(EXPLODING, exploding_gradient) \
    X(DYING_RELU, dying_relu) X(OSCILLATING, oscillating_loss) X(SLOW, slow_convergence)
#define RP_X_SYM(id, name) RP_SYM_##id,
typedef enum { RP_SYMPTOMS(RP_X_SYM) RP_SYM_COUNT } rp_symptom;
extern const char *const rp_symptom_names[];

/* One training to run. */
typedef struct rp_job {
    const ir_program *prog; /* the program (borrowed until the run returns) */
    const rt_data *data;    /* the data it trains on (NULL: the pool's) */
    long seed;              /* training seed (initialisers, shuffling, dropout) */
    double fraction;        /* share of the full training's batches, (0, 1] */
    double time_limit;      /* seconds of training at most (0: none) */
    bool monitor;           /* detect AutoTrainer's symptoms */
    bool test;              /* evaluate the test split afterwards (validation runs) */
} rp_job;

/* What one training gave. */
typedef struct rp_outcome {
    bool ok;                /* it trained (else err says why) */
    bool diverged;          /* the loss became NaN or infinite */
    bool classification;    /* metrics are accuracies (else mean absolute errors) */
    bool user_objective;    /* val_metric and test_metric are the program's objective, a user metric */
    bool higher_better;     /* val_metric and test_metric improve upwards (accuracy, or such a metric) */
    double val_metric;      /* validation accuracy or MAE (or the objective) after training */
    double val_loss;        /* validation loss */
    double test_metric;     /* test accuracy or MAE, or the objective (NAN without a test split) */
    double test_loss;       /* test loss */
    double seconds;         /* wall-clock seconds of the run */
    int epochs;             /* epochs run (a cut epoch counts) */
    long batches;           /* batches trained */
    long samples;           /* training samples processed */
    long planned;           /* batches the full training would have run */
    unsigned symptoms;      /* bit set of rp_symptom (monitored jobs) */
    char err[160];          /* why it did not train */
} rp_outcome;

typedef struct rp_pool {
    const rt_data *data;    /* the loaded dataset every job trains on */
    int workers;            /* worker processes at once (0: in-process, all threads) */
    int threads;            /* in-process mode: maths threads (0 = all cores) */
    long trainings;         /* trainings run so far */
    double busy_seconds;    /* sum of their wall-clock seconds */
    const volatile sig_atomic_t *stop; /* once non-zero, the trainings in flight are killed and the rest of
                                          the batch abandoned (their outcomes fail); NULL: never */
    void (*on_outcome)(void *ctx, int index, const rp_outcome *o); /* called as job INDEX's outcome
                                          arrives, not when the batch ends (NULL: none) */
    void *ctx;              /* on_outcome's first argument */
} rp_pool;

/* Runs jobs JOBS[0..N-1]; OUT[i] receives job i's outcome.  Outcomes that
 * arrive after *stop became non-zero are not passed to on_outcome. */
void rp_pool_run(rp_pool *pool, const rp_job *jobs, int n, rp_outcome *out);

/* Trains one job in this process (what a worker does) on the job's data,
 * else on DATA. */
void rp_train_job(const rt_data *data, const rp_job *job, int threads, rp_outcome *out);

/* Whether P's user objective improves upwards (its metric's better = higher). */
bool rp_objective_higher(const ir_program *p);

/* The number of cores available. */
int rp_cores(void);

#endif
