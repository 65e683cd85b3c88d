/* mode_diagnose.c: `dnnc --diagnose FILE`: load the data, run dx_diagnose,
 * print the ranked suspects.
 *
 * Text output (stdout): one finding per line in diagnostic form, best first,
 *     model.dnn:14:17: warning: softmax on a 1-unit output always outputs 1.0 [output-activation]
 * then its evidence and its place, score and repair classes, indented; then
 * one line about the training run.  A program with nothing suspicious prints
 * "no suspects".  --json prints one json-c object instead:
 *     {"file", "suspects": [{"rank", "score", "line", "column", "target", "node",
 *       "attribute", "rule", "also", "kind", "kinds", "message", "evidence", "repairs"}],
 *      "training": {...} or null, "note"}
 * When the data cannot be loaded the rules that need it and the training run
 * are skipped, and the report says why.  --static skips the training run;
 * --budget N sets its work budget in estimated multiply-adds (diagnose.h).
 * Nothing printed depends on the clock, so the same program and seed give
 * byte-identical output, unless the safety time limit fires, which the
 * report then says.  Exit status: 0 whether or not there are suspects, 1 on
 * a bad option, 2 on an internal error.
 */
#include <errno.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "driver.h"

/* The file name findings are reported against: the .dnn an IR came from. */
static const char *report_file(const ir_program *p, const dnnc_source *src)
{
    if (src->is_ir && p->source_name)
        return p->source_name;
    return strcmp(src->path, "-") == 0 ? "<stdin>" : src->path;
}

/* Writes the names of the repair classes in REPAIRS, ", "-separated. */
static void format_repairs(unsigned repairs, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int c = 0; c < REPAIR_CLASS_COUNT && len < size; c++)
        if (repairs & (1u << c))
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                    repair_class_names[c]);
}

/* What cut the run short, for the text report. */
static const char *limit_text(const dx_run_summary *run)
{
    switch (run->limit) {
    case DX_LIMIT_WORK: return " (cut by the work budget)";
    case DX_LIMIT_BATCHES: return " (cut by the batch limit)";
    case DX_LIMIT_TIME: return " (cut by the safety time limit: depends on the machine's speed)";
    case DX_LIMIT_NONE:
    case DX_LIMIT_COUNT: break;
    }
    return "";
}

static void print_text(const char *file, const suspect_list *l, const dx_run_summary *run)
{
    for (int i = 0; i < l->n; i++) {
        const suspect *s = &l->items[i];
        char repairs[512];
        format_repairs(s->repairs, repairs, sizeof repairs);
        if (s->line > 0)
            printf("%s:%d:%d: ", file, s->line, s->column);
        else
            printf("%s: ", file);
        printf("%s: %s [%s]\n", s->score >= 0.3 ? "warning" : "note", s->message, s->rule);
        printf("    evidence: %s\n", s->evidence);
        char kinds[64] = "";
        for (int k = 0; k < SUSPECT_KIND_COUNT; k++)
            if (s->kinds & (1u << k))
                snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                         kinds[0] ? "+" : "", suspect_kind_names[k]);
        printf("    suspect %d: %s %s.%s, score %.2f (%s)%s%s; repairs: %s\n", s->rank,
               suspect_target_name(s->target), s->node, s->attribute, s->score, kinds,
               s->also[0] ? ", also " : "", s->also, repairs);
    }
    if (l->n == 0)
        printf("no suspects\n");
    if (run->ran) {
        printf("training run: %d epochs, %ld batches, %.3g multiply-adds", run->epochs,
               run->batches, run->work);
        if (run->cut_short)
            printf(" of the training's %.3g%s", run->full_work, limit_text(run));
        printf(", loss %.4g -> %.4g", run->first_loss, run->last_loss);
        if (run->classification)
            printf(", accuracy %.3f (chance %.3f)", run->last_metric, run->chance);
        else
            printf(", mae %.4g", run->last_metric);
        printf("%s; %d symptoms%s", run->diverged ? ", diverged" : "", run->symptoms,
               run->symptoms ? ":" : "\n");
        for (int i = 0; i < run->symptoms && i < DX_MAX_SEEN; i++)
            printf(" %s%s%s%s", run->seen[i].name, run->seen[i].layer[0] ? "@" : "",
                   run->seen[i].layer, i + 1 < run->symptoms && i + 1 < DX_MAX_SEEN ? "," : "\n");
    }
    const dx_probe_summary *pr = &run->probing;
    if (pr->ran)
        printf("probing: %d of %d places at %.3g of the training (%d left to the budget), %ld "
               "trainings, %.3g multiply-adds; %d helped\n", pr->probed, pr->places, pr->fraction,
               pr->skipped, pr->trainings, pr->work, pr->helped);
    if (run->note[0])
        printf("%s\n", run->note);
}

