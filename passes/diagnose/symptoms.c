/* symptoms.c: the dynamic half of the diagnosis: one short, bounded training
 * run watched through the runtime's monitor hook (monitor.h), and the
 * symptoms detected in what it recorded.
 *
 * The run trains the program as written (epochs may be overridden) under a
 * time and batch cap, and calls the monitor at about dx_options.checkpoints
 * evenly spaced points plus every epoch end.  Each point keeps the window's
 * mean batch loss, its training accuracy (worked out from the running epoch
 * means) and every layer's statistics.
 *
 * Detection conditions, with their published defaults (dx_thresholds):
 *   AutoTrainer (Zhang et al., ICSE 2021; its monitor's defaults beta_1 1e-3,
 *     beta_2 1e-4, beta_3 70, gamma 0.7, zeta 0.03, eta 0.2, delta 0.01):
 *     exploding gradient: first / last kernel gradient norm > beta_3;
 *     vanishing gradient: that ratio < beta_1 and first norm < beta_2;
 *     dying ReLU: fraction of zero gradients >= gamma;
 *     oscillation: pairs of local max / min of accuracy at least zeta apart
 *       number at least eta x points;
 *     slow convergence: the best point-to-point accuracy gain < delta.
 *   DeepDiagnosis (Wardat et al., ICSE 2022): dead node: >= 70% of a ReLU
 *     layer's outputs <= 0; saturation: > 50% of a sigmoid/tanh layer's
 *     inputs beyond +-5; NaN/inf loss; loss not decreasing; accuracy not
 *     increasing; weights not changing (update / weight ratio).
 *   TheDeepChecker (Ben Braiek and Khomh, TOSEM 2023): parameter updates far
 *     from about 1e-3 of the parameters' norm are too slow or too fast.
 *   Ours: still learning: the run ended badly while its loss was still
 *     falling steadily (AutoTrainer's "not converged", with the trend that
 *     says more epochs would help).
 *   Ours: a train/evaluation gap: the trained model, run in evaluation mode
 *     on training samples, scores far below what it scored on them in
 *     training mode (layers that behave differently in the two modes:
 *     batchnorm's moving statistics); clipping active at most points (a
 *     kernel's measured gradient norm above the clipping bound) and
 *     clipping that shrinks the gradients by an order of magnitude or more
 *     (Pascanu et al., ICML 2013, set the threshold from the average norm
 *     over many updates; AutoTrainer adds clipping as a fix, nobody checks
 *     the bound against the norms).
 * Like AutoTrainer, symptoms inside the network (gradients, dead units,
 * saturation, update ratios, oscillation, slow convergence) count only when
 * the run ends badly: internal oddities of a model that trains well are not
 * faults.  Where dnnc departs from a source it says so below.
 */
#include "diagnose_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "train.h"

#define DX_X_SYM_NAME(id, name) name,
const char *const dx_symptom_names[] = {DX_SYMPTOMS(DX_X_SYM_NAME)};

/* Samples a window's accuracy must cover to be trusted (ours). */
#define DX_MIN_WINDOW 256
/* Batches at the start whose mean loss is the starting loss. */
#define DX_FIRST_BATCHES 3
/* Share of the points at which a kernel must stand still to count as unchanged. */
#define DX_STILL_SHARE 0.8
/* Relative loss decrease over the last quarter of a run that means it was
 * still learning. */
#define DX_STILL_FALLING 0.05
/* Relative loss decrease over the last quarter of a regression run that says
 * it has not converged, however far below its start the loss is. */
#define DX_STILL_STEEP 0.25
/* Most batches the statistics of one monitor call cover. */
#define DX_MAX_STATS_WINDOW 16
/* Training samples the evaluation-mode pass of a model with batchnorm or
 * dropout covers. */
#define DX_EVAL_SAMPLES 2048
/* Least accuracy lost from training to evaluation mode that makes a gap
 * (when above the sampling noise), and a regression's mae multiplied by at
 * least this. */
#define DX_GAP_ACCURACY 0.05
#define DX_GAP_MAE 1.5
/* Share of the moving statistics' initial values whose presence at the end
 * of a run cut short makes its gap an artefact of the cut. */
#define DX_GAP_UNSETTLED 0.3
/* Median shrink of the clipped gradients at or below which clipping shrinks
 * them by orders of magnitude. */
#define DX_CLIP_SHRINK 0.1

