/* test_split.c: test/validation splits and preprocessing.
 *
 * Splits have the asked sizes, are stratified, disjoint and complete, follow
 * the seed, and keep inputs with their labels or targets; validation_override
 * replaces the program's fraction.  Preprocessing statistics come from the
 * training split only and the same maps are applied to every split; the raw
 * and preprocessed statistics match a direct computation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_fixture.h"

static rt_data *load_override(const ir_dataset *d, uint64_t seed, double validation)
{
    char err[512];
    rt_data *data = rt_data_load(dt_program(), d, seed, validation, err, sizeof err);
    if (!CHECK(data != NULL))
        fprintf(stderr, "  %s\n", err);
    return data;
}

/* Whether row X of width W occurs, not yet matched, in ALL; marks it. */
static bool find_row(const rt_split *all, int w, const float *x, int label, bool *used)
{
    for (int i = 0; i < all->n; i++)
        if (!used[i] && all->label[i] == label &&
            memcmp(all->x + (size_t)i * (size_t)w, x, sizeof(float) * (size_t)w) == 0)
            return used[i] = true;
    return false;
}

static void test_sizes_strata_completeness(void)
{
    ir_dataset d = dt_dataset(IR_SRC_BLOBS);
    d.samples = 1000;
    d.classes = 4;
    d.features = 3;
    d.noise = 1.0;
    d.test = 0.2;
    d.validation = 0.25;
    rt_data *data = dt_load(&d, 11);
    ir_dataset whole = d;
    whole.test = whole.validation = 0.0;
    rt_data *all = dt_load(&whole, 11);
    if (!data || !all)
        goto out;
    CHECK(data->test.n == 200 && data->val.n == 200 && data->train.n == 600);
    const rt_split *splits[3] = {&data->train, &data->val, &data->test};
    const int per_class[3] = {150, 50, 50};
    bool *used = calloc((size_t)all->train.n, sizeof *used);
    for (int s = 0; s < 3; s++) {
        int counts[4] = {0};
        bool found = true;
        for (int i = 0; i < splits[s]->n; i++) {
            counts[splits[s]->label[i]]++;
            found &= find_row(&all->train, 3, splits[s]->x + 3 * i, splits[s]->label[i], used);
        }
        CHECK(found);
        for (int c = 0; c < 4; c++)
            CHECK(counts[c] == per_class[s]);
    }
    free(used);
    for (int c = 0; c < 4; c++)
        CHECK(data->class_counts[c] == 150);
out:
    rt_data_free(data);
    rt_data_free(all);
}

/* 40 rows: f0 = i, f1 = 1000 + 3 i (large offset), f2 = 5 (constant). */
static void write_table(void)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "f0,f1,f2,y\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%d,%d,5,%s\n", i, 1000 + 3 * i,
                                i % 2 ? "odd" : "even");
    dt_write_text("table.csv", text);
}

static ir_dataset table(void)
{
    ir_dataset d = dt_dataset(IR_SRC_CSV);
    d.path = "table.csv";
    d.test = 0.25;
    return d;
}

/* The seed decides the split; validation_override replaces the fraction. */
static void test_seed_and_override(void)
{
    ir_dataset d = table();
    d.validation = 0.2;
    rt_data *a = dt_load(&d, 1), *b = dt_load(&d, 1), *c = dt_load(&d, 2);
    if (a && b && c) {
        CHECK(a->test.n == 10 && a->val.n == 6 && a->train.n == 24);
        CHECK(memcmp(a->test.x, b->test.x, sizeof(float) * 30) == 0);
        CHECK(memcmp(a->test.x, c->test.x, sizeof(float) * 30) != 0);
        CHECK(a->class_counts[0] == 12 && a->class_counts[1] == 12);
    }
    rt_data_free(a);
    rt_data_free(b);
    rt_data_free(c);
    a = load_override(&d, 1, 0.5);
    if (a)
        CHECK(a->val.n == 15 && a->train.n == 15 && a->test.n == 10);
    rt_data_free(a);
    a = load_override(&d, 1, 0.0);
    if (a)
        CHECK(a->val.n == 0 && a->val.x == NULL && a->train.n == 30);
    rt_data_free(a);

    /* limit keeps a stratified subset for training and validation. */
    d.limit = 20;
    a = dt_load(&d, 1);
    if (a)
        CHECK(a->test.n == 10 && a->val.n == 4 && a->train.n == 16 &&
              a->class_counts[0] == 8 && a->class_counts[1] == 8);
    rt_data_free(a);
    d.limit = 0;

    char err[256];
    CHECK(!rt_data_load(dt_program(), &d, 1, 0.99, err, sizeof err));
    CHECK(strstr(err, "validation = 0.99") != NULL);
    dt_write_text("two.csv", "a,b\n1,x\n2,y\n");
    d.path = "two.csv";
    d.test = 0.5;
    d.validation = 0.5;
    LOAD_FAILS(&d, "dataset t", "2 samples are too few", "at least one training sample");
}

