/* repair.c: budget, candidate evaluation, validation and progress (repair.h).
 *
 * The budget's clock advances by the modelled cost of what the repair
 * trains (repair_cost.h): every batch of jobs sent to the pool is charged
 * the makespan of the jobs' costs on the workers, computed from what each
 * job actually trained (a diverged run stops early and costs less), and a
 * dataset loaded for candidates is charged its load.  Plans use the same
 * model before training, so a phase never starts what the budget cannot
 * finish.  The wall clock is read only for the report, and, for a budget
 * given in seconds, as a second limit.
 */
#include "repair.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "repair_journal.h"
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

/* A budget in seconds plans to end by this share of them, leaving the rest
 * for the report and for what the model misjudges. */
#define WALL_SHARE 0.95

int rp_stopped(const rp_session *s)
{
    return s->pool.stop ? (int)*s->pool.stop : 0;
}

double rp_budget_left(const rp_session *s)
{
    if (rp_stopped(s))
        return -INFINITY;
    if (s->budget.kind == RP_BUDGET_TRIALS)
        return 1e300;
    double left = s->total - s->clock;
    if (s->budget.kind == RP_BUDGET_SECONDS)
        left = fmin(left, WALL_SHARE * s->budget.amount - rp_elapsed(s));
    return left;
}

int rp_workers(const rp_session *s)
{
    return s->pool.workers > 0 ? s->pool.workers : 1;
}

/* Model seconds of COUNT runs of P at FRACTION into COSTS (from *AT on), and
 * the load of its own data when not made yet into *LOAD. */
static void plan_runs(const rp_session *s, const ir_program *p, double fraction, bool test, int count, double *costs,
                      int *at, double *load)
{
    double c = rp_cost_planned(p, s->sizes, fraction, test);
    for (int k = 0; k < count; k++)
        costs[(*at)++] = c;
    if (rp_data_pending(s, p))
        *load += rp_cost_load(s->sizes, s->data->in_size);
}

double rp_plan_cost(const rp_session *s, const rp_changes *cands, int n, double fraction, int seeds)
{
    double *costs = ir_alloc(sizeof *costs * (size_t)(n * seeds + 1));
    double load = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        ir_program *p = rp_apply_all(s->prog, &cands[i], "repair");
        if (p)
            plan_runs(s, p, fraction, false, seeds, costs, &m, &load);
        ir_program_free(p);
    }
    double c = load + rp_cost_makespan(costs, m, RP_VIRTUAL_WORKERS);
    free(costs);
    return c;
}

double rp_validation_cost(const rp_session *s, const rp_changes *changes)
{
    double costs[RP_MAX_RUNS], load = 0;
    int m = 0;
    ir_program *p = rp_apply_all(s->prog, changes, "repair");
    plan_runs(s, p ? p : s->prog, 1, true, s->runs, costs, &m, &load);
    ir_program_free(p);
    return load + rp_cost_makespan(costs, m, RP_VIRTUAL_WORKERS);
}

bool rp_search_may_train(const rp_session *s, int n, double cost, double reserve)
{
    if (rp_stopped(s))
        return false;
    if (s->budget.kind == RP_BUDGET_TRIALS)
        return s->search_trainings + n <= (long)s->budget.amount;
    return cost + reserve <= rp_budget_left(s);
}

bool rp_search_affords(const rp_session *s, const rp_changes *cands, int n, double fraction)
{
    if (s->budget.kind == RP_BUDGET_TRIALS)
        return rp_search_may_train(s, n, 0, 0);
    return rp_search_may_train(s, n, rp_plan_cost(s, cands, n, fraction, 1), rp_search_reserve(s));
}

bool rp_search_goes_on(const rp_session *s, double fraction)
{
    rp_changes none = {0};
    return rp_search_affords(s, &none, 1, fraction);
}

static int by_trial_score(const void *a, const void *b)
{
    const rp_trial *p = *(const rp_trial *const *)a, *q = *(const rp_trial *const *)b;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    if (p->changes.n != q->changes.n)
        return p->changes.n - q->changes.n;
    return p->cost < q->cost ? -1 : p->cost > q->cost;
}

