/* repair_cost.c: the cost model of trainings (repair_cost.h).
 *
 * The per-sample work follows the runtime's layers: a dense or conv2d
 * product costs its multiply-adds once forward, and twice more backward
 * (input and kernel gradients); every value a layer outputs costs an
 * element-wise operation weighted by what computing it takes (an
 * exponential costs more than a comparison, a user function called through
 * libffi far more), forward once and backward once.  Evaluation runs the
 * forward pass in chunks of the batch size.  The optimiser step touches
 * each parameter in as many arrays as its kind keeps (weights, gradients
 * and its slots), one more for clipping or a weight penalty.
 */
#include "repair_cost.h"

#include <math.h>
#include <stdlib.h>

#define RP_X_COST_NAME(id, name) #name,
const char *const rp_cost_feature_names[] = {RP_COST_FEATURES(RP_X_COST_NAME)};

/* Model seconds per unit of each feature, fitted by bench/repair_cost_fit.py
 * to 4232 trainings of repairs of the 38 programs of examples/faults (guided
 * and random, 2 workers; see doc/REPAIR.md), refitted after the runtime's
 * kernels got faster: relative error median 0.20, 90th percentile 0.57.
 * STEP_ROOTS and DROPOUT came out negative and were dropped (their cost is
 * now within the per-parameter and element-wise terms). */
static const double cost_seconds[RP_COST_N] = {
    [RP_COST_JOB] = 2.55e-05,
    [RP_COST_PARAMS] = 1.1e-08,
    [RP_COST_STEPS] = 3.92e-07,
    [RP_COST_EVAL_CHUNKS] = 1.14e-06,
    [RP_COST_STEP_PARAMS] = 2.24e-10,
    [RP_COST_STEP_ROOTS] = 0,
    [RP_COST_DENSE] = 1.1e-11,
    [RP_COST_CONV] = 1e-11,
    [RP_COST_ELEMS] = 3.05e-10,
    [RP_COST_TRANSCENDENTAL] = 3.78e-09,
    [RP_COST_DROPOUT] = 0,
};
/* Model seconds of forking a worker and setting it up, per worker and
 * batch (fitted from the same log's batches: the median of the wall-clock
 * time of a batch less the makespan of its trainings' measured times). */
#define FORK_SECONDS 1.58e-3
/* Model seconds of loading and preprocessing a dataset: fixed, and per
 * input value (fitted to 120 loads). */
#define LOAD_SECONDS 9.18e-5
#define LOAD_SECONDS_PER_VALUE 1.94e-08

/* Whether activation values of N call exp, log or tanh (a user function
 * counts as USER_FN_WEIGHT of them: a libffi call per value forward, and
 * central differences backward). */
#define USER_FN_WEIGHT 25
static double transcendental(const ir_node *n)
{
    if (n->activation_fn)
        return USER_FN_WEIGHT;
    switch (n->activation) {
    case IR_ACT_LINEAR: case IR_ACT_RELU: case IR_ACT_LEAKY_RELU: case IR_ACT_HARD_SIGMOID: case IR_ACT_SOFTSIGN:
        return 0;
    case IR_ACT_SIGMOID: case IR_ACT_TANH: case IR_ACT_SOFTMAX: case IR_ACT_SOFTPLUS: case IR_ACT_SELU:
    case IR_ACT_ELU: case IR_ACT_EXPONENTIAL: case IR_ACT_GELU: case IR_ACT_SWISH:
        return 1;
    case IR_ACT_COUNT: break;   /* not a kind */
    }
    return 1;   /* the switch names every kind, so -Wswitch flags a new one */
}

/* Element-wise operations of layer N's forward pass, per sample (piecewise
 * activations count one; the others are in TRANS). */
/* Whether N applies no function at all. */
static bool plain_linear(const ir_node *n)
{
    return !n->activation_fn && n->activation == IR_ACT_LINEAR;
}