/* Splitting keeps each input with its target. */
static void test_regression_rows_stay_whole(void)
{
    ir_dataset d = dt_dataset(IR_SRC_REGRESSION);
    d.samples = 200;
    d.features = 1;
    d.noise = 0.0;
    d.test = 0.3;
    d.validation = 0.3;
    rt_data *data = dt_load(&d, 4);
    if (!data)
        return;
    const rt_split *t = &data->train;
    double slope = (t->target[1] - t->target[0]) / (t->x[1] - t->x[0]);
    const rt_split *splits[3] = {&data->train, &data->val, &data->test};
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < splits[s]->n; i++)
            CHECK_NEAR(splits[s]->target[i] - t->target[0], slope * (splits[s]->x[i] - t->x[0]),
                       1e-4);
    CHECK(data->train.n == 98 && data->val.n == 42 && data->test.n == 60);
    rt_data_free(data);
}

/* Statistics of the values of S (width W) computed directly. */
static void direct_stats(const rt_split *s, int w, rt_raw_stats *st)
{
    double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    long n = (long)s->n * w;
    for (long i = 0; i < n; i++) {
        sum += s->x[i];
        lo = fmin(lo, s->x[i]);
        hi = fmax(hi, s->x[i]);
    }
    for (long i = 0; i < n; i++)
        sq += (s->x[i] - sum / n) * (s->x[i] - sum / n);
    st->min = lo;
    st->max = hi;
    st->mean = sum / n;
    st->stddev = sqrt(sq / n);
}

/* Per-feature mean and population sd of feature J over split S. */
static void feature_moments(const rt_split *s, int w, int j, double *mean, double *sd)
{
    double sum = 0, sq = 0;
    for (int i = 0; i < s->n; i++)
        sum += s->x[i * w + j];
    *mean = sum / s->n;
    for (int i = 0; i < s->n; i++)
        sq += (s->x[i * w + j] - *mean) * (s->x[i * w + j] - *mean);
    *sd = sqrt(sq / s->n);
}

static void check_stats(const rt_raw_stats *got, const rt_split *s, int w)
{
    rt_raw_stats want;
    direct_stats(s, w, &want);
    CHECK_NEAR(got->min, want.min, 1e-5);
    CHECK_NEAR(got->max, want.max, 1e-5);
    CHECK_NEAR(got->mean, want.mean, 1e-5 * fmax(1.0, fabs(want.mean)));
    CHECK_NEAR(got->stddev, want.stddev, 1e-5 * fmax(1.0, want.stddev));
}

