/* mode_repair.c: `dnnc --repair`: localise, search, validate, minimise, report.
 *
 *  1. Load the data once (carving a validation split when the program has
 *     none) and start the worker pool.
 *  2. Train the faulty program R times: the baseline, and the budget's unit.
 *  3. Rank suspects (repair_suspects.h) and run the chosen strategy.
 *  4. Validate the best full-length candidates of the search, best first:
 *     R runs each against the baseline (repair.h), minimise the significant
 *     ones (minimize.h), until --fixes K fixes or the budget is spent.
 *  5. Report (repair_report.h); -o writes the best fix's source.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "diagnose.h"
#include "driver.h"
#include "irdiff.h"
#include "ir_text.h"
#include "lower.h"
#include "minimize.h"
#include "parse.h"
#include "patch.h"
#include "progress.h"
#include "repair.h"
#include "repair_report.h"
#include "repair_suspects.h"
#include "search.h"
#include "stats.h"

#define CARVED_VALIDATION 0.15

/* A candidate for validation: a distinct change list and its best full score. */
typedef struct pick {
    const rp_trial *trial;  /* its (best) full-length trial */
} pick;

static int by_trial_score(const void *a, const void *b)
{
    const rp_trial *p = ((const pick *)a)->trial, *q = ((const pick *)b)->trial;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    if (p->changes.n != q->changes.n)
        return p->changes.n - q->changes.n;
    return p->seconds < q->seconds ? -1 : p->seconds > q->seconds;
}

/* The distinct full-length candidates that beat the baseline's mean, best first. */
static int candidates(const rp_session *s, pick *out, int cap)
{
    double base = stats_mean(s->baseline.val, s->baseline.n);
    int n = 0;
    for (int i = 0; i < s->n_log && n < cap; i++) {
        const rp_trial *t = &s->log[i];
        if (t->fraction < 1 || t->changes.n == 0 || t->score <= base)
            continue;
        bool dup = false;
        for (int j = 0; j < n && !dup; j++)
            if (rp_changes_same(&out[j].trial->changes, &t->changes)) {
                dup = true;
                if (t->score > out[j].trial->score)
                    out[j].trial = t;
            }
        if (!dup)
            out[n++] = (pick){t};
    }
    qsort(out, (size_t)n, sizeof *out, by_trial_score);
    return n;
}

/* Before the costly validation, the best candidates (one noisy run each so
 * far) get two more seeds while the budget allows, and are ranked again by
 * the mean of the three: on small data a single lucky run otherwise takes
 * the validation slots from real fixes. */
static void confirm(rp_session *s, pick *picks, int np, int want)
{
    int w = s->pool.workers > 0 ? s->pool.workers : 1;
    int m = np < 2 * want + 2 ? np : 2 * want + 2;
    double reserve = rp_validation_reserve(s, 1);
    while (m > 1 && s->budget.kind != RP_BUDGET_TRIALS &&
           ceil(2.0 * m / w) * (s->unit * 1.2 + s->overhead) + reserve > rp_budget_left(s))
        m--;
    if (m <= 1)
        return;
    rp_changes *l = ir_alloc(sizeof *l * (size_t)m);
    double *sc = ir_alloc(sizeof *sc * (size_t)m);
    double *prev = ir_alloc(sizeof *prev * (size_t)m);
    for (int i = 0; i < m; i++) {
        l[i] = picks[i].trial->changes;
        prev[i] = picks[i].trial->score;
    }
    long before = s->search_trainings;
    rp_evaluate(s, l, m, 1, 2, sc, NULL);
    if (s->budget.kind == RP_BUDGET_TRIALS)
        s->search_trainings = before;   /* confirmation is not search */
    /* The log now holds each with two seeds; rank by the mean of all three. */
    for (int i = 0; i < m; i++) {
        const rp_trial *t = rp_log_find(s, &l[i], 1);
        double mean = sc[i] > RP_WORST && prev[i] > RP_WORST ? (prev[i] + 2 * sc[i]) / 3 : RP_WORST;
        for (int j = s->n_log - 1; j >= 0; j--)
            if (&s->log[j] == t) {
                s->log[j].score = mean;
                s->log[j].seeds = 3;
            }
    }
    free(l);
    free(sc);
    free(prev);
    np = candidates(s, picks, s->n_log + 1);
    (void)np;
}