static double layer_elems(const ir_node *n, double *trans)
{
    double out = (double)ir_shape_size(&n->out_shape);
    bool act = ir_op_has_activation(n->op);
    if (act)
        *trans += out * transcendental(n);
    double piecewise = act && !transcendental(n) && !plain_linear(n) ? out : 0;
    switch (n->op) {
    case IR_OP_INPUT: return (double)ir_shape_size(&n->shape);      /* gathering the batch */
    case IR_OP_DENSE: case IR_OP_CONV2D: return (n->bias ? out : 0) + piecewise;
    case IR_OP_ACTIVATION: return piecewise;
    case IR_OP_MAXPOOL: case IR_OP_AVGPOOL: return out * n->pool.h * n->pool.w;
    case IR_OP_DROPOUT: return out;
    case IR_OP_BATCHNORM: return 4 * out;
    case IR_OP_FLATTEN: return 0;                                    /* a view */
    case IR_OP_COUNT: break;                                         /* not a kind */
    }
    return 0;   /* the switch names every kind, so -Wswitch flags a new one */
}

/* Square roots and divisions per parameter of one optimiser step of T. */
static double step_roots(const ir_train *t)
{
    switch (t->optimizer) {
    case IR_OPT_SGD: return 0;
    case IR_OPT_ADADELTA: return 2;
    case IR_OPT_RMSPROP: case IR_OPT_ADAGRAD: case IR_OPT_ADAM: case IR_OPT_NADAM:
    case IR_OPT_ADAMAX: return 1;   /* adamax: a division by its running maximum */
    case IR_OPT_COUNT: break;       /* not a kind */
    }
    return 1;   /* the switch names every kind, so -Wswitch flags a new one */
}

/* Arrays of parameter size one optimiser step of T reads or writes. */
static double step_arrays(const ir_train *t, bool penalty)
{
    double a = 4;   /* the switch names every kind, so -Wswitch flags a new one */
    switch (t->optimizer) {
    case IR_OPT_SGD: a = t->momentum > 0 ? 3 : 2; break;
    case IR_OPT_RMSPROP: a = t->momentum > 0 ? 4 : 3; break;
    case IR_OPT_ADAGRAD: a = 3; break;
    case IR_OPT_ADADELTA: case IR_OPT_ADAM: case IR_OPT_ADAMAX: case IR_OPT_NADAM:
        a = 4; break;           /* two slots */
    case IR_OPT_COUNT: break;   /* not a kind */
    }
    return a + (t->clipnorm > 0 || t->clipvalue > 0) + penalty;
}

void rp_work_of(const ir_program *p, rp_work *w)
{
    *w = (rp_work){0};
    const ir_model *m = ir_train_model(p);
    bool penalty = false;
    for (int i = 0; m && i < m->n_nodes; i++) {
        const ir_node *n = &m->nodes[i];
        w->elems += layer_elems(n, &w->transcendental);
        if (n->op == IR_OP_DROPOUT)
            w->dropout += (double)ir_shape_size(&n->out_shape);
        if (ir_op_has_weights(n->op)) {
            double in = (double)ir_shape_size(&n->in_shape);
            if (n->op == IR_OP_CONV2D) {
                double cin = n->in_shape.rank == 3 ? n->in_shape.dim[2] : 1;
                double k = (double)n->kernel.h * n->kernel.w * cin;
                w->conv_macs += (double)ir_shape_size(&n->out_shape) * k;
                w->params += k * n->units + (n->bias ? n->units : 0);
            } else {
                w->dense_macs += in * n->units;
                w->params += in * n->units + (n->bias ? n->units : 0);
            }
            penalty |= n->regularizer.kind != IR_REG_NONE;
        } else if (n->op == IR_OP_BATCHNORM) {
            const ir_shape *s = &n->out_shape;
            w->params += 2.0 * (s->rank > 0 ? s->dim[s->rank - 1] : 1);
        }
    }
    w->step_arrays = step_arrays(&p->train, penalty);
    w->step_roots = step_roots(&p->train);
    w->batch = p->train.batch > 0 ? p->train.batch : 1;
    w->epochs = p->train.epochs;
}

rp_sizes rp_sizes_of(const rt_data *d)
{
    return (rp_sizes){d->train.n, d->val.n, d->test.n};
}

static long chunks(long n, long batch)
{
    return batch > 0 ? (n + batch - 1) / batch : 0;
}

