/* stats.h: the statistics repair reports.
 *
 * A fix is reported when its metric over R seeded runs is significantly
 * greater than the faulty program's over R runs: a one-sided Mann-Whitney U
 * test.  Up to STATS_EXACT_MAX observations in all the p-value is exact: the
 * permutation distribution of the rank sum, with tied values given their
 * mid-ranks (so ties are handled exactly, not approximated).  Beyond that it
 * is the normal approximation with the tie-corrected variance and a
 * continuity correction of 0.5 (as scipy.stats.mannwhitneyu's 'asymptotic'
 * method).  The effect size is Vargha and Delaney's A12 = P(X > Y) +
 * P(X = Y) / 2.  Callers make "greater is better" (negating losses).
 */
#ifndef DNNC_STATS_H
#define DNNC_STATS_H

#include <stdbool.h>

#define STATS_EXACT_MAX 50

double stats_mean(const double *x, int n);
/* Mean of the finite values of X (NAN when there are none). */
double stats_mean_finite(const double *x, int n);
/* Sample standard deviation (n - 1); 0 for fewer than two values. */
double stats_sd(const double *x, int n);
/* Mann-Whitney U of X against Y: pairs with x > y, plus half the ties. */
double stats_mwu_u(const double *x, int nx, const double *y, int ny);
/* One-sided p-value of "X tends to be greater than Y"; *EXACT (if given) says
 * which method gave it.  1 when either sample is empty. */
double stats_mwu_greater(const double *x, int nx, const double *y, int ny, bool *exact);
/* Vargha-Delaney A12 of X over Y (0.5: no effect). */
double stats_a12(const double *x, int nx, const double *y, int ny);

#endif