void dx_symptom_list_free(dx_symptom_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

void dx_trace_free(dx_trace *t)
{
    free(t->points);
    free(t->layers);
    free(t->node_of);
    free(t->act_of);
    free(t->kernel_of);
    free(t->epoch_loss);
    free(t->epoch_metric);
    memset(t, 0, sizeof *t);
}

/* ---- recording ---- */

/* The monitor's state between calls. */
typedef struct recorder {
    dx_trace *t;            /* where points go */
    int batch;              /* batch size */
    int n_train;            /* training samples per epoch */
    int epoch;              /* epoch of the previous call */
    long seen;              /* samples of that epoch seen at the previous call */
    double metric_sum;      /* metric x samples at the previous call */
    long step;              /* batches done at the previous call */
} recorder;

static void record_layers(recorder *r, const rt_monitor_event *ev)
{
    dx_trace *t = r->t;
    if (!t->node_of) {
        t->n_layers = ev->n_layers;
        t->node_of = ir_alloc(sizeof *t->node_of * (size_t)(ev->n_layers + 1));
        t->act_of = ir_alloc(sizeof *t->act_of * (size_t)(ev->n_layers + 1));
        t->kernel_of = ir_alloc(sizeof *t->kernel_of * (size_t)(ev->n_layers + 1));
        for (int i = 0; i < ev->n_layers; i++) {
            t->node_of[i] = ev->layers[i].index;
            t->act_of[i] = ev->layers[i].act;
            t->kernel_of[i] = ev->layers[i].has_kernel;
        }
    }
    t->layers = ir_realloc(t->layers, sizeof *t->layers * (size_t)t->cap_points *
                                          (size_t)(t->n_layers > 0 ? t->n_layers : 1));
    dx_layer_point *row = &t->layers[(size_t)t->n_points * (size_t)t->n_layers];
    for (int i = 0; i < t->n_layers; i++) {
        const rt_layer_stats *s = &ev->layers[i];
        row[i] = (dx_layer_point){
            .grad_norm = s->grad_norm,
            .grad_zero = s->grad_zero,
            .weight_norm = s->weight_norm,
            .update_ratio = s->weight_norm > 0 ? s->update_norm / s->weight_norm
                            : s->update_norm > 0 ? INFINITY : 0.0,
            .act_dead = s->act_dead,
            .act_dead_units = s->act_dead_units,
            .act_saturated = s->act_saturated,
            .act_nonfinite = s->act_nonfinite,
        };
    }
}

static bool on_monitor(const rt_monitor_event *ev, void *ctx)
{
    recorder *r = ctx;
    dx_trace *t = r->t;
    if (t->n_points == t->cap_points) {
        t->cap_points = t->cap_points ? 2 * t->cap_points : 32;
        t->points = ir_realloc(t->points, sizeof *t->points * (size_t)t->cap_points);
    }
    if (ev->layers)
        record_layers(r, ev);
    if (ev->epoch != r->epoch) {
        r->epoch = ev->epoch;
        r->seen = 0;
        r->metric_sum = 0.0;
    }
    long seen = ev->epoch_end ? r->n_train : (long)ev->batch * r->batch;
    seen = seen < r->n_train ? seen : r->n_train;
    double metric_sum = ev->metric * (double)seen;
    dx_point *pt = &t->points[t->n_points++];
    pt->step = ev->step;
    pt->epoch = ev->epoch;
    pt->samples = seen - r->seen;
    pt->metric = pt->samples > 0 ? (metric_sum - r->metric_sum) / (double)pt->samples : NAN;
    double lsum = 0.0;
    long from = r->step, to = ev->step < ev->history->n_batches ? ev->step : ev->history->n_batches;
    for (long b = from; b < to; b++)
        lsum += ev->history->batch_loss[b];
    pt->loss = to > from ? lsum / (double)(to - from) : NAN;
    r->seen = seen;
    r->metric_sum = metric_sum;
    r->step = ev->step;
    return false;
}

/* Copies what the result knows into the trace. */
static void record_result(dx_trace *t, const rt_result *res)
{
    long first = res->n_batches < DX_FIRST_BATCHES ? res->n_batches : DX_FIRST_BATCHES;
    double sum = 0.0;
    for (long b = 0; b < first; b++)
        sum += res->batch_loss[b];
    t->first_loss = first > 0 ? sum / (double)first : NAN;
    t->diverged = res->diverged;
    t->diverged_step = -1;
    for (long b = 0; b < res->n_batches; b++)
        if (!isfinite(res->batch_loss[b])) {
            t->diverged = true;
            t->diverged_step = b;
            break;
        }
    t->epochs = res->n_epochs;
    t->batches = res->n_batches;
    t->seconds = res->train_seconds;
    t->classification = res->classification;
    size_t ne = (size_t)(res->n_epochs > 0 ? res->n_epochs : 1);
    t->epoch_loss = ir_alloc(sizeof *t->epoch_loss * ne);
    t->epoch_metric = ir_alloc(sizeof *t->epoch_metric * ne);
    for (int e = 0; e < res->n_epochs; e++) {
        t->epoch_loss[e] = res->epochs[e].loss;
        t->epoch_metric[e] = res->epochs[e].metric;
    }
}

/* Whether model M has a layer that computes differently in training and
 * evaluation mode (batchnorm, dropout). */
static bool differs_between_modes(const ir_model *m)
{
    for (int i = 0; m && i < m->n_nodes; i++)
        if (m->nodes[i].op == IR_OP_BATCHNORM || m->nodes[i].op == IR_OP_DROPOUT)
            return true;
    return false;
}

/* Fewest batches a run trains when the program has them (monitor calls
 * need some to look at), whatever the work budget says. */
#define DX_MIN_BATCHES 40

int dx_trace_run(const ir_program *p, const rt_data *data, const dx_options *o,
                 dx_trace *trace, char *err, size_t errsize)
{
    memset(trace, 0, sizeof *trace);
    uint64_t seed = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)p->train.seed;
    rt_net *net = rt_net_for_program(p, data, seed, err, errsize);
    if (!net)
        return -1;
    int n = data->train.n, epochs = o->epochs >= 0 ? o->epochs : p->train.epochs;
    int batch = p->train.batch < n ? p->train.batch : n;
    batch = batch > 0 ? batch : 1;
    dx_work work;
    dx_work_model(ir_train_model(p), &work);
    dx_plan plan;
    dx_work_plan(&work, n, data->val.n, batch, epochs, o->work_budget, DX_MIN_BATCHES, &plan);
    long planned = plan.batches;
    bool by_batches = o->max_batches > 0 && planned > o->max_batches;
    if (by_batches)
        planned = o->max_batches;
    long every = planned / (o->checkpoints > 1 ? o->checkpoints : 2);
    every = every > 0 ? every : 1;
    recorder rec = {trace, batch, n, -1, 0, 0.0, 0};
    rt_monitor mon = {(int)every, true,
                      (int)(every < DX_MAX_STATS_WINDOW ? every : DX_MAX_STATS_WINDOW),
                      on_monitor, &rec};
    rt_train_options to;
    rt_train_options_default(&to);
    to.threads = o->threads;
    to.epochs = epochs;
    to.seed = (long)seed;
    to.time_limit = o->time_limit;
    to.max_batches = planned;
    to.monitor = &mon;
    rt_result res;
    int rc = rt_train_net(net, p, data, &to, &res, err, errsize);
    if (rc == 0 && !res.diverged && differs_between_modes(ir_train_model(p))) {
        rt_split part = data->train;
        part.n = part.n < DX_EVAL_SAMPLES ? part.n : DX_EVAL_SAMPLES;
        double loss, metric;
        if (part.n > 0 && rt_evaluate(net, data, &part, &loss, &metric, err, errsize) == 0 &&
            isfinite(metric)) {
            trace->eval_metric = metric;
            trace->eval_samples = part.n;
        }
    }
    if (rc == 0) {
        record_result(trace, &res);
        /* The time limit first: when it fired the batches are not the plan's. */
        trace->limit = res.time_limit_hit ? DX_LIMIT_TIME
                       : !res.batch_limit_hit ? DX_LIMIT_NONE
                       : by_batches ? DX_LIMIT_BATCHES
                       : plan.by_budget ? DX_LIMIT_WORK : DX_LIMIT_NONE;
        trace->cut_short = trace->limit != DX_LIMIT_NONE;
        trace->full_work = plan.full_work;
        trace->work = dx_work_spent(&work, n, data->val.n, batch, trace->batches);
    }
    rt_result_free(&res);
    rt_net_free(net);
    return rc;
}

