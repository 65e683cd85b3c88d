/* pool.c: parallel trainings in forked workers (pool.h).
 *
 * Each rp_pool_run forks up to `workers` children, once: each reads job
 * indices from its own pipe (the jobs are in its copy of the parent's
 * memory), trains them one after the other and writes each outcome back
 * through a second pipe, until its job pipe closes.  The parent poll()s the
 * outcome pipes and hands the next job to the first worker free, so a batch
 * of tiny trainings pays for a few forks, not one per training.  Messages
 * are smaller than PIPE_BUF, so they arrive whole.  Children leave with
 * _exit: they inherit the parent's heap and must not run its atexit
 * handlers or flush its stdio.
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "blas.h"
#include "monitor.h"
#include "progress.h"
#include "train.h"

#define SYM_NAME(id, name) #name,
const char *const rp_symptom_names[] = {RP_SYMPTOMS(SYM_NAME)};

#define CHECKS 12   /* monitor calls spread over a run */

bool rp_objective_higher(const ir_program *p)
{
    const ir_function *f = ir_find_function(p, p->train.objective_fn);
    return !f || f->better == IR_FN_GOAL_HIGHER;
}

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
    if (job->data)
        data = job->data;
    rt_train_options o;
    rt_train_options_default(&o);
    o.threads = threads;
    o.seed = job->seed;
    o.time_limit = job->time_limit;
    const ir_train *t = &job->prog->train;
    long batch = t->batch < data->train.n ? t->batch : data->train.n;
    long planned = data->train.n > 0 ? (data->train.n + batch - 1) / batch * t->epochs : 0;
    if (job->fraction > 0 && job->fraction < 1 && planned > 0) {
        o.max_batches = (long)ceil(job->fraction * (double)planned);
        if (o.max_batches < 1)
            o.max_batches = 1;
    }
    watch w = {0};
    rt_monitor mon = {0};
    if (job->monitor) {
        long steps = o.max_batches > 0 ? o.max_batches : planned;
        mon.every = (int)(steps / CHECKS > 1 ? steps / CHECKS : 1);
        mon.stats = true;
        mon.window = 1;
        mon.fn = on_check;
        mon.ctx = &w;
        o.monitor = &mon;
    }
    rt_result res;
    memset(&res, 0, sizeof res);
    double t0 = rt_now();
    /* rt_train's steps, with the test split evaluated only when asked. */
    rt_net *net = rt_net_for_program(job->prog, data, rt_effective_seed(job->prog, &o), out->err, sizeof out->err);
    int rc = net ? rt_train_net(net, job->prog, data, &o, &res, out->err, sizeof out->err) : -1;
    int objective = rt_objective_index(job->prog);
    if (rc == 0 && job->test && data->test.n > 0) {
        res.has_test = true;
        rc = rt_evaluate(net, data, &data->test, &res.test_loss, &res.test_metric, out->err, sizeof out->err);
        if (objective >= 0)
            res.test_metric = net->metric_values[objective];
    }
    rt_net_free(net);
    out->seconds = rt_now() - t0;
    if (rc == 0) {
        out->ok = true;
        out->classification = res.classification;
        out->diverged = res.diverged;
        out->user_objective = objective >= 0;
        out->higher_better = objective >= 0 ? rp_objective_higher(job->prog) : res.classification;
        if (res.n_epochs > 0) {
            const rt_epoch *last = &res.epochs[res.n_epochs - 1];
            out->val_metric = objective >= 0 ? last->val_user[objective] : last->val_metric;
            out->val_loss = res.epochs[res.n_epochs - 1].val_loss;
        }
        if (res.has_test) {
            out->test_metric = res.test_metric;
            out->test_loss = res.test_loss;
        }
        out->epochs = res.n_epochs;
        out->batches = res.n_batches;
        out->samples = res.samples;
        out->planned = planned;
        if (res.diverged)
            w.symptoms |= 1u << RP_SYM_EXPLODING;
        w.classification = res.classification;
        if (job->monitor)
            trend_symptoms(&w);
        out->symptoms = w.symptoms;
    }
    rt_result_free(&res);
}

/* A worker process, alive for one rp_pool_run. */
typedef struct worker {
    pid_t pid;      /* its process (0: none) */
    int cmd;        /* write end of its job pipe (-1: closed) */
    int res;        /* read end of its outcome pipe */
    int job;        /* index of the job it trains, -1 when idle */
} worker;

