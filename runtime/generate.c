/* generate.c: the built-in datasets (blobs, circles, moons, spirals, xor,
 * regression) and the seeded shuffle behind the splits.
 *
 * Each generator is a function of its parameters and the seed only, so a
 * program trains on the same samples on every run and machine.  Samples are
 * made class by class in turn (sample i belongs to class i mod classes), so
 * class sizes differ by at most one; data.c shuffles before splitting.
 *
 * The random numbers are the runtime's (rng.h), on streams of their own
 * (RT_GEN_STREAM_*), so that the samples, the split shuffle and training's
 * own random numbers are independent of each other.
 */
#include "generate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.14159265358979323846

/* Largest number of input floats a generator may make (2 GiB). */
#define GEN_MAX_FLOATS (1L << 29)

/* Uniform in [lo, hi). */
static double rng_range(rt_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rt_rng_double(r);
}

void rt_gen_permutation(int *perm, int n, uint64_t seed, uint64_t stream)
{
    rt_rng r;
    rt_rng_stream(&r, seed, stream);
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rt_rng_below(&r, (uint64_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* ---- generators ---- */

/* What a generator writes into: sample i's inputs at x + i * width. */
typedef struct gen_out {
    int n;            /* samples */
    int width;        /* inputs per sample */
    int classes;      /* classes, or 0 for regression */
    float *x;         /* n * width inputs */
    int *label;       /* classification labels (else NULL) */
    float *target;    /* regression targets (else NULL) */
    rt_rng *rng;      /* the data stream */
} gen_out;

/* Gaussian clusters around centres drawn uniformly from [-10, 10]^features;
 * NOISE is each cluster's standard deviation (the `spread` attribute). */
static void gen_blobs(gen_out *o, double spread)
{
    double *centre = ir_alloc(sizeof *centre * (size_t)o->classes * (size_t)o->width);
    for (long k = 0; k < (long)o->classes * o->width; k++)
        centre[k] = rng_range(o->rng, -10.0, 10.0);
    for (int i = 0; i < o->n; i++) {
        int c = i % o->classes;
        o->label[i] = c;
        for (int j = 0; j < o->width; j++)
            o->x[(size_t)i * (size_t)o->width + (size_t)j] =
                (float)(centre[(size_t)c * (size_t)o->width + (size_t)j] +
                        spread * rt_rng_normal(o->rng));
    }
    free(centre);
}

/* Position K of M along a class's curve, in [0, 1). */
static double curve_pos(int k, int m)
{
    return (double)k / (double)m;
}

/* Number of samples of class C when N are dealt to CLASSES in turn. */
static int class_size(int n, int classes, int c)
{
    return n / classes + (c < n % classes ? 1 : 0);
}

static void put2(gen_out *o, int i, double a, double b, double noise)
{
    o->x[2 * (size_t)i] = (float)(a + noise * rt_rng_normal(o->rng));
    o->x[2 * (size_t)i + 1] = (float)(b + noise * rt_rng_normal(o->rng));
}

/* Two concentric circles: class 0 of radius 1, class 1 of radius FACTOR, at
 * evenly spaced angles, plus Gaussian noise of stddev NOISE on each axis. */
static void gen_circles(gen_out *o, double noise, double factor)
{
    for (int i = 0; i < o->n; i++) {
        int c = i % 2, k = i / 2, m = class_size(o->n, 2, c);
        double t = 2.0 * PI * curve_pos(k, m), r = c ? factor : 1.0;
        o->label[i] = c;
        put2(o, i, r * cos(t), r * sin(t), noise);
    }
}

/* Two interleaving half circles: class 0 is (cos t, sin t), class 1 is
 * (1 - cos t, 0.5 - sin t), t evenly spaced over [0, pi], plus noise. */
static void gen_moons(gen_out *o, double noise)
{
    for (int i = 0; i < o->n; i++) {
        int c = i % 2, k = i / 2, m = class_size(o->n, 2, c);
        double t = m > 1 ? PI * (double)k / (double)(m - 1) : 0.0;
        o->label[i] = c;
        if (c == 0)
            put2(o, i, cos(t), sin(t), noise);
        else
            put2(o, i, 1.0 - cos(t), 0.5 - sin(t), noise);
    }
}

/* CLASSES arms of a spiral: arm c starts at angle 2 pi c / classes and makes
 * one full turn while its radius grows from 0 to 1, plus noise. */
static void gen_spirals(gen_out *o, double noise)
{
    for (int i = 0; i < o->n; i++) {
        int c = i % o->classes, k = i / o->classes, m = class_size(o->n, o->classes, c);
        double r = curve_pos(k, m) + 0.5 / (double)m;
        double t = 2.0 * PI * ((double)c / (double)o->classes + r);
        o->label[i] = c;
        put2(o, i, r * cos(t), r * sin(t), noise);
    }
}

/* Inputs uniform in [-1, 1]^features; the label is the parity of the signs
 * of the first two inputs (1 when exactly one of them is positive); inputs
 * after the second are distractors.  The first two are drawn within the
 * quadrants of their sample's class, so the classes are balanced exactly and
 * the inputs are still uniform overall.  Gaussian noise of stddev NOISE is
 * added to every input after the label is decided. */
static void gen_xor(gen_out *o, double noise)
{
    for (int i = 0; i < o->n; i++) {
        float *x = o->x + (size_t)i * (size_t)o->width;
        int c = i % 2;
        double a = rt_rng_double(o->rng), b = rt_rng_double(o->rng);
        bool neg = rt_rng_double(o->rng) < 0.5;   /* sign of the first input */
        double v[2] = {neg ? -a : a, (c == 0) == neg ? -b : b};
        o->label[i] = c;
        for (int j = 0; j < o->width; j++) {
            double base = j < 2 ? v[j] : rng_range(o->rng, -1.0, 1.0);
            x[j] = (float)(base + noise * rt_rng_normal(o->rng));
        }
    }
}

/* Inputs standard normal; target y = w . x + b + noise * N(0, 1), with w and
 * b drawn (standard normal) from the seed before the samples. */
static void gen_regression(gen_out *o, double noise)
{
    double *w = ir_alloc(sizeof *w * (size_t)o->width);
    for (int j = 0; j < o->width; j++)
        w[j] = rt_rng_normal(o->rng);
    double b = rt_rng_normal(o->rng);
    for (int i = 0; i < o->n; i++) {
        float *x = o->x + (size_t)i * (size_t)o->width;
        double y = b;
        for (int j = 0; j < o->width; j++) {
            x[j] = (float)rt_rng_normal(o->rng);
            y += w[j] * (double)x[j];
        }
        o->target[i] = (float)(y + noise * rt_rng_normal(o->rng));
    }
    free(w);
}

/* Checks D's parameters for generator SRC; sets *WIDTH and *CLASSES. */
static bool gen_check(const ir_dataset *d, int *width, int *classes, char *err, size_t errsize)
{
    const char *what = ir_enum_name(&ir_src_table, (int)d->source);
    bool two_d = d->source == IR_SRC_CIRCLES || d->source == IR_SRC_MOONS ||
                 d->source == IR_SRC_SPIRALS;
    *width = two_d ? 2 : d->features;
    *classes = d->source == IR_SRC_REGRESSION ? 0
               : d->source == IR_SRC_BLOBS || d->source == IR_SRC_SPIRALS ? d->classes : 2;
    if (d->samples < 1) {
        snprintf(err, errsize, "%s: samples = %d, expected at least 1", what, d->samples);
        return false;
    }
    if (*width < (d->source == IR_SRC_XOR ? 2 : 1)) {
        snprintf(err, errsize, "%s: features = %d, expected at least %d", what, *width,
                 d->source == IR_SRC_XOR ? 2 : 1);
        return false;
    }
    if (d->source != IR_SRC_REGRESSION && *classes < 2) {
        snprintf(err, errsize, "%s: classes = %d, expected at least 2", what, *classes);
        return false;
    }
    if (*classes > d->samples) {
        snprintf(err, errsize, "%s: samples = %d is fewer than classes = %d", what,
                 d->samples, *classes);
        return false;
    }
    if (!(d->noise >= 0.0) || !isfinite(d->noise)) {
        snprintf(err, errsize, "%s: %s = %g, expected a finite value >= 0", what,
                 d->source == IR_SRC_BLOBS ? "spread" : "noise", d->noise);
        return false;
    }
    if (d->source == IR_SRC_CIRCLES && !(d->factor > 0.0 && d->factor < 1.0)) {
        snprintf(err, errsize, "circles: factor = %g, expected a value in (0, 1)", d->factor);
        return false;
    }
    if ((long)d->samples * (long)*width > GEN_MAX_FLOATS) {
        snprintf(err, errsize, "%s: samples * features = %ld is more than the %ld inputs a "
                 "generated dataset may hold", what, (long)d->samples * (long)*width,
                 GEN_MAX_FLOATS);
        return false;
    }
    return true;
}

bool rt_generate(const ir_dataset *d, uint64_t seed, rt_data *data, char *err, size_t errsize)
{
    int width, classes;
    if (!gen_check(d, &width, &classes, err, errsize))
        return false;
    rt_rng rng;
    rt_rng_stream(&rng, seed, RT_GEN_STREAM_DATA);
    gen_out o = {d->samples, width, classes, NULL, NULL, NULL, &rng};
    o.x = ir_alloc(sizeof *o.x * (size_t)o.n * (size_t)width);
    if (classes)
        o.label = ir_alloc(sizeof *o.label * (size_t)o.n);
    else
        o.target = ir_alloc(sizeof *o.target * (size_t)o.n);

    switch (d->source) {
    case IR_SRC_BLOBS: gen_blobs(&o, d->noise); break;
    case IR_SRC_CIRCLES: gen_circles(&o, d->noise, d->factor); break;
    case IR_SRC_MOONS: gen_moons(&o, d->noise); break;
    case IR_SRC_SPIRALS: gen_spirals(&o, d->noise); break;
    case IR_SRC_XOR: gen_xor(&o, d->noise); break;
    case IR_SRC_REGRESSION: gen_regression(&o, d->noise); break;
    default:
        free(o.x);
        free(o.label);
        free(o.target);
        snprintf(err, errsize, "%s is not a generator", ir_enum_name(&ir_src_table, (int)d->source));
        return false;
    }

    data->shape = (ir_shape){1, {width, 0, 0}};
    data->in_size = width;
    data->classes = classes;
    data->target_size = classes ? 0 : 1;
    data->train = (rt_split){o.n, o.x, o.label, o.target};
    return true;
}
