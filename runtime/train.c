/* train.c: the training loop, evaluation, and early stopping (see train.h).
 *
 * Buffers (shuffled indices, targets, monitor statistics) are allocated once
 * per run; a batch copies its samples into net->input, runs forward, loss,
 * backward and one optimiser step.  Monitor statistics are gathered only in
 * the window of batches before a monitor call (monitor.h).
 */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "loss.h"
#include "mem.h"
#include "optim.h"
#include "progress.h"
#include "target.h"
#include "user_fn.h"

void rt_train_options_default(rt_train_options *o)
{
    *o = (rt_train_options){0};
    o->epochs = -1;
    o->seed = -1;
}

uint64_t rt_effective_seed(const ir_program *p, const rt_train_options *o)
{
    return o && o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)p->train.seed;
}

int rt_thread_count(int threads)
{
    return threads > 0 ? threads : rt_blas_cores();
}

int rt_set_threads(int threads)
{
    int n = rt_thread_count(threads);
    rt_blas_set_threads(n);
    return n;
}

void rt_result_free(rt_result *r)
{
    free(r->epochs);
    free(r->batch_loss);
    memset(r, 0, sizeof *r);
}

rt_net *rt_net_for_program(const ir_program *p, const rt_data *d, uint64_t seed,
                           char *err, size_t errsize)
{
    const ir_model *m = ir_train_model(p);
    if (!m) {
        snprintf(err, errsize, "%s: the program has no train block naming a model",
                 p->file);
        return NULL;
    }
    const ir_node *in = &m->nodes[0];
    if (m->n_nodes > 0 && in->op == IR_OP_INPUT && ir_shape_size(&in->shape) != d->in_size) {
        char a[64], b[64];
        ir_shape_format(&in->shape, a, sizeof a);
        ir_shape_format(&d->shape, b, sizeof b);
        snprintf(err, errsize, "model %s takes inputs of shape %s (%ld values) but dataset "
                 "%s has samples of shape %s (%d values)", m->name, a,
                 ir_shape_size(&in->shape), p->train.data ? p->train.data : "?", b,
                 d->in_size);
        return NULL;
    }
    /* A batch larger than the training split is the whole split (as in Keras):
     * buffers for more samples than that would never be used. */
    int max_batch = p->train.batch;
    if (d->train.n > 0 && d->train.n < max_batch)
        max_batch = d->train.n;
    /* Refuse what would exhaust memory rather than be killed by the kernel:
     * each layer keeps up to four batch-sized buffers (output, pre-activation
     * and their gradients). */
    double per_sample = 2.0 * ir_shape_size(&m->nodes[0].shape);
    for (int i = 1; i < m->n_nodes; i++)
        per_sample += 4.0 * ir_shape_size(&m->nodes[i].out_shape);
    double gib = per_sample * max_batch * sizeof(float) / (1024.0 * 1024.0 * 1024.0);
    if (gib > RT_MAX_ACTIVATION_GIB) {
        snprintf(err, errsize, "batch %d of model %s needs about %.1f GiB for its activations "
                 "(at most %d GiB): use a smaller batch", max_batch, m->name, gib, RT_MAX_ACTIVATION_GIB);
        return NULL;
    }
    /* A user loss sees the activated outputs (never fused) and its targets laid
     * out as for mse: one-hot classes (0 / 1 for one output unit), regression
     * targets as they are. */
    ir_loss loss = p->train.loss_fn ? IR_LOSS_MSE : p->train.loss;
    rt_net *net = rt_net_new(m, loss, max_batch, seed, false, err, errsize);
    if (!net)
        return NULL;
    if (rt_net_bind_functions(net, p, err, errsize) < 0) {
        rt_net_free(net);
        return NULL;
    }
    rt_targets tg;
    if (rt_targets_setup(&tg, d, p->train.loss, net->out_units, m->name, err, errsize) < 0) {
        rt_net_free(net);
        return NULL;
    }
    return net;
}

