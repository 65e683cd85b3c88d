/* test_gradients.c: finite-difference gradient checks of every layer kind,
 * activation and loss of the runtime, and of user functions (the example
 * library of examples/extern/, found through DNNC_EXTERN_DIR) in each role
 * and form, with their declared derivatives and with central differences.
 *
 * For each small model, the analytic gradients of rt_net_backward (every
 * trainable tensor and the input) are compared with central differences of
 * the training-mode loss (float32 forward, loss summed in double).  Dropout
 * masks are held fixed by restoring the dropout generator before each forward
 * pass.  A coordinate where differences with step h and h/2 disagree sits on
 * a kink (relu, max, |x|) and is skipped; a check fails if too many are.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "loss.h"
#include "net.h"
#include "rng.h"
#include "testutil.h"
#include "user_fn.h"

#define STEP 2e-3
#define ATOL 1.5e-3
#define RTOL 2e-2

/* Training-mode loss with the dropout mask fixed. */
static double loss_at(rt_net *net, int n, const float *target, const rt_rng *mask)
{
    net->dropout_rng = *mask;
    rt_net_forward(net, n, true);
    return rt_net_loss(net, n, target, false);
}

/* Central difference of the loss in coordinate *V with step H. */
static double numeric(rt_net *net, int n, const float *target, const rt_rng *mask, float *v,
                      double h)
{
    float w = *v;
    float wp = (float)(w + h), wm = (float)(w - h);
    *v = wp;
    double lp = loss_at(net, n, target, mask);
    *v = wm;
    double lm = loss_at(net, n, target, mask);
    *v = w;
    return (lp - lm) / ((double)wp - (double)wm);
}

/* Compares analytic gradient A of coordinates V[0..size-1]; returns failures. */
static int check_tensor(rt_net *net, int n, const float *target, const rt_rng *mask,
                        float *v, const float *a, long size, const char *what,
                        const char *tensor, int *skipped, rt_rng *pick)
{
    int bad = 0, count = size <= 48 ? (int)size : 24;
    for (int c = 0; c < count; c++) {
        long i = size <= 48 ? c : (long)rt_rng_below(pick, (uint64_t)size);
        double h = STEP * fmax(1.0, fabs(v[i]));
        double n1 = numeric(net, n, target, mask, v + i, h);
        double n2 = numeric(net, n, target, mask, v + i, h / 2);
        double tol = ATOL + RTOL * fmax(fabs(n1), fabs(a[i]));
        if (fabs(n1 - n2) > tol) {
            (*skipped)++;   /* a kink within h of the point */
            continue;
        }
        if (fabs(n1 - a[i]) > tol && fabs(n2 - a[i]) > tol) {
            if (bad < 3)
                printf("  %s: %s[%ld]: analytic %.6g numeric %.6g\n", what, tensor, i, a[i], n1);
            bad++;
        }
    }
    return bad;
}

/* Fills targets for loss L: N rows of width K (class indices for sparse). */
static void make_targets(ir_loss l, float *t, int n, int k, rt_rng *r, bool zero_one)
{
    for (int i = 0; i < n; i++) {
        float *row = t + (long)i * rt_loss_target_width(l, k);
        int cls = (int)rt_rng_below(r, (uint64_t)k);
        switch (l) {
        case IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
            row[0] = (float)cls;
            break;
        case IR_LOSS_CATEGORICAL_CROSSENTROPY:
        case IR_LOSS_CATEGORICAL_HINGE:
            for (int j = 0; j < k; j++)
                row[j] = j == cls;
            break;
        case IR_LOSS_KL_DIVERGENCE: {
            double s = 0.0;
            for (int j = 0; j < k; j++)
                s += row[j] = 0.1f + rt_rng_float(r);
            for (int j = 0; j < k; j++)
                row[j] = (float)(row[j] / s);
            break;
        }
        case IR_LOSS_BINARY_CROSSENTROPY:
            for (int j = 0; j < k; j++)
                row[j] = zero_one ? (float)rt_rng_below(r, 2) : rt_rng_float(r);
            break;
        case IR_LOSS_HINGE:
        case IR_LOSS_SQUARED_HINGE:
            for (int j = 0; j < k; j++)
                row[j] = zero_one ? (float)rt_rng_below(r, 2) : rt_rng_below(r, 2) ? 1.0f : -1.0f;
            break;
        case IR_LOSS_MAPE:
            for (int j = 0; j < k; j++)
                row[j] = (rt_rng_below(r, 2) ? 1.0f : -1.0f) * (0.5f + rt_rng_float(r));
            break;
        case IR_LOSS_MSLE:
        case IR_LOSS_POISSON:
            for (int j = 0; j < k; j++)
                row[j] = 0.1f + 2.0f * rt_rng_float(r);
            break;
        default:
            for (int j = 0; j < k; j++)
                row[j] = (float)rt_rng_normal(r);
            break;
        }
    }
}

