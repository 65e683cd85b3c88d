/* train.h: training and evaluating a program on a loaded dataset.
 *
 * rt_train is the whole job: build the network of the program's train block,
 * train it with the program's recipe (options may override epochs and seed),
 * evaluate on the test split, and return the metrics.  For more control (load
 * weights, save them, evaluate only) use the steps: rt_net_for_program,
 * rt_train_net, rt_evaluate.
 *
 * Training follows Keras's fit: each epoch shuffles the training split with a
 * seeded generator and runs mini-batches (the last one may be smaller), then
 * evaluates the validation split.  Early stopping (patience > 0) watches
 * val_loss when there is a validation split, else loss, with Keras's
 * EarlyStopping rule (min_delta 0, weights not restored).  A non-finite batch
 * loss stops training (flag diverged).  For a given seed and thread count the
 * run is deterministic: same weights, same metrics.
 */
#ifndef DNNC_RT_TRAIN_H
#define DNNC_RT_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data.h"
#include "ir.h"
#include "monitor.h"
#include "net.h"
#include "result.h"

/* The most memory a network's batch-sized buffers may take. */
#define RT_MAX_ACTIVATION_GIB 8

typedef struct rt_train_options {
    int threads;            /* threads for the maths (0 = all cores) */
    int epochs;             /* replaces the program's epochs when >= 0 */
    long seed;              /* replaces the program's seed when >= 0 */
    bool progress;          /* progress bar on stderr when it is a terminal */
    FILE *log;              /* per-epoch lines (NULL = none) */
    double time_limit;      /* stop after this many seconds of training (0 = none) */
    long max_batches;       /* stop after this many batches in total (0 = none) */
    const rt_monitor *monitor; /* training monitor (NULL = none) */
} rt_train_options;

/* Options with no overrides, no output, no limits, no monitor. */
void rt_train_options_default(rt_train_options *o);

/* The seed a run uses: the override when >= 0, else the program's. */
uint64_t rt_effective_seed(const ir_program *p, const rt_train_options *o);

/* The threads --threads N means: N, or all cores for 0 (see
 * rt_net_set_threads for how a network uses them). */
int rt_thread_count(int threads);

/* Sets OpenBLAS's thread count to rt_thread_count(THREADS) and returns it
 * (training sets it per network anyway; for callers outside a training). */
int rt_set_threads(int threads);

/* Builds the network of P's train block for data D (input and output widths
 * checked against the data) with parameters initialised from SEED.  Returns
 * NULL with a message in ERR on error. */
rt_net *rt_net_for_program(const ir_program *p, const rt_data *d, uint64_t seed,
                           char *err, size_t errsize);

/* Trains NET with P's recipe on D; fills RES (caller frees with
 * rt_result_free).  Returns 0, or -1 with ERR set (nothing trained). */
int rt_train_net(rt_net *net, const ir_program *p, const rt_data *d,
                 const rt_train_options *o, rt_result *res, char *err, size_t errsize);

/* Loss and metric of NET on split S of D in evaluation mode (mean over the
 * split's samples, regularisation penalty included, as Keras's evaluate).
 * Returns 0, or -1 with ERR set when the data does not fit the model. */
int rt_evaluate(rt_net *net, const rt_data *d, const rt_split *s, double *loss_out,
                double *metric_out, char *err, size_t errsize);

/* Build, train, test: the whole run.  Returns 0, or -1 with ERR set. */
int rt_train(const ir_program *p, const rt_data *d, const rt_train_options *o,
             rt_result *res, char *err, size_t errsize);

#endif
