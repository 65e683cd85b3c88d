/* repair.c: budget, candidate evaluation, validation and progress (repair.h).
 *
 * The budget counts wall-clock time from the start of the repair, so every
 * training counts: the faulty program's baseline runs, the search, the
 * validation runs and the minimisation.  Its unit ("20x") is the mean
 * wall-clock time of one baseline training of the faulty program, measured
 * as the search trains (single-threaded, next to the other workers).
 */
#include "repair.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "stats.h"

bool rp_budget_parse(const char *text, int trials, rp_budget *b, char *err, size_t errsize)
{
    if (!text && trials > 0) {
        *b = (rp_budget){RP_BUDGET_TRIALS, trials};
        return true;
    }
    if (!text)
        text = "20x";
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0) || !isfinite(v) || (strcmp(end, "x") && strcmp(end, "s"))) {
        snprintf(err, errsize, "--budget takes a multiple of the training time (20x) or seconds (300s), got '%s'",
                 text);
        return false;
    }
    *b = (rp_budget){*end == 'x' ? RP_BUDGET_TIMES : RP_BUDGET_SECONDS, v};
    return true;
}

double rp_elapsed(const rp_session *s)
{
    return rt_now() - s->t0;
}

/* Plans keep 5% of the budget for the report and for timing noise. */
#define PLAN_SHARE 0.95

double rp_budget_left(const rp_session *s)
{
    return PLAN_SHARE * s->deadline - rp_elapsed(s);
}

double rp_validation_reserve(const rp_session *s, int k)
{
    int w = s->pool.workers > 0 ? s->pool.workers : 1;
    int rounds = (s->runs + w - 1) / w;
    return k * rounds * (s->unit + s->overhead) * 1.1 * 1.3;
}

bool rp_search_may_train(const rp_session *s, int n, double seconds, double reserve)
{
    if (s->budget.kind == RP_BUDGET_TRIALS)
        return s->search_trainings + n <= (long)s->budget.amount;
    int w = s->pool.workers > 0 ? s->pool.workers : 1;
    double need = ceil((double)n / w) * (seconds + s->overhead);
    return rp_elapsed(s) + need + reserve <= PLAN_SHARE * s->deadline;
}

double rp_metric_score(const rp_outcome *o)
{
    /* A diverged run still has the metric its broken weights give (chance). */
    if (!o->ok || !isfinite(o->val_metric))
        return RP_WORST;
    return o->classification ? o->val_metric : -o->val_metric;
}

double rp_score(const rp_outcome *o)
{
    double m = rp_metric_score(o);
    /* Accuracy moves in steps (a short training often leaves every candidate
     * at chance); the validation loss breaks ties, far below one step. */
    if (m > RP_WORST && o->classification)
        m -= 1e-6 * (isfinite(o->val_loss) ? fmin(fmax(o->val_loss, 0), 1000) : 1000);
    return m;
}

/* Test metric as "higher is better" (classification: accuracy). */
static double test_score(const rp_session *s, double metric)
{
    if (!isfinite(metric))
        return RP_WORST;
    return s->facts.classes > 0 ? metric : -metric;
}

bool rp_changes_same(const rp_changes *a, const rp_changes *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++) {
        bool found = false;
        for (int j = 0; j < b->n && !found; j++) {
            const rp_change *x = &a->items[i], *y = &b->items[j];
            found = x->op == y->op && x->target == y->target && !strcmp(x->node, y->node) &&
                    !strcmp(x->attribute, y->attribute) && !strcmp(x->after, y->after) &&
                    !strcmp(x->anchor, y->anchor);
        }
        if (!found)
            return false;
    }
    return true;
}

const rp_trial *rp_log_find(const rp_session *s, const rp_changes *l, double fraction)
{
    for (int i = s->n_log - 1; i >= 0; i--)
        if (s->log[i].fraction >= fraction - 1e-9 && rp_changes_same(&s->log[i].changes, l))
            return &s->log[i];
    return NULL;
}