/* ---- detection ---- */

/* What the detectors share. */
typedef struct run_view {
    const dx_trace *t;          /* the run */
    const dx_facts *f;          /* the problem */
    const dx_thresholds *th;    /* conditions */
    double head_metric;         /* accuracy (or mae) of the first points */
    double tail_metric;         /* ... of the last points */
    double tail_loss;           /* mean loss of the last points */
    double chance;              /* majority-class accuracy */
    bool bad;                   /* the run ended badly (the gate of internal symptoms) */
} run_view;

static dx_symptom *add(dx_symptom_list *l, dx_symptom_id id, int layer, double strength,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static dx_symptom *add(dx_symptom_list *l, dx_symptom_id id, int layer, double strength,
                       const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->items = ir_realloc(l->items, sizeof *l->items * (size_t)l->cap);
    }
    dx_symptom *s = &l->items[l->n++];
    s->id = id;
    s->layer = layer;
    s->strength = strength < 0 ? 0 : strength > 1 ? 1 : strength;
    s->extent = 0.0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->evidence, sizeof s->evidence, fmt, ap);
    va_end(ap);
    return s;
}

/* Sample-weighted metric and mean loss of points walked from FIRST in
 * direction DIR until they cover DX_MIN_WINDOW samples (or run out). */
static void window_mean(const dx_trace *t, int first, int dir, double *metric, double *loss)
{
    double msum = 0.0, lsum = 0.0;
    long samples = 0;
    int count = 0;
    for (int i = first; i >= 0 && i < t->n_points; i += dir) {
        const dx_point *p = &t->points[i];
        if (isfinite(p->metric) && p->samples > 0) {
            msum += p->metric * (double)p->samples;
            samples += p->samples;
        }
        lsum += p->loss;
        count++;
        if (samples >= DX_MIN_WINDOW)
            break;
    }
    *metric = samples > 0 ? msum / (double)samples : NAN;
    *loss = count > 0 ? lsum / count : NAN;
}

