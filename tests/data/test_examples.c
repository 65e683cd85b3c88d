/* test_examples.c: the CSV files in examples/data load as their README says,
 * and Fashion-MNIST loads fast from its .gz files when it is installed.
 *
 * Fashion-MNIST (package dataset-fashion-mnist) is optional: without it that
 * part is skipped.  The load time is printed, not checked, because sanitizer
 * builds are several times slower; the figure to watch is from an optimised
 * build (see the report printed by this test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data_fixture.h"

#define FASHION "/usr/share/datasets/fashion-mnist"

static void check_example(const char *file, int rows, int features, int classes,
                          const char *first, const char *last)
{
    /* A program in examples/data names the file relative to its folder. */
    const char *srcdir = getenv("srcdir");
    char program[1024], err[512];
    snprintf(program, sizeof program, "%s/examples/data/example.dnn", srcdir ? srcdir : ".");
    ir_program *p = ir_program_new(program);
    ir_dataset d = dt_dataset(IR_SRC_CSV);
    d.path = (char *)file;
    d.test = 0.2;
    d.standardize = true;
    rt_data *data = rt_data_load(p, &d, 1, -1.0, err, sizeof err);
    ir_program_free(p);
    if (!CHECK(data != NULL)) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK(data->train.n + data->test.n == rows && data->in_size == features);
    CHECK(data->classes == classes);
    CHECK(strcmp(data->class_names[0], first) == 0);
    CHECK(strcmp(data->class_names[classes - 1], last) == 0);
    CHECK(data->raw.feature_range_ratio > 1.0 && data->prep.stddev > 0.9);
    printf("%s: %d train, %d test, range ratio %.1f\n", file, data->train.n, data->test.n,
           data->raw.feature_range_ratio);
    rt_data_free(data);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check_fashion(void)
{
    struct stat st;
    if (stat(FASHION, &st) != 0) {
        printf("%s not installed: Fashion-MNIST part skipped\n", FASHION);
        return;
    }
    ir_dataset d = dt_dataset(IR_SRC_IDX);
    d.path = FASHION;
    d.scale = 1.0 / 255;
    d.validation = 0.1;
    double t0 = now();
    rt_data *data = dt_load(&d, 1);
    double t1 = now();
    if (!data)
        return;
    printf("Fashion-MNIST loaded, split and scaled in %.3f s\n", t1 - t0);
    CHECK(data->train.n == 54000 && data->val.n == 6000 && data->test.n == 10000);
    CHECK(data->shape.rank == 2 && data->shape.dim[0] == 28 && data->in_size == 784);
    CHECK(data->classes == 10);
    for (int c = 0; c < 10; c++)
        CHECK(data->class_counts[c] == 5400);
    CHECK(data->raw.max == 255.0 && data->raw.integer_valued);
    CHECK_NEAR(data->prep.max, 1.0, 1e-6);
    rt_data_free(data);
}

int main(void)
{
    check_example("iris.csv", 150, 4, 3, "setosa", "virginica");
    check_example("wine.csv", 178, 13, 3, "class_0", "class_2");
    check_example("breast_cancer.csv", 569, 30, 2, "benign", "malignant");
    check_fashion();
    return dt_finish("test_examples");
}
