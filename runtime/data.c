/* data.c: rt_data_load: load a dataset, split it, preprocess it (see data.h).
 *
 * A loader (idx.c, csv.c, generate.c) puts every sample into the train split,
 * and an IDX folder's own test files into the test split.  This file then
 * carves the test split (unless the loader made one) and the validation split
 * from a seeded shuffle of those samples, stratified by class: each sample's
 * key is its position within its own class in the shuffled order, as a
 * fraction of the class, and samples are taken in key order, so any prefix
 * holds every class in proportion.
 *
 * Preprocessing statistics are measured once, on the raw training inputs, in
 * one pass (per-feature sums shifted by the first sample's values, which
 * keeps the variance accurate when the mean is large).  scale, minmax and
 * standardize are each an affine map per feature, so their composition is
 * worked out from those statistics and applied to every split in one pass;
 * the statistics of what the model sees follow from the same maps.
 */
#include "data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "generate.h"
#include "idx.h"

/* Per-feature statistics of a split's inputs. */
typedef struct feature_stats {
    double *mean;   /* mean of each feature */
    double *sd;     /* population standard deviation of each feature */
    float *min;     /* smallest value of each feature */
    float *max;     /* largest value of each feature */
} feature_stats;

static void stats_alloc(feature_stats *fs, int d)
{
    fs->mean = ir_alloc(sizeof *fs->mean * (size_t)d);
    fs->sd = ir_alloc(sizeof *fs->sd * (size_t)d);
    fs->min = ir_alloc(sizeof *fs->min * (size_t)d);
    fs->max = ir_alloc(sizeof *fs->max * (size_t)d);
}

static void stats_free(feature_stats *fs)
{
    free(fs->mean);
    free(fs->sd);
    free(fs->min);
    free(fs->max);
}

/* Inner loops run in blocks of BLOCK features: a loop with a constant trip
 * count is vectorised by gcc at -O2 too (its cheap cost model does not
 * vectorise loops of unknown length). */
#define BLOCK 8

/* Adds value V of feature J to the running sums (shifted by SHIFT[J]), minimum
 * and maximum; returns whether V is an integer.  Branch-free. */
static inline int accumulate(float v, int j, const float *restrict shift, double *restrict s1,
                             double *restrict s2, float *restrict mn, float *restrict mx)
{
    float a = fabsf(v);
    double dv = (double)(v - shift[j]);
    s1[j] += dv;
    s2[j] += dv * dv;
    mn[j] = v < mn[j] ? v : mn[j];
    mx[j] = v > mx[j] ? v : mx[j];
    /* Every float of magnitude >= 2^23 is an integer; below, adding and
     * removing 2^23 rounds to an integer. */
    return (a >= 8388608.0f) | ((a + 8388608.0f) - 8388608.0f == a);
}

/* Adds sample ROW of D features; returns whether all its values are integers.
 * Not inlined: inlined into its caller, the restrict promises are lost and
 * the loop is no longer vectorised. */
__attribute__((noinline))
static int accumulate_row(const float *restrict row, int d, const float *restrict shift,
                          double *restrict s1, double *restrict s2, float *restrict mn,
                          float *restrict mx)
{
    int integer = 1, j = 0;
    for (; j + BLOCK <= d; j += BLOCK)
        for (int u = 0; u < BLOCK; u++)
            integer &= accumulate(row[j + u], j + u, shift, s1, s2, mn, mx);
    for (; j < d; j++)
        integer &= accumulate(row[j], j, shift, s1, s2, mn, mx);
    return integer;
}

/* Measures the N >= 1 samples of D floats at X, per feature, into FS;
 * returns whether every value is an integer. */
