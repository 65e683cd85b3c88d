/* pool.c: parallel trainings in forked workers (pool.h).
 *
 * The parent keeps up to `workers` children, each with its own pipe, and
 * poll()s the pipes; an outcome is one fixed-size struct, smaller than
 * PIPE_BUF, so it arrives whole.  Children leave with _exit: they inherit
 * the parent's heap and must not run its atexit handlers or flush its stdio.
 *
 * The symptom monitor follows AutoTrainer's published conditions (Zhang et
 * al., ICSE 2021), checked on the runtime's per-layer statistics:
 * vanishing (first/last layer gradient-norm ratio < 1e-3 and first-layer
 * norm < 1e-4), exploding (ratio > 70, or a non-finite loss), dying ReLU
 * (>= 70% of a relu layer's units never active), oscillating (the training
 * metric turns direction by >= 0.03 at least 3 times over the checks) and
 * slow convergence (no check-to-check gain of the metric >= 0.01 while it
 * is below 0.9 of its best possible).
 */
#include "pool.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blas.h"
#include "monitor.h"
#include "progress.h"
#include "train.h"

#define SYM_NAME(id, name) #name,
const char *const rp_symptom_names[] = {RP_SYMPTOMS(SYM_NAME)};

#define CHECKS 12   /* monitor calls spread over a run */

int rp_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* What the symptom monitor gathers during one run. */
typedef struct watch {
    unsigned symptoms;          /* bits found so far */
    double metric[CHECKS * 4];  /* training metric at each check */
    int n;                      /* checks seen */
    bool classification;        /* metric is accuracy */
} watch;

static bool on_check(const rt_monitor_event *ev, void *ctx)
{
    watch *w = ctx;
    if (!isfinite(ev->loss))
        w->symptoms |= 1u << RP_SYM_EXPLODING;
    if (w->n < (int)(sizeof w->metric / sizeof w->metric[0]) && isfinite(ev->metric))
        w->metric[w->n++] = ev->metric;
    int first = -1, last = -1;
    for (int i = 0; ev->layers && i < ev->n_layers; i++) {
        const rt_layer_stats *s = &ev->layers[i];
        if (!s->has_kernel)
            continue;
        if (first < 0)
            first = i;
        last = i;
        if (s->act == IR_ACT_RELU && s->act_dead_units >= 0.7)
            w->symptoms |= 1u << RP_SYM_DYING_RELU;
    }
    if (first >= 0 && last > first) {
        double g0 = ev->layers[first].grad_norm, g1 = ev->layers[last].grad_norm;
        if (g1 > 0 && g0 / g1 < 1e-3 && g0 < 1e-4)
            w->symptoms |= 1u << RP_SYM_VANISHING;
        if (g1 > 0 && g0 / g1 > 70)
            w->symptoms |= 1u << RP_SYM_EXPLODING;
    }
    return false;
}

/* Symptoms read off the metric's course once the run is over. */
static void trend_symptoms(watch *w)
{
    if (w->n < 3)
        return;
    int turns = 0, dir = 0;
    double best_gain = -INFINITY, best = -INFINITY;
    for (int i = 1; i < w->n; i++) {
        double d = w->metric[i] - w->metric[i - 1];
        if (!w->classification)
            d = -d;   /* mae: falling is progress */
        best_gain = fmax(best_gain, d);
        if (fabs(d) >= 0.03) {
            int s = d > 0 ? 1 : -1;
            turns += dir && s != dir;
            dir = s;
        }
    }
    for (int i = 0; i < w->n; i++)
        best = fmax(best, w->classification ? w->metric[i] : -w->metric[i]);
    if (turns >= 3)
        w->symptoms |= 1u << RP_SYM_OSCILLATING;
    if (best_gain < 0.01 && (!w->classification || best < 0.9))
        w->symptoms |= 1u << RP_SYM_SLOW;
}