int rp_candidates(const rp_session *s, const rp_trial **out, int cap)
{
    double base = stats_mean(s->baseline.val, s->baseline.n);
    int n = 0;
    for (int i = 0; i < s->n_log && n < cap; i++) {
        const rp_trial *t = &s->log[i];
        if (t->fraction < 1 || t->changes.n == 0)
            continue;
        bool dup = false;
        for (int j = 0; j < n && !dup; j++)
            if (rp_changes_same(&out[j]->changes, &t->changes)) {
                dup = true;
                if (t->seeds > out[j]->seeds || (t->seeds == out[j]->seeds && t->score > out[j]->score))
                    out[j] = t;
            }
        if (!dup)
            out[n++] = t;
    }
    int kept = 0;
    for (int j = 0; j < n; j++)
        if (out[j]->score > base)
            out[kept++] = out[j];
    qsort(out, (size_t)kept, sizeof *out, by_trial_score);
    return kept;
}

double rp_search_reserve(const rp_session *s)
{
    rp_changes none = {0};
    double reserve = rp_validation_cost(s, &none);
    const rp_trial **picks = ir_alloc(sizeof *picks * (size_t)(s->n_log + 1));
    int np = rp_candidates(s, picks, s->n_log + 1);
    /* A candidate whose validation does not fit in what is left never will
     * (the budget only shrinks): validate() passes it over for a cheaper
     * one, so the reserve is kept for the best candidates that do fit.
     * Reserving for the best one regardless, when it did not fit, left only
     * the faulty program's cost, and a runner-up that costs a little more
     * (another activation) could not be validated either. */
    double left = rp_budget_left(s), vcost[RP_VALIDATE_KEEP];
    int fit = 0;
    for (int i = 0; i < np && fit < RP_CONFIRM_KEEP; i++) {
        double c = rp_validation_cost(s, &picks[i]->changes);
        if (c > left)
            continue;
        if (fit < RP_VALIDATE_KEEP)
            vcost[fit] = c;
        picks[fit++] = picks[i];
    }
    np = fit;
    if (np > 0) {
        double confirm[2 * RP_CONFIRM_KEEP];
        int m = np < RP_CONFIRM_KEEP ? np : RP_CONFIRM_KEEP;
        for (int i = 0; i < 2 * m; i++)
            confirm[i] = picks[i / 2]->cost;
        double v = m > 1 ? rp_cost_makespan(confirm, 2 * m, RP_VIRTUAL_WORKERS) : 0;
        for (int i = 0; i < np && i < RP_VALIDATE_KEEP; i++) {
            double more = v + vcost[i];
            if (more > left)
                break;
            v = more;
            reserve = fmax(reserve, v);
        }
    }
    free(picks);
    return reserve;
}

double rp_baseline_noise(const rp_session *s)
{
    double v[RP_MAX_RUNS];
    int n = 0;
    for (int k = 0; k < s->baseline.n; k++)
        if (s->baseline.val[k] > RP_WORST)
            v[n++] = s->baseline.val[k];
    return stats_sd(v, n);
}

double rp_metric_score(const rp_outcome *o)
{
    /* A diverged run still has the metric its broken weights give (chance). */
    if (!o->ok || !isfinite(o->val_metric))
        return RP_WORST;
    return o->higher_better ? o->val_metric : -o->val_metric;
}

double rp_score(const rp_outcome *o)
{
    double m = rp_metric_score(o);
    /* Accuracy moves in steps (a short training often leaves every candidate
     * at chance); the validation loss breaks ties, far below one step. */
    if (m > RP_WORST && (o->classification || o->user_objective))
        m -= 1e-6 * (isfinite(o->val_loss) ? fmin(fmax(o->val_loss, 0), 1000) : 1000);
    return m;
}

/* Test metric as "higher is better" (classification: accuracy; a user
 * objective: as its metric says). */
static double test_score(const rp_session *s, double metric)
{
    if (!isfinite(metric))
        return RP_WORST;
    bool higher = s->prog->train.objective_fn ? rp_objective_higher(s->prog) : s->facts.classes > 0;
    return higher ? metric : -metric;
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

static void log_trial(rp_session *s, const rp_changes *l, double fraction, double score, int seeds, double cost)
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
    t->cost = cost;
    t->found_at = s->clock;
    if (fraction >= 1 && score > s->best_score && l->n > 0)
        s->best_score = score;
}

/* A safety net only: a training that takes this many times its modelled
 * cost (a machine far slower or busier than the model's) is cut. */
#define RUNAWAY 20
#define RUNAWAY_MIN_SECONDS 30.0

static rp_job job_for(rp_session *s, const ir_program *p, long seed, double fraction, bool test)
{
    double limit = fmax(RUNAWAY_MIN_SECONDS, RUNAWAY * rp_cost_planned(p, s->sizes, fraction, test));
    return (rp_job){p, rp_data_for(s, p), seed, fraction, limit, s->monitor_jobs, test};
}