/* Tasks kernels may split a batch into (the direct convolutions use them). */
static int threads = 1;

/* The program whose model is checked (its user functions are bound). */
static ir_program *prog;

/* Builds model M, checks every gradient with N samples and loss L. */
static void gradcheck(ir_model *m, ir_loss l, int n, bool zero_one, const char *what)
{
    char err[256];
    rt_net *net = rt_net_new(m, l, n, 11, true, err, sizeof err);
    CHECK(net != NULL, "%s: %s", what, err);
    if (!net)
        return;
    if (rt_net_bind_functions(net, prog, err, sizeof err) < 0) {
        CHECK(false, "%s: %s", what, err);
        rt_net_free(net);
        return;
    }
    rt_net_set_threads(net, threads);
    rt_rng r;
    rt_rng_seed(&r, rt_hash_string(what));
    for (long i = 0; i < n * net->in_size; i++)
        net->input[i] = (float)rt_rng_normal(&r);
    /* Non-trivial biases and batchnorm parameters, so their paths matter. */
    for (int j = 0; j < net->n_params; j++) {
        rt_param *p = &net->params[j];
        const char *what_p = strrchr(p->name, '.') + 1;
        for (long i = 0; p->trainable && i < p->size; i++) {
            if (!strcmp(what_p, "bias") || !strcmp(what_p, "beta"))
                p->value[i] = (float)(0.2 * rt_rng_normal(&r));
            else if (!strcmp(what_p, "gamma"))
                p->value[i] = (float)(1.0 + 0.3 * rt_rng_normal(&r));
        }
    }
    int k = net->out_units;
    float *target = calloc((size_t)(n * k), sizeof *target);
    make_targets(l, target, n, k, &r, zero_one);

    rt_rng mask = net->dropout_rng;
    net->dropout_rng = mask;
    rt_net_forward(net, n, true);
    double loss = rt_net_loss(net, n, target, true);
    rt_net_backward(net, n);
    CHECK(isfinite(loss), "%s: loss %g is not finite", what, loss);
    float *grads = malloc(sizeof *grads * (size_t)(net->n_trainable + 1));
    float *dinput = malloc(sizeof *dinput * (size_t)(n * net->in_size));
    memcpy(grads, net->grads, sizeof *grads * (size_t)net->n_trainable);
    memcpy(dinput, net->dinput, sizeof *dinput * (size_t)(n * net->in_size));

    int bad = 0, skipped = 0, total = 0;
    for (int j = 0; j < net->n_params; j++) {
        rt_param *p = &net->params[j];
        if (!p->trainable)
            continue;
        bad += check_tensor(net, n, target, &mask, p->value, grads + (p->value - net->values),
                            p->size, what, p->name, &skipped, &r);
        total += p->size <= 48 ? (int)p->size : 24;
    }
    long in_n = n * net->in_size;
    bad += check_tensor(net, n, target, &mask, net->input, dinput, in_n, what, "input",
                        &skipped, &r);
    total += in_n <= 48 ? (int)in_n : 24;
    CHECK(bad == 0, "%s: %d gradient entries disagree", what, bad);
    CHECK(skipped * 5 <= total, "%s: %d of %d entries on kinks", what, skipped, total);
    printf("%s %s (%d entries, %d on kinks)\n", bad ? "FAIL" : "ok  ", what, total, skipped);
    free(grads);
    free(dinput);
    free(target);
    rt_net_free(net);
}