/* The mean loss of the last Q points (AFTER) and of the Q before (BEFORE),
 * Q a quarter of the points; false when there are fewer than 4 points. */
static bool last_quarters(const dx_trace *t, double *before, double *after)
{
    int q = t->n_points / 4;
    if (q < 1)
        return false;
    *before = *after = 0.0;
    for (int i = 0; i < q; i++) {
        *before += t->points[t->n_points - 2 * q + i].loss;
        *after += t->points[t->n_points - q + i].loss;
    }
    *before /= q;
    *after /= q;
    return true;
}

static void view_init(run_view *v, const dx_trace *t, const dx_facts *f, const dx_thresholds *th)
{
    *v = (run_view){t, f, th, NAN, NAN, NAN, dx_chance(f), false};
    double loss;
    if (t->n_points > 0) {
        window_mean(t, 0, 1, &v->head_metric, &loss);
        window_mean(t, t->n_points - 1, -1, &v->tail_metric, &v->tail_loss);
    }
    if (t->diverged || !isfinite(v->tail_loss))
        v->bad = true;
    else if (t->classification)
        v->bad = !(v->tail_metric >= v->chance + th->satisfied * (1.0 - v->chance));
    else
        v->bad = !(v->tail_loss <= (1.0 - th->satisfied) * t->first_loss);
    /* A regression loss has no level that says "good" (its floor is the
     * data's noise, unknown); one still falling by a quarter or more over
     * the last quarter of the run has not converged, wherever it started. */
    double before, after;
    if (!v->bad && !t->classification && !t->cut_short && last_quarters(t, &before, &after) &&
        after < (1.0 - DX_STILL_STEEP) * before)
        v->bad = true;
}

/* The layer columns of the first and the last kernel. */
static void kernel_ends(const dx_trace *t, int *first, int *last)
{
    *first = *last = -1;
    for (int i = 0; i < t->n_layers; i++)
        if (t->kernel_of[i]) {
            if (*first < 0)
                *first = i;
            *last = i;
        }
}

static const dx_layer_point *layer_at(const dx_trace *t, int point, int layer)
{
    return &t->layers[(size_t)point * (size_t)t->n_layers + (size_t)layer];
}

static void detect_divergence(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    if (!t->diverged)
        return;
    int layer = -1;
    for (int i = 0; t->n_points > 0 && i < t->n_layers && layer < 0; i++)
        if (layer_at(t, t->n_points - 1, i)->act_nonfinite > 0)
            layer = t->node_of[i];
    add(out, DX_SYM_NAN_LOSS, layer, 1.0, "the loss became NaN or infinite at batch %ld; "
        "starting loss %.4g", t->diverged_step + 1, t->first_loss);
}

/* Exploding and vanishing gradients (AutoTrainer), over at least half the points. */
static void detect_gradients(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    int first, last;
    kernel_ends(t, &first, &last);
    if (!v->bad || first < 0 || first == last || t->n_points == 0)
        return;
    int explode = 0, vanish = 0;
    double ratio_max = 0.0, ratio_min = INFINITY, first_min = INFINITY;
    for (int p = 0; p < t->n_points; p++) {
        double g0 = layer_at(t, p, first)->grad_norm, g1 = layer_at(t, p, last)->grad_norm;
        double ratio = g1 > 0 ? g0 / g1 : g0 > 0 ? INFINITY : 1.0;
        explode += ratio > v->th->explode_ratio || !isfinite(g0);
        vanish += ratio < v->th->vanish_ratio && g0 < v->th->vanish_norm;
        ratio_max = fmax(ratio_max, ratio);
        ratio_min = fmin(ratio_min, ratio);
        first_min = fmin(first_min, g0);
    }
    if (explode * 2 >= t->n_points)
        add(out, DX_SYM_EXPLODING_GRADIENT, t->node_of[first], 0.7,
            "first/last kernel gradient norm up to %.3g (> %g) at %d of %d points", ratio_max,
            v->th->explode_ratio, explode, t->n_points);
    if (vanish * 2 >= t->n_points)
        add(out, DX_SYM_VANISHING_GRADIENT, t->node_of[first], 0.7,
            "first/last kernel gradient norm down to %.3g (< %g), first norm %.3g (< %g) at "
            "%d of %d points", ratio_min, v->th->vanish_ratio, first_min, v->th->vanish_norm,
            vanish, t->n_points);
}