static bool measure(const float *x, int n, int d, feature_stats *fs)
{
    double *s1 = ir_alloc(sizeof *s1 * (size_t)d), *s2 = ir_alloc(sizeof *s2 * (size_t)d);
    float *shift = ir_alloc(sizeof *shift * (size_t)d);
    memcpy(shift, x, sizeof *shift * (size_t)d);
    memcpy(fs->min, x, sizeof *fs->min * (size_t)d);
    memcpy(fs->max, x, sizeof *fs->max * (size_t)d);
    int integer = 1;
    for (int i = 0; i < n; i++)
        integer &= accumulate_row(x + (size_t)i * (size_t)d, d, shift, s1, s2, fs->min, fs->max);
    for (int j = 0; j < d; j++) {
        double m1 = s1[j] / n, var = s2[j] / n - m1 * m1;
        fs->mean[j] = (double)shift[j] + m1;
        fs->sd[j] = var > 0.0 && fs->max[j] != fs->min[j] ? sqrt(var) : 0.0;
    }
    free(s1);
    free(s2);
    free(shift);
    return integer != 0;
}

/* Sums up per-feature statistics FS of D features into OUT (all but
 * integer_valued). */
static void summarize(const feature_stats *fs, int d, rt_raw_stats *out)
{
    double mean = 0.0, within = 0.0, lo = fs->min[0], hi = fs->max[0];
    double rmin = 0.0, rmax = 0.0;
    out->constant_features = 0;
    for (int j = 0; j < d; j++) {
        mean += fs->mean[j];
        within += fs->sd[j] * fs->sd[j];
        lo = fs->min[j] < lo ? fs->min[j] : lo;
        hi = fs->max[j] > hi ? fs->max[j] : hi;
        double range = (double)fs->max[j] - (double)fs->min[j];
        if (range == 0.0) {
            out->constant_features++;
        } else {
            rmin = rmin == 0.0 || range < rmin ? range : rmin;
            rmax = range > rmax ? range : rmax;
        }
    }
    mean /= d;
    /* Variance over all values = mean within-feature variance + variance of
     * the feature means (every feature has the same number of values). */
    double between = 0.0;
    for (int j = 0; j < d; j++)
        between += (fs->mean[j] - mean) * (fs->mean[j] - mean);
    out->min = lo;
    out->max = hi;
    out->mean = mean;
    out->stddev = sqrt((within + between) / d);
    out->feature_range_ratio = rmin > 0.0 ? rmax / rmin : 1.0;
}

/* The statistics FS becomes under the per-feature map x -> A x + B. */
static void transform_stats(feature_stats *fs, int d, const float *a, const float *b)
{
    for (int j = 0; j < d; j++) {
        float lo = a[j] * fs->min[j] + b[j], hi = a[j] * fs->max[j] + b[j];
        fs->min[j] = lo < hi ? lo : hi;
        fs->max[j] = lo < hi ? hi : lo;
        fs->mean[j] = a[j] * fs->mean[j] + b[j];
        fs->sd[j] = fabs(a[j]) * fs->sd[j];
    }
}

/* Whether the per-feature map x -> A x + B keeps integers integers. */
static bool keeps_integers(int d, const float *a, const float *b)
{
    for (int j = 0; j < d; j++)
        if (a[j] != floorf(a[j]) || b[j] != floorf(b[j]))
            return false;
    return true;
}

/* The per-feature map x -> a x + b that scale, then minmax, then standardize
 * make of inputs with raw statistics FS.  Returns false if it is the identity. */
static bool compose(const ir_dataset *d, const feature_stats *fs, int n, float *a, float *b)
{
    if (d->scale == 1.0 && !d->minmax && !d->standardize)
        return false;
    for (int j = 0; j < n; j++) {
        double s = d->scale, lo = s * fs->min[j], hi = s * fs->max[j];
        double mean = s * fs->mean[j], sd = fabs(s) * fs->sd[j];
        double aj = s, bj = 0.0;
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        bool constant = fs->max[j] == fs->min[j] || s == 0.0;
        if (d->minmax && !constant) {
            double r = hi - lo;
            aj /= r;
            bj = (bj - lo) / r;
            mean = (mean - lo) / r;
            sd /= r;
        } else if (d->minmax) {
            aj = bj = 0.0;
        }
        if (d->standardize && !constant && sd > 0.0) {
            aj /= sd;
            bj = (bj - mean) / sd;
        } else if (d->standardize) {
            aj = bj = 0.0;
        }
        a[j] = (float)aj;
        b[j] = (float)bj;
    }
    return true;
}

