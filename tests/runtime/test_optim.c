/* test_optim.c: optimiser steps against hand-computed values, and clipping.
 *
 * A 2x2 kernel starts at W0 and takes three steps with the gradients of G;
 * the expected weights were computed in double precision from Keras's (TF 2.x)
 * update formulas, independently of optim.c (the numbers are literals here).
 * Clipping is checked on two tensors, since Keras clips each one separately.
 */
#include <math.h>
#include <string.h>

#include "net.h"
#include "optim.h"
#include "testutil.h"

static const float W0[4] = {1.0f, -2.0f, 0.5f, 0.0f};
static const float G[3][4] = {{0.5f, -1.0f, 0.25f, 0.0f},
                              {0.1f, 0.3f, -0.2f, 1.0f},
                              {-0.4f, 0.2f, 0.0f, 0.5f}};

/* One optimiser configuration and the weights after three steps. */
typedef struct opt_case {
    const char *what;       /* printed name */
    ir_opt kind;            /* optimiser */
    double lr;              /* learning rate */
    double momentum;        /* sgd, rmsprop */
    bool nesterov;          /* sgd */
    double expect[4];       /* weights after the three steps */
} opt_case;

static const opt_case cases[] = {
    {"sgd", IR_OPT_SGD, 0.1, 0.0, false, {0.98, -1.95, 0.495, -0.15}},
    {"sgd momentum 0.9", IR_OPT_SGD, 0.1, 0.9, false, {0.8855, -1.806, 0.47025, -0.24}},
    {"sgd nesterov", IR_OPT_SGD, 0.1, 0.9, true, {0.87695, -1.7754, 0.468225, -0.366}},
    {"rmsprop", IR_OPT_RMSPROP, 0.01, 0.0, false,
     {0.982606942, -1.98446659, 0.48876313, -0.0463669579}},
    {"rmsprop momentum 0.5", IR_OPT_RMSPROP, 0.01, 0.5, false,
     {0.955628236, -1.96551683, 0.475239011, -0.0621783412}},
    {"adagrad", IR_OPT_ADAGRAD, 0.1, 0.0, false,
     {0.954287937, -1.95018809, 0.482427083, -0.138379394}},
    {"adadelta (lr 1)", IR_OPT_ADADELTA, 1.0, 0.0, false,
     {0.999466229, -1.99958061, 0.499854669, -0.00232708186}},
    {"adam", IR_OPT_ADAM, 0.01, 0.0, false,
     {0.981032714, -1.98367646, 0.488969578, -0.0154437352}},
    {"adamax", IR_OPT_ADAMAX, 0.01, 0.0, false,
     {0.983502223, -1.98558182, 0.489140393, -0.0104343797}},
    {"nadam", IR_OPT_NADAM, 0.01, 0.0, false,
     {0.993115428, -1.99354751, 0.495415833, -0.016153698}},
};

static ir_program *prog;

/* A net whose only tensors are a 2x2 kernel and, with BIAS, a bias of 2. */
static rt_net *small_net(bool bias)
{
    ir_program_free(prog);
    prog = tu_program("m");
    ir_model *m = tu_model(prog);
    tu_input(m, 2, 0, 0);
    tu_dense(m, "fc", 2, IR_ACT_LINEAR)->bias = bias;
    char err[200];
    rt_net *net = rt_net_new(m, IR_LOSS_MSE, 1, 1, false, err, sizeof err);
    CHECK(net != NULL, "building the net: %s", err);
    return net;
}

static void check_rule(const opt_case *c)
{
    rt_net *net = small_net(false);
    if (!net)
        return;
    ir_train t = {0};
    ir_train_defaults(&t);
    ir_train_optimizer_defaults(&t, c->kind);
    t.learning_rate = c->lr;
    t.momentum = c->momentum;
    t.nesterov = c->nesterov;
    rt_optim o;
    rt_optim_init(&o, &t, net->n_trainable);
    memcpy(net->values, W0, sizeof W0);
    for (int s = 0; s < 3; s++) {
        memcpy(net->grads, G[s], sizeof G[s]);
        rt_optim_step(&o, net, NULL);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++)
        if (fabs(net->values[i] - c->expect[i]) > 2e-6 + 2e-6 * fabs(c->expect[i])) {
            printf("  %s: w[%d] = %.9g, expected %.9g\n", c->what, i, net->values[i],
                   c->expect[i]);
            bad++;
        }
    CHECK(bad == 0, "%s: weights after three steps differ", c->what);
    printf("%s %s: three steps\n", bad ? "FAIL" : "ok  ", c->what);
    rt_optim_free(&o);
    rt_net_free(net);
}

