/* diagnose.c: dx_diagnose, the order of the diagnosis (diagnose.h):
 * facts, static rules (the analysis passes of the pass table), one bounded
 * training run and its symptoms, the probes (probe.c), then the ranking.  Also the defaults of
 * every threshold and limit.
 */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#include "diagnose_int.h"
#include "pass.h"

#define DX_X_LIMIT_NAME(id, name) name,
const char *const dx_limit_names[] = {DX_LIMITS(DX_X_LIMIT_NAME)};

void dx_options_default(dx_options *o)
{
    *o = (dx_options){0};
    o->epochs = -1;
    o->seed = -1;
    o->threads = 1;          /* small models train fastest on one thread */
    o->work_budget = DX_WORK_BUDGET;
    o->time_limit = 120.0;   /* safety net only: the budget ends typical runs in seconds */
    o->max_batches = 20000;
    o->checkpoints = 20;
    o->min_score = 0.15;
    o->probe_budget = DX_PROBE_BUDGET;
    o->th = (dx_thresholds){
        .vanish_ratio = 1e-3,   /* AutoTrainer beta_1 */
        .vanish_norm = 1e-4,    /* AutoTrainer beta_2 */
        .explode_ratio = 70.0,  /* AutoTrainer beta_3 */
        .dead_grad = 0.7,       /* AutoTrainer gamma */
        .dead_output = 0.7,     /* DeepDiagnosis dead-node threshold */
        .saturated = 0.5,       /* DeepDiagnosis saturation threshold (beyond +-5) */
        .osc_amplitude = 0.03,  /* AutoTrainer zeta */
        .osc_rate = 0.2,        /* AutoTrainer eta */
        .slow_gain = 0.01,      /* AutoTrainer delta */
        .satisfied = 0.7,       /* AutoTrainer Theta, here relative to chance */
        .loss_decrease = 0.05,  /* ours */
        .chance_margin = 0.05,  /* ours */
        .update_low = 1e-6,     /* ours: TheDeepChecker's "too slow" side, far below ~1e-3 */
        .update_high = 0.1,     /* ours: TheDeepChecker's "too fast" side, 100x ~1e-3 */
    };
}

/* Whether a static finding is strong enough to explain a poor outcome. */
static bool explained(const suspect_list *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].kind == SUSPECT_RULE && l->items[i].score >= DX_EXPLAINS)
            return true;
    return false;
}

/* The training run and its symptoms, added to OUT as findings. */
static void dynamic_part(const ir_program *p, const rt_data *data, const dx_options *o,
                         const dx_facts *f, suspect_list *out, dx_run_summary *summary)
{
    dx_trace trace;
    char err[256];
    if (dx_trace_run(p, data, o, &trace, err, sizeof err) < 0) {
        snprintf(summary->note, sizeof summary->note, "training skipped: %.255s", err);
        dx_trace_free(&trace);
        return;
    }
    dx_symptom_list syms = {0};
    dx_detect(&trace, f, &o->th, &syms, summary);
    dx_map_symptoms(&syms, f, explained(out), out);
    if (summary->limit == DX_LIMIT_TIME)
        snprintf(summary->note, sizeof summary->note, "the training run hit the safety time "
                 "limit (%g s) before its work budget: what it saw depends on the machine's "
                 "speed; a smaller --budget keeps it reproducible", o->time_limit);
    dx_symptom_list_free(&syms);
    dx_trace_free(&trace);
}

int dx_diagnose(const ir_program *p, const rt_data *data, const dx_options *o,
                suspect_list *out, dx_run_summary *summary, char *err, size_t errsize)
{
    dx_options defaults;
    if (!o) {
        dx_options_default(&defaults);
        o = &defaults;
    }
    dx_run_summary local;
    summary = summary ? summary : &local;
    memset(summary, 0, sizeof *summary);
    memset(out, 0, sizeof *out);
    dx_facts f;
    dx_facts_init(&f, p, data);
    if (!f.model) {
        snprintf(summary->note, sizeof summary->note, "no train block: nothing to diagnose");
        return 0;
    }
    pass_ctx ctx = {.prog = p, .data = data, .facts = &f, .found = out};
    if (pass_run_kind(PASS_ANALYSIS, &ctx) < 0) {
        snprintf(err, errsize, "internal error: a static rule failed");
        suspect_list_free(out);
        return -1;
    }
    if (o->static_only)
        snprintf(summary->note, sizeof summary->note, "static rules only (--static)");
    else if (!data)
        snprintf(summary->note, sizeof summary->note, "training skipped: no data");
    else
        dynamic_part(p, data, o, &f, out, summary);
    /* Probing tests the places by intervention when something is amiss. */
    if (!o->static_only && data && (out->n > 0 || summary->symptoms > 0))
        dx_probe(p, data, o->trainer, o->seed >= 0 ? o->seed : p->train.seed, o->threads,
                 o->probe_budget, out, &summary->probing);
    dx_rank(out, o->min_score);
    return 0;
}