static json_object *number(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

/* A score rounded for reading, written as such. */
static json_object *score_value(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.4f", v);
    return json_object_new_double_s(v, buf);
}

static json_object *suspect_json(const suspect *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "rank", json_object_new_int(s->rank));
    json_object_object_add(o, "score", score_value(s->score));
    json_object_object_add(o, "line", json_object_new_int(s->line));
    json_object_object_add(o, "column", json_object_new_int(s->column));
    json_object_object_add(o, "target", json_object_new_string(suspect_target_name(s->target)));
    json_object_object_add(o, "node", json_object_new_string(s->node));
    json_object_object_add(o, "attribute", json_object_new_string(s->attribute));
    json_object_object_add(o, "rule", json_object_new_string(s->rule));
    json_object *also = json_object_new_array();
    char rules[sizeof s->also];
    snprintf(rules, sizeof rules, "%s", s->also);
    for (char *save = NULL, *r = strtok_r(rules, ",", &save); r; r = strtok_r(NULL, ",", &save))
        json_object_array_add(also, json_object_new_string(r));
    json_object_object_add(o, "also", also);
    json_object_object_add(o, "kind", json_object_new_string(suspect_kind_names[s->kind]));
    json_object *kinds = json_object_new_array();
    for (int k = 0; k < SUSPECT_KIND_COUNT; k++)
        if (s->kinds & (1u << k))
            json_object_array_add(kinds, json_object_new_string(suspect_kind_names[k]));
    json_object_object_add(o, "kinds", kinds);
    json_object_object_add(o, "message", json_object_new_string(s->message));
    json_object_object_add(o, "evidence", json_object_new_string(s->evidence));
    json_object *repairs = json_object_new_array();
    for (int c = 0; c < REPAIR_CLASS_COUNT; c++)
        if (s->repairs & (1u << c))
            json_object_array_add(repairs, json_object_new_string(repair_class_names[c]));
    json_object_object_add(o, "repairs", repairs);
    return o;
}

static json_object *run_json(const dx_run_summary *run)
{
    if (!run->ran)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "epochs", json_object_new_int(run->epochs));
    json_object_object_add(o, "batches", json_object_new_int64(run->batches));
    json_object_object_add(o, "work", number(run->work));
    json_object_object_add(o, "full_work", number(run->full_work));
    json_object_object_add(o, "first_loss", number(run->first_loss));
    json_object_object_add(o, "last_loss", number(run->last_loss));
    json_object_object_add(o, run->classification ? "accuracy" : "mae", number(run->last_metric));
    if (run->classification)
        json_object_object_add(o, "chance", number(run->chance));
    json_object_object_add(o, "diverged", json_object_new_boolean(run->diverged));
    json_object_object_add(o, "cut_short", json_object_new_boolean(run->cut_short));
    json_object_object_add(o, "limit", run->limit == DX_LIMIT_NONE ? NULL
                           : json_object_new_string(dx_limit_names[run->limit]));
    json_object *syms = json_object_new_array();
    for (int i = 0; i < run->symptoms && i < DX_MAX_SEEN; i++) {
        const dx_symptom_seen *s = &run->seen[i];
        json_object *so = json_object_new_object();
        json_object_object_add(so, "symptom", json_object_new_string(s->name));
        json_object_object_add(so, "layer", s->layer[0] ? json_object_new_string(s->layer) : NULL);
        json_object_object_add(so, "strength", score_value(s->strength));
        json_object_object_add(so, "evidence", json_object_new_string(s->evidence));
        json_object_array_add(syms, so);
    }
    json_object_object_add(o, "symptoms", syms);
    return o;
}

