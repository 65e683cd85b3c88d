/* repair_report.c: the repair's text and JSON output (repair_report.h).
 *
 * Times are given two ways: on the budget's clock (model seconds, and
 * multiples of the unit: what the repair's decisions were based on, the
 * same on any load) and as measured wall-clock seconds. */
#include "repair_report.h"

#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "repair_journal.h"
#include "repair_stop.h"
#include "stats.h"

/* Mean and sd of the reported metric of RUNS (test split, else validation);
 * runs that failed are left out and counted. */
static void summary(const rp_runs *r, double *mean, double *sd)
{
    double v[RP_MAX_RUNS];
    int n = 0;
    for (int k = 0; k < r->n; k++)
        if (isfinite(r->test[k]))
            v[n++] = r->test[k];
    *mean = n ? stats_mean(v, n) : NAN;
    *sd = n ? stats_sd(v, n) : NAN;
}

static const char *metric_name(const rp_session *s)
{
    if (s->prog->train.objective_fn)
        return s->prog->train.objective_fn;
    return s->facts.classes > 0 ? "accuracy" : "mean absolute error";
}

static const char *split_name(const rp_session *s)
{
    return s->has_test ? "test" : "validation";
}

void rp_report_text(FILE *out, const rp_session *s, const rp_report_fix *fixes, int n)
{
    double bm, bsd;
    summary(&s->baseline, &bm, &bsd);
    if (rp_stopped(s))
        fprintf(out, "interrupted by %s: the fixes below are those validated before it%s\n",
                rp_stop_name(rp_stopped(s)), s->journal ? "; --resume the journal to go on" : "");
    if (s->baseline.n == 0)
        fprintf(out, "faulty program: its runs did not finish");
    else if (isfinite(bm))
        fprintf(out, "faulty program: %s %.4f +- %.4f on the %s split over %d runs", metric_name(s), bm, bsd,
                split_name(s), s->baseline.n);
    else
        fprintf(out, "faulty program: does not train (%d runs): %s", s->baseline.n,
                s->baseline.error[0] ? s->baseline.error : "no metric");
    if (s->baseline.failed && isfinite(bm))
        fprintf(out, " (%d did not train)", s->baseline.failed);
    fputc('\n', out);
    if (s->reference.n > 0) {
        double rm, rsd;
        summary(&s->reference, &rm, &rsd);
        fprintf(out, "reference fix: %s %.4f +- %.4f over %d runs (trained in %.1fs, outside the budget)\n",
                metric_name(s), rm, rsd, s->reference.n, s->reference_seconds);
    }
    if (s->carved_validation)
        fprintf(out, "note: the program has no validation split; repair selected fixes on 15%% of the "
                     "training data it held out\n");
    if (n == 0)
        fprintf(out, rp_stopped(s) ? "no fix validated before the interruption\n"
                                   : "no significant improvement found\n");
    for (int i = 0; i < n; i++) {
        const rp_fix *f = fixes[i].fix;
        double m, sd;
        summary(&f->runs, &m, &sd);
        if (isfinite(bm))
            fprintf(out, "\nfix %d: %s %.4f +- %.4f -> %.4f +- %.4f (p = %.3g, A12 = %.2f, %s%.4f, %+.1f%%)\n",
                    i + 1, metric_name(s), bm, bsd, m, sd, f->p, f->a12, m - bm >= 0 ? "+" : "", m - bm,
                    bm != 0 ? 100 * (m - bm) / fabs(bm) : 0.0);
        else   /* every faulty run failed: there is no metric to compare with */
            fprintf(out, "\nfix %d: %s: the faulty program does not train -> %.4f +- %.4f (p = %.3g, A12 = %.2f)\n",
                    i + 1, metric_name(s), m, sd, f->p, f->a12);
        if (isfinite(f->rate))
            fprintf(out, "  improvement rate %.2f (of the reference fix's gain)\n", f->rate);
        fprintf(out, "  %d changed attribute%s", f->changes.n, f->changes.n == 1 ? "" : "s");
        if (f->attrs_before_min > f->changes.n)
            fprintf(out, " (%d before minimisation)", f->attrs_before_min);
        fprintf(out, "; found at %.1fx, validated at %.1fx of the budget's unit (%.1fs)\n", f->found_at / s->unit,
                f->validated_at / s->unit, f->validated_wall);
        for (int k = 0; k < f->changes.n; k++) {
            char line[700];
            rp_change_describe(&f->changes.items[k], line, sizeof line);
            fprintf(out, "  - %s\n", line);
        }
        fprintf(out, "  IR diff:\n");
        for (const char *p = fixes[i].ir_diff; *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            fprintf(out, "    %.*s\n", len, p);
            p += len + (nl != NULL);
        }
        fprintf(out, "  source diff:\n");
        for (const char *p = fixes[i].source_diff; *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            fprintf(out, "    %.*s\n", len, p);
            p += len + (nl != NULL);
        }
    }
    fprintf(out, "\nbudget used: ");
    if (s->budget.kind == RP_BUDGET_TIMES)
        fprintf(out, "%.1fx of %gx", s->clock / s->unit, s->budget.amount);
    else if (s->budget.kind == RP_BUDGET_SECONDS)
        fprintf(out, "%.1f of %g model seconds", s->clock, s->budget.amount);
    else
        fprintf(out, "%ld of %.0f search trainings (%.1fx)", s->search_trainings, s->budget.amount,
                s->clock / s->unit);
    fprintf(out, "; unit %.3gs, the modelled time of one training of the faulty program (measured %.3gs)\n",
            s->unit, s->baseline.seconds);
    fprintf(out, "wall-clock: %.1fs after %.2fs loading the data; %ld trainings on %d worker%s\n", rp_elapsed(s),
            s->load_seconds, s->pool.trainings, rp_workers(s), rp_workers(s) == 1 ? "" : "s");
    if (s->journal)
        fprintf(out, "journal: %s; %ld trainings replayed from it, %ld recorded\n", rp_journal_path(s->journal),
                s->replayed, rp_journal_appended(s->journal));
}

