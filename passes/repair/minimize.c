/* minimize.c: delta debugging over a fix's changes (minimize.h). */
#include "minimize.h"

#include <string.h>

#include "stats.h"

/* Whether some other change of L hangs on change I (an insert anchored on it). */
static bool needed(const rp_changes *l, int i)
{
    if (l->items[i].op != RP_INSERT)
        return false;
    for (int j = 0; j < l->n; j++)
        if (j != i && l->items[j].op == RP_INSERT && strcmp(l->items[j].anchor, l->items[i].node) == 0)
            return true;
    return false;
}

int rp_minimize(rp_changes *changes, rp_runs *runs, rp_train_fn train, rp_keep_fn keep, rp_afford_fn afford,
                void *ctx)
{
    int dropped = 0;
    bool again = true;
    while (again && changes->n > 1) {
        again = false;
        for (int i = changes->n - 1; i >= 0 && changes->n > 1; i--) {
            if (needed(changes, i))
                continue;
            rp_changes smaller = {0};
            for (int j = 0; j < changes->n; j++)
                if (j != i)
                    rp_changes_push(&smaller, &changes->items[j]);
            if (!afford(&smaller, ctx)) {
                rp_changes_free(&smaller);
                continue;   /* a cheaper drop further on may still fit */
            }
            rp_runs r;
            train(&smaller, &r, ctx);
            if (keep(&r, runs, ctx)) {
                rp_changes_free(changes);
                *changes = smaller;
                *runs = r;
                dropped++;
                again = true;
                break;
            }
            rp_changes_free(&smaller);
        }
    }
    return dropped;
}

static void session_train(const rp_changes *changes, rp_runs *out, void *ctx)
{
    rp_run_seeds(ctx, changes, out);
}

static bool session_keep(const rp_runs *cand, const rp_runs *cur, void *ctx)
{
    rp_session *s = ctx;
    if (rp_stopped(s))
        return false;   /* CAND's runs were cut short */
    double gain = stats_mean(cand->val, cand->n) - stats_mean(s->baseline.val, s->baseline.n);
    double p = stats_mwu_greater(cand->val, cand->n, s->baseline.val, s->baseline.n, NULL);
    double worse = stats_mwu_greater(cur->val, cur->n, cand->val, cand->n, NULL);
    return p < 0.05 && gain > 0 && worse >= 0.05;
}

static bool session_afford(const rp_changes *candidate, void *ctx)
{
    rp_session *s = ctx;
    if (rp_stopped(s))
        return false;
    if (s->budget.kind == RP_BUDGET_TRIALS)
        return true;
    return rp_validation_cost(s, candidate) <= rp_budget_left(s);
}

int rp_minimize_fix(rp_session *s, rp_fix *fix)
{
    const char *phase = s->phase;
    s->phase = "minimise";
    int n = rp_minimize(&fix->changes, &fix->runs, session_train, session_keep, session_afford, s);
    s->phase = phase;
    return n;
}
