/* test_kernels.c: every kernel set this machine runs computes the same thing.
 *
 * Switches between the sets (rt_kernels_use) inside one process and, under
 * each, runs the same networks on the same inputs: one training step's
 * output, loss, parameter gradients and input gradient of two convolutional
 * networks (every direct-convolution path, max pooling's 2x2 kernel, bias and
 * relu, dropout's mask from the vector generator), and a few epochs of
 * training with every optimiser.  Results must agree with the baseline set's
 * within rounding: the sets differ only in fused multiply-adds and in the
 * order of a few sums, which moves results by a few units in the last place
 * per operation, never by the 1e-4 the checks allow.  Also checks that an
 * unknown or unrunnable set is refused with a message and leaves the set in
 * use unchanged.  The gradients themselves are checked (under each set) by
 * test_gradients, run per set by kernel_sets.sh.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "rng.h"
#include "testutil.h"
#include "train.h"

/* The sets to compare, best first (the last is the baseline). */
static char set_names[8][32];
static int n_sets;

static void list_sets(void)
{
    char buf[256];
    rt_kernels_supported(buf, sizeof buf);
    for (char *tok = strtok(buf, " "); tok && n_sets < 8; tok = strtok(NULL, " "))
        snprintf(set_names[n_sets++], sizeof set_names[0], "%s", tok);
}

static void use(const char *name)
{
    char err[256];
    int rc = rt_kernels_use(name, err, sizeof err);
    CHECK(rc == 0 && strcmp(rt_kernels_name(), name) == 0, "cannot use %s: %s", name, err);
}

/* Largest |a - b| / (1 + |b|) over N values; infinite when a value is NaN in
 * one and not the other. */
static double max_diff(const float *a, const float *b, long n)
{
    double worst = 0.0;
    for (long i = 0; i < n; i++) {
        if (isnan(a[i]) != isnan(b[i]))
            return INFINITY;
        if (isnan(a[i]))
            continue;
        double d = fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i]));
        worst = d > worst ? d : worst;
    }
    return worst;
}

/* Appends a relu convolution of FILTERS K x K kernels to M. */
static ir_node *conv(ir_model *m, const char *name, int filters, int k, int stride, ir_pad pad)
{
    ir_node *cv = tu_layer(m, IR_OP_CONV2D, name);
    cv->units = filters;
    cv->kernel = (ir_int2){k, k};
    cv->stride = (ir_int2){stride, stride};
    cv->padding = pad;
    cv->activation = IR_ACT_RELU;
    return cv;
}

/* Appends a valid 2x2 max pool with stride 2 to M. */
static void pool(ir_model *m, const char *name)
{
    ir_node *pl = tu_layer(m, IR_OP_MAXPOOL, name);
    pl->pool = (ir_int2){2, 2};
    pl->stride = (ir_int2){2, 2};
    pl->padding = IR_PAD_VALID;
}

/* Model WHICH: 0 is LeNet-like (1 channel in, 5x5 same to 6 filters, pool,
 * 3x3 valid to 16, pool, dropout, dense); 1 has 3 channels in, a 3x3 stride
 * 1 layer of 8 filters, a stride-2 layer of 12 and a 5x5 layer of 4. */
static ir_program *network(int which)
{
    ir_program *p = tu_program("net");
    ir_model *m = tu_model(p);
    if (which == 0) {
        tu_input(m, 16, 16, 1);
        conv(m, "c1", 6, 5, 1, IR_PAD_SAME);
        pool(m, "p1");
        conv(m, "c2", 16, 3, 1, IR_PAD_VALID);
        pool(m, "p2");
    } else {
        tu_input(m, 13, 13, 3);
        conv(m, "c1", 8, 3, 1, IR_PAD_SAME);
        conv(m, "c2", 12, 3, 2, IR_PAD_SAME);
        conv(m, "c3", 4, 5, 1, IR_PAD_SAME)->activation = IR_ACT_TANH;
    }
    tu_layer(m, IR_OP_FLATTEN, "flat");
    ir_node *drop = tu_layer(m, IR_OP_DROPOUT, "drop");
    drop->rate = 0.25;
    tu_dense(m, "fc", 24, IR_ACT_RELU);
    tu_dense(m, "out", 5, IR_ACT_LINEAR);
    return p;
}

/* One training step's results of network WHICH under the set in use, as one
 * vector: output, loss, gradients, input gradient.  Returns its length. */
static long step_results(int which, float **out)
{
    enum { N = 7 };
    ir_program *p = network(which);
    char err[256];
    rt_net *net = rt_net_new(tu_model(p), IR_LOSS_MSE, N, 5, true, err, sizeof err);
    CHECK(net != NULL, "network %d: %s", which, err);
    if (!net) {
        ir_program_free(p);
        return 0;
    }
    rt_net_set_threads(net, 2);
    rt_rng r;
    rt_rng_seed(&r, 17 + (uint64_t)which);
    for (long i = 0; i < N * net->in_size; i++)
        net->input[i] = (float)rt_rng_normal(&r);
    float target[N * 5];
    for (int i = 0; i < N * 5; i++)
        target[i] = (float)rt_rng_normal(&r);
    rt_net_forward(net, N, true);
    double loss = rt_net_loss(net, N, target, true);
    rt_net_backward(net, N);
    long n_out = N * net->out_units, n_in = N * net->in_size;
    long len = n_out + 1 + net->n_trainable + n_in;
    float *v = malloc(sizeof *v * (size_t)len);
    memcpy(v, rt_net_output(net), sizeof *v * (size_t)n_out);
    v[n_out] = (float)loss;
    memcpy(v + n_out + 1, net->grads, sizeof *v * (size_t)net->n_trainable);
    memcpy(v + n_out + 1 + net->n_trainable, net->dinput, sizeof *v * (size_t)n_in);
    rt_net_free(net);
    ir_program_free(p);
    *out = v;
    return len;
}