/* standardize: train features get mean 0, sd 1; test uses train statistics. */
static void test_standardize_on_train_only(void)
{
    ir_dataset d = table();
    rt_data *raw = dt_load(&d, 3);
    d.standardize = true;
    rt_data *std = dt_load(&d, 3);
    if (!raw || !std)
        goto out;
    for (int j = 0; j < 2; j++) {
        double mean, sd, m2, s2;
        feature_moments(&std->train, 3, j, &mean, &sd);
        CHECK_NEAR(mean, 0.0, 1e-5);
        CHECK_NEAR(sd, 1.0, 1e-5);
        feature_moments(&raw->train, 3, j, &m2, &s2);
        for (int i = 0; i < raw->test.n; i++)
            CHECK_NEAR(std->test.x[i * 3 + j], (raw->test.x[i * 3 + j] - m2) / s2, 1e-4);
        /* The test split's own statistics were not used. */
        feature_moments(&std->test, 3, j, &mean, &sd);
        CHECK(fabs(mean) > 1e-3 || fabs(sd - 1.0) > 1e-3);
    }
    for (int i = 0; i < std->train.n; i++)
        CHECK(std->train.x[i * 3 + 2] == 0.0f);   /* constant feature */
    CHECK(std->test.x[2] == 0.0f);

    /* Raw statistics: what fault localisation reads. */
    CHECK(raw->raw.integer_valued && raw->raw.constant_features == 1);
    check_stats(&raw->raw, &raw->train, 3);
    check_stats(&std->raw, &raw->train, 3);   /* raw stats do not see preprocessing */
    check_stats(&std->prep, &std->train, 3);
    CHECK(!std->prep.integer_valued && std->prep.constant_features == 1);
    double r0, r1, lo0 = 1e9, hi0 = -1e9, lo1 = 1e9, hi1 = -1e9;
    for (int i = 0; i < raw->train.n; i++) {
        lo0 = fmin(lo0, raw->train.x[i * 3]);
        hi0 = fmax(hi0, raw->train.x[i * 3]);
        lo1 = fmin(lo1, raw->train.x[i * 3 + 1]);
        hi1 = fmax(hi1, raw->train.x[i * 3 + 1]);
    }
    r0 = hi0 - lo0;
    r1 = hi1 - lo1;
    CHECK_NEAR(raw->raw.feature_range_ratio, fmax(r0, r1) / fmin(r0, r1), 1e-9);
    /* f1 = 1000 + 3 f0: once standardized the two features are the same. */
    CHECK_NEAR(std->prep.feature_range_ratio, 1.0, 1e-4);
out:
    rt_data_free(raw);
    rt_data_free(std);
}

/* minmax maps train features onto [0, 1] exactly; the others follow. */
static void test_minmax_and_order(void)
{
    ir_dataset d = table();
    rt_data *raw = dt_load(&d, 5);
    d.minmax = true;
    rt_data *mm = dt_load(&d, 5);
    d.scale = -2.0;   /* scale first: a negative scale then minmax is minmax again */
    rt_data *neg = dt_load(&d, 5);
    d.scale = 2.0;
    d.standardize = true;   /* minmax then standardize is standardize */
    rt_data *both = dt_load(&d, 5);
    d.minmax = false;
    d.scale = 1.0;
    rt_data *std = dt_load(&d, 5);
    d.standardize = false;
    d.scale = 0.5;
    rt_data *half = dt_load(&d, 5);
    if (!raw || !mm || !neg || !both || !std || !half)
        goto out;
    for (int j = 0; j < 2; j++) {
        float lo = 1e9f, hi = -1e9f, rlo = 1e9f, rhi = -1e9f;
        for (int i = 0; i < mm->train.n; i++) {
            lo = fminf(lo, mm->train.x[i * 3 + j]);
            hi = fmaxf(hi, mm->train.x[i * 3 + j]);
            rlo = fminf(rlo, raw->train.x[i * 3 + j]);
            rhi = fmaxf(rhi, raw->train.x[i * 3 + j]);
        }
        CHECK_NEAR(lo, 0.0, 1e-6);
        CHECK_NEAR(hi, 1.0, 1e-6);
        for (int i = 0; i < mm->test.n; i++)
            CHECK_NEAR(mm->test.x[i * 3 + j], (raw->test.x[i * 3 + j] - rlo) / (rhi - rlo), 1e-5);
    }
    for (int i = 0; i < 3 * mm->train.n; i++) {
        CHECK_NEAR(neg->train.x[i], 1.0 - mm->train.x[i] - (i % 3 == 2 ? 1.0 : 0.0), 1e-5);
        CHECK_NEAR(both->train.x[i], std->train.x[i], 1e-4);
        CHECK_NEAR(half->train.x[i], 0.5 * raw->train.x[i], 1e-6);
    }
    CHECK_NEAR(half->prep.max, 0.5 * raw->raw.max, 1e-9);
    CHECK(!half->prep.integer_valued);
    CHECK_NEAR(mm->prep.min, 0.0, 1e-9);
    CHECK_NEAR(mm->prep.max, 1.0, 1e-6);
out:
    rt_data_free(raw);
    rt_data_free(mm);
    rt_data_free(neg);
    rt_data_free(both);
    rt_data_free(std);
    rt_data_free(half);
}

int main(void)
{
    write_table();
    test_sizes_strata_completeness();
    test_seed_and_override();
    test_regression_rows_stay_whole();
    test_standardize_on_train_only();
    test_minmax_and_order();
    return dt_finish("test_split");
}
