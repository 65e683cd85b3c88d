/* data.h: datasets in memory, ready for training.
 *
 * rt_data_load turns an ir_dataset into three splits (train, validation, test)
 * of float32 inputs and labels, preprocessed as the program asks (statistics
 * computed on the training split only).  A loaded dataset is read-only: every
 * training in a process that uses it shares one copy.
 */
#ifndef DNNC_DATA_H
#define DNNC_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/* One split of a dataset. */
typedef struct rt_split {
    int n;          /* number of samples */
    float *x;       /* n * in_size inputs, sample-major; images are [h][w][c] */
    int *label;     /* classification: class index of each sample (else NULL) */
    float *target;  /* regression: n * target_size values (else NULL) */
} rt_split;

/* What the raw inputs looked like before preprocessing (training split). */
typedef struct rt_raw_stats {
    double min, max;             /* over all input values */
    double mean, stddev;         /* over all input values */
    double feature_range_ratio;  /* largest / smallest per-feature range (>= 1) */
    bool integer_valued;         /* every value is an integer */
} rt_raw_stats;

typedef struct rt_data {
    ir_shape shape;      /* one sample's input shape */
    int in_size;         /* floats per sample */
    int classes;         /* >= 2 for classification, 0 for regression */
    int target_size;     /* regression: values per sample (else 0) */
    rt_split train;      /* what the optimiser sees */
    rt_split val;        /* validation split (n = 0 when none) */
    rt_split test;       /* test split (n = 0 when none) */
    rt_raw_stats raw;    /* raw input statistics, for fault localisation */
    double target_min, target_max; /* regression targets' range (training split) */
    int *class_counts;   /* classification: training samples per class */
} rt_data;

/* Loads and preprocesses dataset D of program P.  Relative paths are taken from
 * P->dir.  SEED drives generators and the splits.  VALIDATION_OVERRIDE >= 0
 * replaces the program's validation fraction (repair carves one out when the
 * program has none).  On failure returns NULL and writes a message naming the
 * file and what was expected into ERR. */
rt_data *rt_data_load(const ir_program *p, const ir_dataset *d, uint64_t seed,
                      double validation_override, char *err, size_t errsize);
void rt_data_free(rt_data *data);

#endif
