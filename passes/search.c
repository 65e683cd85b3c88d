/* search.c: the strategy table and successive halving (search.h). */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const rp_strategy strategies[] = {
    {"guided", rp_search_guided},
    {"random", rp_search_random},
    {"bohb", rp_search_bohb},
    {"autotrainer", rp_search_autotrainer},
};

const rp_strategy *rp_strategy_find(const char *name)
{
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++)
        if (strcmp(strategies[i].name, name ? name : "guided") == 0)
            return &strategies[i];
    return NULL;
}

const char *rp_strategy_names(void)
{
    return "guided, random, bohb, autotrainer";
}

double rp_first_fraction(const rp_session *s)
{
    long n = s->data->train.n, b = s->prog->train.batch < n ? s->prog->train.batch : n;
    long batches = (n + b - 1) / (b > 0 ? b : 1) * s->prog->train.epochs;
    return batches >= 90 ? 1.0 / 9 : batches >= 12 ? 1.0 / 3 : 1.0;
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

int rp_halving(rp_session *s, rp_changes *cands, int n, double f0, double reserve, bool reference)
{
    int alive_n = n;
    int *alive = ir_alloc(sizeof *alive * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        alive[i] = i;
    double *scores = ir_alloc(sizeof *scores * (size_t)(n + 1));
    ranked *r = ir_alloc(sizeof *r * (size_t)(n + 1));
    rp_changes *batch = ir_alloc(sizeof *batch * (size_t)(n + 1));
    int full = 0;
    for (double f = f0; alive_n > 0; f = fmin(1, f * 3)) {
        /* The faulty program itself is the reference at every rung. */
        batch[0] = (rp_changes){0};
        for (int i = 0; i < alive_n; i++)
            batch[i + 1] = cands[alive[i]];
        if (!reference)
            scores[0] = RP_WORST;
        double est = s->unit * f * 1.2;
        /* Candidates already trained this far are not trained again. */
        int todo = 0;
        for (int i = reference ? 0 : 1; i <= alive_n; i++)
            todo += !rp_log_find(s, &batch[i], f);
        if (todo && !rp_search_may_train(s, todo, est, reserve)) {
            /* Not all fit: go on with the best of them that do (they are ranked). */
            int fit = alive_n;
            while (fit > 0 && !rp_search_may_train(s, fit + (reference ? 1 : 0), est, reserve))
                fit--;
            if (fit == 0)
                break;
            alive_n = fit;
            for (int i = 0; i < alive_n; i++)
                batch[i + 1] = cands[alive[i]];
        }
        /* Train together (so every worker is busy) what the log does not hold yet. */
        int *idx = ir_alloc(sizeof *idx * (size_t)(alive_n + 1));
        rp_changes *todo_l = ir_alloc(sizeof *todo_l * (size_t)(alive_n + 1));
        double *todo_s = ir_alloc(sizeof *todo_s * (size_t)(alive_n + 1));
        int nt = 0;
        for (int i = reference ? 0 : 1; i <= alive_n; i++) {
            const rp_trial *t = rp_log_find(s, &batch[i], f);
            if (t) {
                scores[i] = t->score;
            } else {
                idx[nt] = i;
                todo_l[nt++] = batch[i];
            }
        }
        if (nt > 0)
            rp_evaluate(s, todo_l, nt, f, 1, todo_s, NULL);
        for (int k = 0; k < nt; k++)
            scores[idx[k]] = todo_s[k];
        free(idx);
        free(todo_l);
        free(todo_s);
        if (f >= 1) {
            full = alive_n;
            break;
        }
        double ref = reference ? scores[0] : RP_WORST;
        int keep = 0;
        for (int i = 0; i < alive_n; i++)
            r[i] = (ranked){alive[i], scores[i + 1]};
        qsort(r, (size_t)alive_n, sizeof *r, by_score);
        int quota = (alive_n + 2) / 3;
        for (int i = 0; i < alive_n && keep < quota; i++)
            if (r[i].score > RP_WORST &&
                (r[i].score >= ref || (keep == 0 && r[i].score >= ref - 0.01 * fmax(1, fabs(ref)))))
                alive[keep++] = r[i].index;
        alive_n = keep;
    }
    free(alive);
    free(scores);
    free(r);
    free(batch);
    return full;
}