static void check_steps(void)
{
    for (int which = 0; which < 2; which++) {
        use(set_names[n_sets - 1]);
        float *ref = NULL;
        long n = step_results(which, &ref);
        for (int s = 0; s + 1 < n_sets && n; s++) {
            use(set_names[s]);
            float *v = NULL;
            long m = step_results(which, &v);
            double d = m == n ? max_diff(v, ref, n) : INFINITY;
            CHECK(d <= 1e-4, "network %d: %s differs from %s by %g", which, set_names[s],
                     set_names[n_sets - 1], d);
            printf("%s network %d, one step: %s vs %s, %ld values, largest difference %.2g\n",
                   d <= 1e-4 ? "ok  " : "FAIL", which, set_names[s], set_names[n_sets - 1], n, d);
            free(v);
        }
        free(ref);
    }
}

/* A 10x10 one-channel image per sample; the class is the brightest of four
 * quadrants, so the task is learnable. */
static rt_data *quadrants(int n_train)
{
    rt_data *d = tu_data(100, 4, n_train, 0, 0);
    rt_rng r;
    rt_rng_seed(&r, 23);
    for (int i = 0; i < n_train; i++) {
        float *x = d->train.x + i * 100;
        int c = (int)rt_rng_below(&r, 4);
        for (int y = 0; y < 10; y++)
            for (int k = 0; k < 10; k++) {
                int q = (y >= 5) * 2 + (k >= 5);
                x[y * 10 + k] = (float)(0.5 * rt_rng_normal(&r) + (q == c));
            }
        d->train.label[i] = c;
    }
    return d;
}

/* Trains a small conv net with OPT for 3 epochs under the set in use; its
 * final weights, then the last epoch's loss, into *OUT.  Returns the length. */
static long trained(ir_opt opt, const rt_data *d, float **out)
{
    ir_program *p = tu_program("net");
    ir_model *m = tu_model(p);
    tu_input(m, 10, 10, 1);
    conv(m, "c1", 6, 3, 1, IR_PAD_SAME);
    pool(m, "p1");
    tu_layer(m, IR_OP_FLATTEN, "flat");
    ir_node *drop = tu_layer(m, IR_OP_DROPOUT, "drop");
    drop->rate = 0.1;
    tu_dense(m, "out", 4, IR_ACT_SOFTMAX);
    p->train.loss = IR_LOSS_CATEGORICAL_CROSSENTROPY;
    ir_train_optimizer_defaults(&p->train, opt);
    p->train.learning_rate = opt == IR_OPT_SGD || opt == IR_OPT_ADADELTA ? 0.05 : 0.005;
    p->train.batch = 16;
    p->train.epochs = 3;
    p->train.seed = 9;
    rt_train_options o;
    rt_train_options_default(&o);
    o.threads = 2;
    char err[256];
    long len = 0;
    rt_net *net = rt_net_for_program(p, d, rt_effective_seed(p, &o), err, sizeof err);
    CHECK(net != NULL, "%s", err);
    rt_result res;
    if (net && rt_train_net(net, p, d, &o, &res, err, sizeof err) == 0) {
        len = net->n_values + 1;
        float *v = malloc(sizeof *v * (size_t)len);
        memcpy(v, net->values, sizeof *v * (size_t)net->n_values);
        v[net->n_values] = (float)res.epochs[res.n_epochs - 1].loss;
        *out = v;
        rt_result_free(&res);
    } else if (net) {
        CHECK(false, "training failed: %s", err);
    }
    rt_net_free(net);
    ir_program_free(p);
    return len;
}

static void check_training(void)
{
    rt_data *d = quadrants(96);
    for (int k = 0; k < IR_OPT_COUNT; k++) {
        const char *opt = ir_enum_name(&ir_opt_table, k);
        use(set_names[n_sets - 1]);
        float *ref = NULL;
        long n = trained((ir_opt)k, d, &ref);
        for (int s = 0; s + 1 < n_sets && n; s++) {
            use(set_names[s]);
            float *v = NULL;
            long m = trained((ir_opt)k, d, &v);
            double diff = m == n ? max_diff(v, ref, n) : INFINITY;
            CHECK(diff <= 1e-4, "optimiser %s: %s differs from %s by %g", opt, set_names[s],
                     set_names[n_sets - 1], diff);
            printf("%s optimiser %s, 3 epochs: %s vs %s, loss %.4f vs %.4f, largest "
                   "difference %.2g\n", diff <= 1e-4 ? "ok  " : "FAIL", opt, set_names[s],
                   set_names[n_sets - 1], m == n ? v[n - 1] : NAN, ref[n - 1], diff);
            free(v);
        }
        free(ref);
    }
    tu_data_free(d);
}

static void check_refusals(void)
{
    const char *before = rt_kernels_name();
    char err[256] = "";
    CHECK(rt_kernels_use("sse9", err, sizeof err) == -1 && strstr(err, "unknown kernel set"),
             "an unknown set was not refused (%s)", err);
    CHECK(strcmp(rt_kernels_name(), before) == 0, "a refused set changed the set in use");
    printf("ok   unknown set refused: %s\n", err);
}

int main(void)
{
    list_sets();
    CHECK(n_sets >= 1 && strcmp(set_names[n_sets - 1], "baseline") == 0,
             "the baseline set is not the last one this CPU runs");
    printf("kernel sets this CPU runs:");
    for (int s = 0; s < n_sets; s++)
        printf(" %s", set_names[s]);
    printf("\n");
    check_refusals();
    check_steps();
    check_training();
    return check_finish("kernel sets");
}