static json_object *probing_json(const dx_probe_summary *pr)
{
    if (!pr->ran)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "fraction", number(pr->fraction));
    json_object_object_add(o, "places", json_object_new_int(pr->places));
    json_object_object_add(o, "probed", json_object_new_int(pr->probed));
    json_object_object_add(o, "skipped", json_object_new_int(pr->skipped));
    json_object_object_add(o, "helped", json_object_new_int(pr->helped));
    json_object_object_add(o, "trainings", json_object_new_int64(pr->trainings));
    json_object_object_add(o, "work", number(pr->work));
    json_object_object_add(o, "faulty_score", number(pr->faulty_score));
    json_object_object_add(o, "faulty_spread", number(pr->faulty_spread));
    return o;
}

static void print_json(const char *file, const suspect_list *l, const dx_run_summary *run)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "file", json_object_new_string(file));
    json_object *list = json_object_new_array();
    for (int i = 0; i < l->n; i++)
        json_object_array_add(list, suspect_json(&l->items[i]));
    json_object_object_add(root, "suspects", list);
    json_object_object_add(root, "training", run_json(run));
    json_object_object_add(root, "probing", probing_json(&run->probing));
    json_object_object_add(root, "note", json_object_new_string(run->note));
    printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
}

/* Reads the work budget OPTION's TEXT: a number of estimated multiply-adds
 * (5e9), positive, or also 0 when ZERO_OK.  Returns 0, or -1 after saying
 * why not. */
static int parse_budget(const char *option, const char *text, bool zero_ok, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(v) || v < 0 || (v == 0 && !zero_ok)) {
        fprintf(stderr, "dnnc: error: %s for --diagnose takes a %s number of "
                "multiply-adds (5e9), got '%s'\n", option, zero_ok ? "non-negative" : "positive",
                text);
        return -1;
    }
    *out = v;
    return 0;
}

int dnnc_mode_diagnose(const ir_program *p, const dnnc_source *src, const dnnc_options *o)
{
    dx_options dx;
    dx_options_default(&dx);
    dx.static_only = o->static_only;
    dx.epochs = o->epochs;
    dx.seed = o->seed;
    if (o->threads > 0)
        dx.threads = o->threads;
    if (o->budget && parse_budget("--budget", o->budget, false, &dx.work_budget) < 0)
        return 1;
    if (o->probe_budget && parse_budget("--probe-budget", o->probe_budget, true, &dx.probe_budget) < 0)
        return 1;
    rt_data *data = NULL;
    char err[240], note[sizeof ((dx_run_summary *)0)->note] = "";
    const ir_dataset *ds = p->has_train ? ir_train_dataset(p) : NULL;
    if (ds) {
        uint64_t seed = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)p->train.seed;
        data = rt_data_load(p, ds, seed, -1.0, err, sizeof err);
        if (!data)
            snprintf(note, sizeof note, "data not loaded, rules that need it and the training "
                     "run skipped: %.239s", err);
    }
    suspect_list l;
    dx_run_summary run;
    int rc = dx_diagnose(p, data, &dx, &l, &run, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "dnnc: error: %s: %s\n", src->path, err);
        rt_data_free(data);
        return 2;
    }
    if (note[0])
        snprintf(run.note, sizeof run.note, "%s", note);
    const char *file = report_file(p, src);
    if (o->json)
        print_json(file, &l, &run);
    else
        print_text(file, &l, &run);
    suspect_list_free(&l);
    rt_data_free(data);
    return 0;
}