/* Copies samples IDX[0..N-1] of S into the network's input.  Shuffled rows
 * are scattered over the dataset, so the rows two ahead are prefetched while
 * one is copied (a third faster on Fashion-MNIST's 3 KB rows); rows of a few
 * floats are copied by a loop rather than a call to memcpy each. */
static void gather(rt_net *net, const rt_split *s, const int *idx, int n)
{
    long w = net->in_size;
    if (w <= 16) {
        for (int r = 0; r < n; r++) {
            const float *from = s->x + (long)(idx ? idx[r] : r) * w;
            for (long k = 0; k < w; k++)
                net->input[r * w + k] = from[k];
        }
        return;
    }
    enum { AHEAD = 2 };
    for (int r = 0; r < n; r++) {
        if (idx && r + AHEAD < n) {
            const char *next = (const char *)(s->x + (long)idx[r + AHEAD] * w);
            for (long b = 0; b < w * (long)sizeof(float); b += 64)
                __builtin_prefetch(next + b);
        }
        memcpy(net->input + (long)r * w, s->x + (long)(idx ? idx[r] : r) * w,
               sizeof(float) * (size_t)w);
    }
}

int rt_evaluate(rt_net *net, const rt_data *d, const rt_split *s, double *loss_out,
                double *metric_out, char *err, size_t errsize)
{
    rt_targets tg;
    if (rt_targets_setup(&tg, d, net->loss, net->out_units, net->model->name, err,
                         errsize) < 0)
        return -1;
    /* User metrics see the whole split at once (an F1 score is not a mean
     * over batches), with targets laid out as for a user loss. */
    rt_targets mt;
    float *all_out = NULL, *all_target = NULL;
    long units = net->out_units;
    if (net->n_metric_fns > 0) {
        if (rt_targets_setup(&mt, d, IR_LOSS_MSE, net->out_units, net->model->name, err, errsize) < 0)
            return -1;
        all_out = rt_floats((long)s->n * units);
        all_target = rt_floats((long)s->n * units);
    }
    float *target = rt_floats((long)net->max_batch * tg.width);
    double lsum = 0.0, msum = 0.0;
    for (int s0 = 0; s0 < s->n; s0 += net->max_batch) {
        int m = s->n - s0 < net->max_batch ? s->n - s0 : net->max_batch;
        rt_split part = *s;
        part.n = m;
        part.x = s->x + (long)s0 * net->in_size;
        part.label = s->label ? s->label + s0 : NULL;
        part.target = s->target ? s->target + (long)s0 * d->target_size : NULL;
        gather(net, &part, NULL, m);
        rt_targets_fill(&tg, d, &part, NULL, m, target);
        rt_net_forward(net, m, false);
        lsum += rt_net_loss(net, m, target, false) * m;
        msum += rt_targets_metric(&tg, d, &part, NULL, m, rt_net_output(net));
        if (all_out) {
            memcpy(all_out + (long)s0 * units, rt_net_output(net), sizeof(float) * (size_t)(m * units));
            rt_targets_fill(&mt, d, &part, NULL, m, all_target + (long)s0 * units);
        }
    }
    for (int k = 0; k < net->n_metric_fns; k++)
        net->metric_values[k] =
            s->n ? rt_user_fn_value(net->metric_fns[k], all_out, all_target, (long)s->n * units, NULL) : NAN;
    free(all_out);
    free(all_target);
    free(target);
    *loss_out = s->n ? lsum / s->n : NAN;
    *metric_out = s->n ? msum / s->n : NAN;
    return rt_net_function_failed(net, err, errsize) ? -1 : 0;
}

/* Where monitor statistics are gathered: the WINDOW batches before a call. */
static bool in_window(const rt_monitor *mon, long step, int b, int nb)
{
    if (!mon || !mon->stats)
        return false;
    long window = mon->window > 1 ? mon->window : 1;
    long to_epoch = nb - 1 - b;          /* batches after this one until the epoch call */
    long to_every = mon->every > 0 ? (mon->every - (step + 1) % mon->every) % mon->every
                                   : to_epoch;
    long d = to_epoch < to_every ? to_epoch : to_every;
    return d < window;
}