static bool already(const rp_fix *fixes, int n, const rp_changes *l)
{
    for (int i = 0; i < n; i++)
        if (rp_changes_same(&fixes[i].changes, l))
            return true;
    return false;
}

/* Validates candidates into FIXES; returns how many were significant. */
static int validate(rp_session *s, rp_fix *fixes, int want)
{
    int cap = s->n_log + 1, n = 0;
    pick *picks = ir_alloc(sizeof *picks * (size_t)cap);
    int np = candidates(s, picks, cap);
    int tried = 0;
    s->phase = "confirm";
    confirm(s, picks, np, want);
    np = candidates(s, picks, cap);
    s->phase = "validate";
    for (int i = 0; i < np && n < want; i++) {
        int w = s->pool.workers > 0 ? s->pool.workers : 1;
        double cost = ceil((double)s->runs / w) * (fmax(picks[i].trial->seconds, s->unit * 0.5) + s->overhead) * 1.1;
        if (s->budget.kind == RP_BUDGET_TRIALS ? tried >= 2 * want + 2 : rp_budget_left(s) < cost * 1.3)
            continue;   /* a cheaper candidate further down may still fit */
        if (already(fixes, n, &picks[i].trial->changes))
            continue;
        tried++;
        rp_fix *f = &fixes[n];
        memset(f, 0, sizeof *f);
        rp_changes_copy(&f->changes, &picks[i].trial->changes);
        f->found_at = picks[i].trial->found_at;
        f->attrs_before_min = f->changes.n;
        rp_run_seeds(s, &f->changes, &f->runs);
        rp_progress(s);
        bool significant = rp_compare(s, &f->runs, f);
        if (s->progress) {
            char what[400];
            rp_change_describe(&f->changes.items[0], what, sizeof what);
            fprintf(stderr, "dnnc: repair: validated %s%s: p = %.3g (validation %.3g)%s\n", what,
                    f->changes.n > 1 ? " and more" : "", f->p, f->p_val, significant ? "" : ": not significant");
        }
        if (!significant) {
            rp_changes_free(&f->changes);
            continue;
        }
        if (f->changes.n > 1) {
            rp_minimize_fix(s, f);
            rp_compare(s, &f->runs, f);
            if (already(fixes, n, &f->changes)) {
                rp_changes_free(&f->changes);
                continue;
            }
        }
        f->validated_at = rp_elapsed(s);
        n++;
    }
    free(picks);
    return n;
}

static int by_improvement(const void *a, const void *b)
{
    double x = ((const rp_fix *)a)->improvement, y = ((const rp_fix *)b)->improvement;
    if (x != y)
        return x < y ? 1 : -1;
    return ((const rp_fix *)a)->changes.n - ((const rp_fix *)b)->changes.n;
}

/* Compiles the patched source again: it must pass --check. */
static bool source_compiles(const dnnc_source *src, const char *text);

