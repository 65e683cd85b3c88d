/* test_train.c: end-to-end training on small in-memory problems.
 *
 * Checks that a separable problem is learnt (accuracy threshold, fixed seed),
 * that regression learns, that runs are deterministic for a seed, that
 * mismatched outputs are refused with a message, and the loop's controls:
 * early stopping, divergence, the batch limit, the log lines, and the monitor
 * hook (calls, statistics of a dead relu layer and a saturated sigmoid layer,
 * stopping).  Thresholds are loose: no exact floats on training results.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "testutil.h"
#include "train.h"

/* Three Gaussian blobs in 2-D (centres on a circle of radius 3, sd 0.6). */
static rt_data *blobs(int n_train, int n_val, int n_test, uint64_t seed)
{
    rt_data *d = tu_data(2, 3, n_train, n_val, n_test);
    rt_rng r;
    rt_rng_seed(&r, seed);
    rt_split *s[3] = {&d->train, &d->val, &d->test};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < s[k]->n; i++) {
            int c = (int)rt_rng_below(&r, 3);
            s[k]->label[i] = c;
            s[k]->x[2 * i] = (float)(3.0 * cos(2.1 * c) + 0.6 * rt_rng_normal(&r));
            s[k]->x[2 * i + 1] = (float)(3.0 * sin(2.1 * c) + 0.6 * rt_rng_normal(&r));
        }
    return d;
}

/* y = 2 x0 - x1 + 0.5 with a little noise. */
static rt_data *linear_data(int n_train, int n_test)
{
    rt_data *d = tu_regression_data(2, 1, n_train, 0, n_test);
    rt_rng r;
    rt_rng_seed(&r, 5);
    rt_split *s[2] = {&d->train, &d->test};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < s[k]->n; i++) {
            float a = (float)rt_rng_normal(&r), b = (float)rt_rng_normal(&r);
            s[k]->x[2 * i] = a;
            s[k]->x[2 * i + 1] = b;
            s[k]->target[i] = 2 * a - b + 0.5f + (float)(0.01 * rt_rng_normal(&r));
        }
    return d;
}

/* The classifier used by most checks: 2 -> 16 tanh -> OUT softmax. */
static ir_program *classifier(int out, ir_loss loss, ir_opt opt, int epochs)
{
    ir_program *p = tu_program("net");
    ir_model *m = tu_model(p);
    tu_input(m, 2, 0, 0);
    tu_dense(m, "h", 16, IR_ACT_TANH);
    tu_dense(m, "out", out, IR_ACT_SOFTMAX);
    p->train.loss = loss;
    ir_train_optimizer_defaults(&p->train, opt);
    p->train.learning_rate = opt == IR_OPT_SGD ? 0.1 : 0.01;
    p->train.batch = 16;
    p->train.epochs = epochs;
    p->train.seed = 3;
    return p;
}

static void check_learns(void)
{
    rt_data *d = blobs(300, 60, 150, 1);
    static const ir_opt opts[] = {IR_OPT_SGD, IR_OPT_RMSPROP, IR_OPT_ADAGRAD,
                                  IR_OPT_ADADELTA, IR_OPT_ADAM, IR_OPT_ADAMAX, IR_OPT_NADAM};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        ir_program *p = classifier(3, IR_LOSS_CATEGORICAL_CROSSENTROPY, opts[k], 15);
        if (opts[k] == IR_OPT_ADADELTA)
            p->train.learning_rate = 1.0;   /* Keras's default 0.001 barely moves */
        rt_train_options o;
        rt_train_options_default(&o);
        o.threads = 1;
        rt_result res;
        char err[256];
        int rc = rt_train(p, d, &o, &res, err, sizeof err);
        CHECK(rc == 0, "training failed: %s", err);
        const char *name = ir_enum_name(&ir_opt_table, opts[k]);
        CHECK(res.has_test && res.test_metric > 0.9, "%s: blobs test accuracy %.3f <= 0.9",
                 name, res.test_metric);
        CHECK(res.n_epochs == 15 && res.has_val, "%s: %d epochs", name, res.n_epochs);
        CHECK(res.epochs[14].loss < res.epochs[0].loss, "%s: loss did not fall", name);
        printf("ok   %s learns blobs: test accuracy %.3f, loss %.3f -> %.3f\n", name,
               res.test_metric, res.epochs[0].loss, res.epochs[14].loss);
        rt_result_free(&res);
        ir_program_free(p);
    }
    /* Sparse labels, and a 1-unit sigmoid output on a 2-class problem. */
    ir_program *p = classifier(3, IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 15);
    rt_result res;
    char err[256];
    CHECK(rt_train(p, d, NULL, &res, err, sizeof err) == 0, "sparse: %s", err);
    CHECK(res.test_metric > 0.9, "sparse: test accuracy %.3f", res.test_metric);
    printf("ok   sparse_categorical_crossentropy learns blobs: %.3f\n", res.test_metric);
    rt_result_free(&res);
    ir_program_free(p);
    tu_data_free(d);

    d = blobs(300, 0, 150, 2);
    rt_split *s[2] = {&d->train, &d->test};
    for (int k = 0; k < 2; k++)   /* two classes: class 0 against the rest */
        for (int i = 0; i < s[k]->n; i++)
            s[k]->label[i] = s[k]->label[i] != 0;
    d->classes = 2;
    p = classifier(1, IR_LOSS_BINARY_CROSSENTROPY, IR_OPT_ADAM, 15);
    tu_model(p)->nodes[2].activation = IR_ACT_SIGMOID;
    CHECK(rt_train(p, d, NULL, &res, err, sizeof err) == 0, "binary: %s", err);
    CHECK(res.test_metric > 0.9, "binary: test accuracy %.3f", res.test_metric);
    CHECK(!res.has_val && isnan(res.epochs[0].val_loss), "no validation split");
    printf("ok   binary_crossentropy with one sigmoid unit: %.3f\n", res.test_metric);
    rt_result_free(&res);
    ir_program_free(p);
    tu_data_free(d);
}

