/* mode_repair.c: `dnnc --repair`: localise, search, validate, minimise, report.
 *
 *  1. Load the data once (carving a validation split when the program has
 *     none) and start the worker pool.  The budget's clock starts after the
 *     load: it counts what the repair trains (repair_cost.h).
 *  2. Train the faulty program R times: the baseline.  With --reference,
 *     train the reference fix R times too, outside the budget.
 *  3. Rank suspects (diagnose.h; the static rules alone when the diagnosis's
 *     training run fails) and run the chosen strategy.
 *  4. Confirm the best full-length candidates of the search on two more
 *     search seeds, then validate them, best first: R runs each against the
 *     baseline (repair.h), minimising the significant ones (minimize.h),
 *     until --fixes K fixes or the budget is spent.
 *  5. Report (repair_report.h); -o writes the best fix's source.
 *
 * Every finished training goes to the journal (repair_journal.h: --journal
 * FILE, by default -o's path with ".journal" added); --resume FILE replays
 * a journal's trainings and goes on from where it ends.  SIGINT and SIGTERM
 * stop the repair between trainings (repair_stop.h): it reports the fixes
 * validated so far, marked as interrupted, and exits with 128 + the signal.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "driver.h"
#include "irdiff.h"
#include "ir_text.h"
#include "minimize.h"
#include "patch.h"
#include "progress.h"
#include "repair.h"
#include "repair_journal.h"
#include "repair_report.h"
#include "repair_stop.h"
#include "search.h"
#include "source.h"
#include "stats.h"

/* Before the costly validation, the best candidates (one noisy run each so
 * far) are trained on search seeds 1 and 2, budget permitting (the
 * validation of the best RP_VALIDATE_KEEP is kept, or of the best alone when
 * both do not fit), and ranked again by the mean of the three runs: on
 * small data a single lucky run otherwise takes the validation slots from
 * real fixes. */
static void confirm(rp_session *s, const rp_trial **all, int n_all, int want)
{
    /* A candidate whose validation no longer fits is passed over by
     * validate(): confirming it would only spend the budget of the others. */
    const rp_trial **picks = ir_alloc(sizeof *picks * (size_t)(n_all + 1));
    int np = 0;
    for (int i = 0; i < n_all; i++)
        if (s->budget.kind == RP_BUDGET_TRIALS ||
            rp_validation_cost(s, &all[i]->changes) <= rp_budget_left(s))
            picks[np++] = all[i];
    int m = np < 2 * want + 2 ? np : 2 * want + 2;
    rp_changes *l = ir_alloc(sizeof *l * (size_t)(m + 1));
    for (int i = 0; i < m; i++)
        l[i] = picks[i]->changes;
    double reserve = 0;
    for (int i = 0; i < np && i < RP_VALIDATE_KEEP; i++) {
        double more = reserve + rp_validation_cost(s, &picks[i]->changes);
        if (i > 0 && more > rp_budget_left(s))
            break;
        reserve = more;
    }
    while (m > 1 && s->budget.kind != RP_BUDGET_TRIALS &&
           rp_plan_cost(s, l, m, 1, 2) + reserve > rp_budget_left(s))
        m--;
    if (m <= 1) {
        free(l);
        free(picks);
        return;
    }
    double *sc = ir_alloc(sizeof *sc * (size_t)m);
    double *prev = ir_alloc(sizeof *prev * (size_t)m);
    for (int i = 0; i < m; i++)
        prev[i] = picks[i]->score;
    long before = s->search_trainings;
    rp_evaluate(s, l, m, 1, 1, 2, sc, NULL);
    if (s->budget.kind == RP_BUDGET_TRIALS)
        s->search_trainings = before;   /* confirmation is not search */
    /* The log now holds each with two more seeds; that trial speaks for
     * the candidate with the mean of all three. */
    for (int i = 0; i < m; i++) {
        for (int j = s->n_log - 1; j >= 0; j--)
            if (s->log[j].fraction >= 1 && s->log[j].seeds == 2 && rp_changes_same(&s->log[j].changes, &l[i])) {
                s->log[j].score = sc[i] > RP_WORST && prev[i] > RP_WORST ? (prev[i] + 2 * sc[i]) / 3 : RP_WORST;
                s->log[j].seeds = 3;
                break;
            }
    }
    free(l);
    free(sc);
    free(prev);
    free(picks);
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
    const rp_trial **picks = ir_alloc(sizeof *picks * (size_t)cap);
    int np = rp_candidates(s, picks, cap);
    int tried = 0;
    s->phase = "confirm";
    confirm(s, picks, np, want);
    np = rp_candidates(s, picks, cap);
    /* The confirmed candidates (three seeds) are validated before those a
     * single seed speaks for, each group best first. */
    const rp_trial **order = ir_alloc(sizeof *order * (size_t)cap);
    int no = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < np; i++)
            if ((picks[i]->seeds >= 3) == (pass == 0))
                order[no++] = picks[i];
    memcpy(picks, order, sizeof *picks * (size_t)np);
    free(order);
    s->phase = "validate";
    for (int i = 0; i < np && n < want && !rp_stopped(s); i++) {
        if (s->budget.kind == RP_BUDGET_TRIALS ? tried >= 2 * want + 2
                                               : rp_validation_cost(s, &picks[i]->changes) > rp_budget_left(s))
            continue;   /* a cheaper candidate further down may still fit */
        if (already(fixes, n, &picks[i]->changes))
            continue;
        tried++;
        rp_fix *f = &fixes[n];
        memset(f, 0, sizeof *f);
        rp_changes_copy(&f->changes, &picks[i]->changes);
        f->found_at = picks[i]->found_at;
        f->attrs_before_min = f->changes.n;
        rp_run_seeds(s, &f->changes, &f->runs);
        if (rp_stopped(s)) {
            rp_changes_free(&f->changes);   /* its validation was cut short */
            break;
        }
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
        f->validated_at = s->clock;
        f->validated_wall = rp_elapsed(s);
        if (f->changes.n > 1) {
            rp_minimize_fix(s, f);
            rp_compare(s, &f->runs, f);
            if (already(fixes, n, &f->changes)) {
                rp_changes_free(&f->changes);
                continue;
            }
        }
        n++;
    }
    free(picks);
    return n;
}

