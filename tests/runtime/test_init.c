/* test_init.c: the initialisers' distributions, scales and fans.
 *
 * Each initialiser fills a large tensor; its sample mean, standard deviation
 * and range must match what Keras's definition implies (fans from the Keras
 * shape, VarianceScaling's truncated normal with its 0.8796 correction),
 * within sampling tolerances.  Orthogonal must give orthonormal rows or
 * columns times the gain and refuse a vector; streams are deterministic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "testutil.h"

static float *buf;

/* Fills the tensor SHAPE with INIT (seed 5) and returns its statistics. */
static void fill(ir_init kind, double param, int rank, const int *shape, double *mean,
                 double *sd, double *maxabs, long *n)
{
    ir_initializer ini = {kind, param};
    rt_rng r;
    rt_rng_seed(&r, 5);
    char err[128];
    *n = 1;
    for (int i = 0; i < rank; i++)
        *n *= shape[i];
    int rc = rt_init_fill(&ini, buf, rank, shape, &r, err, sizeof err);
    CHECK(rc == 0, "%s: %s", ir_enum_name(&ir_init_table, kind), err);
    double s = 0, sq = 0, mx = 0;
    for (long i = 0; i < *n; i++) {
        s += buf[i];
        sq += (double)buf[i] * buf[i];
        mx = fmax(mx, fabs(buf[i]));
    }
    *mean = s / *n;
    *sd = sqrt(sq / *n - *mean * *mean);
    *maxabs = mx;
}

/* KIND on SHAPE: mean about 0, standard deviation SD (3%), |w| <= LIMIT. */
static void expect(ir_init kind, double param, int rank, const int *shape, double sd,
                   double limit, const char *what)
{
    double mean, got, mx;
    long n;
    fill(kind, param, rank, shape, &mean, &got, &mx, &n);
    bool ok = fabs(mean) < 4 * sd / sqrt((double)n) + 1e-9 && fabs(got - sd) < 0.03 * sd &&
              mx <= limit * (1 + 1e-6);
    CHECK(ok, "%s: mean %g, sd %g (want %g), max |w| %g (limit %g)", what, mean, got, sd, mx,
             limit);
    printf("%s %s: sd %.5f (want %.5f), max %.5f\n", ok ? "ok  " : "FAIL", what, got, sd, mx);
}