/* Adam's first step moves every weight by about lr against its gradient's sign. */
static void check_adam_first_step(void)
{
    rt_net *net = small_net(false);
    if (!net)
        return;
    ir_train t = {0};
    ir_train_defaults(&t);
    ir_train_optimizer_defaults(&t, IR_OPT_ADAM);
    t.learning_rate = 0.01;
    rt_optim o;
    rt_optim_init(&o, &t, net->n_trainable);
    memcpy(net->values, W0, sizeof W0);
    memcpy(net->grads, G[0], sizeof G[0]);
    rt_optim_step(&o, net, NULL);
    CHECK(fabsf(net->values[0] - 0.99f) < 1e-6f && fabsf(net->values[1] + 1.99f) < 1e-6f &&
                 fabsf(net->values[2] - 0.49f) < 1e-6f && net->values[3] == 0.0f,
             "adam first step: %g %g %g %g", net->values[0], net->values[1], net->values[2],
             net->values[3]);
    printf("ok   adam: first step is lr * sign(g)\n");
    rt_optim_free(&o);
    rt_net_free(net);
}

static void check_clipping(void)
{
    float g[2] = {3.0f, 4.0f};
    rt_clip_gradient(g, 2, 1.0, 0.0);
    CHECK(fabsf(g[0] - 0.6f) < 1e-6f && fabsf(g[1] - 0.8f) < 1e-6f,
             "clipnorm 1 of (3, 4) gave (%g, %g)", g[0], g[1]);
    g[0] = 3.0f, g[1] = 4.0f;
    rt_clip_gradient(g, 2, 10.0, 0.0);
    CHECK(g[0] == 3.0f && g[1] == 4.0f, "clipnorm 10 changed (3, 4) to (%g, %g)", g[0], g[1]);
    g[0] = 3.0f, g[1] = -0.25f;
    rt_clip_gradient(g, 2, 0.0, 0.5);
    CHECK(g[0] == 0.5f && g[1] == -0.25f, "clipvalue 0.5 of (3, -0.25) gave (%g, %g)", g[0],
             g[1]);
    g[0] = -30.0f, g[1] = 40.0f;
    rt_clip_gradient(g, 2, 5.0, 2.0);   /* norm first: (-3, 4), then values */
    CHECK(g[0] == -2.0f && g[1] == 2.0f, "clipnorm 5 then clipvalue 2 gave (%g, %g)", g[0],
             g[1]);
    printf("ok   clipnorm, clipvalue, both\n");

    /* Per tensor: kernel (3, 4, 0, 0) and bias (0.3, 0.4) with clipnorm 1 under
     * sgd lr 1: the kernel is scaled to norm 1, the bias left alone. */
    rt_net *net = small_net(true);
    if (!net)
        return;
    ir_train t = {0};
    ir_train_defaults(&t);
    ir_train_optimizer_defaults(&t, IR_OPT_SGD);
    t.learning_rate = 1.0;
    t.clipnorm = 1.0;
    rt_optim o;
    rt_optim_init(&o, &t, net->n_trainable);
    rt_param *k = rt_net_find_param(net, "fc.kernel"), *b = rt_net_find_param(net, "fc.bias");
    CHECK(k && b, "fc.kernel and fc.bias exist");
    if (k && b) {
        memset(net->values, 0, sizeof(float) * (size_t)net->n_values);
        k->grad[0] = 3.0f, k->grad[1] = 4.0f, k->grad[2] = k->grad[3] = 0.0f;
        b->grad[0] = 0.3f, b->grad[1] = 0.4f;
        double upd[4];
        rt_optim_step(&o, net, upd);
        CHECK(fabsf(k->value[0] + 0.6f) < 1e-6f && fabsf(k->value[1] + 0.8f) < 1e-6f,
                 "kernel clipped to norm 1: %g %g", k->value[0], k->value[1]);
        CHECK(fabsf(b->value[0] + 0.3f) < 1e-6f && fabsf(b->value[1] + 0.4f) < 1e-6f,
                 "bias unclipped: %g %g", b->value[0], b->value[1]);
        CHECK(fabs(upd[0] - 1.0) < 1e-5 && fabs(upd[1] - 0.25) < 1e-5,
                 "squared update norms %g %g", upd[0], upd[1]);
        printf("ok   clipnorm applies per tensor; update norms reported\n");
    }
    rt_optim_free(&o);
    rt_net_free(net);
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_rule(&cases[i]);
    check_adam_first_step();
    check_clipping();
    ir_program_free(prog);
    return check_finish("test_optim");
}
