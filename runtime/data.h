/* data.h: datasets in memory, ready for training.
 *
 * rt_data_load turns an ir_dataset into three splits (train, validation, test)
 * of float32 inputs and labels, preprocessed as the program asks (statistics
 * computed on the training split only).  A loaded dataset is read-only: every
 * training in a process that uses it shares one copy.
 *
 * Shapes: rt_data.shape is the data's natural shape, not the model's.  IDX
 * images of rank 3 (n, h, w) give [h, w]; rank 4 (n, h, w, c) gives [h, w, c];
 * rank 2 (n, f) gives [f].  CSV files and generators give [features].  A model
 * whose input layer says [28, 28, 1] or [784] for [28, 28] data is fine: only
 * the element count (in_size) has to match, and the training code checks it.
 *
 * Splits: the test split is an IDX folder's t10k files, else the `test`
 * fraction of all samples; `limit` (when > 0) keeps at most that many of the
 * remaining samples; the validation split is the `validation` fraction of
 * those, the rest is the training split.  All of it follows one seeded,
 * class-stratified shuffle, so every split holds the classes in proportion.
 * Preprocessing, in this order: scale (multiply), minmax (per feature to
 * [0, 1]), standardize (per feature to zero mean and unit variance, constant
 * features become 0).  "Per feature" means per element of the flattened
 * sample (per pixel for images).  Statistics come from the training split and
 * the same transform is applied to every split.
 */
#ifndef DNNC_DATA_H
#define DNNC_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/* One split of a dataset: a view into memory its rt_data owns. */
typedef struct rt_split {
    int n;          /* number of samples */
    float *x;       /* n * in_size inputs, sample-major; images are [h][w][c] */
    int *label;     /* classification: class index of each sample (else NULL) */
    float *target;  /* regression: n * target_size values (else NULL) */
} rt_split;

#define RT_DATA_OWNED 6   /* x, label, target of the pool and of a test file */

/* What the raw inputs looked like before preprocessing (training split). */
typedef struct rt_raw_stats {
    double min, max;             /* over all input values */
    double mean, stddev;         /* over all input values */
    double feature_range_ratio;  /* largest / smallest non-zero per-feature range
                                    (>= 1; 1 when fewer than two features vary) */
    bool integer_valued;         /* every value is an integer */
    int constant_features;       /* features with one value in every sample */
} rt_raw_stats;

/* A dataset split three ways, preprocessed. */
typedef struct rt_data {
    ir_shape shape;      /* one sample's input shape */
    int in_size;         /* floats per sample */
    int classes;         /* >= 2 for classification, 0 for regression */
    int target_size;     /* regression: values per sample (else 0) */
    rt_split train;      /* what the optimiser sees */
    rt_split val;        /* validation split (n = 0 when none) */
    rt_split test;       /* test split (n = 0 when none) */
    rt_raw_stats raw;    /* raw input statistics, for fault localisation */
    rt_raw_stats prep;   /* the same after preprocessing: what the model sees
                            (worked out through the preprocessing maps) */
    double target_min, target_max; /* regression targets' range (training split) */
    int *class_counts;   /* classification: training samples per class */
    char **class_names;  /* classification: each class's name (CSV labels as
                            written, else "0", "1", ...); NULL for regression */
    void *owned[RT_DATA_OWNED]; /* the blocks the splits point into (splits
                                   carved from one pool share its blocks) */
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