int main(void)
{
    buf = malloc(sizeof *buf * 200000);
    const int mat[2] = {200, 300};      /* fan_in 200, fan_out 300 */
    const int conv[4] = {3, 3, 16, 32}; /* fan_in 144, fan_out 288 */
    const double t = 0.87962566103423978;
    double mean, sd, mx;
    long n;

    static const struct { ir_init kind; float value; } consts[] = {
        {IR_INIT_ZEROS, 0.0f}, {IR_INIT_ONES, 1.0f}, {IR_INIT_CONSTANT, 0.7f}};
    for (int k = 0; k < 3; k++) {
        fill(consts[k].kind, 0.7, 2, mat, &mean, &sd, &mx, &n);
        bool all = true;
        for (long i = 0; i < n; i++)
            all = all && buf[i] == consts[k].value;
        CHECK(all, "%s: not every value is %g", ir_enum_name(&ir_init_table, consts[k].kind),
                 consts[k].value);
    }
    printf("ok   zeros, ones, constant(value=0.7)\n");

    expect(IR_INIT_RANDOM_NORMAL, 0.3, 2, mat, 0.3, 0.3 * 6, "random_normal(stddev=0.3)");
    expect(IR_INIT_RANDOM_UNIFORM, 0.2, 2, mat, 0.2 / sqrt(3), 0.2, "random_uniform(limit=0.2)");
    expect(IR_INIT_TRUNCATED_NORMAL, 0.5, 2, mat, 0.5 * t, 1.0, "truncated_normal(stddev=0.5)");
    double g = sqrt(6.0 / 500);
    expect(IR_INIT_GLOROT_UNIFORM, 0, 2, mat, g / sqrt(3), g, "glorot_uniform [200,300]");
    expect(IR_INIT_GLOROT_NORMAL, 0, 2, mat, sqrt(2.0 / 500), 2 * sqrt(2.0 / 500) / t,
           "glorot_normal [200,300]");
    expect(IR_INIT_HE_UNIFORM, 0, 2, mat, sqrt(6.0 / 200) / sqrt(3), sqrt(6.0 / 200),
           "he_uniform [200,300]");
    expect(IR_INIT_HE_NORMAL, 0, 2, mat, sqrt(2.0 / 200), 2 * sqrt(2.0 / 200) / t,
           "he_normal [200,300]");
    expect(IR_INIT_LECUN_UNIFORM, 0, 2, mat, sqrt(3.0 / 200) / sqrt(3), sqrt(3.0 / 200),
           "lecun_uniform [200,300]");
    expect(IR_INIT_LECUN_NORMAL, 0, 2, mat, sqrt(1.0 / 200), 2 * sqrt(1.0 / 200) / t,
           "lecun_normal [200,300]");
    g = sqrt(6.0 / (144 + 288));
    expect(IR_INIT_GLOROT_UNIFORM, 0, 4, conv, g / sqrt(3), g, "glorot_uniform conv [3,3,16,32]");
    expect(IR_INIT_HE_NORMAL, 0, 4, conv, sqrt(2.0 / 144), 2 * sqrt(2.0 / 144) / t,
           "he_normal conv [3,3,16,32]");

    /* Orthogonal: W^T W = gain^2 I for tall W, W W^T = gain^2 I for wide W. */
    const int tall[2] = {60, 20}, wide[2] = {20, 60};
    for (int k = 0; k < 2; k++) {
        const int *shape = k ? wide : tall;
        fill(IR_INIT_ORTHOGONAL, 1.5, 2, shape, &mean, &sd, &mx, &n);
        double worst = 0.0;
        for (int a = 0; a < 20; a++)
            for (int b = 0; b < 20; b++) {
                double dot = 0.0;
                for (int i = 0; i < 60; i++)
                    dot += k ? (double)buf[a * 60 + i] * buf[b * 60 + i]
                             : (double)buf[i * 20 + a] * buf[i * 20 + b];
                worst = fmax(worst, fabs(dot - (a == b ? 2.25 : 0.0)));
            }
        CHECK(worst < 1e-4, "orthogonal %s: off by %g", k ? "[20,60]" : "[60,20]", worst);
        printf("ok   orthogonal(gain=1.5) %s: orthonormal within %.1e\n", k ? "[20,60]" : "[60,20]",
               worst);
    }
    ir_initializer ortho = {IR_INIT_ORTHOGONAL, 1.0};
    rt_rng r;
    rt_rng_seed(&r, 1);
    char err[128] = "";
    const int vec[1] = {10};
    CHECK(rt_init_fill(&ortho, buf, 1, vec, &r, err, sizeof err) < 0 && strstr(err, "rank 2"),
             "orthogonal on a vector: '%s'", err);
    printf("ok   orthogonal refuses a vector: %s\n", err);

    /* Same stream, same values; another stream, others. */
    ir_initializer gu = {IR_INIT_GLOROT_UNIFORM, 0};
    rt_rng a, b, c;
    rt_rng_stream(&a, 9, rt_hash_string("fc1.kernel"));
    rt_rng_stream(&b, 9, rt_hash_string("fc1.kernel"));
    rt_rng_stream(&c, 9, rt_hash_string("fc2.kernel"));
    float x[64], y[64], z[64];
    const int small[2] = {8, 8};
    rt_init_fill(&gu, x, 2, small, &a, err, sizeof err);
    rt_init_fill(&gu, y, 2, small, &b, err, sizeof err);
    rt_init_fill(&gu, z, 2, small, &c, err, sizeof err);
    CHECK(memcmp(x, y, sizeof x) == 0 && memcmp(x, z, sizeof x) != 0,
             "streams: same key must repeat, another key must differ");
    printf("ok   initial values depend on the seed and the tensor's name only\n");
    free(buf);
    return check_finish("test_init");
}
