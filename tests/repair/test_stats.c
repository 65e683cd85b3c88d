/* test_stats.c: Mann-Whitney U and A12 against known values.
 *
 * Expected values were computed with scipy 1.10.1 (Debian python3-scipy):
 *   - exact p without ties: stats.mannwhitneyu(x, y, alternative='greater',
 *     method='exact');
 *   - exact p with ties: stats.permutation_test((x, y), U,
 *     permutation_type='independent', alternative='greater',
 *     n_resamples=np.inf), i.e. the full permutation distribution (scipy's
 *     'exact' method ignores ties, which is why those cases differ from it);
 *   - the normal approximation: stats.mannwhitneyu(..., method='asymptotic',
 *     use_continuity=True);
 *   - A12 = U / (nx * ny), with U from scipy.
 * The 5-vs-5 separated case is also 1/C(10,5) = 1/252 by hand.
 */
#include <math.h>

#include "rtest.h"
#include "stats.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

static void close_to(double got, double want, double tol, const char *what)
{
    CHECK(fabs(got - want) <= tol, "%s: got %.12g, want %.12g", what, got, want);
}

int main(void)
{
    bool exact;
    const double a[] = {0.91, 0.93, 0.95, 0.97, 0.99}, b[] = {0.50, 0.52, 0.55, 0.60, 0.92};
    close_to(stats_mwu_u(a, 5, b, 5), 24, 0, "U no ties");
    close_to(stats_mwu_greater(a, 5, b, 5, &exact), 0.007936507936507936, 1e-12, "p no ties");
    CHECK(exact, "small samples must use the exact method");
    close_to(stats_a12(a, 5, b, 5), 24.0 / 25, 1e-12, "A12 no ties");

    const double hi[] = {6, 7, 8, 9, 10}, lo[] = {1, 2, 3, 4, 5};
    close_to(stats_mwu_greater(hi, 5, lo, 5, NULL), 1.0 / 252, 1e-12, "p separated");
    close_to(stats_mwu_greater(lo, 5, hi, 5, NULL), 1.0, 1e-12, "p separated, wrong way");
    close_to(stats_a12(hi, 5, lo, 5), 1.0, 0, "A12 separated");
    close_to(stats_a12(lo, 5, hi, 5), 0.0, 0, "A12 separated, wrong way");

    const double t1[] = {1, 1, 2, 2, 3}, t2[] = {0, 1, 1, 2, 2};
    close_to(stats_mwu_u(t1, 5, t2, 5), 17, 0, "U ties");
    close_to(stats_mwu_greater(t1, 5, t2, 5, NULL), 0.24206349206349206, 1e-12, "p ties");
    close_to(stats_a12(t1, 5, t2, 5), 0.68, 1e-12, "A12 ties");

    const double s1[] = {0.8, 0.8, 0.8, 0.8, 0.8}, s2[] = {0.5, 0.5, 0.5, 0.5, 0.8};
    close_to(stats_mwu_greater(s1, 5, s2, 5, NULL), 0.023809523809523808, 1e-12, "p heavy ties");
    close_to(stats_a12(s1, 5, s2, 5), 0.9, 1e-12, "A12 heavy ties");

    const double same[] = {1, 1, 1};
    close_to(stats_mwu_greater(same, 3, same, 3, NULL), 1.0, 1e-12, "p all equal");
    close_to(stats_a12(same, 3, same, 3), 0.5, 0, "A12 all equal");

    const double lx[] = {0.63, 0.68, 0.63, 0.47, 0.69, 0.64, 0.55, 0.66, 0.64, 0.63, 0.6, 0.65, 0.53, 0.58,
                         0.55, 0.66, 0.6, 0.57, 0.52, 0.57, 0.6, 0.57, 0.73, 0.7, 0.33, 0.41, 0.58, 0.56,
                         0.62, 0.62};
    const double ly[] = {0.71, 0.39, 0.46, 0.7, 0.56, 0.57, 0.45, 0.34, 0.52, 0.51, 0.38, 0.43, 0.49, 0.41,
                         0.49, 0.51, 0.5, 0.45, 0.56, 0.59, 0.53, 0.42, 0.57, 0.45, 0.59, 0.39, 0.59, 0.5,
                         0.38, 0.47};
    close_to(stats_mwu_u(lx, N(lx), ly, N(ly)), 722.5, 0, "U large");
    close_to(stats_mwu_greater(lx, N(lx), ly, N(ly), &exact), 2.8555529755549944e-05, 1e-9, "p large");
    CHECK(!exact, "60 observations must use the normal approximation");

    close_to(stats_mean(lo, 5), 3, 1e-12, "mean");
    close_to(stats_sd(lo, 5), sqrt(2.5), 1e-12, "sd");
    close_to(stats_sd(lo, 1), 0, 0, "sd of one value");
    return check_finish("test_stats");
}