/* Whether layer column I's activation is the output's and the loss works on
 * its logits (softmax or sigmoid fused with cross-entropy): then saturation
 * costs no gradient. */
static bool fused_output(const run_view *v, int i)
{
    const dx_facts *f = v->f;
    return v->t->node_of[i] == f->out_act_node && !f->prog->train.loss_fn &&
           rt_loss_fused(f->prog->train.loss, f->out_act);
}

/* Kernel columns whose update ratio stays below update_low at most points:
 * the first of them in *FIRST; returns how many, of *KERNELS kernels. */
static int count_unchanged(const run_view *v, int *first, int *kernels)
{
    const dx_trace *t = v->t;
    int count = 0;
    *first = -1;
    *kernels = 0;
    for (int i = 0; i < t->n_layers; i++) {
        if (!t->kernel_of[i])
            continue;
        (*kernels)++;
        int still = 0;
        for (int p = 0; p < t->n_points; p++)
            still += layer_at(t, p, i)->update_ratio < v->th->update_low;
        if (still >= DX_STILL_SHARE * t->n_points) {
            count++;
            *first = *first < 0 ? i : *first;
        }
    }
    return count;
}

/* Dying ReLU (AutoTrainer's zero gradients, DeepDiagnosis's dead outputs) and
 * saturation (DeepDiagnosis) at the last point, and kernels that do not move.
 * Only the first dead layer is reported: the layers after it die of it.  A
 * diverged run's statistics are those of NaNs: nothing is read from them. */
static void detect_layers(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    if (!v->bad || t->diverged || t->n_points == 0)
        return;
    int last = t->n_points - 1;
    bool dead_found = false;
    for (int i = 0; i < t->n_layers; i++) {
        const dx_layer_point *s = layer_at(t, last, i);
        ir_act a = t->act_of[i];
        int node = t->node_of[i];
        if (a == IR_ACT_RELU && !dead_found && s->act_dead >= v->th->dead_output &&
            (s->grad_zero >= v->th->dead_grad || s->act_dead_units >= 0.5)) {
            dead_found = true;
            add(out, DX_SYM_DYING_RELU, node, 0.8, "%.0f%% of outputs <= 0, %.0f%% of units "
                "never active, %.0f%% of kernel gradients zero", 100 * s->act_dead,
                100 * s->act_dead_units, 100 * s->grad_zero);
        }
        if (dx_act_saturating(a) && s->act_saturated > v->th->saturated && !fused_output(v, i))
            add(out, DX_SYM_SATURATED, node, 0.7, "%.0f%% of pre-activations beyond +-5 "
                "(> %.0f%%)", 100 * s->act_saturated, 100 * v->th->saturated);
    }
    int first, kernels, still = count_unchanged(v, &first, &kernels);
    if (still == 0)
        return;
    const dx_layer_point *s = layer_at(t, last, first);
    /* Every kernel still: something global (the output, the learning rate). */
    add(out, DX_SYM_WEIGHTS_UNCHANGED, still == kernels ? -1 : t->node_of[first],
        s->weight_norm == 0 ? 0.8 : 0.6, "kernel update / kernel norm below %g per step at "
        "most points in %d of %d weight layers (first: norm %.3g)", v->th->update_low, still,
        kernels, s->weight_norm);
}

/* Sample-weighted accuracy of points FROM..TO-1 (NaN when none has one). */
static double points_metric(const dx_trace *t, int from, int to)
{
    double sum = 0.0;
    long samples = 0;
    for (int i = from; i < to; i++)
        if (isfinite(t->points[i].metric) && t->points[i].samples > 0) {
            sum += t->points[i].metric * (double)t->points[i].samples;
            samples += t->points[i].samples;
        }
    return samples > 0 ? sum / (double)samples : NAN;
}

/* How long the run would have to be, in multiples of its length, for the
 * trend of its last two quarters (Q points each) to reach a good outcome:
 * for regression the loss, falling geometrically from BEFORE to AFTER per
 * quarter, down to the good run's loss; for classification the accuracy,
 * rising linearly, up to the good run's.  Infinite when the trend does not
 * get there. */
static double needed_length(const run_view *v, int q, double before, double after)
{
    const dx_trace *t = v->t;
    double quarters;
    if (t->classification) {
        double a0 = points_metric(t, t->n_points - 2 * q, t->n_points - q);
        double a1 = points_metric(t, t->n_points - q, t->n_points);
        double goal = v->chance + v->th->satisfied * (1.0 - v->chance);
        if (!(a1 > a0))
            return INFINITY;
        quarters = (goal - a1) / (a1 - a0);
    } else {
        double goal = (1.0 - v->th->satisfied) * t->first_loss;
        if (!(goal > 0.0) || !(after > 0.0))
            return INFINITY;
        quarters = log(goal / after) / log(after / before);
    }
    return 1.0 + fmax(0.0, quarters) / 4.0;
}