/* State of one run, so the loop's helpers stay small. */
typedef struct run {
    rt_net *net;            /* the network trained */
    const rt_monitor *mon;  /* monitor, or NULL */
    rt_result *res;         /* what is reported */
    rt_layer_stats *stats;  /* per-layer statistics for the monitor (or NULL) */
    bool window_open;       /* statistics are being summed since the last call */
} run;

/* Calls the monitor; returns true when it asks to stop. */
static bool call_monitor(run *r, bool epoch_end, int epoch, int batch, long step,
                         double loss, double metric)
{
    if (!r->mon || !r->mon->fn)
        return false;
    rt_monitor_event ev = {epoch_end, epoch, batch, step, loss, metric, r->res, NULL, 0,
                           r->net};
    if (r->stats) {
        rt_stats_fill(r->net, r->stats);
        ev.layers = r->stats;
        ev.n_layers = r->net->n_layers - 1;
    }
    r->window_open = false;
    return r->mon->fn(&ev, r->mon->ctx);
}

int rt_train_net(rt_net *net, const ir_program *p, const rt_data *d,
                 const rt_train_options *o, rt_result *res, char *err, size_t errsize)
{
    rt_train_options defaults;
    if (!o) {
        rt_train_options_default(&defaults);
        o = &defaults;
    }
    const ir_train *t = &p->train;
    memset(res, 0, sizeof *res);
    rt_targets tg;
    if (rt_targets_setup(&tg, d, net->loss, net->out_units, net->model->name, err,
                         errsize) < 0)
        return -1;
    int n = d->train.n;
    if (n < 1) {
        snprintf(err, errsize, "dataset %s has no training samples",
                 t->data ? t->data : "?");
        return -1;
    }
    int epochs = o->epochs >= 0 ? o->epochs : t->epochs;
    int batch = t->batch < net->max_batch ? t->batch : net->max_batch;
    batch = batch < n ? batch : n;
    int nb = (n + batch - 1) / batch;
    long max_steps = (long)epochs * nb;
    if (o->max_batches > 0 && o->max_batches < max_steps)
        max_steps = o->max_batches;
    rt_net_set_threads(net, rt_thread_count(o->threads));

    res->classification = tg.classification;
    res->has_val = d->val.n > 0;
    res->best_epoch = -1;
    res->epochs = ir_alloc(sizeof *res->epochs * (size_t)(epochs > 0 ? epochs : 1));
    res->batch_loss = rt_floats(max_steps);

    rt_optim opt;
    rt_optim_init(&opt, t, net->n_trainable);
    int *idx = rt_ints(n);
    for (int i = 0; i < n; i++)
        idx[i] = i;
    float *target = rt_floats((long)batch * tg.width);
    rt_rng shuffle;
    rt_rng_stream(&shuffle, rt_effective_seed(p, o), rt_hash_string("shuffle"));
    const rt_monitor *mon = o->monitor;
    run r = {net, mon, res, NULL, false};
    double *update_sq = NULL;
    if (mon && mon->stats) {
        r.stats = ir_alloc(sizeof *r.stats * (size_t)net->n_layers);
        update_sq = rt_doubles(net->n_params);
    }
    res->n_user = net->n_metric_fns;
    for (int k = 0; k < net->n_metric_fns; k++)
        res->user_names[k] = net->metric_names[k];
    rt_progress prog;
    rt_progress_init(&prog, o->progress, o->log, epochs, nb, tg.classification);
    prog.n_user = res->has_val ? net->n_metric_fns : 0;
    prog.user_names = net->metric_names;

    double t0 = rt_now(), best = INFINITY;
    int wait = 0;
    long step = 0;
    bool stop = false, failed = false;   /* failed: a user function returned NaN */
    for (int e = 0; e < epochs && !stop; e++) {
        rt_progress_epoch_start(&prog);
        double te = rt_now();
        for (int i = n - 1; i > 0; i--) {
            int j = (int)rt_rng_below(&shuffle, (uint64_t)i + 1);
            int tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        double lsum = 0.0, msum = 0.0;
        long seen = 0;
        int b = 0;
        while (b < nb && !stop) {
            int s0 = b * batch, m = n - s0 < batch ? n - s0 : batch;
            gather(net, &d->train, idx + s0, m);
            rt_targets_fill(&tg, d, &d->train, idx + s0, m, target);
            net->collect = in_window(mon, step, b, nb);
            if (net->collect && !r.window_open) {
                rt_stats_reset(net);
                r.window_open = true;
            }
            rt_net_forward(net, m, true);
            double loss = rt_net_loss(net, m, target, true);
            msum += rt_targets_metric(&tg, d, &d->train, idx + s0, m, rt_net_output(net));
            lsum += loss * m;
            seen += m;
            res->batch_loss[res->n_batches++] = (float)loss;
            b++;
            step++;
            if (!isfinite(loss)) {
                res->diverged = stop = true;
                net->collect = false;
                failed = rt_net_function_failed(net, err, errsize);
                break;
            }
            if (net->n_trainable > 0) {
                rt_net_backward(net, m);
                rt_optim_step(&opt, net, net->collect ? update_sq : NULL);
                if (net->collect)
                    rt_stats_update(net, update_sq);
            }
            net->collect = false;
            rt_progress_batch(&prog, e, b, lsum / (double)seen, seen);
            if (o->max_batches > 0 && step >= o->max_batches)
                res->batch_limit_hit = stop = true;
            if (o->time_limit > 0 && rt_now() - t0 >= o->time_limit)
                res->time_limit_hit = stop = true;
            if (!stop && b < nb && mon && mon->every > 0 && step % mon->every == 0 &&
                call_monitor(&r, false, e, b, step, lsum / (double)seen, msum / (double)seen))
                res->stopped_by_monitor = stop = true;
        }
        res->samples += seen;
        rt_epoch *ep = &res->epochs[res->n_epochs];
        ep->loss = seen ? lsum / (double)seen : NAN;
        ep->metric = seen ? msum / (double)seen : NAN;
        ep->batches = b;
        ep->val_loss = ep->val_metric = NAN;
        for (int k = 0; k < RT_MAX_USER_METRICS; k++)
            ep->val_user[k] = NAN;
        if (failed)
            break;
        if (res->has_val &&
            rt_evaluate(net, d, &d->val, &ep->val_loss, &ep->val_metric, err, errsize) < 0) {
            failed = true;  /* a user function failed: the same checks passed above */
            break;
        }
        for (int k = 0; k < net->n_metric_fns && res->has_val; k++)
            ep->val_user[k] = net->metric_values[k];
        ep->seconds = rt_now() - te;
        res->n_epochs++;
        rt_progress_epoch_end(&prog, e, ep, res->has_val);
        if (call_monitor(&r, true, e, b, step, ep->loss, ep->metric))
            res->stopped_by_monitor = stop = true;
        double watched = res->has_val ? ep->val_loss : ep->loss;
        if (watched < best) {
            best = watched;
            res->best_epoch = e;
            wait = 0;
        } else if (t->patience > 0 && ++wait >= t->patience && !stop) {
            res->stopped_early = stop = true;
        }
    }
    res->train_seconds = rt_now() - t0;
    res->samples_per_second =
        res->train_seconds > 0 ? (double)res->samples / res->train_seconds : 0.0;
    free(update_sq);
    free(r.stats);
    free(target);
    free(idx);
    rt_optim_free(&opt);
    return failed ? -1 : 0;
}

int rt_train(const ir_program *p, const rt_data *d, const rt_train_options *o,
             rt_result *res, char *err, size_t errsize)
{
    memset(res, 0, sizeof *res);
    rt_net *net = rt_net_for_program(p, d, rt_effective_seed(p, o), err, errsize);
    if (!net)
        return -1;
    int rc = rt_train_net(net, p, d, o, res, err, errsize);
    if (rc == 0 && d->test.n > 0) {
        res->has_test = true;
        rc = rt_evaluate(net, d, &d->test, &res->test_loss, &res->test_metric, err, errsize);
        for (int k = 0; k < net->n_metric_fns; k++)
            res->test_user[k] = net->metric_values[k];
    }
    rt_net_free(net);
    return rc;
}