/* Reads or writes exactly SIZE bytes; false on end of file or error. */
static bool xfer(int fd, void *buf, size_t size, bool writing)
{
    char *p = buf;
    for (size_t done = 0; done < size;) {
        ssize_t r = writing ? write(fd, p + done, size - done) : read(fd, p + done, size - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    return true;
}

/* The worker's life: train each job index read from CMD, write its outcome
 * to RES, until CMD closes. */
static void serve(const rt_data *data, const rp_job *jobs, int n, int cmd, int res)
{
    int index;
    while (xfer(cmd, &index, sizeof index, false) && index >= 0 && index < n) {
        rp_outcome o;
        rp_train_job(data, &jobs[index], 1, &o);
        if (!xfer(res, &o, sizeof o, true))
            break;
    }
}

static bool spawn(worker *w, const rt_data *data, const rp_job *jobs, int n, const worker *all, int count)
{
    int c[2], r[2];
    if (pipe(c) < 0)
        return false;
    if (pipe(r) < 0) {
        close(c[0]);
        close(c[1]);
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(c[0]);
        close(c[1]);
        close(r[0]);
        close(r[1]);
        return false;
    }
    if (pid == 0) {
        /* A worker dies with its parent and of the signals that stop a
         * repair: the parent decides what a stop keeps. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(0);
#endif
        /* The other workers' pipe ends are not this one's business. */
        for (int i = 0; i < count; i++)
            if (all[i].pid > 0) {
                if (all[i].cmd >= 0)
                    close(all[i].cmd);
                close(all[i].res);
            }
        close(c[1]);
        close(r[0]);
        serve(data, jobs, n, c[0], r[1]);
        _exit(0);
    }
    close(c[0]);
    close(r[1]);
    *w = (worker){pid, c[1], r[0], -1};
    return true;
}

/* Sends job INDEX to W; false when the worker is gone. */
static bool assign(worker *w, int index)
{
    w->job = index;
    return xfer(w->cmd, &index, sizeof index, true);
}

/* Ends W: closes its pipes and waits for it; returns its exit status. */
static int retire(worker *w)
{
    if (w->cmd >= 0)
        close(w->cmd);
    close(w->res);
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    *w = (worker){0, -1, -1, -1};
    return status;
}

static void failed(rp_outcome *o, int status)
{
    memset(o, 0, sizeof *o);
    o->val_metric = o->val_loss = o->test_metric = o->test_loss = NAN;
    snprintf(o->err, sizeof o->err, "training worker %s", WIFSIGNALED(status) ? "crashed" : "ended without a result");
}

static bool stopping(const rp_pool *pool)
{
    return pool->stop && *pool->stop;
}

/* OUT is the outcome of a job abandoned by a stop. */
static void abandoned(rp_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->val_metric = o->val_loss = o->test_metric = o->test_loss = NAN;
    snprintf(o->err, sizeof o->err, "abandoned: the repair was interrupted");
}

/* Job INDEX's outcome arrived: counted, and passed on unless stopping. */
static void arrived(rp_pool *pool, int index, const rp_outcome *o)
{
    pool->trainings++;
    pool->busy_seconds += o->seconds;
    if (pool->on_outcome && !stopping(pool))
        pool->on_outcome(pool->ctx, index, o);
}

/* How long a wait for outcomes lasts before the stop flag is looked at
 * again (a signal that arrives just before poll() does not interrupt it). */
#define STOP_POLL_MS 200

void rp_pool_run(rp_pool *pool, const rp_job *jobs, int n, rp_outcome *out)
{
    if (pool->workers <= 0) {
        for (int i = 0; i < n; i++) {
            if (stopping(pool)) {
                abandoned(&out[i]);
                continue;
            }
            rp_train_job(pool->data, &jobs[i], pool->threads, &out[i]);
            arrived(pool, i, &out[i]);
        }
        return;
    }
    /* The parent does no maths while workers run; its OpenBLAS stays idle. */
    rt_set_threads(1);
    /* A worker that dies leaves its job pipe without a reader: writing to it
     * must fail, not kill the repair. */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    int cap = pool->workers < n ? pool->workers : n;
    worker *run = ir_alloc(sizeof *run * (size_t)(cap > 0 ? cap : 1));
    struct pollfd *fds = ir_alloc(sizeof *fds * (size_t)(cap > 0 ? cap : 1));
    int *who = ir_alloc(sizeof *who * (size_t)(cap > 0 ? cap : 1));
    for (int i = 0; i < cap; i++)
        run[i] = (worker){0, -1, -1, -1};
    int next = 0, done = 0;
    while (done < n && !stopping(pool)) {
        /* Every idle worker (spawned as needed) takes the next job. */
        for (int i = 0; i < cap && next < n; i++) {
            if (run[i].pid > 0 && run[i].job >= 0)
                continue;
            if (run[i].pid == 0 && !spawn(&run[i], pool->data, jobs, n, run, cap))
                continue;
            if (!assign(&run[i], next)) {
                failed(&out[next], retire(&run[i]));
                done++;
            }
            next++;
        }
        int np = 0;
        for (int i = 0; i < cap; i++)
            if (run[i].pid > 0 && run[i].job >= 0) {
                fds[np] = (struct pollfd){run[i].res, POLLIN, 0};
                who[np++] = i;
            }
        if (np == 0) {
            /* No process to spare: train the next job here. */
            if (next < n) {
                rp_train_job(pool->data, &jobs[next], 1, &out[next]);
                arrived(pool, next, &out[next]);
                next++;
                done++;
            }
            continue;
        }
        if (poll(fds, (nfds_t)np, pool->stop ? STOP_POLL_MS : -1) <= 0)
            continue;
        for (int k = 0; k < np; k++) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            worker *w = &run[who[k]];
            rp_outcome *o = &out[w->job];
            if (xfer(w->res, o, sizeof *o, false)) {
                arrived(pool, w->job, o);
                w->job = -1;
            } else {
                failed(o, retire(w));   /* it crashed: a new one takes the next job */
            }
            done++;
        }
    }
    if (stopping(pool)) {
        /* Trainings in flight are killed; they and the jobs not started
         * are abandoned. */
        for (int i = 0; i < cap; i++)
            if (run[i].pid > 0 && run[i].job >= 0) {
                kill(run[i].pid, SIGKILL);
                abandoned(&out[run[i].job]);
            }
        for (int i = next; i < n; i++)
            abandoned(&out[i]);
    }
    for (int i = 0; i < cap; i++)
        if (run[i].pid > 0)
            retire(&run[i]);
    signal(SIGPIPE, old_pipe);
    free(run);
    free(fds);
    free(who);
}
