/* init.c: the initialisers of ir_enums.h (IR_INITS), as tf.keras defines them.
 *
 * Fans (keras.initializers._compute_fans): a vector [n] has fan_in = fan_out =
 * n; a matrix [in, out] has fan_in = in, fan_out = out; a conv kernel
 * [kh, kw, cin, cout] has fan_in = kh*kw*cin, fan_out = kh*kw*cout.
 * VarianceScaling family: the *_uniform ones draw from U(-l, l) with
 * l = sqrt(3 * scale / n); the *_normal ones from a normal truncated at two
 * standard deviations with stddev sqrt(scale / n) / 0.87962566103423978 (the
 * correction Keras applies so the truncated variance is scale / n), with
 * (scale, n) = (1, fan_in) for lecun, (2, fan_in) for he and
 * (1, (fan_in + fan_out) / 2) for glorot.  random_uniform's parameter is the
 * limit (U(-limit, limit)), random_normal's and truncated_normal's the stddev,
 * constant's the value, orthogonal's the gain (QR of a Gaussian matrix with the
 * signs of R's diagonal folded in, transposed when it has more columns than rows).
 */
#include "init.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ir.h"

static double truncated(rt_rng *r, double stddev)
{
    double x;
    do
        x = rt_rng_normal(r);
    while (fabs(x) > 2.0);
    return x * stddev;
}

static void fans(int rank, const int *shape, double *fan_in, double *fan_out)
{
    if (rank <= 1) {
        *fan_in = *fan_out = rank == 1 ? shape[0] : 1;
        return;
    }
    double rf = 1.0;
    for (int i = 0; i < rank - 2; i++)
        rf *= shape[i];
    *fan_in = shape[rank - 2] * rf;
    *fan_out = shape[rank - 1] * rf;
}

/* Orthogonal matrix ROWS x COLS into W, by modified Gram-Schmidt in double on
 * the columns of a Gaussian matrix (equivalent to QR with sign correction). */
static void orthogonal(float *w, long rows, long cols, double gain, rt_rng *r)
{
    long n = rows > cols ? rows : cols, m = rows < cols ? rows : cols;
    /* a: n x m, column-major columns to orthonormalise */
    double *a = ir_alloc(sizeof *a * (size_t)(n * m));
    for (long i = 0; i < n * m; i++)
        a[i] = rt_rng_normal(r);
    for (long j = 0; j < m; j++) {
        double *cj = a + j * n;
        for (long p = 0; p < j; p++) {
            const double *cp = a + p * n;
            double dot = 0.0;
            for (long i = 0; i < n; i++)
                dot += cp[i] * cj[i];
            for (long i = 0; i < n; i++)
                cj[i] -= dot * cp[i];
        }
        double norm = 0.0;
        for (long i = 0; i < n; i++)
            norm += cj[i] * cj[i];
        norm = sqrt(norm);
        for (long i = 0; i < n; i++)
            cj[i] = norm > 0 ? cj[i] / norm : 0.0;
    }
    /* q is n x m with orthonormal columns: rows >= cols gives W = q, else q^T */
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++)
            w[i * cols + j] = (float)(gain * (rows >= cols ? a[j * n + i] : a[i * n + j]));
    free(a);
}

int rt_init_fill(const ir_initializer *init, float *w, int rank, const int *shape,
                 rt_rng *r, char *err, size_t errsize)
{
    long size = 1;
    for (int i = 0; i < rank; i++)
        size *= shape[i];
    double fan_in, fan_out;
    fans(rank, shape, &fan_in, &fan_out);
    const double trunc_fix = 0.87962566103423978;
    double scale = 0.0, n = 1.0;
    bool uniform = false;
    switch (init->kind) {
    case IR_INIT_ZEROS:
    case IR_INIT_ONES:
    case IR_INIT_CONSTANT: {
        float v = init->kind == IR_INIT_ZEROS ? 0.0f
                  : init->kind == IR_INIT_ONES ? 1.0f : (float)init->param;
        for (long i = 0; i < size; i++)
            w[i] = v;
        return 0;
    }
    case IR_INIT_RANDOM_NORMAL:
        for (long i = 0; i < size; i++)
            w[i] = (float)(init->param * rt_rng_normal(r));
        return 0;
    case IR_INIT_RANDOM_UNIFORM:
        for (long i = 0; i < size; i++)
            w[i] = (float)(init->param * (2.0 * rt_rng_double(r) - 1.0));
        return 0;
    case IR_INIT_TRUNCATED_NORMAL:
        for (long i = 0; i < size; i++)
            w[i] = (float)truncated(r, init->param);
        return 0;
    case IR_INIT_ORTHOGONAL:
        if (rank < 2) {
            snprintf(err, errsize, "the orthogonal initializer needs a tensor of rank 2 "
                     "or more, not a vector of %ld values", size);
            return -1;
        }
        orthogonal(w, size / shape[rank - 1], shape[rank - 1], init->param, r);
        return 0;
    case IR_INIT_LECUN_UNIFORM: uniform = true; /* fall through */
    case IR_INIT_LECUN_NORMAL: scale = 1.0; n = fan_in; break;
    case IR_INIT_GLOROT_UNIFORM: uniform = true; /* fall through */
    case IR_INIT_GLOROT_NORMAL: scale = 1.0; n = (fan_in + fan_out) / 2.0; break;
    case IR_INIT_HE_UNIFORM: uniform = true; /* fall through */
    case IR_INIT_HE_NORMAL: scale = 2.0; n = fan_in; break;
    case IR_INIT_COUNT:
        snprintf(err, errsize, "unknown initializer");
        return -1;
    }
    n = n < 1.0 ? 1.0 : n;
    if (uniform) {
        double limit = sqrt(3.0 * scale / n);
        for (long i = 0; i < size; i++)
            w[i] = (float)(limit * (2.0 * rt_rng_double(r) - 1.0));
    } else {
        double sd = sqrt(scale / n) / trunc_fix;
        for (long i = 0; i < size; i++)
            w[i] = (float)truncated(r, sd);
    }
    return 0;
}