/* A fresh program whose model is filled by the caller. */
static ir_model *fresh(void)
{
    ir_program_free(prog);
    prog = tu_program("m");
    return tu_model(prog);
}

static void check_dense(void)
{
    ir_model *m = fresh();
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 4, IR_ACT_TANH);
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 4, false, "dense: vector, batch 4");
    gradcheck(m, IR_LOSS_MSE, 1, false, "dense: vector, batch 1");

    m = fresh();
    tu_input(m, 3, 4, 0);
    tu_dense(m, "fc1", 2, IR_ACT_SIGMOID)->bias = false;
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 2, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 3, false, "dense: last axis of [3,4], no bias, flatten");

    static const ir_reg regs[] = {IR_REG_L1, IR_REG_L2, IR_REG_L1_L2};
    static const char *names[] = {"dense: l1 regulariser", "dense: l2 regulariser",
                                  "dense: l1_l2 regulariser"};
    for (int i = 0; i < 3; i++) {
        m = fresh();
        tu_input(m, 4, 0, 0);
        ir_node *fc = tu_dense(m, "fc1", 3, IR_ACT_TANH);
        fc->regularizer = (ir_regularizer){regs[i], 0.05, 0.03};
        tu_dense(m, "out", 2, IR_ACT_LINEAR)->regularizer = (ir_regularizer){regs[i], 0.02, 0.1};
        gradcheck(m, IR_LOSS_MSE, 3, false, names[i]);
    }
}

static void conv_model(int h, int w, int c, int filters, int kh, int kw, int sh, int sw,
                       ir_pad pad, bool bias, int n, const char *what)
{
    ir_model *m = fresh();
    tu_input(m, h, w, c);
    ir_node *cv = tu_layer(m, IR_OP_CONV2D, "conv");
    cv->units = filters;
    cv->kernel = (ir_int2){kh, kw};
    cv->stride = (ir_int2){sh, sw};
    cv->padding = pad;
    cv->bias = bias;
    cv->activation = IR_ACT_TANH;
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, n, false, what);
}

