/* test_generate.c: the built-in datasets.
 *
 * Every generator is deterministic for a seed and differs across seeds, has
 * the shape and classes its attributes say, balanced classes, and the
 * geometry it promises (checked with noise 0); bad parameters are errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "data_fixture.h"

static ir_dataset gen(ir_src source, int samples)
{
    ir_dataset d = dt_dataset(source);
    d.samples = samples;
    return d;
}

static bool same_data(const rt_data *a, const rt_data *b)
{
    size_t nx = (size_t)a->train.n * (size_t)a->in_size;
    return a->train.n == b->train.n && a->in_size == b->in_size &&
           memcmp(a->train.x, b->train.x, sizeof(float) * nx) == 0 &&
           (!a->train.label ||
            memcmp(a->train.label, b->train.label, sizeof(int) * (size_t)a->train.n) == 0) &&
           (!a->train.target ||
            memcmp(a->train.target, b->train.target, sizeof(float) * (size_t)a->train.n) == 0);
}

/* Same seed, same bytes; another seed, other samples; classes balanced. */
static void test_determinism_and_balance(void)
{
    static const ir_src sources[] = {IR_SRC_BLOBS, IR_SRC_CIRCLES, IR_SRC_MOONS,
                                     IR_SRC_SPIRALS, IR_SRC_XOR, IR_SRC_REGRESSION};
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        ir_dataset d = gen(sources[k], 301);
        d.classes = 3;
        d.features = 4;
        rt_data *a = dt_load(&d, 42), *b = dt_load(&d, 42), *c = dt_load(&d, 43);
        if (!a || !b || !c)
            goto next;
        CHECK(same_data(a, b));
        CHECK(!same_data(a, c));
        CHECK(a->train.n == 301);
        bool two_d = sources[k] == IR_SRC_CIRCLES || sources[k] == IR_SRC_MOONS ||
                     sources[k] == IR_SRC_SPIRALS;
        CHECK(a->in_size == (two_d ? 2 : 4) && a->shape.rank == 1);
        if (sources[k] == IR_SRC_REGRESSION) {
            CHECK(a->classes == 0 && a->target_size == 1 && a->train.target);
            goto next;
        }
        int classes = sources[k] == IR_SRC_BLOBS || sources[k] == IR_SRC_SPIRALS ? 3 : 2;
        CHECK(a->classes == classes && a->train.label && !a->train.target);
        int lo = 301 / classes;
        for (int cl = 0; cl < classes; cl++)
            CHECK(a->class_counts[cl] == lo || a->class_counts[cl] == lo + 1);
    next:
        rt_data_free(a);
        rt_data_free(b);
        rt_data_free(c);
    }
}

static float at(const rt_data *data, int i, int j)
{
    return data->train.x[(size_t)i * (size_t)data->in_size + (size_t)j];
}