static void apply_row(float *restrict row, int d, const float *restrict a,
                      const float *restrict b)
{
    int j = 0;
    for (; j + BLOCK <= d; j += BLOCK)
        for (int u = 0; u < BLOCK; u++)
            row[j + u] = a[j + u] * row[j + u] + b[j + u];
    for (; j < d; j++)
        row[j] = a[j] * row[j] + b[j];
}

static void apply(rt_split *s, int d, const float *a, const float *b)
{
    for (int i = 0; i < s->n; i++)
        apply_row(s->x + (size_t)i * (size_t)d, d, a, b);
}

/* ---- splitting ---- */

/* A sample's place in the stratified order. */
typedef struct strat_key {
    double key;     /* position within its class, as a fraction of the class */
    int pos;        /* position in the shuffled order (breaks ties) */
    int index;      /* the sample */
} strat_key;

static int cmp_strat(const void *pa, const void *pb)
{
    const strat_key *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Writes into ORDER the seeded order in which samples of ALL are carved. */
static void split_order(const rt_split *all, int classes, uint64_t seed, int *order)
{
    rt_gen_permutation(order, all->n, seed, RT_GEN_STREAM_SPLIT);
    if (!all->label || classes < 2)
        return;
    int *count = ir_alloc(sizeof *count * (size_t)classes);
    int *rank = ir_alloc(sizeof *rank * (size_t)classes);
    for (int i = 0; i < all->n; i++)
        count[all->label[i]]++;
    strat_key *k = ir_alloc(sizeof *k * (size_t)all->n);
    for (int i = 0; i < all->n; i++) {
        int c = all->label[order[i]];
        k[i] = (strat_key){(rank[c]++ + 0.5) / count[c], i, order[i]};
    }
    qsort(k, (size_t)all->n, sizeof *k, cmp_strat);
    for (int i = 0; i < all->n; i++)
        order[i] = k[i].index;
    free(k);
    free(rank);
    free(count);
}

/* Moves rows in place so that row K of BASE becomes what row SRC[K] was
 * (SRC a permutation of 0..N-1).  Rows that stay put are not touched. */
static void permute_rows(void *base, size_t row_bytes, const int *src, int n)
{
    if (!base)
        return;
    char *b = base, *tmp = ir_alloc(row_bytes);
    unsigned char *done = ir_alloc((size_t)n);
    for (int start = 0; start < n; start++) {
        if (done[start] || src[start] == start)
            continue;
        memcpy(tmp, b + (size_t)start * row_bytes, row_bytes);
        int k = start;
        while (src[k] != start) {
            memcpy(b + (size_t)k * row_bytes, b + (size_t)src[k] * row_bytes, row_bytes);
            done[k] = 1;
            k = src[k];
        }
        memcpy(b + (size_t)k * row_bytes, tmp, row_bytes);
        done[k] = 1;
    }
    free(done);
    free(tmp);
}

/* The view of rows FIRST .. FIRST+N-1 of ALL. */
static rt_split view(const rt_split *all, int first, int n, int in_size, int tsize)
{
    rt_split s = {n, NULL, NULL, NULL};
    if (n == 0)
        return s;
    s.x = all->x + (size_t)first * (size_t)in_size;
    s.label = all->label ? all->label + first : NULL;
    s.target = all->target ? all->target + (size_t)first * (size_t)tsize : NULL;
    return s;
}

/* Number of samples a fraction F of N gives: rounded, at least 1 when F > 0. */
static int fraction_of(double f, int n)
{
    int k = (int)floor(f * n + 0.5);
    return f > 0.0 && k == 0 ? 1 : k;
}

/* What the split gives a sample of the pool. */
enum { ROLE_TRAIN, ROLE_VAL, ROLE_TEST, ROLE_DROP };

/* Carves the test (unless DATA has one) and validation splits out of
 * DATA->train, in place, keeping at most D->limit samples for training and
 * validation (0 = all): the pool is rearranged into [train | val | test |
 * dropped].  Training samples keep their places where they can (only
 * samples that move cost a copy); the others follow the stratified order. */
static bool split(rt_data *data, const ir_dataset *d, uint64_t seed, double validation,
                  char *err, size_t errsize)
{
    rt_split all = data->train;
    int n = all.n;
    int n_test = data->test.n > 0 ? 0 : fraction_of(d->test, n);
    int kept = d->limit > 0 && d->limit < n - n_test ? d->limit : n - n_test;
    int n_val = fraction_of(validation, kept);
    int n_train = kept - n_val;
    if (n_train < 1) {
        snprintf(err, errsize, "%d samples are too few for test = %g and validation = %g "
                 "(expected at least one training sample)", n, d->test, validation);
        return false;
    }
    if (n_test == 0 && n_val == 0 && kept == n)
        return true;
    int *order = ir_alloc(sizeof *order * (size_t)n);
    int *src = ir_alloc(sizeof *src * (size_t)n);
    unsigned char *role = ir_alloc((size_t)n);
    split_order(&all, data->classes, seed, order);
    /* In stratified order: test, validation, training, then dropped. */
    for (int i = 0; i < n; i++)
        role[order[i]] = i < n_test ? ROLE_TEST : i < n_test + n_val ? ROLE_VAL
                         : i < n_test + kept ? ROLE_TRAIN : ROLE_DROP;
    for (int i = 0; i < n_val; i++)
        src[n_train + i] = order[n_test + i];
    for (int i = 0; i < n_test; i++)
        src[kept + i] = order[i];
    for (int i = 0, k = kept + n_test; i < n; i++)
        if (role[i] == ROLE_DROP)
            src[k++] = i;
    /* Training samples already in the head stay; the others fill its holes. */
    for (int k = 0, next = n_train; k < n_train; k++) {
        if (role[k] == ROLE_TRAIN) {
            src[k] = k;
            continue;
        }
        while (role[next] != ROLE_TRAIN)
            next++;
        src[k] = next++;
    }
    permute_rows(all.x, sizeof *all.x * (size_t)data->in_size, src, n);
    permute_rows(all.label, sizeof *all.label, src, n);
    permute_rows(all.target, sizeof *all.target * (size_t)data->target_size, src, n);
    data->train = view(&all, 0, n_train, data->in_size, data->target_size);
    data->val = view(&all, n_train, n_val, data->in_size, data->target_size);
    if (n_test > 0)
        data->test = view(&all, kept, n_test, data->in_size, data->target_size);
    free(role);
    free(src);
    free(order);
    return true;
}

/* ---- loading ---- */

/* The path of D's file: absolute as written, else relative to P's folder. */
static char *resolve(const ir_program *p, const char *path)
{
    if (path[0] == '/' || !p || !p->dir || !p->dir[0])
        return ir_strdup(path);
    size_t size = strlen(p->dir) + strlen(path) + 2;
    char *full = ir_alloc(size);
    snprintf(full, size, "%s/%s", p->dir, path);
    return full;
}

/* Runs D's loader into DATA. */
static bool load_source(const ir_program *p, const ir_dataset *d, uint64_t seed, rt_data *data,
                        char *err, size_t errsize)
{
    if (d->source != IR_SRC_IDX && d->source != IR_SRC_CSV)
        return rt_generate(d, seed, data, err, errsize);
    if (!d->path || !d->path[0]) {
        snprintf(err, errsize, "source %s needs a path", ir_enum_name(&ir_src_table, (int)d->source));
        return false;
    }
    char *path = resolve(p, d->path);
    bool ok = d->source == IR_SRC_IDX ? rt_idx_load_dir(path, data, err, errsize)
                                      : rt_csv_load(path, d, data, err, errsize);
    free(path);
    return ok;
}

/* Makes DATA own the arrays its loader allocated for the train and test splits. */
static void adopt(rt_data *data)
{
    void *blocks[RT_DATA_OWNED] = {data->train.x, data->train.label, data->train.target,
                                   data->test.x, data->test.label, data->test.target};
    memcpy(data->owned, blocks, sizeof blocks);
}

/* Fills class_counts (training split) and default class names. */
static void describe_classes(rt_data *data)
{
    data->class_counts = ir_alloc(sizeof *data->class_counts * (size_t)data->classes);
    for (int i = 0; i < data->train.n; i++)
        data->class_counts[data->train.label[i]]++;
    if (data->class_names)
        return;
    data->class_names = ir_alloc(sizeof *data->class_names * (size_t)data->classes);
    for (int c = 0; c < data->classes; c++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", c);
        data->class_names[c] = ir_strdup(buf);
    }
}

/* Measures the training split and preprocesses every split. */
static void preprocess(rt_data *data, const ir_dataset *d)
{
    int dim = data->in_size;
    feature_stats fs;
    stats_alloc(&fs, dim);
    data->raw.integer_valued = measure(data->train.x, data->train.n, dim, &fs);
    summarize(&fs, dim, &data->raw);
    data->prep = data->raw;
    float *a = ir_alloc(sizeof *a * (size_t)dim), *b = ir_alloc(sizeof *b * (size_t)dim);
    if (compose(d, &fs, dim, a, b)) {
        apply(&data->train, dim, a, b);
        apply(&data->val, dim, a, b);
        apply(&data->test, dim, a, b);
        /* What the model sees, worked out rather than measured again. */
        transform_stats(&fs, dim, a, b);
        summarize(&fs, dim, &data->prep);
        data->prep.integer_valued = data->raw.integer_valued && keeps_integers(dim, a, b);
    }
    free(a);
    free(b);
    stats_free(&fs);
}

static void target_range(rt_data *data)
{
    long n = (long)data->train.n * data->target_size;
    data->target_min = data->target_max = n > 0 ? data->train.target[0] : 0.0;
    for (long i = 1; i < n; i++) {
        double v = data->train.target[i];
        data->target_min = v < data->target_min ? v : data->target_min;
        data->target_max = v > data->target_max ? v : data->target_max;
    }
}

rt_data *rt_data_load(const ir_program *p, const ir_dataset *d, uint64_t seed,
                      double validation_override, char *err, size_t errsize)
{
    double validation = validation_override >= 0.0 ? validation_override : d->validation;
    const char *name = d->name ? d->name : "?";
    if (!(validation >= 0.0 && validation <= 0.95) || !(d->test >= 0.0 && d->test <= 0.95)) {
        snprintf(err, errsize, "dataset %s: test = %g and validation = %g (expected fractions "
                 "from 0 to 0.95)", name, d->test, validation);
        return NULL;
    }
    rt_data *data = ir_alloc(sizeof *data);
    char msg[768];
    bool has_file = d->source == IR_SRC_IDX || d->source == IR_SRC_CSV;
    bool loaded = load_source(p, d, seed, data, msg, sizeof msg);
    adopt(data);
    if (!loaded || !split(data, d, seed, validation, msg, sizeof msg)) {
        /* File errors name their file; the others name the dataset. */
        if (!loaded && has_file && d->path && d->path[0])
            snprintf(err, errsize, "%s", msg);
        else
            snprintf(err, errsize, "dataset %s: %s", name, msg);
        rt_data_free(data);
        return NULL;
    }
    if (data->classes > 0)
        describe_classes(data);
    else
        target_range(data);
    preprocess(data, d);
    return data;
}

void rt_data_free(rt_data *data)
{
    if (!data)
        return;
    for (int i = 0; i < RT_DATA_OWNED; i++)
        free(data->owned[i]);
    if (data->class_names)
        for (int c = 0; c < data->classes; c++)
            free(data->class_names[c]);
    free(data->class_names);
    free(data->class_counts);
    free(data);
}