static void check_conv(void)
{
    /* More than 16 channels: im2col + GEMM instead of the direct kernels. */
    conv_model(5, 5, 17, 3, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 17 channels in (im2col)");
    conv_model(5, 4, 2, 20, 3, 2, 2, 1, IR_PAD_SAME, true, 2, "conv2d: 20 filters (im2col)");
    conv_model(6, 6, 9, 12, 3, 3, 1, 1, IR_PAD_VALID, true, 2, "conv2d: 9 to 12 channels");
    threads = 3;
    conv_model(6, 6, 2, 3, 3, 3, 1, 1, IR_PAD_SAME, true, 5, "conv2d: 3x3 same, 3 tasks");
    conv_model(7, 5, 3, 16, 3, 3, 2, 2, IR_PAD_SAME, true, 4, "conv2d: stride 2, 16 filters, 3 tasks");
    threads = 1;
    conv_model(6, 6, 2, 3, 3, 3, 1, 1, IR_PAD_VALID, true, 3, "conv2d: 3x3 valid");
    conv_model(6, 6, 2, 3, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 3x3 same");
    conv_model(7, 5, 1, 2, 3, 3, 2, 2, IR_PAD_SAME, true, 2, "conv2d: stride 2 same, odd input");
    conv_model(7, 7, 3, 2, 3, 3, 2, 2, IR_PAD_VALID, false, 2, "conv2d: stride 2 valid, no bias");
    conv_model(6, 5, 2, 4, 2, 3, 1, 2, IR_PAD_SAME, true, 1, "conv2d: 2x3 kernel, stride [1,2], batch 1");
    conv_model(5, 5, 1, 6, 5, 5, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 5x5 same, 1 channel");
    /* One channel, 8 or more columns: the pixel-vectorised forward kernel,
     * with tiles moved back at the right and bottom edges. */
    conv_model(9, 11, 1, 6, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 1 channel, 9x11 same");
    conv_model(4, 12, 1, 3, 3, 3, 1, 1, IR_PAD_VALID, true, 2, "conv2d: 1 channel, 2 rows out");
    conv_model(12, 10, 1, 8, 5, 3, 1, 1, IR_PAD_VALID, false, 1, "conv2d: 1 channel, 8 filters");
    /* Few filters: a pixel's full-vector store spans several pixels. */
    conv_model(3, 11, 1, 1, 3, 3, 1, 1, IR_PAD_VALID, true, 2, "conv2d: 1 channel, 1 filter");
    conv_model(5, 13, 1, 2, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 1 channel, 2 filters");
    conv_model(6, 6, 6, 4, 5, 5, 1, 1, IR_PAD_VALID, true, 2, "conv2d: 5x5 valid, 6 channels");
    conv_model(4, 4, 2, 3, 1, 1, 1, 1, IR_PAD_VALID, true, 2, "conv2d: 1x1");
    conv_model(5, 7, 8, 8, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: 8 to 8 channels, 3x3");
    /* Rows of 9 to 12 pixels: the widest register blocks (32-register targets). */
    conv_model(3, 12, 3, 10, 3, 3, 1, 1, IR_PAD_SAME, true, 2, "conv2d: rows of 12, 10 filters");
    conv_model(3, 13, 5, 4, 3, 5, 1, 1, IR_PAD_VALID, true, 2, "conv2d: rows of 9, 3x5 kernel");

    ir_model *m = fresh();   /* im2col with relu applied after it, in one pass with the bias */
    tu_input(m, 4, 4, 17);
    ir_node *cv = tu_layer(m, IR_OP_CONV2D, "conv");
    cv->units = 9;
    cv->activation = IR_ACT_RELU;
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 2, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 2, false, "conv2d: 17 channels in (im2col), relu");

    m = fresh();   /* [h, w] input read as one channel */
    tu_input(m, 5, 5, 0);
    cv = tu_layer(m, IR_OP_CONV2D, "conv");
    cv->units = 2;
    cv->activation = IR_ACT_RELU;
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 2, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 2, false, "conv2d: [5,5] input as one channel, relu");
}

static void pool_model(ir_op op, int h, int w, int ph, int pw, int sh, int sw, ir_pad pad,
                       int n, int filters, const char *what)
{
    ir_model *m = fresh();
    tu_input(m, h, w, 2);
    ir_node *cv = tu_layer(m, IR_OP_CONV2D, "conv");
    cv->units = filters;
    cv->padding = IR_PAD_SAME;
    ir_node *pl = tu_layer(m, op, "pool");
    pl->pool = (ir_int2){ph, pw};
    pl->stride = (ir_int2){sh, sw};
    pl->padding = pad;
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 2, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, n, false, what);
}

static void check_pools(void)
{
    threads = 2;    /* the networks have direct convolutions: pools split too */
    for (int k = 0; k < 2; k++) {
        ir_op op = k ? IR_OP_AVGPOOL : IR_OP_MAXPOOL;
        char what[96];
        const char *name = k ? "avgpool" : "maxpool";
        snprintf(what, sizeof what, "%s: 2x2 stride 2 valid", name);
        pool_model(op, 6, 6, 2, 2, 2, 2, IR_PAD_VALID, 2, 3, what);
        snprintf(what, sizeof what, "%s: 2x2 stride 2 valid, 11 channels", name);
        pool_model(op, 4, 4, 2, 2, 2, 2, IR_PAD_VALID, 2, 11, what);
        snprintf(what, sizeof what, "%s: 3x3 stride 2 same, odd input", name);
        pool_model(op, 7, 5, 3, 3, 2, 2, IR_PAD_SAME, 2, 3, what);
        snprintf(what, sizeof what, "%s: 2x3 stride 1 valid, batch 1", name);
        pool_model(op, 5, 6, 2, 3, 1, 1, IR_PAD_VALID, 1, 3, what);
        snprintf(what, sizeof what, "%s: 2x2 stride 2 same, odd input", name);
        pool_model(op, 5, 5, 2, 2, 2, 2, IR_PAD_SAME, 3, 3, what);
    }
    threads = 1;
}

static void check_misc_layers(void)
{
    ir_model *m = fresh();
    tu_input(m, 6, 0, 0);
    tu_dense(m, "fc1", 8, IR_ACT_RELU);
    tu_layer(m, IR_OP_DROPOUT, "drop")->rate = 0.3;
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 4, false, "dropout 0.3");

    m = fresh();
    tu_input(m, 6, 0, 0);
    tu_dense(m, "fc1", 5, IR_ACT_LINEAR);
    tu_layer(m, IR_OP_BATCHNORM, "bn");
    tu_layer(m, IR_OP_ACTIVATION, "act")->activation = IR_ACT_TANH;
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 6, false, "batchnorm: vector, standalone tanh");

    m = fresh();
    tu_input(m, 4, 4, 2);
    ir_node *cv = tu_layer(m, IR_OP_CONV2D, "conv");
    cv->units = 3;
    cv->padding = IR_PAD_SAME;
    tu_layer(m, IR_OP_BATCHNORM, "bn");
    tu_layer(m, IR_OP_FLATTEN, "flat");
    tu_dense(m, "out", 2, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 2, false, "batchnorm: image, after conv2d");

    m = fresh();
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 4, IR_ACT_LINEAR);
    tu_layer(m, IR_OP_ACTIVATION, "act")->activation = IR_ACT_SOFTMAX;
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    gradcheck(m, IR_LOSS_MSE, 3, false, "activation layer: softmax, hidden");

    m = fresh();
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 4, IR_ACT_LINEAR);
    tu_layer(m, IR_OP_ACTIVATION, "act")->activation = IR_ACT_SOFTMAX;
    gradcheck(m, IR_LOSS_CATEGORICAL_CROSSENTROPY, 3, false,
              "activation layer: softmax output, fused cross-entropy");
}

