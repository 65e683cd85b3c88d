/* search_bohb.c: BOHB, Hyperband with model-based sampling.
 *
 * Hyperband (Li et al.) with eta = 3 over the training length: the smallest
 * fidelity is the guided search's first rung (1/9 of the training when the
 * faulty program has enough batches), so s_max = log3(1/f0); bracket s
 * starts ceil((s_max + 1) / (s + 1) * 3^s) points at 3^-s and halves them by
 * successive halving without a reference.  New points come, as in BOHB
 * (Falkner et al.), from a tree-structured Parzen estimator once the log
 * holds enough points at one fidelity: the best 15% form the "good"
 * density l(x), the rest g(x), per dimension (categorical counts with
 * add-one smoothing; the learning rate as a Gaussian kernel density in
 * log10 space), and of 24 draws from l the one with the largest l/g is
 * taken; a third of the points are drawn uniformly, as BOHB does.
 */
#include "search.h"
#include "search_space.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A point BOHB tried and its change list. */
typedef struct tried {
    sp_point pt;            /* the point */
    rp_changes changes;     /* what it changes */
} tried;

/* Points and their scores at one fidelity, for the estimator. */
typedef struct observed {
    const sp_point *pt;     /* the point */
    double score;           /* its validation score */
} observed;

static int by_score(const void *a, const void *b)
{
    double x = ((const observed *)a)->score, y = ((const observed *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Log-density of a point under the per-dimension model of OBS[0..N-1]. */
static double log_density(const sp_space *sp, const observed *obs, int n, const sp_point *x)
{
    double ld = 0;
    for (int d = 0; d < sp->n; d++) {
        if (sp->dims[d].n == 0) {
            double sum = 0, lx = log10(x->lr);
            for (int i = 0; i < n; i++) {
                double z = (lx - log10(obs[i].pt->lr)) / 0.5;
                sum += exp(-0.5 * z * z);
            }
            ld += log((sum + 1e-3) / (n + 1e-3));
            continue;
        }
        int count = 0;
        for (int i = 0; i < n; i++)
            count += obs[i].pt->choice[d] == x->choice[d];
        ld += log((count + 1.0) / (n + sp->dims[d].n));
    }
    return ld;
}

/* A draw from the good points' density: each dimension from a random good point, jittered. */
static void draw_good(const sp_space *sp, const observed *good, int n, rt_rng *rng, sp_point *x)
{
    sp_draw(sp, rng, x);
    for (int d = 0; d < sp->n; d++) {
        const sp_point *g = good[rt_rng_below(rng, (uint64_t)n)].pt;
        if (sp->dims[d].n == 0) {
            double l = log10(g->lr) + 0.5 * rt_rng_normal(rng);
            x->lr = fmin(10, fmax(1e-6, pow(10, l)));
        } else if (rt_rng_double(rng) < 0.8) {
            x->choice[d] = g->choice[d];
        }
    }
}

/* Samples a new point: TPE when the log has enough points at a fidelity, else uniform. */
static void sample(const rp_session *s, const sp_space *sp, const tried *t, int nt, rt_rng *rng, sp_point *x)
{
    if (rt_rng_double(rng) < 1.0 / 3) {
        sp_draw(sp, rng, x);
        return;
    }
    /* The largest fidelity with at least 8 scored points. */
    observed *obs = ir_alloc(sizeof *obs * (size_t)(nt + 1));
    int n = 0;
    for (double f = 1; f > 1e-3 && n < 8; f /= 3) {
        n = 0;
        for (int i = 0; i < nt; i++) {
            const rp_trial *tr = rp_log_find(s, &t[i].changes, f - 1e-9);
            if (tr && fabs(tr->fraction - f) < 1e-6 * f + 1e-9)
                obs[n++] = (observed){&t[i].pt, tr->score};
        }
    }
    if (n < 8) {
        free(obs);
        sp_draw(sp, rng, x);
        return;
    }
    qsort(obs, (size_t)n, sizeof *obs, by_score);
    int ng = (int)ceil(0.15 * n);
    double best = -INFINITY;
    sp_point cand;
    for (int k = 0; k < 24; k++) {
        draw_good(sp, obs, ng, rng, &cand);
        double r = log_density(sp, obs, ng, &cand) - log_density(sp, obs + ng, n - ng, &cand);
        if (r > best) {
            best = r;
            *x = cand;
        }
    }
    free(obs);
}

void rp_search_bohb(rp_session *s)
{
    sp_space sp;
    rt_rng rng;
    rt_rng_stream(&rng, (uint64_t)s->seed, rt_hash_string("bohb"));
    sp_build(s, &rng, &sp);
    double f0 = rp_first_fraction(s);
    int smax = (int)round(log(1 / f0) / log(3));
    int cap = 64, nt = 0;
    tried *t = ir_alloc(sizeof *t * (size_t)cap);
    s->phase = "bohb";
    while (rp_search_goes_on(s, f0)) {
        for (int b = smax; b >= 0; b--) {
            int n = (int)ceil((smax + 1.0) / (b + 1) * pow(3, b));
            double f = pow(3, -b);
            rp_changes *cands = ir_alloc(sizeof *cands * (size_t)n);
            int m = 0;
            for (int k = 0; k < n; k++) {
                if (nt == cap) {
                    cap *= 2;
                    t = ir_realloc(t, sizeof *t * (size_t)cap);
                }
                int tries = 0;
                while (tries++ < 200) {
                    sample(s, &sp, t, nt, &rng, &t[nt].pt);
                    if (sp_changes(s, &sp, &t[nt].pt, &t[nt].changes) && t[nt].changes.n > 0)
                        break;
                    rp_changes_free(&t[nt].changes);
                }
                if (t[nt].changes.n == 0)
                    continue;
                cands[m++] = t[nt].changes;
                nt++;
            }
            if (m > 0)
                rp_halving(s, cands, m, f, false);
            free(cands);
            if (!rp_search_goes_on(s, f0))
                break;
        }
    }
    for (int i = 0; i < nt; i++)
        rp_changes_free(&t[i].changes);
    free(t);
}