static void log_trial(rp_session *s, const rp_changes *l, double fraction, double score, int seeds, double seconds)
{
    if (s->n_log == s->cap_log) {
        s->cap_log = s->cap_log ? 2 * s->cap_log : 64;
        s->log = ir_realloc(s->log, sizeof *s->log * (size_t)s->cap_log);
    }
    rp_trial *t = &s->log[s->n_log++];
    rp_changes_copy(&t->changes, l);
    t->fraction = fraction;
    t->score = score;
    t->seeds = seeds;
    t->seconds = seconds;
    t->found_at = rp_elapsed(s);
    if (fraction >= 1 && score > s->best_score && l->n > 0)
        s->best_score = score;
}

void rp_run_jobs(rp_session *s, const rp_job *jobs, int n, rp_outcome *out)
{
    if (n <= 0)
        return;
    double t0 = rt_now();
    rp_pool_run(&s->pool, jobs, n, out);
    int w = s->pool.workers > 0 ? s->pool.workers : 1;
    double rounds = ceil((double)n / w), busy = 0;
    for (int i = 0; i < n; i++)
        busy += out[i].seconds;
    double extra = (rt_now() - t0) / rounds - busy / n;
    if (extra < 0)
        extra = 0;
    s->overhead = s->overhead > 0 ? 0.7 * s->overhead + 0.3 * extra : extra;
}

bool rp_evaluate(rp_session *s, const rp_changes *cands, int n, double fraction, int seeds,
                 double *scores, rp_outcome *first_outcome)
{
    int w = s->pool.workers > 0 ? s->pool.workers : 1;
    int chunk = w * 4 * seeds;
    bool any = false;
    for (int i = 0; i < n; i++)
        scores[i] = RP_WORST;
    for (int start = 0; start < n; start += chunk / seeds > 0 ? chunk / seeds : 1) {
        int m = chunk / seeds > 0 ? chunk / seeds : 1;
        if (start + m > n)
            m = n - start;
        if (s->budget.kind == RP_BUDGET_TRIALS ? s->search_trainings >= (long)s->budget.amount
                                               : rp_budget_left(s) <= 0)
            break;
        ir_program **progs = ir_alloc(sizeof *progs * (size_t)m);
        rp_job *jobs = ir_alloc(sizeof *jobs * (size_t)(m * seeds));
        rp_outcome *out = ir_alloc(sizeof *out * (size_t)(m * seeds));
        int nj = 0;
        for (int i = 0; i < m; i++) {
            progs[i] = rp_apply_all(s->prog, &cands[start + i], "repair");
            if (!progs[i])
                continue;
            double ratio = (double)progs[i]->train.epochs / (s->prog->train.epochs > 0 ? s->prog->train.epochs : 1);
            for (int k = 0; k < seeds; k++)
                jobs[nj++] = (rp_job){progs[i], s->seed + 1 + k, fraction,
                                      fmax(5.0, 6 * s->unit * fraction * fmax(1, ratio)), s->monitor_jobs};
        }
        rp_run_jobs(s, jobs, nj, out);
        s->search_trainings += nj;
        int j = 0;
        for (int i = 0; i < m; i++) {
            if (!progs[i])
                continue;
            double sum = 0, secs = 0;
            for (int k = 0; k < seeds; k++, j++) {
                double sc = rp_score(&out[j]);
                sum += sc <= RP_WORST ? RP_WORST / seeds : sc;
                secs += out[j].seconds;
                if (start + i == 0 && k == 0 && first_outcome)
                    *first_outcome = out[j];
            }
            scores[start + i] = sum / seeds;
            if (scores[start + i] < RP_WORST / 2)
                scores[start + i] = RP_WORST;
            log_trial(s, &cands[start + i], fraction, scores[start + i], seeds, secs / seeds);
            ir_program_free(progs[i]);
            any = true;
        }
        free(progs);
        free(jobs);
        free(out);
        rp_progress(s);
    }
    return any;
}

