/* stats.c: Mann-Whitney U and Vargha-Delaney A12 (stats.h).
 *
 * The exact p-value counts, over every way of choosing which nx of the N
 * pooled observations belong to X, how many give a rank sum at least the
 * observed one.  Ranks are doubled mid-ranks, so ties keep integer sums; the
 * count is a dynamic programme over (observations taken, rank sum), in long
 * double because the counts reach C(50, 25) ~ 1.3e14.  Written by hand: no
 * Debian C library offers an exact test with ties.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double stats_mean(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return n ? s / n : NAN;
}

double stats_mean_finite(const double *x, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            k++;
        }
    return k ? s / k : NAN;
}

double stats_sd(const double *x, int n)
{
    if (n < 2)
        return 0;
    double m = stats_mean(x, n), s = 0;
    for (int i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

double stats_mwu_u(const double *x, int nx, const double *y, int ny)
{
    double u = 0;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
    return u;
}

double stats_a12(const double *x, int nx, const double *y, int ny)
{
    return nx && ny ? stats_mwu_u(x, nx, y, ny) / ((double)nx * ny) : 0.5;
}

/* A pooled observation: its value and whether it came from X. */
typedef struct obs {
    double v;   /* the value */
    int from_x; /* 1 for X, 0 for Y */
} obs;

static int by_value(const void *a, const void *b)
{
    double x = ((const obs *)a)->v, y = ((const obs *)b)->v;
    return x < y ? -1 : x > y;
}

double stats_mwu_greater(const double *x, int nx, const double *y, int ny, bool *exact)
{
    if (exact)
        *exact = false;
    if (nx < 1 || ny < 1)
        return 1;
    int n = nx + ny;
    obs *o = malloc(sizeof *o * (size_t)n);
    int *rank2 = malloc(sizeof *rank2 * (size_t)n);   /* doubled mid-ranks */
    for (int i = 0; i < nx; i++)
        o[i] = (obs){x[i], 1};
    for (int j = 0; j < ny; j++)
        o[nx + j] = (obs){y[j], 0};
    qsort(o, (size_t)n, sizeof *o, by_value);
    double ties = 0;     /* sum of t^3 - t over tie groups */
    long w2 = 0;         /* doubled rank sum of X */
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && o[j].v == o[i].v)
            j++;
        for (int k = i; k < j; k++)
            rank2[k] = i + j + 1;    /* 2 * mid-rank of positions i+1..j */
        double t = j - i;
        ties += t * t * t - t;
        i = j;
    }
    for (int i = 0; i < n; i++)
        if (o[i].from_x)
            w2 += rank2[i];
    double p;
    if (n <= STATS_EXACT_MAX) {
        long smax = (long)n * (n + 1);   /* largest doubled rank sum */
        long double *ways = calloc((size_t)(nx + 1) * (size_t)(smax + 1), sizeof *ways);
#define WAYS(k, s) ways[(size_t)(k) * (size_t)(smax + 1) + (size_t)(s)]
        WAYS(0, 0) = 1;
        for (int i = 0; i < n; i++)
            for (int k = (i + 1 < nx ? i + 1 : nx); k >= 1; k--)
                for (long s = smax; s >= rank2[i]; s--)
                    WAYS(k, s) += WAYS(k - 1, s - rank2[i]);
        long double total = 0, tail = 0;
        for (long s = 0; s <= smax; s++) {
            total += WAYS(nx, s);
            if (s >= w2)
                tail += WAYS(nx, s);
        }
#undef WAYS
        free(ways);
        p = (double)(tail / total);
        if (exact)
            *exact = true;
    } else {
        double u = w2 / 2.0 - nx * (nx + 1) / 2.0;
        double mu = nx * (double)ny / 2;
        double var = nx * (double)ny / 12 * ((n + 1) - ties / ((double)n * (n - 1)));
        p = var > 0 ? 0.5 * erfc((u - mu - 0.5) / sqrt(var) / sqrt(2.0)) : 1;
    }
    free(o);
    free(rank2);
    return p > 1 ? 1 : p;
}