/* Still learning (ours): the loss over the last quarter of the points is
 * still well below the quarter before.  The symptom's extent is how many
 * times the run's length the trend needs to reach a good outcome. */
static void detect_still_learning(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    int q = t->n_points / 4;
    double before, after;
    if (!v->bad || t->diverged || t->cut_short || !last_quarters(t, &before, &after))
        return;
    if (after < (1.0 - DX_STILL_FALLING) * before) {
        double need = needed_length(v, q, before, after);
        dx_symptom *s = add(out, DX_SYM_STILL_LEARNING, -1, 0.6, "the loss fell from %.4g to "
                            "%.4g over the last quarter of the run, which ended at %s %.3f; "
                            "at that rate a good result needs %.3gx the training", before,
                            after, t->classification ? "accuracy" : "mae", v->tail_metric,
                            need);
        s->extent = need;
    }
}

/* A classifier that ended badly on its own training data although its loss
 * had settled (it fell by less than DX_STILL_FALLING over the last quarter
 * of the run): more of the same training will not help; the model cannot fit
 * the data (ours: underfitting, which AutoTrainer and DeepDiagnosis leave
 * to their accuracy-not-increasing symptom, silent when accuracy rose a
 * little before settling). */
static void detect_plateau(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    double before, after;
    if (!v->bad || !t->classification || t->diverged || t->cut_short || !last_quarters(t, &before, &after))
        return;
    if (after >= (1.0 - DX_STILL_FALLING) * before)
        add(out, DX_SYM_PLATEAU, -1, 0.6, "training accuracy settled at %.3f (chance %.3f): "
            "the loss fell from %.4g to %.4g over the last quarter of the run",
            v->tail_metric, v->chance, before, after);
}

/* Update ratios (TheDeepChecker): the median over points of the largest
 * layer ratio, above update_high. */
static void detect_fast_updates(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    if (!v->bad || t->diverged || t->n_points == 0)
        return;
    double *worst = ir_alloc(sizeof *worst * (size_t)t->n_points);
    for (int p = 0; p < t->n_points; p++) {
        worst[p] = 0.0;
        for (int i = 0; i < t->n_layers; i++)
            if (t->kernel_of[i] && isfinite(layer_at(t, p, i)->update_ratio))
                worst[p] = fmax(worst[p], layer_at(t, p, i)->update_ratio);
    }
    int above = 0;
    double largest = 0.0;
    for (int p = 0; p < t->n_points; p++) {
        above += worst[p] > v->th->update_high;
        largest = fmax(largest, worst[p]);
    }
    if (above * 2 > t->n_points)
        add(out, DX_SYM_WEIGHTS_TOO_FAST, -1, 0.7, "kernel update / kernel norm above %g at "
            "%d of %d points (largest %.3g)", v->th->update_high, above, t->n_points, largest);
    free(worst);
}

/* The accuracy series oscillation and slow convergence look at: epochs when
 * there are enough of them, else the points whose windows are large enough
 * (ours: AutoTrainer watches epochs; short runs have few).  Returns its
 * length; *SAMPLES gets the smallest window behind a value. */
static int accuracy_series(const run_view *v, double *out, long *samples)
{
    const dx_trace *t = v->t;
    int n = 0;
    if (t->epochs >= 5) {
        for (int e = 0; e < t->epochs; e++)
            out[n++] = t->epoch_metric[e];
        *samples = v->f->n_train;
        return n;
    }
    *samples = -1;
    for (int i = 0; i < t->n_points; i++) {
        const dx_point *p = &t->points[i];
        if (!isfinite(p->metric) || p->samples < DX_MIN_WINDOW)
            continue;
        out[n++] = p->metric;
        *samples = *samples < 0 || p->samples < *samples ? p->samples : *samples;
    }
    return n;
}

/* AutoTrainer's ol_judge, with the swing raised above the sampling noise of
 * two windows of SAMPLES (three standard errors of their difference; ours). */
static void detect_oscillation(const run_view *v, const double *acc, int n, long samples,
                               dx_symptom_list *out)
{
    if (!v->bad || n < 5)
        return;
    double p = v->tail_metric;
    double noise = 3.0 * sqrt(2.0 * p * (1 - p) / (double)(samples > 0 ? samples : 1));
    double amplitude = fmax(v->th->osc_amplitude, noise);
    double *maxima = ir_alloc(sizeof *maxima * (size_t)n), *minima = ir_alloc(sizeof *minima * (size_t)n);
    int nmax = 0, nmin = 0;
    for (int i = 1; i + 1 < n; i++) {
        if (acc[i] >= acc[i - 1] && acc[i] >= acc[i + 1])
            maxima[nmax++] = acc[i];
        if (acc[i] <= acc[i - 1] && acc[i] <= acc[i + 1])
            minima[nmin++] = acc[i];
    }
    int swings = 0;
    for (int i = 0; i < nmax && i < nmin; i++)
        swings += maxima[i] - minima[i] >= amplitude;
    if (swings >= v->th->osc_rate * n && swings >= 2)
        add(out, DX_SYM_OSCILLATION, -1, 0.6, "training accuracy swings by >= %.3g %d times "
            "over %d points", amplitude, swings, n);
    free(maxima);
    free(minima);
}

