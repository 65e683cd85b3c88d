/* result.h: what a training run reports.
 *
 * Metrics follow Keras's History: per epoch, the training loss and metric are
 * sample-weighted means over that epoch's batches, taken in training mode as
 * the batches went by (so dropout is active and weights move), and the
 * validation twins are measured in evaluation mode after the epoch.  Losses
 * include the regularisation penalty, as Keras's do.  The metric is accuracy
 * for classification data and mean absolute error for regression data.
 * User metrics (functions of the metric role) are measured on whole splits,
 * validation after each epoch and test at the end, never on training batches.
 */
#ifndef DNNC_RT_RESULT_H
#define DNNC_RT_RESULT_H

#include <stdbool.h>

#include "ir.h"

/* User metrics a result holds at most: the train block's, and the objective. */
#define RT_MAX_USER_METRICS (IR_MAX_NAMES + 1)

/* One epoch of training. */
typedef struct rt_epoch {
    double loss;            /* training loss (mean over the epoch's samples) */
    double metric;          /* training accuracy or mae */
    double val_loss;        /* validation loss (NAN without a validation split) */
    double val_metric;      /* validation accuracy or mae (NAN likewise) */
    double val_user[RT_MAX_USER_METRICS]; /* validation user metrics (rt_result.user_names) */
    int batches;            /* batches trained (fewer when a limit cut it short) */
    double seconds;         /* wall-clock time of the epoch, validation included */
} rt_epoch;

typedef struct rt_result {
    bool classification;    /* metrics are accuracies (else mae) */
    bool has_val;           /* a validation split was evaluated */
    rt_epoch *epochs;       /* epochs run, in order */
    int n_epochs;           /* how many */
    bool has_test;          /* test_* are set (the data has a test split) */
    double test_loss;       /* loss on the test split */
    double test_metric;     /* accuracy or mae on the test split */
    int n_user;             /* user metrics, measured on the validation and test splits */
    const char *user_names[RT_MAX_USER_METRICS]; /* their names (borrowed from the program) */
    double test_user[RT_MAX_USER_METRICS]; /* their values on the test split */
    float *batch_loss;      /* training loss of every batch, in order */
    long n_batches;         /* batches trained in total */
    long samples;           /* training samples processed in total */
    double train_seconds;   /* wall-clock time of training (validation included) */
    double samples_per_second; /* samples / train_seconds */
    int best_epoch;         /* epoch with the lowest monitored loss, -1 if none */
    bool diverged;          /* a batch loss became NaN or infinite: training stopped */
    bool stopped_early;     /* early stopping's patience ran out */
    bool stopped_by_monitor;/* a monitor asked to stop */
    bool time_limit_hit;    /* the wall-clock limit stopped training */
    bool batch_limit_hit;   /* the batch limit stopped training */
} rt_result;

/* Frees what R owns and clears it. */
void rt_result_free(rt_result *r);

#endif