static json_object *num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : json_object_new_null();
}

static json_object *runs_array(const rp_runs *r)
{
    json_object *a = json_object_new_array();
    for (int k = 0; k < r->n; k++)
        json_object_array_add(a, num(r->test[k]));
    return a;
}

/* {"mean", "sd", "runs", "values"} of the runs of one program. */
static json_object *runs_object(const rp_runs *r)
{
    double m, sd;
    summary(r, &m, &sd);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "mean", num(m));
    json_object_object_add(o, "sd", num(sd));
    json_object_object_add(o, "runs", json_object_new_int(r->n));
    json_object_object_add(o, "values", runs_array(r));
    return o;
}

void rp_report_json(FILE *out, const rp_session *s, const rp_report_fix *fixes, int n)
{
    json_object *root = json_object_new_object();
    double bm, bsd;
    summary(&s->baseline, &bm, &bsd);
    json_object_object_add(root, "baseline", runs_object(&s->baseline));
    if (s->reference.n > 0) {
        json_object *ref = runs_object(&s->reference);
        json_object_object_add(ref, "seconds", num(s->reference_seconds));
        json_object_object_add(root, "reference", ref);
    }
    const char *metric = s->prog->train.objective_fn ? s->prog->train.objective_fn
                         : s->facts.classes > 0 ? "accuracy" : "mae";
    json_object_object_add(root, "metric", json_object_new_string(metric));
    json_object_object_add(root, "split", json_object_new_string(split_name(s)));
    json_object_object_add(root, "validation_carved", json_object_new_boolean(s->carved_validation));
    json_object *arr = json_object_new_array();
    for (int i = 0; i < n; i++) {
        const rp_fix *f = fixes[i].fix;
        double m, sd;
        summary(&f->runs, &m, &sd);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "metric_mean", num(m));
        json_object_object_add(o, "metric_sd", num(sd));
        json_object_object_add(o, "values", runs_array(&f->runs));
        json_object_object_add(o, "p", num(f->p));
        json_object_object_add(o, "a12", num(f->a12));
        json_object_object_add(o, "p_validation", num(f->p_val));
        json_object_object_add(o, "improvement", num(m - bm));
        json_object_object_add(o, "improvement_rate", num(f->rate));
        json_object_object_add(o, "changed_attributes", json_object_new_int(f->changes.n));
        json_object_object_add(o, "changes_before_minimisation", json_object_new_int(f->attrs_before_min));
        json_object_object_add(o, "found_at", num(f->found_at));
        json_object_object_add(o, "validated_at", num(f->validated_at));
        json_object_object_add(o, "validated_wall_seconds", num(f->validated_wall));
        json_object *cs = json_object_new_array();
        for (int k = 0; k < f->changes.n; k++) {
            const rp_change *c = &f->changes.items[k];
            json_object *co = json_object_new_object();
            json_object_object_add(co, "line", json_object_new_int(c->line));
            json_object_object_add(co, "node", json_object_new_string(c->op == RP_INSERT ? c->node
                                                                      : c->target == SUSPECT_TRAIN ? "train"
                                                                      : c->node));
            json_object_object_add(co, "attribute", json_object_new_string(c->attribute));
            json_object_object_add(co, "before", json_object_new_string(c->before));
            json_object_object_add(co, "after", json_object_new_string(c->after));
            json_object_object_add(co, "reason", json_object_new_string(c->reason));
            json_object_object_add(co, "repair", json_object_new_string(repair_class_names[c->cls]));
            json_object_array_add(cs, co);
        }
        json_object_object_add(o, "changes", cs);
        json_object_object_add(o, "ir_diff", json_object_new_string(fixes[i].ir_diff));
        json_object_object_add(o, "source_diff", json_object_new_string(fixes[i].source_diff));
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "fixes", arr);
    json_object_object_add(root, "budget_used", num(s->clock));
    json_object_object_add(root, "budget", num(s->total));
    json_object_object_add(root, "budget_unit", num(s->unit));
    json_object_object_add(root, "unit_measured_seconds", num(s->baseline.seconds));
    json_object_object_add(root, "wall_seconds", num(rp_elapsed(s)));
    json_object_object_add(root, "load_seconds", num(s->load_seconds));
    json_object_object_add(root, "trainings", json_object_new_int64(s->pool.trainings));
    json_object_object_add(root, "workers", json_object_new_int(rp_workers(s)));
    json_object_object_add(root, "interrupted",
                           rp_stopped(s) ? json_object_new_string(rp_stop_name(rp_stopped(s))) : json_object_new_null());
    if (s->journal) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "path", json_object_new_string(rp_journal_path(s->journal)));
        json_object_object_add(j, "replayed", json_object_new_int64(s->replayed));
        json_object_object_add(j, "recorded", json_object_new_int64(rp_journal_appended(s->journal)));
        json_object_object_add(root, "journal", j);
    }
    fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
}