/* AutoTrainer's slow convergence: the best gain between consecutive values. */
static void detect_slow(const run_view *v, const double *acc, int n, dx_symptom_list *out)
{
    if (!v->bad || n < 3)
        return;
    double best = -INFINITY;
    for (int i = 0; i + 1 < n; i++)
        best = fmax(best, acc[i + 1] - acc[i]);
    if (best < v->th->slow_gain)
        add(out, DX_SYM_SLOW_CONVERGENCE, -1, 0.6, "best gain in training accuracy between "
            "consecutive points %.4f (< %g) over %d points, ending at %.3f", best,
            v->th->slow_gain, n, acc[n - 1]);
}

/* Loss not decreasing, accuracy not increasing, accuracy at chance. */
static void detect_outcome(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    if (t->diverged || t->n_points == 0)
        return;
    if (v->tail_loss >= (1.0 - v->th->loss_decrease) * t->first_loss)
        add(out, DX_SYM_LOSS_FLAT, -1, 0.8, "loss %.4g at the end vs %.4g at the start "
            "(less than %.0f%% lower)", v->tail_loss, t->first_loss, 100 * v->th->loss_decrease);
    if (!t->classification)
        return;
    if (v->bad && v->tail_metric < v->head_metric + v->th->slow_gain)
        add(out, DX_SYM_ACCURACY_FLAT, -1, 0.6, "training accuracy %.3f at the end vs %.3f "
            "at the start", v->tail_metric, v->head_metric);
    if (v->tail_metric <= v->chance + v->th->chance_margin)
        add(out, DX_SYM_AT_CHANCE, -1, 0.9, "training accuracy %.3f at the end; the majority "
            "class alone gives %.3f", v->tail_metric, v->chance);
}

/* Whether the batchnorm layers' moving statistics are unsettled only because
 * the run was cut short: some layer still holds DX_GAP_UNSETTLED of their
 * initial values after the run's batches but would not after the program's
 * steps. */
static bool unsettled_by_cut(const run_view *v)
{
    const dx_trace *t = v->t;
    const ir_model *m = v->f->model;
    if (!t->cut_short || !m)
        return false;
    for (int i = 0; i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        if (n->op == IR_OP_BATCHNORM && pow(n->momentum, (double)t->batches) >= DX_GAP_UNSETTLED &&
            !(v->f->steps > 0 && pow(n->momentum, (double)v->f->steps) >= DX_GAP_UNSETTLED))
            return true;
    }
    return false;
}

/* A train/evaluation gap (ours): the trained model in evaluation mode on
 * training samples against the same run's training-mode metric at its end.
 * Not gated on a bad run: training mode may look fine while evaluation is
 * what the user gets. */
static void detect_mode_gap(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    if (t->eval_samples <= 0 || t->diverged || !isfinite(v->tail_metric) || unsettled_by_cut(v))
        return;
    if (t->classification) {
        double gap = v->tail_metric - t->eval_metric;
        /* Three standard errors of the difference of two accuracies, the
         * training-mode one over a window of at least DX_MIN_WINDOW samples. */
        double p = v->tail_metric, q = t->eval_metric;
        double noise = 3.0 * sqrt(p * (1 - p) / DX_MIN_WINDOW + q * (1 - q) / (double)t->eval_samples);
        if (gap >= fmax(DX_GAP_ACCURACY, noise))
            add(out, DX_SYM_MODE_GAP, -1, 0.5 + gap, "training accuracy %.3f in training mode, "
                "%.3f in evaluation mode on %ld training samples", v->tail_metric,
                t->eval_metric, t->eval_samples);
    } else if (t->eval_metric > DX_GAP_MAE * v->tail_metric && t->eval_metric > 0) {
        add(out, DX_SYM_MODE_GAP, -1, 0.6, "training mae %.4g in training mode, %.4g in "
            "evaluation mode on %ld training samples", v->tail_metric, t->eval_metric,
            t->eval_samples);
    }
}

/* Whether P's optimiser scales its steps by the gradients' own running size
 * (then clipping changes the update's direction more than its length). */
static bool adaptive_optimizer(const ir_program *p)
{
    return p->train.optimizer != IR_OPT_SGD;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Clipping against the measured gradient norms (ours): per point, each
 * kernel's bound (clipnorm; for clipvalue, clipvalue x sqrt(entries), the
 * norm of a gradient clipped in every entry) against its measured norm. */