static void check_regression(void)
{
    rt_data *d = linear_data(400, 100);
    ir_program *p = tu_program("reg");
    ir_model *m = tu_model(p);
    tu_input(m, 2, 0, 0);
    tu_dense(m, "h", 8, IR_ACT_RELU);
    tu_dense(m, "out", 1, IR_ACT_LINEAR);
    p->train.loss = IR_LOSS_MSE;
    p->train.learning_rate = 0.01;
    p->train.batch = 16;
    p->train.epochs = 30;
    rt_result res;
    char err[256];
    CHECK(rt_train(p, d, NULL, &res, err, sizeof err) == 0, "regression: %s", err);
    CHECK(!res.classification && res.test_metric < 0.2, "regression test mae %.3f",
             res.test_metric);
    printf("ok   regression: test mae %.3f (loss %.3f)\n", res.test_metric, res.test_loss);
    rt_result_free(&res);
    ir_program_free(p);
    tu_data_free(d);
}

/* Trains P on D with SEED and returns a copy of the final weights. */
static float *weights_after(ir_program *p, const rt_data *d, long seed, long *n, double *loss)
{
    rt_train_options o;
    rt_train_options_default(&o);
    o.seed = seed;
    o.threads = 1;
    char err[256];
    rt_net *net = rt_net_for_program(p, d, rt_effective_seed(p, &o), err, sizeof err);
    CHECK(net != NULL, "%s", err);
    if (!net)
        return NULL;
    rt_result res;
    CHECK(rt_train_net(net, p, d, &o, &res, err, sizeof err) == 0, "%s", err);
    *loss = res.epochs[res.n_epochs - 1].loss;
    *n = net->n_values;
    float *w = malloc(sizeof *w * (size_t)*n);
    memcpy(w, net->values, sizeof *w * (size_t)*n);
    rt_result_free(&res);
    rt_net_free(net);
    return w;
}

static void check_determinism(void)
{
    rt_data *d = blobs(200, 40, 0, 3);
    ir_program *p = classifier(3, IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 3);
    ir_model *m = tu_model(p);   /* dropout and batchnorm use the generator too */
    ir_node drop;
    memset(&drop, 0, sizeof drop);
    ir_node_defaults(&drop, IR_OP_DROPOUT);
    drop.name = "drop";
    drop.rate = 0.2;
    ir_model_insert(m, 2, &drop);
    long n1, n2, n3;
    double l1, l2, l3;
    float *a = weights_after(p, d, 7, &n1, &l1);
    float *b = weights_after(p, d, 7, &n2, &l2);
    float *c = weights_after(p, d, 8, &n3, &l3);
    if (a && b && c) {
        CHECK(n1 == n2 && memcmp(a, b, sizeof *a * (size_t)n1) == 0 && l1 == l2,
                 "same seed gave different weights");
        CHECK(memcmp(a, c, sizeof *a * (size_t)n1) != 0, "seeds 7 and 8 gave the same weights");
        printf("ok   same seed, same weights and loss; another seed differs\n");
    }
    free(a);
    free(b);
    free(c);
    ir_program_free(p);
    tu_data_free(d);
}