static int report(rp_session *s, rp_fix *fixes, int n)
{
    const dnnc_options *o = s->opt;
    rp_report_fix *rf = ir_alloc(sizeof *rf * (size_t)(n + 1));
    int status = 0;
    char a[512], b[512];
    snprintf(a, sizeof a, "a/%s", s->prog->source_name);
    snprintf(b, sizeof b, "b/%s", s->prog->source_name);
    for (int i = 0; i < n; i++) {
        rf[i].fix = &fixes[i];
        ir_program *fixed = rp_apply_all(s->prog, &fixes[i].changes, "repair");
        if (!fixed) {
            status = 2;
            rf[i].ir_diff = ir_strdup("");
            rf[i].source_diff = ir_strdup("");
            continue;
        }
        rf[i].ir_diff = rp_ir_diff(s->prog, fixed);
        if (s->src->is_ir) {
            rf[i].source_diff = ir_strdup(rf[i].ir_diff);
            rf[i].patched = ir_print_string(fixed);
        } else {
            char err[256];
            rf[i].patched = rp_patch_source(s->src->text, s->prog, fixed, &fixes[i].changes, err, sizeof err);
            if (!rf[i].patched || !source_compiles(s->src, rf[i].patched)) {
                fprintf(stderr, "dnnc: internal error: the patched source of fix %d %s\n", i + 1,
                        rf[i].patched ? "does not compile" : err);
                status = 2;
            }
            rf[i].source_diff = rf[i].patched ? rp_unified_diff(s->src->text, rf[i].patched, a, b, 3)
                                              : ir_strdup("");
        }
        ir_program_free(fixed);
    }
    if (o->json)
        rp_report_json(stdout, s, rf, n);
    else
        rp_report_text(stdout, s, rf, n);
    if (o->output && n > 0 && rf[0].patched) {
        FILE *f = fopen(o->output, "w");
        if (!f || fputs(rf[0].patched, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "dnnc: error: cannot write '%s': %s\n", o->output, strerror(errno));
            status = status ? status : 1;
        } else if (!o->json && !o->quiet) {
            fprintf(stderr, "dnnc: repair: wrote the best fix to %s\n", o->output);
        }
    }
    for (int i = 0; i < n; i++) {
        free(rf[i].ir_diff);
        free(rf[i].source_diff);
        free(rf[i].patched);
    }
    free(rf);
    return status;
}

static bool source_compiles(const dnnc_source *src, const char *text)
{
    diag_ctx d;
    long size = (long)strlen(text);
    diag_init(&d, src->path, text, size);
    ast_program ast = {0};
    ir_program *p = NULL;
    if (parse_dnn(text, size, &ast, &d))
        p = lower_program(&ast, src->path, &d);
    ast_program_free(&ast);
    bool ok = p && d.errors == 0;
    diag_free(&d);
    ir_program_free(p);
    return ok;
}

/* What the baseline runs showed, for the suspect ranking. */
static rp_baseline_signs signs_of(const rp_session *s)
{
    rp_baseline_signs g = {0};
    g.failed = s->baseline.failed == s->baseline.n;
    g.diverged = s->baseline.failed > 0 && !g.failed;
    if (s->facts.classes > 0) {
        double chance = 1.0 / s->facts.classes;
        g.no_learning = stats_mean(s->baseline.val, s->baseline.n) <= chance + 0.05;
    }
    return g;
}