/* Model seconds of JOB's training as OUT says it went. */
static double job_cost(const rp_session *s, const rp_job *job, const rp_outcome *out, double *f)
{
    const rt_data *d = job->data ? job->data : s->data;
    rp_work w;
    rp_work_of(job->prog, &w);
    bool tested = job->test && out->ok && d->test.n > 0;
    rp_cost_features(&w, rp_sizes_of(d), out->samples, out->batches, out->epochs, tested, f);
    return rp_cost_of_features(f);
}

/* What the pool's on_outcome records a finished training with. */
typedef struct journal_ctx {
    rp_session *s;          /* the session */
    const rp_job *jobs;     /* the jobs the pool runs */
} journal_ctx;

static void record_outcome(void *ctx, int index, const rp_outcome *o)
{
    journal_ctx *c = ctx;
    double f[RP_COST_N];
    rp_journal_record(c->s->journal, &c->jobs[index], o, job_cost(c->s, &c->jobs[index], o, f));
}

void rp_run_jobs(rp_session *s, const rp_job *jobs, int n, rp_outcome *out)
{
    if (n <= 0 || rp_stopped(s))
        return;
    /* What the journal holds is answered from it; the rest is trained. */
    int *todo = ir_alloc(sizeof *todo * (size_t)n);
    rp_job *run = ir_alloc(sizeof *run * (size_t)n);
    rp_outcome *got = ir_alloc(sizeof *got * (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (rp_journal_lookup(s->journal, &jobs[i], &out[i])) {
            s->replayed++;
            s->pool.trainings++;
        } else {
            todo[m] = i;
            run[m++] = jobs[i];
        }
    journal_ctx ctx = {s, run};
    s->pool.on_outcome = s->journal ? record_outcome : NULL;
    s->pool.ctx = &ctx;
    double t0 = rt_now();
    if (m > 0)
        rp_pool_run(&s->pool, run, m, got);
    double wall = rt_now() - t0;
    s->pool.on_outcome = NULL;
    s->pool.ctx = NULL;
    for (int k = 0; k < m; k++)
        out[todo[k]] = got[k];
    if (!rp_stopped(s)) {
        double *costs = ir_alloc(sizeof *costs * (size_t)n);
        int next = 0;
        for (int i = 0; i < n; i++) {
            double f[RP_COST_N];
            costs[i] = job_cost(s, &jobs[i], &out[i], f);
            if (s->cost_log && next < m && todo[next] == i) {
                rp_cost_log(s->cost_log, f, out[i].seconds);
                next++;
            }
        }
        s->clock += rp_cost_makespan(costs, n, RP_VIRTUAL_WORKERS);
        if (s->cost_log && m > 0)
            rp_cost_log_batch(s->cost_log, m, s->pool.workers, wall);
        free(costs);
    }
    free(todo);
    free(run);
    free(got);
}

bool rp_evaluate(rp_session *s, const rp_changes *cands, int n, double fraction, int seed0, int seeds,
                 double *scores, rp_outcome *first_outcome)
{
    for (int i = 0; i < n; i++)
        scores[i] = RP_WORST;
    /* The longest prefix the budget pays for. */
    int m = n;
    if (s->budget.kind == RP_BUDGET_TRIALS) {
        long left = (long)s->budget.amount - s->search_trainings;
        m = left < (long)n * seeds ? (int)(left / seeds) : n;
    } else {
        while (m > 0 && rp_plan_cost(s, cands, m, fraction, seeds) > rp_budget_left(s))
            m--;
    }
    if (m <= 0)
        return false;
    ir_program **progs = ir_alloc(sizeof *progs * (size_t)m);
    rp_job *jobs = ir_alloc(sizeof *jobs * (size_t)(m * seeds));
    rp_outcome *out = ir_alloc(sizeof *out * (size_t)(m * seeds));
    double *full = ir_alloc(sizeof *full * (size_t)m);
    int nj = 0;
    for (int i = 0; i < m; i++) {
        progs[i] = rp_apply_all(s->prog, &cands[i], "repair");
        if (!progs[i])
            continue;
        full[i] = rp_cost_planned(progs[i], s->sizes, 1, true);
        for (int k = 0; k < seeds; k++)
            jobs[nj++] = job_for(s, progs[i], s->seed + s->runs + 1 + seed0 + k, fraction, false);
    }
    rp_run_jobs(s, jobs, nj, out);
    if (rp_stopped(s)) {
        for (int i = 0; i < m; i++)
            ir_program_free(progs[i]);
        free(progs);
        free(jobs);
        free(out);
        free(full);
        return false;
    }
    s->search_trainings += nj;
    int j = 0;
    for (int i = 0; i < m; i++) {
        if (!progs[i])
            continue;
        double sum = 0;
        for (int k = 0; k < seeds; k++, j++) {
            double sc = rp_score(&out[j]);
            sum += sc <= RP_WORST ? RP_WORST / seeds : sc;
            if (i == 0 && k == 0 && first_outcome)
                *first_outcome = out[j];
        }
        scores[i] = sum / seeds;
        if (scores[i] < RP_WORST / 2)
            scores[i] = RP_WORST;
        log_trial(s, &cands[i], fraction, scores[i], seeds, full[i]);
        ir_program_free(progs[i]);
    }
    free(progs);
    free(jobs);
    free(out);
    free(full);
    rp_progress(s);
    return true;
}

void rp_run_program(rp_session *s, const ir_program *p, rp_runs *runs)
{
    memset(runs, 0, sizeof *runs);
    int r = s->runs < RP_MAX_RUNS ? s->runs : RP_MAX_RUNS;
    rp_job jobs[RP_MAX_RUNS];
    rp_outcome out[RP_MAX_RUNS];
    bool monitor = s->monitor_jobs;
    s->monitor_jobs = false;
    for (int k = 0; k < r; k++)
        jobs[k] = job_for(s, p, s->seed + 1 + k, 1, true);
    s->monitor_jobs = monitor;
    rp_run_jobs(s, jobs, r, out);
    if (rp_stopped(s))
        return;   /* no runs: the repair was stopped */
    runs->n = r;
    double secs = 0;
    for (int k = 0; k < r; k++) {
        bool good = out[k].ok;
        runs->val[k] = good ? rp_metric_score(&out[k]) : RP_WORST;
        runs->test[k] = good ? (s->has_test ? out[k].test_metric : out[k].val_metric) : NAN;
        runs->failed += !good || out[k].diverged;
        if (!good && !runs->error[0])
            snprintf(runs->error, sizeof runs->error, "%s", out[k].err);
        runs->cut += good && out[k].batches < out[k].planned;
        secs += out[k].seconds;
    }
    runs->seconds = r ? secs / r : 0;
}

void rp_run_seeds(rp_session *s, const rp_changes *changes, rp_runs *runs)
{
    ir_program *p = rp_apply_all(s->prog, changes, "repair");
    if (p) {
        rp_run_program(s, p, runs);
    } else {
        memset(runs, 0, sizeof *runs);
        runs->n = s->runs < RP_MAX_RUNS ? s->runs : RP_MAX_RUNS;
        for (int k = 0; k < runs->n; k++) {
            runs->val[k] = RP_WORST;
            runs->test[k] = NAN;
        }
        runs->failed = runs->n;
    }
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
    fix->rate = NAN;
    if (s->reference.n > 0) {
        /* The study's improvement rate, on the reported metric as it is
         * (the ratio is the same for lower-is-better metrics). */
        double ref = stats_mean_finite(s->reference.test, s->reference.n);
        double base = stats_mean_finite(s->baseline.test, s->baseline.n);
        double got = stats_mean_finite(runs->test, runs->n);
        if (isfinite(ref) && isfinite(base) && isfinite(got) && ref != base)
            fix->rate = (got - base) / (ref - base);
    }
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
    char left[96];
    if (s->budget.kind == RP_BUDGET_TRIALS)
        snprintf(left, sizeof left, "%ld of %.0f trials left", (long)s->budget.amount - s->search_trainings,
                 s->budget.amount);
    else if (isfinite(s->total) && s->unit > 0)
        snprintf(left, sizeof left, "budget %.1fx of %.1fx used, %.1fs", s->clock / s->unit, s->total / s->unit,
                 rp_elapsed(s));
    else
        snprintf(left, sizeof left, "budget unit being measured");
    fprintf(stderr, "dnnc: repair: %-10s %5ld trainings  best val %s  %s\n", s->phase, s->pool.trainings, best,
            left);
}

bool rp_suspect_points_at(const suspect *sp, const rp_change *c)
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
        double b = 1 + (rp_suspect_points_at(sp, c) ? 3.0 : 0.8) * sp->score * decay;
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
