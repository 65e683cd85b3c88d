/* search.c: the strategy table and successive halving (search.h). */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define RP_X_STRATEGY_ROW(name, fn, file) {#name, fn},
static const rp_strategy strategies[] = {RP_STRATEGIES(RP_X_STRATEGY_ROW)};
#define N_STRATEGIES (sizeof strategies / sizeof strategies[0])

const rp_strategy *rp_strategy_find(const char *name)
{
    for (size_t i = 0; i < N_STRATEGIES; i++)
        if (strcmp(strategies[i].name, name ? name : strategies[0].name) == 0)
            return &strategies[i];
    return NULL;
}

const char *rp_strategy_names(void)
{
    static char buf[256];
    size_t len = 0;
    for (size_t i = 0; i < N_STRATEGIES && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", strategies[i].name);
    return buf;
}

double rp_first_fraction(const rp_session *s)
{
    return dx_probe_fraction(s->prog, s->data->train.n);
}

/* Order of candidates by score, best first. */
typedef struct ranked {
    int index;      /* into the candidate array */
    double score;   /* its score at the current rung */
} ranked;

static int by_score(const void *a, const void *b)
{
    double x = ((const ranked *)a)->score, y = ((const ranked *)b)->score;
    if (x != y)
        return x < y ? 1 : -1;
    return ((const ranked *)a)->index - ((const ranked *)b)->index;
}

int rp_halving(rp_session *s, rp_changes *cands, int n, double f0, bool reference)
{
    int alive_n = n;
    int *alive = ir_alloc(sizeof *alive * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        alive[i] = i;
    double *scores = ir_alloc(sizeof *scores * (size_t)(n + 1));
    ranked *r = ir_alloc(sizeof *r * (size_t)(n + 1));
    rp_changes *batch = ir_alloc(sizeof *batch * (size_t)(n + 1));
    int *idx = ir_alloc(sizeof *idx * (size_t)(n + 1));
    rp_changes *todo = ir_alloc(sizeof *todo * (size_t)(n + 1));
    double *todo_s = ir_alloc(sizeof *todo_s * (size_t)(n + 1));
    int full = 0;
    for (double f = f0; alive_n > 0; f = fmin(1, f * 3)) {
        /* The faulty program itself is the reference at every rung. */
        batch[0] = (rp_changes){0};
        scores[0] = RP_WORST;
        int nt;
        for (;;) {
            for (int i = 0; i < alive_n; i++)
                batch[i + 1] = cands[alive[i]];
            /* Candidates already trained this far are not trained again. */
            nt = 0;
            for (int i = reference ? 0 : 1; i <= alive_n; i++) {
                const rp_trial *t = rp_log_find(s, &batch[i], f);
                if (t) {
                    scores[i] = t->score;
                } else {
                    idx[nt] = i;
                    todo[nt++] = batch[i];
                }
            }
            /* Not all fit: go on with the best of them that do (they are ranked). */
            if (nt == 0 || rp_search_affords(s, todo, nt, f) || alive_n == 0)
                break;
            alive_n--;
        }
        if (alive_n == 0)
            break;
        if (nt > 0 && !rp_evaluate(s, todo, nt, f, 0, 1, todo_s, NULL))
            break;
        for (int k = 0; k < nt; k++)
            scores[idx[k]] = todo_s[k];
        if (f >= 1) {
            full = alive_n;
            break;
        }
        /* A candidate goes on when it is not clearly worse than the faulty
         * program at this rung: one seed each, so "clearly" is the faulty
         * program's own seed-to-seed spread (at least 1%). */
        double ref = reference ? scores[0] : RP_WORST;
        double slack = fmax(0.01 * fmax(1, fabs(ref)), rp_baseline_noise(s));
        int keep = 0;
        for (int i = 0; i < alive_n; i++)
            r[i] = (ranked){alive[i], scores[i + 1]};
        qsort(r, (size_t)alive_n, sizeof *r, by_score);
        int quota = (alive_n + 2) / 3;
        for (int i = 0; i < alive_n && keep < quota; i++)
            if (r[i].score > RP_WORST && r[i].score >= ref - slack)
                alive[keep++] = r[i].index;
        alive_n = keep;
    }
    free(alive);
    free(scores);
    free(r);
    free(batch);
    free(idx);
    free(todo);
    free(todo_s);
    return full;
}