void rp_run_seeds(rp_session *s, const rp_changes *changes, rp_runs *runs)
{
    memset(runs, 0, sizeof *runs);
    ir_program *p = rp_apply_all(s->prog, changes, "repair");
    int r = s->runs < RP_MAX_RUNS ? s->runs : RP_MAX_RUNS;
    rp_job jobs[RP_MAX_RUNS];
    rp_outcome out[RP_MAX_RUNS];
    for (int k = 0; k < r; k++)
        jobs[k] = (rp_job){p ? p : s->prog, s->seed + 1 + k, 1, 0, false};
    if (p)
        rp_run_jobs(s, jobs, r, out);
    runs->n = r;
    double secs = 0;
    for (int k = 0; k < r; k++) {
        bool good = p && out[k].ok;
        runs->val[k] = good ? rp_metric_score(&out[k]) : RP_WORST;
        runs->test[k] = good ? (s->has_test ? out[k].test_metric : out[k].val_metric) : NAN;
        runs->failed += !good || out[k].diverged;
        runs->cut += good && out[k].batches < out[k].planned;
        secs += p ? out[k].seconds : 0;
    }
    runs->seconds = r ? secs / r : 0;
    ir_program_free(p);
}

bool rp_compare(const rp_session *s, const rp_runs *runs, rp_fix *fix)
{
    double a[RP_MAX_RUNS], b[RP_MAX_RUNS];
    for (int k = 0; k < runs->n; k++)
        a[k] = test_score(s, runs->test[k]);
    for (int k = 0; k < s->baseline.n; k++)
        b[k] = test_score(s, s->baseline.test[k]);
    fix->p = stats_mwu_greater(a, runs->n, b, s->baseline.n, NULL);
    fix->a12 = stats_a12(a, runs->n, b, s->baseline.n);
    fix->improvement = stats_mean(a, runs->n) - stats_mean(b, s->baseline.n);
    fix->p_val = stats_mwu_greater(runs->val, runs->n, s->baseline.val, s->baseline.n, NULL);
    double val_gain = stats_mean(runs->val, runs->n) - stats_mean(s->baseline.val, s->baseline.n);
    return fix->p < 0.05 && fix->improvement > 0 && fix->p_val < 0.05 && val_gain > 0;
}

void rp_progress(rp_session *s)
{
    if (!s->progress)
        return;
    char best[64] = "none yet";
    double base = stats_mean(s->baseline.val, s->baseline.n);
    if (s->best_score > RP_WORST && s->baseline.n)
        snprintf(best, sizeof best, "%.4g (faulty %.4g)", fabs(s->best_score), fabs(base));
    char left[64];
    if (s->budget.kind == RP_BUDGET_TRIALS)
        snprintf(left, sizeof left, "%ld of %.0f trials left", (long)s->budget.amount - s->search_trainings,
                 s->budget.amount);
    else if (isfinite(s->deadline))
        snprintf(left, sizeof left, "%.0fs of %.0fs left", fmax(0, s->deadline - rp_elapsed(s)), s->deadline);
    else
        snprintf(left, sizeof left, "budget unit being measured");
    fprintf(stderr, "dnnc: repair: %-10s %5ld trainings  best val %s  %s\n", s->phase, s->pool.trainings, best,
            left);
}

/* Whether suspect S points at the place change C touches. */
static bool points_at(const suspect *sp, const rp_change *c)
{
    if (sp->target != c->target)
        return false;
    if (c->target == SUSPECT_TRAIN)
        return true;
    const char *node = c->op == RP_INSERT ? c->anchor : c->node;
    return strcmp(sp->node, node) == 0;
}

double rp_suspect_boost(const rp_session *s, const rp_change *c, repair_class cls, char *reason, size_t size)
{
    const suspect *best = NULL;
    double boost = 1;
    for (int i = 0; i < s->suspects.n; i++) {
        const suspect *sp = &s->suspects.items[i];
        if (!(sp->repairs & (1u << cls)))
            continue;
        double decay = 1.0 / (1 + 0.15 * (sp->rank - 1));
        double b = 1 + (points_at(sp, c) ? 3.0 : 0.8) * sp->score * decay;
        if (b > boost) {
            boost = b;
            best = sp;
        }
    }
    if (best && reason) {
        size_t len = strlen(reason);
        snprintf(reason + len, size - len, "%ssuspect #%d [%s]: %s", len ? "; " : "", best->rank, best->rule,
                 best->message);
    }
    return boost;
}