void rp_cost_features(const rp_work *w, rp_sizes sizes, long samples, long batches, int epochs, bool test,
                      double f[RP_COST_N])
{
    long batch = w->batch < sizes.train ? w->batch : sizes.train > 0 ? sizes.train : 1;
    double evaluated = (double)epochs * (double)sizes.val + (test ? (double)sizes.test : 0);
    f[RP_COST_JOB] = 1;
    f[RP_COST_PARAMS] = w->params;
    f[RP_COST_STEPS] = (double)batches;
    f[RP_COST_EVAL_CHUNKS] = (double)epochs * (double)chunks(sizes.val, batch) +
                             (test ? (double)chunks(sizes.test, batch) : 0);
    f[RP_COST_STEP_PARAMS] = (double)batches * w->params * w->step_arrays;
    f[RP_COST_STEP_ROOTS] = (double)batches * w->params * w->step_roots;
    f[RP_COST_DENSE] = w->dense_macs * (3.0 * (double)samples + evaluated);
    f[RP_COST_CONV] = w->conv_macs * (3.0 * (double)samples + evaluated);
    f[RP_COST_ELEMS] = w->elems * (2.0 * (double)samples + evaluated);
    f[RP_COST_TRANSCENDENTAL] = w->transcendental * (2.0 * (double)samples + evaluated);
    f[RP_COST_DROPOUT] = w->dropout * (double)samples;
}

double rp_cost_of_features(const double f[RP_COST_N])
{
    double s = 0;
    for (int i = 0; i < RP_COST_N; i++)
        s += cost_seconds[i] * f[i];
    return s;
}

/* Batches of one epoch of W on SIZES, and the batch size into *BATCH. */
static long epoch_batches(const rp_work *w, rp_sizes sizes, long *batch)
{
    *batch = w->batch < sizes.train ? w->batch : sizes.train;
    return chunks(sizes.train, *batch);
}

static double cost_batches(const rp_work *w, rp_sizes sizes, long batches, bool test)
{
    if (sizes.train < 1)
        return cost_seconds[RP_COST_JOB];
    long batch, per_epoch = epoch_batches(w, sizes, &batch);
    /* Whole epochs, then REST full batches of the next (only an epoch's
     * last batch is short). */
    long whole = batches / per_epoch, rest = batches % per_epoch;
    long samples = whole * sizes.train + rest * batch;
    double f[RP_COST_N];
    rp_cost_features(w, sizes, samples, batches, (int)(whole + (rest > 0)), test, f);
    return rp_cost_of_features(f);
}

double rp_cost_batches(const ir_program *p, rp_sizes sizes, long batches, bool test)
{
    rp_work w;
    rp_work_of(p, &w);
    return cost_batches(&w, sizes, batches, test);
}

double rp_cost_planned(const ir_program *p, rp_sizes sizes, double fraction, bool test)
{
    rp_work w;
    rp_work_of(p, &w);
    if (sizes.train < 1)
        return cost_seconds[RP_COST_JOB];
    long batch, total = epoch_batches(&w, sizes, &batch) * w.epochs, batches = total;
    if (fraction > 0 && fraction < 1) {
        /* As the pool cuts a short training (pool.c). */
        batches = (long)ceil(fraction * (double)total);
        if (batches < 1)
            batches = 1;
    }
    return cost_batches(&w, sizes, batches, test);
}

double rp_cost_load(rp_sizes sizes, int in_size)
{
    return LOAD_SECONDS + LOAD_SECONDS_PER_VALUE * (double)(sizes.train + sizes.val + sizes.test) * in_size;
}

double rp_cost_makespan(const double *costs, int n, int workers)
{
    double end = 0;
    if (workers < 1) {
        for (int i = 0; i < n; i++)
            end += costs[i];
        return end;
    }
    if (workers > n)
        workers = n;
    if (workers < 1)
        return 0;
    double *free_at = ir_alloc(sizeof *free_at * (size_t)workers);
    for (int k = 0; k < workers; k++)
        free_at[k] = FORK_SECONDS;
    for (int i = 0; i < n; i++) {
        int k = 0;
        for (int j = 1; j < workers; j++)
            if (free_at[j] < free_at[k])
                k = j;
        free_at[k] += costs[i];
        end = fmax(end, free_at[k]);
    }
    free(free_at);
    return end;
}

void rp_cost_log(FILE *log, const double f[RP_COST_N], double seconds)
{
    for (int i = 0; i < RP_COST_N; i++)
        fprintf(log, "%s=%.6g ", rp_cost_feature_names[i], f[i]);
    fprintf(log, "seconds=%.6g\n", seconds);
}

void rp_cost_log_batch(FILE *log, int n, int workers, double wall)
{
    fprintf(log, "# batch: %d jobs on %d workers in %.6g s\n", n, workers, wall);
}