/* Best first by the validation split (the test split only reports), then
 * by fewer changes. */
static int by_validation(const void *a, const void *b)
{
    const rp_fix *p = a, *q = b;
    double x = stats_mean(p->runs.val, p->runs.n), y = stats_mean(q->runs.val, q->runs.n);
    if (x != y)
        return x < y ? 1 : -1;
    return p->changes.n - q->changes.n;
}

/* Compiles the patched source again: it must pass --check. */
static bool source_compiles(const dnnc_source *src, const char *text);

static int report(rp_session *s, const dnnc_source *src, const dnnc_options *o, rp_fix *fixes, int n)
{
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
        if (src->is_ir) {
            rf[i].source_diff = ir_strdup(rf[i].ir_diff);
            rf[i].patched = ir_print_string(fixed);
        } else {
            char err[256];
            rf[i].patched = rp_patch_source(src->text, s->prog, fixed, &fixes[i].changes, err, sizeof err);
            if (!rf[i].patched || !source_compiles(src, rf[i].patched)) {
                fprintf(stderr, "dnnc: internal error: the patched source of fix %d %s\n", i + 1,
                        rf[i].patched ? "does not compile" : err);
                status = 2;
            }
            rf[i].source_diff = rf[i].patched ? rp_unified_diff(src->text, rf[i].patched, a, b, 3)
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
    ir_program *p = dnnc_compile_text(src->path, text, false);
    ir_program_free(p);
    return p != NULL;
}

/* The journal's path: --resume's, --journal's, else beside -o's output
 * (NULL: none).  *OWNED gets what must be freed. */
static const char *journal_path(const dnnc_options *o, char **owned)
{
    *owned = NULL;
    if (o->resume)
        return o->resume;
    if (o->journal)
        return o->journal;
    if (!o->output)
        return NULL;
    size_t len = strlen(o->output) + sizeof ".journal";
    *owned = ir_alloc(len);
    snprintf(*owned, len, "%s.journal", o->output);
    return *owned;
}

/* Opens the session's journal; returns 0, or 1 on a user error. */
static int open_journal(rp_session *s, const dnnc_source *src, const dnnc_options *o)
{
    if (o->resume && o->journal && strcmp(o->resume, o->journal)) {
        fprintf(stderr, "dnnc: error: --resume %s appends to the journal it reads; --journal %s is another file\n",
                o->resume, o->journal);
        return 1;
    }
    char *owned;
    const char *path = journal_path(o, &owned);
    if (!path)
        return 0;
    rp_journal_id id = {rp_journal_hash_program(s->prog), rp_journal_hash_data(s->data), src->path};
    char err[1200];
    s->journal = rp_journal_open(path, o->resume != NULL, &id, err, sizeof err);
    free(owned);
    if (!s->journal) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    if (s->progress && o->resume)
        fprintf(stderr, "dnnc: repair: resuming %s: %ld trainings recorded\n", path, rp_journal_loaded(s->journal));
    return 0;
}

/* Trains the --reference program R times into s->reference, outside the
 * budget (its clock and training count are restored) and outside the
 * repair's wall-clock time (their time is reported on its own).  Returns 0,
 * or 1 on a user error. */
static int train_reference(rp_session *s, const char *path)
{
    char err[600];
    ir_program *ref = rp_load_reference(s, path, err, sizeof err);
    if (!ref) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    double clock = s->clock;
    long trainings = s->pool.trainings;
    const char *phase = s->phase;
    s->phase = "reference";
    double t0 = rt_now();
    rp_run_program(s, ref, &s->reference);
    s->reference_seconds = rt_now() - t0;
    s->t0 += s->reference_seconds;
    s->clock = clock;
    s->pool.trainings = trainings;
    s->phase = phase;
    ir_program_free(ref);
    return 0;
}

/* Share of the search's budget the probes may take. */
#define RP_PROBE_SHARE (1.0 / 3)

/* The probes' trainer state: the session, and its budget when probing began. */
typedef struct probe_ctx {
    rp_session *s;          /* the repair */
    double clock0;          /* model seconds charged before probing */
} probe_ctx;

/* The probes' trainer: the session's own evaluation, so each probe is
 * charged to the budget and logged like a rung of the halving, which then
 * reuses it instead of training it again (same fraction, same search seed).
 * The probes take at most RP_PROBE_SHARE of what the budget left the search. */
static bool probe_train(void *ctx, const rp_changes *edit, double fraction, int seed_index, double *score)
{
    probe_ctx *pc = ctx;
    rp_session *s = pc->s;
    if (s->clock + rp_plan_cost(s, edit, 1, fraction, 1) - pc->clock0 > RP_PROBE_SHARE * (s->total - pc->clock0))
        return false;
    double sc;
    if (!rp_search_affords(s, edit, 1, fraction) || !rp_evaluate(s, edit, 1, fraction, seed_index, 1, &sc, NULL))
        return false;
    *score = sc <= RP_WORST ? -INFINITY : sc;
    return true;
}

/* Ranks suspects: diagnosis in-process on the loaded data, its training run
 * charged to the budget's clock; when that fails, the static rules alone
 * (the same rules: there is one rule set).  No suspect is a valid answer:
 * the strategies then search every repair class. */
static void localise(rp_session *s, const char *strategy)
{
    s->phase = "diagnose";
    dx_options dxo;
    dx_options_default(&dxo);
    probe_ctx pc = {s, s->clock};
    dx_trainer trainer = {probe_train, &pc};
    dxo.trainer = &trainer;
    /* Only the guided search reads the ranking's probes (and reuses them);
     * the baselines are not charged for them.  A budget of so many trials
     * is the search's to spend: no probing. */
    if ((strategy && strcmp(strategy, "guided") != 0) ||
        s->budget.kind == RP_BUDGET_TRIALS)
        dxo.probe_budget = 0;
    /* The run's length comes from the program (and the diagnosis's own
     * limits), never from the clock: the time limit is a safety net. */
    dxo.time_limit = fmax(dxo.time_limit, 20 * s->unit);
    dx_run_summary sum;
    memset(&sum, 0, sizeof sum);
    char err[512];
    if (dx_diagnose(s->prog, s->data, &dxo, &s->suspects, &sum, err, sizeof err) < 0) {
        suspect_list_free(&s->suspects);
        dx_options rules_only = dxo;
        rules_only.static_only = true;
        dx_run_summary none;
        if (dx_diagnose(s->prog, s->data, &rules_only, &s->suspects, &none, err, sizeof err) < 0)
            suspect_list_free(&s->suspects);
    }
    if (sum.ran) {
        double cost = rp_cost_batches(s->prog, s->sizes, sum.batches, false);
        s->clock += cost;
        if (s->cost_log)
            fprintf(s->cost_log, "# diagnosis: %ld batches, model %.6g s, measured %.6g s\n", sum.batches, cost,
                    sum.seconds);
    }
    rp_progress(s);
}

/* The log of every candidate trained, on stderr (DNNC_REPAIR_LOG). */
static void print_log(const rp_session *s)
{
    for (int i = 0; i < s->n_log; i++) {
        char what[400] = "(faulty)";
        if (s->log[i].changes.n)
            rp_change_describe(&s->log[i].changes.items[0], what, sizeof what);
        fprintf(stderr, "log %3d at %5.2fx f=%.3f seeds=%d score=%.4f n=%d %s\n", i, s->log[i].found_at / s->unit,
                s->log[i].fraction, s->log[i].seeds, s->log[i].score, s->log[i].changes.n, what);
    }
}

int dnnc_mode_repair(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    char err[512];
    rp_session s;
    memset(&s, 0, sizeof s);
    s.t0 = rt_now();
    s.prog = p;
    s.runs = o->runs > 0 ? o->runs : 5;
    if (s.runs > RP_MAX_RUNS)
        s.runs = RP_MAX_RUNS;
    s.progress = !o->quiet;
    s.best_score = RP_WORST;
    s.phase = "baseline";
    s.total = INFINITY;
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
    s.data = rt_data_load(p, d, (uint64_t)p->train.seed, s.carved_validation ? RP_CARVED_VALIDATION : -1, err,
                          sizeof err);
    if (!s.data) {
        fprintf(stderr, "dnnc: error: %s\n", err);
        return 1;
    }
    s.load_seconds = rp_elapsed(&s);
    s.sizes = rp_sizes_of(s.data);
    s.has_test = s.data->test.n > 0;
    rp_facts_from_data(s.data, &s.facts);
    s.pool.data = s.data;
    const char *mode = getenv("DNNC_REPAIR_POOL");
    /* --jobs workers, one per core by default, each single-threaded: a
     * training's result depends on its thread count (the runtime splits a
     * batch into a chunk per thread, and the chunks' sums round
     * differently), so threads per worker would make the fixes depend on
     * --jobs; and the pool never runs more threads than workers. */
    int cores = o->threads > 0 ? o->threads : rp_cores();
    s.pool.workers = o->jobs > 0 ? o->jobs : cores;
    if (mode && strcmp(mode, "threads") == 0) {
        s.pool.threads = s.pool.workers;
        s.pool.workers = 0;
    }
    const char *cost_log = getenv("DNNC_REPAIR_COST_LOG");
    if (cost_log && *cost_log && !(s.cost_log = fopen(cost_log, "a")))
        fprintf(stderr, "dnnc: repair: cannot write '%s': %s\n", cost_log, strerror(errno));
    if (s.cost_log)
        fprintf(s.cost_log, "# %s: loaded %ld values in %.6g s\n", src->path,
                (long)(s.sizes.train + s.sizes.val + s.sizes.test) * s.data->in_size, s.load_seconds);
    if (s.progress)
        fprintf(stderr, "dnnc: repair: %s, strategy %s, %d training%s at a time%s\n", src->path, strategy->name,
                rp_workers(&s), rp_workers(&s) == 1 ? "" : "s",
                s.carved_validation ? "; validation split carved from the training data (15%)" : "");

    /* The budget's unit: the modelled cost of one training of the faulty
     * program as repair runs it: in a worker of its own, with the test split
     * evaluated, as the baseline runs train it. */
    double one = rp_cost_planned(p, s.sizes, 1, true);
    s.unit = rp_cost_makespan(&one, 1, RP_VIRTUAL_WORKERS);
    if (s.budget.kind == RP_BUDGET_TIMES)
        s.total = s.budget.amount * s.unit;
    else if (s.budget.kind == RP_BUDGET_SECONDS)
        s.total = s.budget.amount;
    int status = open_journal(&s, src, o);
    if (status) {
        rt_data_free(s.data);
        if (s.cost_log)
            fclose(s.cost_log);
        return status;
    }
    rp_stop_install();
    s.pool.stop = &rp_stop_signal;
    rp_changes none = {0};
    rp_run_seeds(&s, &none, &s.baseline);
    rp_progress(&s);
    status = o->reference && !rp_stopped(&s) ? train_reference(&s, o->reference) : 0;
    int n = 0;
    rp_fix *fixes = NULL;
    if (status == 0) {
        if (!rp_stopped(&s))
            localise(&s, o->strategy);
        if (!rp_stopped(&s))
            strategy->run(&s);
        if (getenv("DNNC_REPAIR_LOG"))
            print_log(&s);
        int want = o->fixes > 0 ? o->fixes : 3;
        fixes = ir_alloc(sizeof *fixes * (size_t)want);
        n = validate(&s, fixes, want);
        qsort(fixes, (size_t)n, sizeof *fixes, by_validation);
        s.phase = rp_stopped(&s) ? "stopped" : "done";
        rp_progress(&s);
        status = report(&s, src, o, fixes, n);
        if (!rp_stopped(&s) && status == 0)
            rp_journal_finish(s.journal);
    }
    int stop = rp_stopped(&s);
    rp_journal_close(s.journal);
    rp_stop_restore();
    if (stop) {
        if (s.progress)
            fprintf(stderr, "dnnc: repair: stopped by %s; the journal keeps its trainings\n", rp_stop_name(stop));
        status = 128 + stop;
    }

    for (int i = 0; i < n; i++)
        rp_changes_free(&fixes[i].changes);
    free(fixes);
    for (int i = 0; i < s.n_log; i++)
        rp_changes_free(&s.log[i].changes);
    free(s.log);
    suspect_list_free(&s.suspects);
    rp_data_free_variants(&s);
    if (s.cost_log)
        fclose(s.cost_log);
    rt_data_free(s.data);
    return status;
}