static void check_activations(void)
{
    for (int a = 0; a < IR_ACT_COUNT; a++) {
        ir_model *m = fresh();
        tu_input(m, 5, 0, 0);
        tu_dense(m, "fc1", 6, (ir_act)a);
        tu_dense(m, "out", 3, IR_ACT_LINEAR);
        char what[64];
        snprintf(what, sizeof what, "activation %s", ir_enum_name(&ir_act_table, a));
        gradcheck(m, IR_LOSS_MSE, 4, false, what);
    }
    /* relu is applied with the bias, 8 units at a time, the rest one by one:
     * widths past 8, and relu on the output layer (its gradient is masked in
     * the loss's buffer). */
    ir_model *m = fresh();
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 11, IR_ACT_RELU);
    tu_dense(m, "out", 9, IR_ACT_RELU);
    gradcheck(m, IR_LOSS_MSE, 3, false, "relu: 11 and 9 units, relu output");
}

static void loss_model(ir_loss l, ir_act out_act, int k, int n, bool zero_one)
{
    ir_model *m = fresh();
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 6, IR_ACT_TANH);
    tu_dense(m, "out", k, out_act);
    char what[128];
    snprintf(what, sizeof what, "loss %s after %s%s%s, %d unit%s", ir_enum_name(&ir_loss_table, l),
             ir_enum_name(&ir_act_table, out_act), rt_loss_fused(l, out_act) ? " (fused)" : "",
             zero_one ? ", 0/1 targets" : "", k, k == 1 ? "" : "s");
    gradcheck(m, l, n, zero_one, what);
}