static void detect_clipping(const run_view *v, dx_symptom_list *out)
{
    const dx_trace *t = v->t;
    const ir_train *tr = &v->f->prog->train;
    if ((tr->clipnorm <= 0 && tr->clipvalue <= 0) || !v->bad || t->diverged || t->n_points == 0 ||
        !v->f->model)
        return;
    double *shrink = ir_alloc(sizeof *shrink * (size_t)t->n_points);
    int active = 0;
    for (int p = 0; p < t->n_points; p++) {
        shrink[p] = 1.0;
        for (int i = 0; i < t->n_layers; i++) {
            double g = layer_at(t, p, i)->grad_norm;
            if (!t->kernel_of[i] || !(g > 0) || !isfinite(g))
                continue;
            double entries = (double)dx_kernel_size(&v->f->model->nodes[t->node_of[i]]);
            double bound = tr->clipnorm > 0 ? tr->clipnorm : INFINITY;
            if (tr->clipvalue > 0)
                bound = fmin(bound, tr->clipvalue * sqrt(entries));
            shrink[p] = fmin(shrink[p], bound / g);
        }
        active += shrink[p] < 1.0;
    }
    qsort(shrink, (size_t)t->n_points, sizeof *shrink, cmp_double);
    double median = shrink[t->n_points / 2];
    free(shrink);
    bool adaptive = adaptive_optimizer(v->f->prog);
    const char *kind = tr->clipnorm > 0 ? "clipnorm" : "clipvalue";
    double bound = tr->clipnorm > 0 ? tr->clipnorm : tr->clipvalue;
    if (active * 2 > t->n_points)
        add(out, DX_SYM_CLIPPING_ACTIVE, -1, adaptive ? 0.3 : 0.5, "%s %g clips a kernel's "
            "gradient at %d of %d points%s", kind, bound, active, t->n_points,
            adaptive ? " (an adaptive optimiser rescales its steps anyway)" : "");
    if (median <= DX_CLIP_SHRINK) {
        double strength = 0.6 + 0.1 * log10(DX_CLIP_SHRINK / median);
        add(out, DX_SYM_CLIPPING_SHRINKS, -1, (adaptive ? 0.5 : 1.0) * fmin(strength, 0.9),
            "%s %g shrinks the largest kernel gradients %.3gx (median over %d points)%s", kind,
            bound, 1.0 / median, t->n_points,
            adaptive ? "; an adaptive optimiser rescales its steps, so less of it reaches the "
                       "updates" : "");
    }
}

/* What the report says about the run. */
static void summarize(const run_view *v, const dx_symptom_list *out, dx_run_summary *s)
{
    const dx_trace *t = v->t;
    s->ran = true;
    s->classification = t->classification;
    s->epochs = t->epochs;
    s->batches = t->batches;
    s->seconds = t->seconds;
    s->first_loss = t->first_loss;
    s->last_loss = v->tail_loss;
    s->last_metric = v->tail_metric;
    s->chance = v->chance;
    s->diverged = t->diverged;
    s->cut_short = t->cut_short;
    s->limit = t->limit;
    s->work = t->work;
    s->full_work = t->full_work;
    s->symptoms = out->n;
    for (int i = 0; i < out->n && i < DX_MAX_SEEN; i++) {
        const dx_symptom *sym = &out->items[i];
        dx_symptom_seen *seen = &s->seen[i];
        snprintf(seen->name, sizeof seen->name, "%s", dx_symptom_names[sym->id]);
        snprintf(seen->layer, sizeof seen->layer, "%s",
                 sym->layer >= 0 && v->f->model ? v->f->model->nodes[sym->layer].name : "");
        seen->strength = sym->strength;
        snprintf(seen->evidence, sizeof seen->evidence, "%s", sym->evidence);
    }
}

void dx_detect(const dx_trace *trace, const dx_facts *f, const dx_thresholds *th,
               dx_symptom_list *out, dx_run_summary *summary)
{
    run_view v;
    view_init(&v, trace, f, th);
    detect_divergence(&v, out);
    detect_outcome(&v, out);
    detect_gradients(&v, out);
    detect_layers(&v, out);
    detect_still_learning(&v, out);
    detect_plateau(&v, out);
    detect_fast_updates(&v, out);
    detect_mode_gap(&v, out);
    detect_clipping(&v, out);
    if (trace->classification) {
        int cap = trace->n_points > trace->epochs ? trace->n_points : trace->epochs;
        double *acc = ir_alloc(sizeof *acc * (size_t)(cap > 0 ? cap : 1));
        long samples;
        int n = accuracy_series(&v, acc, &samples);
        detect_oscillation(&v, acc, n, samples, out);
        detect_slow(&v, acc, n, out);
        free(acc);
    }
    if (summary)
        summarize(&v, out, summary);
}
