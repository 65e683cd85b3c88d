/* repair_cost.h: what a training costs, the clock of the repair budget.
 *
 * Repair must take the same decisions on an idle and on a busy machine, so
 * its budget is not read off the wall clock: every training the repair runs
 * is charged a cost worked out from the program and the data's size alone,
 * in "model seconds" (the seconds the training takes on the machine the
 * constants were fitted on, with every worker busy).  The cost is a linear
 * model over a few features of the run (rp_cost_feature): a fixed cost per
 * training (fork, building the network), per parameter (initialisation), per
 * batch, per parameter and optimiser array per batch (the step) and per
 * square root or division the step takes per parameter, the
 * multiply-adds of dense and convolutional products (three per training
 * sample: forward, input and kernel gradients; one per evaluated sample),
 * element-wise work (pooling, batchnorm, biases, piecewise-linear
 * activations, copying the inputs), activations that call exp, log or tanh
 * per value, and dropout's random numbers.  Loading a dataset again (a candidate with other preprocessing)
 * is charged per value loaded.
 *
 * The constants come from `bench/repair_cost_fit.py` over the log that
 * DNNC_REPAIR_COST_LOG=FILE makes repair write (one line per training: the
 * features and the measured seconds); doc/REPAIR.md gives the command and
 * the fit's accuracy.  A batch of trainings on W workers is charged its
 * makespan: each worker the batch needs is forked (a fixed cost, also
 * fitted), then each training starts, in order, on the first worker free,
 * as the pool starts them.  Trained in-process (no workers), a batch costs
 * the sum of its trainings.
 */
#ifndef DNNC_REPAIR_COST_H
#define DNNC_REPAIR_COST_H

#include <stdbool.h>
#include <stdio.h>

#include "data.h"
#include "ir.h"

/* The features of one training, in the order of the fitted constants. */
#define RP_COST_FEATURES(X) \
    X(JOB, job) X(PARAMS, params) X(STEPS, steps) X(EVAL_CHUNKS, eval_chunks) \
    X(STEP_PARAMS, step_params) X(STEP_ROOTS, step_roots) X(DENSE, dense_macs) X(CONV, conv_macs) \
    X(ELEMS, elems) X(TRANSCENDENTAL, transcendental) X(DROPOUT, dropout)
#define RP_X_COST_FEATURE(id, name) RP_COST_##id,
typedef enum { RP_COST_FEATURES(RP_X_COST_FEATURE) RP_COST_N } rp_cost_feature;
extern const char *const rp_cost_feature_names[];

/* What one sample and one step of a program cost, from its IR. */
typedef struct rp_work {
    double dense_macs;      /* forward multiply-adds of the dense products, per sample */
    double conv_macs;       /* ... of the conv2d products, per sample */
    double elems;           /* weighted element-wise operations of a forward pass, per sample */
    double transcendental;  /* activation values computed with exp, log or tanh, per sample */
    double params;          /* trainable parameters */
    double step_arrays;     /* parameter-sized arrays one optimiser step reads or writes */
    double step_roots;      /* square roots and divisions one optimiser step takes per parameter */
    double dropout;         /* values dropout masks per training sample */
    int batch;              /* the recipe's batch size */
    int epochs;             /* the recipe's epochs */
} rp_work;

/* The sizes of the data a training runs on. */
typedef struct rp_sizes {
    long train, val, test;  /* samples of each split */
} rp_sizes;

/* The work of P's train model and recipe. */
void rp_work_of(const ir_program *p, rp_work *w);
/* The split sizes of D. */
rp_sizes rp_sizes_of(const rt_data *d);

/* Features of a training of W on data of SIZES that trained SAMPLES samples
 * in BATCHES batches over EPOCHS epochs begun (each evaluates the validation
 * split), then evaluated the test split when TEST. */
void rp_cost_features(const rp_work *w, rp_sizes sizes, long samples, long batches, int epochs, bool test,
                      double f[RP_COST_N]);
/* Model seconds of features F. */
double rp_cost_of_features(const double f[RP_COST_N]);

/* Model seconds of a training of P on data of SIZES at FRACTION of its
 * batches (as the pool cuts them), evaluating the test split when TEST. */
double rp_cost_planned(const ir_program *p, rp_sizes sizes, double fraction, bool test);
/* Model seconds of the first BATCHES batches of a training of P. */
double rp_cost_batches(const ir_program *p, rp_sizes sizes, long batches, bool test);
/* Model seconds of loading a dataset of SIZES with inputs of IN_SIZE values. */
double rp_cost_load(rp_sizes sizes, int in_size);

/* Model seconds N trainings of COSTS[i] take on WORKERS forked workers
 * (0: in-process, one after the other), started in order on the first free
 * worker. */
double rp_cost_makespan(const double *costs, int n, int workers);

/* Appends one calibration line to LOG: the features F and the measured SECONDS. */
void rp_cost_log(FILE *log, const double f[RP_COST_N], double seconds);
/* Appends the calibration line of a batch of N jobs on WORKERS workers that
 * took WALL seconds (the fork cost is fitted from these). */
void rp_cost_log_batch(FILE *log, int n, int workers, double wall);

#endif