static void check_losses(void)
{
    loss_model(IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_ACT_SOFTMAX, 4, 5, false);
    loss_model(IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_ACT_SIGMOID, 4, 5, false);
    loss_model(IR_LOSS_CATEGORICAL_CROSSENTROPY, IR_ACT_SOFTMAX, 3, 1, false);
    loss_model(IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, IR_ACT_SOFTMAX, 4, 5, false);
    loss_model(IR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, IR_ACT_SIGMOID, 4, 5, false);
    loss_model(IR_LOSS_BINARY_CROSSENTROPY, IR_ACT_SIGMOID, 1, 6, true);
    loss_model(IR_LOSS_BINARY_CROSSENTROPY, IR_ACT_SIGMOID, 3, 4, false);
    loss_model(IR_LOSS_BINARY_CROSSENTROPY, IR_ACT_SOFTMAX, 3, 4, true);
    loss_model(IR_LOSS_MSE, IR_ACT_LINEAR, 3, 4, false);
    loss_model(IR_LOSS_MAE, IR_ACT_LINEAR, 3, 4, false);
    loss_model(IR_LOSS_MAPE, IR_ACT_LINEAR, 2, 4, false);
    loss_model(IR_LOSS_MSLE, IR_ACT_SOFTPLUS, 3, 4, false);
    loss_model(IR_LOSS_MSLE, IR_ACT_LINEAR, 3, 4, false);
    loss_model(IR_LOSS_HINGE, IR_ACT_TANH, 3, 4, false);
    loss_model(IR_LOSS_HINGE, IR_ACT_TANH, 1, 6, true);
    loss_model(IR_LOSS_SQUARED_HINGE, IR_ACT_TANH, 3, 4, false);
    loss_model(IR_LOSS_SQUARED_HINGE, IR_ACT_LINEAR, 1, 6, true);
    loss_model(IR_LOSS_CATEGORICAL_HINGE, IR_ACT_LINEAR, 4, 5, false);
    loss_model(IR_LOSS_LOGCOSH, IR_ACT_LINEAR, 3, 4, false);
    loss_model(IR_LOSS_HUBER, IR_ACT_LINEAR, 3, 4, false);
    loss_model(IR_LOSS_KL_DIVERGENCE, IR_ACT_SOFTMAX, 4, 4, false);
    loss_model(IR_LOSS_POISSON, IR_ACT_SOFTPLUS, 3, 4, false);
    loss_model(IR_LOSS_POISSON, IR_ACT_EXPONENTIAL, 2, 3, false);
}

/* The monitor counts a pre-activation as saturated beyond
 * rt_act_saturation_bound: for hard_sigmoid that is where its gradient
 * becomes exactly 0 (+-2.5), for sigmoid and tanh DeepDiagnosis's +-5. */
static void check_saturation_bounds(void)
{
    double b = rt_act_saturation_bound(IR_ACT_HARD_SIGMOID);
    float z[4] = {(float)(b + 0.01), (float)-(b + 0.01), (float)(b - 0.01), (float)-(b - 0.01)};
    float y[4], dy[4] = {1, 1, 1, 1}, dz[4];
    rt_act_forward(IR_ACT_HARD_SIGMOID, z, y, 4, 4);
    rt_act_backward(IR_ACT_HARD_SIGMOID, z, y, dy, dz, 4, 4);
    CHECK(b == 2.5 && dz[0] == 0 && dz[1] == 0 && dz[2] > 0 && dz[3] > 0,
             "hard_sigmoid saturates beyond %g: gradients %g %g outside, %g %g inside", b, dz[0],
             dz[1], dz[2], dz[3]);
    CHECK(rt_act_saturation_bound(IR_ACT_SIGMOID) == 5 && rt_act_saturation_bound(IR_ACT_TANH) == 5,
             "sigmoid and tanh saturate beyond +-5");
}

/* ---- user functions ---- */

/* Declares function NAME of the example library in the current program. */
static void declare(const char *name, const char *symbol, const char *gradient, ir_fn_role role,
                    ir_fn_form form, ir_ctype type, const char *param)
{
    const char *dir = getenv("DNNC_EXTERN_DIR");
    char lib[4096];
    snprintf(lib, sizeof lib, "%s/libdnnc_extern.so", dir ? dir : "DNNC_EXTERN_DIR-is-not-set");
    prog->functions = ir_realloc(prog->functions, sizeof *prog->functions * (size_t)(prog->n_functions + 1));
    ir_function *f = &prog->functions[prog->n_functions++];
    memset(f, 0, sizeof *f);
    f->name = ir_strdup(name);
    f->library = ir_strdup(lib);
    f->symbol = ir_strdup(symbol);
    f->gradient = ir_strdup(gradient);
    f->role = role;
    f->form = form;
    f->type = type;
    if (param)
        f->params = (ir_names){1, {ir_strdup(param)}};
}