void rp_train_job(const rt_data *data, const rp_job *job, int threads, rp_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->val_metric = out->val_loss = out->test_metric = out->test_loss = NAN;
    rt_train_options o;
    rt_train_options_default(&o);
    o.threads = threads;
    o.seed = job->seed;
    o.time_limit = job->time_limit;
    const ir_train *t = &job->prog->train;
    if (job->fraction > 0 && job->fraction < 1 && data->train.n > 0) {
        long batch = t->batch < data->train.n ? t->batch : data->train.n;
        long per_epoch = (data->train.n + batch - 1) / batch;
        long total = per_epoch * t->epochs;
        o.max_batches = (long)ceil(job->fraction * (double)total);
        if (o.max_batches < 1)
            o.max_batches = 1;
    }
    watch w = {0};
    rt_monitor mon = {0};
    if (job->monitor) {
        long batch = t->batch < data->train.n ? t->batch : data->train.n;
        long steps = o.max_batches > 0 ? o.max_batches : (data->train.n + batch - 1) / batch * t->epochs;
        mon.every = (int)(steps / CHECKS > 1 ? steps / CHECKS : 1);
        mon.stats = true;
        mon.window = 1;
        mon.fn = on_check;
        mon.ctx = &w;
        o.monitor = &mon;
    }
    rt_result res;
    double t0 = rt_now();
    int rc = rt_train(job->prog, data, &o, &res, out->err, sizeof out->err);
    out->seconds = rt_now() - t0;
    if (rc == 0) {
        out->ok = true;
        out->classification = res.classification;
        out->diverged = res.diverged;
        if (res.n_epochs > 0) {
            out->val_metric = res.epochs[res.n_epochs - 1].val_metric;
            out->val_loss = res.epochs[res.n_epochs - 1].val_loss;
        }
        if (res.has_test) {
            out->test_metric = res.test_metric;
            out->test_loss = res.test_loss;
        }
        out->epochs = res.n_epochs;
        out->batches = res.n_batches;
        long batch = t->batch < data->train.n ? t->batch : data->train.n;
        out->planned = (data->train.n + (batch > 0 ? batch : 1) - 1) / (batch > 0 ? batch : 1) * t->epochs;
        if (res.diverged)
            w.symptoms |= 1u << RP_SYM_EXPLODING;
        w.classification = res.classification;
        if (job->monitor)
            trend_symptoms(&w);
        out->symptoms = w.symptoms;
    }
    rt_result_free(&res);
}

/* A running worker. */
typedef struct worker {
    pid_t pid;      /* its process */
    int fd;         /* read end of its pipe */
    int job;        /* index of the job it runs */
} worker;

static void finish(worker *w, rp_outcome *out)
{
    size_t got = 0;
    char *p = (char *)out;
    while (got < sizeof *out) {
        ssize_t r = read(w->fd, p + got, sizeof *out - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(w->fd);
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != sizeof *out) {
        memset(out, 0, sizeof *out);
        out->val_metric = out->val_loss = out->test_metric = out->test_loss = NAN;
        snprintf(out->err, sizeof out->err, "training worker %s",
                 WIFSIGNALED(status) ? "crashed" : "ended without a result");
    }
}

static bool start(worker *w, const rt_data *data, const rp_job *job, int index, rp_outcome *out)
{
    int fds[2];
    if (pipe(fds) < 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        rp_outcome res;
        rp_train_job(data, job, 1, &res);
        const char *p = (const char *)&res;
        size_t put = 0;
        while (put < sizeof res) {
            ssize_t r = write(fds[1], p + put, sizeof res - put);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            put += (size_t)r;
        }
        _exit(0);
    }
    close(fds[1]);
    *w = (worker){pid, fds[0], index};
    (void)out;
    return true;
}

void rp_pool_run(rp_pool *pool, const rp_job *jobs, int n, rp_outcome *out)
{
    if (pool->workers <= 0) {
        for (int i = 0; i < n; i++) {
            rp_train_job(pool->data, &jobs[i], pool->threads, &out[i]);
            pool->trainings++;
            pool->busy_seconds += out[i].seconds;
        }
        return;
    }
    /* The parent does no maths while workers run; its OpenBLAS stays idle. */
    rt_set_threads(1);
    int cap = pool->workers;
    worker *run = ir_alloc(sizeof *run * (size_t)cap);
    struct pollfd *fds = ir_alloc(sizeof *fds * (size_t)cap);
    int active = 0, next = 0;
    while (next < n || active > 0) {
        while (active < cap && next < n) {
            if (!start(&run[active], pool->data, &jobs[next], next, &out[next])) {
                /* No process to spare: train it here. */
                rp_train_job(pool->data, &jobs[next], 1, &out[next]);
                pool->trainings++;
                pool->busy_seconds += out[next].seconds;
                next++;
                continue;
            }
            active++;
            next++;
        }
        if (active <= 0)
            continue;
        for (int i = 0; i < active; i++)
            fds[i] = (struct pollfd){run[i].fd, POLLIN, 0};
        if (poll(fds, (nfds_t)active, -1) < 0)
            continue;
        for (int i = active - 1; i >= 0; i--) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            rp_outcome *o = &out[run[i].job];
            finish(&run[i], o);
            pool->trainings++;
            pool->busy_seconds += o->seconds;
            run[i] = run[--active];
        }
    }
    free(run);
    free(fds);
}