static void expect_refusal(ir_program *p, const rt_data *d, const char *needle, const char *what)
{
    rt_result res;
    char err[256] = "";
    int rc = rt_train(p, d, NULL, &res, err, sizeof err);
    CHECK(rc < 0 && strstr(err, needle), "%s: rc %d, message '%s'", what, rc, err);
    printf("%s %s: %s\n", rc < 0 ? "ok  " : "FAIL", what, err);
    if (rc == 0)
        rt_result_free(&res);
}

static void check_mismatches(void)
{
    rt_data *d = tu_data(2, 10, 20, 0, 0);
    ir_program *p = classifier(9, IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 1);
    expect_refusal(p, d, "10 classes", "9 units for 10 classes");
    ir_program_free(p);
    p = classifier(1, IR_LOSS_BINARY_CROSSENTROPY, IR_OPT_ADAM, 1);
    expect_refusal(p, d, "1 output unit", "1 unit for 10 classes");
    ir_program_free(p);
    p = classifier(4, IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 1);
    expect_refusal(p, d, "one output unit per class", "sparse with 4 units");
    ir_program_free(p);
    tu_data_free(d);

    d = tu_regression_data(2, 1, 20, 0, 0);
    p = classifier(3, IR_LOSS_MSE, IR_OPT_ADAM, 1);
    expect_refusal(p, d, "regression target", "3 outputs for 1 target");
    ir_program_free(p);
    tu_data_free(d);

    d = tu_data(5, 3, 20, 0, 0);
    p = classifier(3, IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 1);
    expect_refusal(p, d, "5 values", "input width 2 for 5 features");
    ir_program_free(p);
    tu_data_free(d);
}

static void check_controls(void)
{
    rt_data *d = blobs(128, 32, 0, 4);
    rt_result res;
    char err[256];

    /* Early stopping: with lr 0 val_loss never improves after epoch 1. */
    ir_program *p = classifier(3, IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_OPT_SGD, 20);
    p->train.learning_rate = 0.0;
    p->train.patience = 2;
    CHECK(rt_train(p, d, NULL, &res, err, sizeof err) == 0, "%s", err);
    CHECK(res.stopped_early && res.n_epochs == 3 && res.best_epoch == 0,
             "patience 2: %d epochs, stopped %d", res.n_epochs, res.stopped_early);
    printf("ok   early stopping after patience 2: %d epochs\n", res.n_epochs);
    rt_result_free(&res);

    /* Divergence stops the run and says so. */
    p->train.patience = 0;
    p->train.learning_rate = 1e30;
    p->train.loss = IR_LOSS_MSE;
    tu_model(p)->nodes[2].activation = IR_ACT_LINEAR;
    CHECK(rt_train(p, d, NULL, &res, err, sizeof err) == 0, "%s", err);
    CHECK(res.diverged && res.n_epochs == 1, "lr 1e30: diverged %d after %d epochs",
             res.diverged, res.n_epochs);
    printf("ok   divergence detected (batch %ld)\n", res.n_batches);
    rt_result_free(&res);
    ir_program_free(p);

    /* The batch limit, and the epoch log. */
    p = classifier(3, IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_OPT_ADAM, 5);
    rt_train_options o;
    rt_train_options_default(&o);
    o.max_batches = 11;   /* 8 batches per epoch: stops in the second */
    o.log = tmpfile();
    CHECK(rt_train(p, d, &o, &res, err, sizeof err) == 0, "%s", err);
    CHECK(res.batch_limit_hit && res.n_batches == 11 && res.n_epochs == 2 &&
                 res.epochs[1].batches == 3,
             "max_batches 11: %ld batches, %d epochs", res.n_batches, res.n_epochs);
    rewind(o.log);
    char line[256];
    int lines = 0;
    while (fgets(line, sizeof line, o.log))
        lines += strncmp(line, "epoch ", 6) == 0 && strstr(line, "val_accuracy") != NULL;
    fclose(o.log);
    CHECK(lines == 2, "%d epoch lines logged", lines);
    printf("ok   batch limit: %ld batches in %d epochs, %d log lines\n", res.n_batches,
           res.n_epochs, lines);
    rt_result_free(&res);
    ir_program_free(p);
    tu_data_free(d);
}

/* What the monitor of check_monitor saw. */
typedef struct seen {
    int epoch_calls, batch_calls;   /* calls of each kind */
    int stop_at_epoch;              /* ask to stop after this epoch (-1 never) */
    rt_layer_stats dead, sat;       /* last statistics of the layers "dead" and "sat" */
    bool stats_ok;                  /* every call had statistics */
    long last_step;                 /* step of the last call */
} seen;