/* A model whose hidden layer's activation is user function NAME (with one
 * argument ARG when HAS_ARG), checked under mse. */
static void user_activation(const char *name, const char *symbol, const char *gradient, ir_fn_form form,
                            ir_ctype type, bool has_arg, double arg)
{
    ir_model *m = fresh();
    declare(name, symbol, gradient, IR_FN_ROLE_ACTIVATION, form, type, has_arg ? "beta" : NULL);
    tu_input(m, 5, 0, 0);
    ir_node *h = tu_dense(m, "fc1", 6, IR_ACT_LINEAR);
    h->activation_fn = ir_strdup(name);
    if (has_arg)
        h->activation_args = (ir_fn_args){1, {ir_strdup("beta")}, {arg}};
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    char what[160];
    snprintf(what, sizeof what, "user activation %s (%s, %s, %s)", symbol, ir_enum_name(&ir_fn_form_table, form),
             ir_enum_name(&ir_ctype_table, type), gradient ? "declared derivative" : "central differences");
    gradcheck(m, IR_LOSS_MSE, 4, false, what);
}

/* A model trained with user loss huber (its gradient, or central differences). */
static void user_loss(const char *gradient)
{
    ir_model *m = fresh();
    declare("huber_loss", "huber", gradient, IR_FN_ROLE_LOSS, IR_FN_FORM_VECTOR, IR_CTYPE_FLOAT, NULL);
    prog->train.loss_fn = ir_strdup("huber_loss");
    tu_input(m, 5, 0, 0);
    tu_dense(m, "fc1", 6, IR_ACT_TANH);
    tu_dense(m, "out", 3, IR_ACT_LINEAR);
    /* Targets of unit spread, so both sides of Huber's kink at |e| = 1 are met. */
    gradcheck(m, IR_LOSS_MSE, 4, false, gradient ? "user loss huber (declared gradient)"
                                                 : "user loss huber (central differences)");
}

/* Opens function F of the current program (the test fails if it cannot). */
static rt_user_fn *open_fn(const ir_function *f)
{
    char err[512];
    rt_user_fn *u = rt_user_fn_open(prog, f, err, sizeof err);
    CHECK(u != NULL, "%s", err);
    return u;
}

/* What the runtime computes with user functions, beside their gradients:
 * parameters reach the function, the scalar and vector forms agree, a
 * metric's value, and NaN for finite input is reported by name. */