int dnnc_mode_repair(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    char err[512];
    rp_session s;
    memset(&s, 0, sizeof s);
    s.t0 = rt_now();
    s.prog = p;
    s.src = src;
    s.opt = o;
    s.runs = o->runs > 0 ? o->runs : 5;
    if (s.runs > RP_MAX_RUNS)
        s.runs = RP_MAX_RUNS;
    s.progress = !o->quiet;
    s.best_score = RP_WORST;
    s.phase = "baseline";
    s.deadline = INFINITY;
    const rp_strategy *strategy = rp_strategy_find(o->strategy);
    if (!strategy) {
        fprintf(stderr, "dnnc: error: unknown strategy '%s'; valid choices: %s\n", o->strategy,
                rp_strategy_names());
        return 1;
    }
    if (!rp_budget_parse(o->budget, o->trials, &s.budget, err, sizeof err)) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    const ir_dataset *d = ir_train_dataset(p);
    if (!d || !ir_train_model(p)) {
        fprintf(stderr, "dnnc: error: %s: repair needs a train block naming a model and a dataset\n", src->path);
        return 1;
    }
    s.seed = o->seed >= 0 ? o->seed : p->train.seed;
    s.carved_validation = d->validation <= 0;
    s.data = rt_data_load(p, d, (uint64_t)p->train.seed, s.carved_validation ? CARVED_VALIDATION : -1, err,
                          sizeof err);
    if (!s.data) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    s.has_test = s.data->test.n > 0;
    rp_facts_from_data(s.data, &s.facts);
    s.pool.data = s.data;
    const char *mode = getenv("DNNC_REPAIR_POOL");
    s.pool.workers = o->threads > 0 ? o->threads : rp_cores();
    if (mode && strcmp(mode, "threads") == 0) {
        s.pool.threads = s.pool.workers;
        s.pool.workers = 0;
    }
    if (s.progress)
        fprintf(stderr, "dnnc: repair: %s, strategy %s, %d training%s at a time%s\n", src->path, strategy->name,
                s.pool.workers > 0 ? s.pool.workers : 1, s.pool.workers == 1 ? "" : "s",
                s.carved_validation ? "; validation split carved from the training data (15%)" : "");

    /* The baseline: R runs of the faulty program, which also measure the budget's unit. */
    rp_changes none = {0};
    rp_run_seeds(&s, &none, &s.baseline);
    s.unit = s.baseline.seconds > 0.01 ? s.baseline.seconds : 0.01;
    if (s.baseline.cut > 0) {
        /* The runtime stops a diverged run at once; Keras (the study's unit)
         * trains on through the NaNs.  The unit is the time of the whole
         * recipe: measured on a twin whose learning rate is 0, which does the
         * same work per batch without diverging. */
        ir_program *twin = ir_program_clone(p);
        twin->train.learning_rate = 0;
        rp_job job = {twin, s.seed + 1, 1, 0, false};
        rp_outcome out;
        rp_train_job(s.data, &job, 1, &out);
        if (out.ok && out.seconds > s.unit)
            s.unit = out.seconds;
        ir_program_free(twin);
    }
    if (s.baseline.failed == s.baseline.n) {
        /* It does not train at all: the unit is what loading and checking took. */
        s.unit = fmax(s.unit, rp_elapsed(&s) / fmax(1, s.runs));
    }
    if (s.budget.kind == RP_BUDGET_TIMES)
        s.deadline = s.budget.amount * s.unit;
    else if (s.budget.kind == RP_BUDGET_SECONDS)
        s.deadline = s.budget.amount;
    rp_progress(&s);

    /* Localise: diagnosis in-process on the loaded data (its short training
     * run counts against the budget), else the stand-in ranking. */
    s.phase = "diagnose";
    dx_options dxo;
    dx_options_default(&dxo);
    dxo.time_limit = 2 * s.unit;
    if (dx_diagnose(p, s.data, &dxo, &s.suspects, NULL, err, sizeof err) < 0 || s.suspects.n == 0) {
        suspect_list_free(&s.suspects);
        rp_baseline_signs signs = signs_of(&s);
        rp_rank_suspects(p, &s.facts, &signs, &s.suspects);
    }
    rp_progress(&s);
    strategy->run(&s);

    if (getenv("DNNC_REPAIR_LOG"))
        for (int i = 0; i < s.n_log; i++) {
            char what[400] = "(faulty)";
            if (s.log[i].changes.n)
                rp_change_describe(&s.log[i].changes.items[0], what, sizeof what);
            fprintf(stderr, "log %3d f=%.3f seeds=%d score=%.4f n=%d %s\n", i, s.log[i].fraction, s.log[i].seeds,
                    s.log[i].score, s.log[i].changes.n, what);
        }
    int want = o->fixes > 0 ? o->fixes : 3;
    rp_fix *fixes = ir_alloc(sizeof *fixes * (size_t)want);
    int n = validate(&s, fixes, want);
    qsort(fixes, (size_t)n, sizeof *fixes, by_improvement);
    s.phase = "done";
    rp_progress(&s);
    int status = report(&s, fixes, n);

    for (int i = 0; i < n; i++)
        rp_changes_free(&fixes[i].changes);
    free(fixes);
    for (int i = 0; i < s.n_log; i++)
        rp_changes_free(&s.log[i].changes);
    free(s.log);
    suspect_list_free(&s.suspects);
    rt_data_free(s.data);
    return status;
}