static bool watch(const rt_monitor_event *ev, void *ctx)
{
    seen *s = ctx;
    if (ev->epoch_end)
        s->epoch_calls++;
    else
        s->batch_calls++;
    s->last_step = ev->step;
    s->stats_ok = s->stats_ok && ev->layers && ev->n_layers == 4;
    for (int i = 0; ev->layers && i < ev->n_layers; i++) {
        if (!strcmp(ev->layers[i].name, "dead"))
            s->dead = ev->layers[i];
        if (!strcmp(ev->layers[i].name, "sat"))
            s->sat = ev->layers[i];
    }
    return ev->epoch_end && ev->epoch == s->stop_at_epoch;
}

static void check_monitor(void)
{
    rt_data *d = blobs(128, 0, 0, 5);
    ir_program *p = tu_program("net");
    ir_model *m = tu_model(p);
    tu_input(m, 2, 0, 0);
    ir_node *sat = tu_dense(m, "sat", 8, IR_ACT_SIGMOID);
    sat->init = (ir_initializer){IR_INIT_RANDOM_NORMAL, 20.0};
    ir_node *dead = tu_dense(m, "dead", 8, IR_ACT_RELU);
    dead->bias_init = (ir_initializer){IR_INIT_CONSTANT, -100.0};
    tu_dense(m, "h", 4, IR_ACT_TANH);
    tu_dense(m, "out", 3, IR_ACT_SOFTMAX);
    p->train.batch = 16;
    p->train.epochs = 4;
    seen s = {0, 0, 2, {0}, {0}, true, 0};
    rt_monitor mon = {3, true, 2, watch, &s};
    rt_train_options o;
    rt_train_options_default(&o);
    o.monitor = &mon;
    rt_result res;
    char err[256];
    CHECK(rt_train(p, d, &o, &res, err, sizeof err) == 0, "%s", err);
    /* 8 batches per epoch: batch calls after steps 3, 6, 9, 12, 15, 18, 21, epoch
     * calls after 8, 16, 24 (step 24 is an epoch end: one call only). */
    CHECK(res.stopped_by_monitor && res.n_epochs == 3, "monitor stop: %d epochs",
             res.n_epochs);
    CHECK(s.epoch_calls == 3 && s.batch_calls == 7, "calls: %d epoch, %d batch",
             s.epoch_calls, s.batch_calls);
    CHECK(s.stats_ok, "every call had statistics for 4 layers");
    CHECK(s.dead.act_dead == 1.0 && s.dead.act_dead_units == 1.0 && s.dead.grad_zero == 1.0,
             "dead relu layer: dead %.3f, dead units %.3f, zero gradients %.3f",
             s.dead.act_dead, s.dead.act_dead_units, s.dead.grad_zero);
    /* The dead layer after it blocks every gradient: exactly zero, all of it. */
    CHECK(s.sat.act_saturated > 0.5 && s.sat.grad_norm == 0 && s.sat.weight_norm > 10,
             "saturated sigmoid layer: saturated %.3f, grad norm %g, weight norm %g",
             s.sat.act_saturated, s.sat.grad_norm, s.sat.weight_norm);
    CHECK(s.sat.window_batches == 2, "window of 2 batches: %ld", s.sat.window_batches);
    printf("ok   monitor: %d epoch and %d batch calls, stop honoured; dead layer %.2f dead, "
           "sigmoid layer %.2f saturated\n", s.epoch_calls, s.batch_calls, s.dead.act_dead,
           s.sat.act_saturated);
    rt_result_free(&res);

    /* Without statistics the events carry none. */
    seen s2 = {0, 0, -1, {0}, {0}, true, 0};
    rt_monitor plain = {0, false, 1, watch, &s2};
    o.monitor = &plain;
    CHECK(rt_train(p, d, &o, &res, err, sizeof err) == 0, "%s", err);
    CHECK(!s2.stats_ok && s2.epoch_calls == 4 && s2.batch_calls == 0,
             "plain monitor: %d epoch calls, %d batch calls", s2.epoch_calls, s2.batch_calls);
    printf("ok   monitor without statistics: %d epoch calls\n", s2.epoch_calls);
    rt_result_free(&res);
    ir_program_free(p);
    tu_data_free(d);
}

int main(void)
{
    check_learns();
    check_regression();
    check_determinism();
    check_mismatches();
    check_controls();
    check_monitor();
    return check_finish("test_train");
}