static void check_user_values(void)
{
    int failures = check_failed;
    fresh();
    declare("swish_beta", "swish_beta", NULL, IR_FN_ROLE_ACTIVATION, IR_FN_FORM_SCALAR, IR_CTYPE_FLOAT, "beta");
    declare("mish", "mish", "mish_grad", IR_FN_ROLE_ACTIVATION, IR_FN_FORM_SCALAR, IR_CTYPE_DOUBLE, NULL);
    declare("mish_v", "mish_vector", NULL, IR_FN_ROLE_ACTIVATION, IR_FN_FORM_VECTOR, IR_CTYPE_FLOAT, NULL);
    declare("f1", "f1", NULL, IR_FN_ROLE_METRIC, IR_FN_FORM_SCALAR, IR_CTYPE_FLOAT, NULL);
    declare("c_log", "log", NULL, IR_FN_ROLE_ACTIVATION, IR_FN_FORM_SCALAR, IR_CTYPE_DOUBLE, NULL);
    free(prog->functions[4].library);
    prog->functions[4].library = ir_strdup("libm.so.6");
    rt_user_fn *sw = open_fn(&prog->functions[0]), *ms = open_fn(&prog->functions[1]);
    rt_user_fn *mv = open_fn(&prog->functions[2]), *f1 = open_fn(&prog->functions[3]);
    rt_user_fn *lg = open_fn(&prog->functions[4]);
    if (!sw || !ms || !mv || !f1 || !lg)
        goto out;
    float z[5] = {-3, -0.5f, 0, 0.7f, 2.5f}, y[5], y2[5];
    for (int b = 0; b < 2; b++) {
        double beta = b ? 2.0 : 0.5;
        rt_user_fn_forward(sw, &beta, z, y, 5);
        double worst = 0;
        for (int i = 0; i < 5; i++)
            worst = fmax(worst, fabs(y[i] - z[i] / (1 + exp(-beta * z[i]))));
        CHECK(worst < 1e-6, "swish_beta(beta = %g) is x sigmoid(beta x): off by %g", beta, worst);
    }
    rt_user_fn_forward(ms, NULL, z, y, 5);
    rt_user_fn_forward(mv, NULL, z, y2, 5);
    double worst = 0;
    for (int i = 0; i < 5; i++)
        worst = fmax(worst, fabs(y[i] - y2[i]));
    CHECK(worst < 1e-6, "mish in scalar (double) and vector (float) form agree: off by %g", worst);
    /* pred > 0.5 is positive: tp = 1 (0.9), fp = 1 (0.7), fn = 1 (0.4): F1 = 2/4. */
    float pred[4] = {0.9f, 0.2f, 0.7f, 0.4f}, target[4] = {1, 0, 0, 1};
    double f = rt_user_fn_value(f1, pred, target, 4, NULL);
    CHECK(fabs(f - 0.5) < 1e-6, "f1 of 1 true positive, 1 false positive, 1 false negative is 0.5, got %g", f);
    char err[256] = "";
    CHECK(!rt_user_fn_failed(lg, err, sizeof err), "log has not failed before it is called");
    float zl[3] = {2, -1, 3}, yl[3];
    rt_user_fn_forward(lg, NULL, zl, yl, 3);
    CHECK(rt_user_fn_failed(lg, err, sizeof err) && strstr(err, "c_log") && strstr(err, "-1"),
             "log(-1) is NaN for finite input, reported naming the function and the input: '%s'", err);
    printf("%s user function values\n", check_failed > failures ? "FAIL" : "ok  ");
out:
    rt_user_fn_close(sw);
    rt_user_fn_close(ms);
    rt_user_fn_close(mv);
    rt_user_fn_close(f1);
    rt_user_fn_close(lg);
}

static void check_user_functions(void)
{
    rt_user_fn_permit(true);
    user_activation("mish", "mish", "mish_grad", IR_FN_FORM_SCALAR, IR_CTYPE_DOUBLE, false, 0);
    user_activation("mish", "mish", NULL, IR_FN_FORM_SCALAR, IR_CTYPE_DOUBLE, false, 0);
    user_activation("mish", "mish_vector", "mish_vector_grad", IR_FN_FORM_VECTOR, IR_CTYPE_FLOAT, false, 0);
    user_activation("mish", "mish_vector", NULL, IR_FN_FORM_VECTOR, IR_CTYPE_FLOAT, false, 0);
    user_activation("swish_beta", "swish_beta", NULL, IR_FN_FORM_SCALAR, IR_CTYPE_FLOAT, true, 1.5);
    user_activation("swish_vec", "swish_beta_vector", "swish_beta_vector_grad", IR_FN_FORM_VECTOR,
                    IR_CTYPE_DOUBLE, true, 0.7);
    user_activation("swish_vec", "swish_beta_vector", NULL, IR_FN_FORM_VECTOR, IR_CTYPE_DOUBLE, true, 0.7);
    user_loss("huber_grad");
    user_loss(NULL);
    check_user_values();
}

int main(void)
{
    check_saturation_bounds();
    check_dense();
    check_conv();
    check_pools();
    check_misc_layers();
    check_activations();
    check_losses();
    check_user_functions();
    ir_program_free(prog);
    return check_finish("test_gradients");
}