/* The geometry of each generator, with noise 0. */
static void test_geometry(void)
{
    ir_dataset d = gen(IR_SRC_CIRCLES, 100);
    d.noise = 0.0;
    d.factor = 0.3;
    rt_data *data = dt_load(&d, 1);
    for (int i = 0; data && i < data->train.n; i++)
        CHECK_NEAR(hypot(at(data, i, 0), at(data, i, 1)), data->train.label[i] ? 0.3 : 1.0, 1e-6);
    rt_data_free(data);

    d = gen(IR_SRC_MOONS, 100);
    d.noise = 0.0;
    data = dt_load(&d, 1);
    for (int i = 0; data && i < data->train.n; i++) {
        double x = at(data, i, 0), y = at(data, i, 1);
        if (data->train.label[i] == 0) {
            CHECK_NEAR(hypot(x, y), 1.0, 1e-6);
            CHECK(y >= -1e-6);
        } else {
            CHECK_NEAR(hypot(x - 1.0, y - 0.5), 1.0, 1e-6);
            CHECK(y <= 0.5 + 1e-6);
        }
    }
    rt_data_free(data);

    d = gen(IR_SRC_SPIRALS, 400);
    d.noise = 0.0;
    d.classes = 4;
    data = dt_load(&d, 1);
    for (int i = 0; data && i < data->train.n; i++)
        CHECK(hypot(at(data, i, 0), at(data, i, 1)) <= 1.0);
    if (data)
        CHECK(data->classes == 4 && data->class_counts[3] == 100);
    rt_data_free(data);

    d = gen(IR_SRC_XOR, 200);
    d.noise = 0.0;
    d.features = 3;
    data = dt_load(&d, 1);
    for (int i = 0; data && i < data->train.n; i++) {
        bool parity = (at(data, i, 0) > 0) != (at(data, i, 1) > 0);
        CHECK(data->train.label[i] == (int)parity);
        CHECK(fabsf(at(data, i, 2)) <= 1.0f);
    }
    rt_data_free(data);

    /* blobs with spread 0: every sample of a class is its centre. */
    d = gen(IR_SRC_BLOBS, 60);
    d.noise = 0.0;
    d.classes = 3;
    d.features = 5;
    data = dt_load(&d, 1);
    for (int i = 3; data && i < data->train.n; i++) {
        int c = data->train.label[i];
        CHECK(c == i % 3 && memcmp(&data->train.x[i * 5], &data->train.x[c * 5],
                                   5 * sizeof(float)) == 0);
        CHECK(fabsf(at(data, i, 4)) <= 10.0f);
    }
    rt_data_free(data);

    /* regression with noise 0: y is an exact affine function of x. */
    d = gen(IR_SRC_REGRESSION, 50);
    d.noise = 0.0;
    d.features = 1;
    data = dt_load(&d, 1);
    if (data) {
        double slope = (data->train.target[1] - data->train.target[0]) / (at(data, 1, 0) - at(data, 0, 0));
        for (int i = 2; i < data->train.n; i++)
            CHECK_NEAR(data->train.target[i] - data->train.target[0],
                       slope * (at(data, i, 0) - at(data, 0, 0)), 1e-4);
        CHECK(data->target_min < data->target_max);
    }
    rt_data_free(data);
}

static void test_bad_parameters(void)
{
    ir_dataset d = gen(IR_SRC_XOR, 10);
    d.features = 1;
    LOAD_FAILS(&d, "dataset t: xor: features = 1", "at least 2");
    d = gen(IR_SRC_BLOBS, 3);
    d.classes = 5;
    LOAD_FAILS(&d, "blobs: samples = 3 is fewer than classes = 5");
    d = gen(IR_SRC_CIRCLES, 10);
    d.factor = 1.0;
    LOAD_FAILS(&d, "circles: factor = 1", "(0, 1)");
    d = gen(IR_SRC_MOONS, 10);
    d.noise = -1.0;
    LOAD_FAILS(&d, "moons: noise = -1");
    d = gen(IR_SRC_BLOBS, 10);
    d.noise = -1.0;
    LOAD_FAILS(&d, "blobs: spread = -1");
    d = gen(IR_SRC_REGRESSION, 0);
    LOAD_FAILS(&d, "regression: samples = 0");
    d = gen(IR_SRC_REGRESSION, 10000000);
    d.features = 100000;
    LOAD_FAILS(&d, "regression: samples * features", "more than");
}

/* rt_gen_permutation: a permutation, the same for a seed, other streams differ. */
static void test_permutation(void)
{
    int a[1000], b[1000], c[1000], seen[1000] = {0};
    rt_gen_permutation(a, 1000, 7, RT_GEN_STREAM_SPLIT);
    rt_gen_permutation(b, 1000, 7, RT_GEN_STREAM_SPLIT);
    rt_gen_permutation(c, 1000, 7, RT_GEN_STREAM_DATA);
    bool perm = true;
    for (int i = 0; i < 1000; i++)
        perm &= a[i] >= 0 && a[i] < 1000 && seen[a[i]]++ == 0;
    CHECK(perm);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    int fixed = 0;
    for (int i = 0; i < 1000; i++)
        fixed += a[i] == i;
    CHECK(fixed < 10);   /* a shuffle leaves about one element in place */
}

int main(void)
{
    test_determinism_and_balance();
    test_geometry();
    test_bad_parameters();
    test_permutation();
    return dt_finish("test_generate");
}
