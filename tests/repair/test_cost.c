/* test_cost.c: the cost model of the repair budget (repair_cost.h).
 *
 * The features of a training are counted from the IR as the header says:
 * dense and convolutional multiply-adds (three per training sample, one per
 * evaluated sample), parameters, batches and evaluation chunks, dropout's
 * random numbers; a short training (a fraction of the batches) is charged
 * what it trains, a longer one more; the test split costs only when it is
 * evaluated; the makespan of a batch of jobs is that of starting each, in
 * order, on the first free worker, after forking the workers it needs (the
 * same fixed cost for each, in parallel), or their sum in-process.  The fitted constants themselves are not
 * checked (bench/repair_cost_fit.py measures them), only that every cost is
 * positive and grows with the work.  Then the search's reserve for
 * validation when the best candidate's no longer fits the budget.
 */
#include <math.h>

#include <string.h>

#include "mutate.h"
#include "repair.h"
#include "repair_cost.h"
#include "rtest.h"

static const char mlp[] =
    "dataset d {\n"
    "    source = blobs(samples = 200, features = 4, classes = 3)\n"
    "}\n"
    "model m {\n"
    "    input [4]\n"
    "    h: dense 8, activation = relu\n"
    "    drop: dropout 0.5\n"
    "    out: dense 3, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = categorical_crossentropy\n"
    "    optimizer = adam(learning_rate = 0.001)\n"
    "    batch = 10\n"
    "    epochs = 2\n"
    "}\n";

static const char conv[] =
    "dataset d {\n"
    "    source = blobs(samples = 200, features = 64, classes = 2)\n"
    "}\n"
    "model m {\n"
    "    input [8, 8, 1]\n"
    "    c: conv2d 4, kernel = 3, activation = relu\n"
    "    flatten\n"
    "    out: dense 2, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = categorical_crossentropy\n"
    "    optimizer = sgd(learning_rate = 0.01)\n"
    "    batch = 10\n"
    "    epochs = 1\n"
    "}\n";

static void check_makespan(void)
{
    double a[] = {3, 1, 1, 1}, b[] = {1, 1, 1, 1, 1}, zero = 0;
    double fork = rp_cost_makespan(&zero, 1, 1);
    CHECK(fork >= 0 && fork == rp_cost_makespan(&zero, 1, 4), "forking one worker costs %g, or %g", fork,
          rp_cost_makespan(&zero, 1, 4));
    CHECK(fabs(rp_cost_makespan(a, 4, 2) - (fork + 3)) < 1e-12, "3,1,1,1 on 2 workers: %g", rp_cost_makespan(a, 4, 2));
    CHECK(fabs(rp_cost_makespan(a, 4, 1) - (fork + 6)) < 1e-12, "on 1 worker: %g", rp_cost_makespan(a, 4, 1));
    CHECK(fabs(rp_cost_makespan(b, 5, 2) - (fork + 3)) < 1e-12, "five unit jobs on 2 workers: %g",
          rp_cost_makespan(b, 5, 2));
    CHECK(rp_cost_makespan(a, 4, 0) == 6, "in-process: %g", rp_cost_makespan(a, 4, 0));
    CHECK(rp_cost_makespan(b, 0, 2) == 0, "no jobs: %g", rp_cost_makespan(b, 0, 2));
}

static void check_mlp(void)
{
    ir_program *p = dnnc_compile_text("mlp.dnn", mlp, true);
    CHECK(p != NULL, "mlp does not compile");
    if (!p)
        return;
    rp_work w;
    rp_work_of(p, &w);
    CHECK(w.dense_macs == 4 * 8 + 8 * 3, "dense multiply-adds %g", w.dense_macs);
    CHECK(w.conv_macs == 0, "conv multiply-adds %g", w.conv_macs);
    CHECK(w.params == 4 * 8 + 8 + 8 * 3 + 3, "parameters %g", w.params);
    CHECK(w.dropout == 8, "dropout values %g", w.dropout);
    CHECK(w.transcendental == 3, "softmax values %g", w.transcendental);
    rp_sizes sizes = {100, 20, 30};
    double f[RP_COST_N];
    rp_cost_features(&w, sizes, 200, 20, 2, true, f);
    CHECK(f[RP_COST_JOB] == 1 && f[RP_COST_STEPS] == 20, "job %g, steps %g", f[RP_COST_JOB], f[RP_COST_STEPS]);
    CHECK(f[RP_COST_DENSE] == w.dense_macs * (3 * 200 + 2 * 20 + 30), "dense feature %g", f[RP_COST_DENSE]);
    CHECK(f[RP_COST_EVAL_CHUNKS] == 2 * 2 + 3, "evaluation chunks %g", f[RP_COST_EVAL_CHUNKS]);
    CHECK(f[RP_COST_DROPOUT] == 8 * 200, "dropout feature %g", f[RP_COST_DROPOUT]);
    double full = rp_cost_planned(p, sizes, 1, true), f200[RP_COST_N];
    rp_cost_features(&w, sizes, 200, 20, 2, true, f200);
    CHECK(fabs(full - rp_cost_of_features(f200)) <= 1e-12 * full, "planned %g, features %g", full,
          rp_cost_of_features(f200));
    CHECK(full > 0, "a training costs nothing");
    double untested = rp_cost_planned(p, sizes, 1, false), third = rp_cost_planned(p, sizes, 1.0 / 3, false);
    CHECK(untested < full, "the test split costs nothing: %g vs %g", untested, full);
    CHECK(third < untested, "a third of the batches costs %g, all %g", third, untested);
    /* A third of 20 batches is 7 (rounded up): the first epoch's 7. */
    CHECK(fabs(third - rp_cost_batches(p, sizes, 7, false)) <= 1e-12 * third, "a third is not 7 batches");
    p->train.epochs = 4;
    double longer = rp_cost_planned(p, sizes, 1, true);
    CHECK(longer > full, "twice the epochs cost %g, not more than %g", longer, full);
    p->train.epochs = 2;
    double load = rp_cost_load(sizes, 4);
    CHECK(load > 0 && rp_cost_load((rp_sizes){200, 40, 60}, 4) > load, "loading twice the data costs no more");
    ir_program_free(p);
}

static void check_conv(void)
{
    ir_program *p = dnnc_compile_text("conv.dnn", conv, true);
    CHECK(p != NULL, "conv does not compile");
    if (!p)
        return;
    rp_work w;
    rp_work_of(p, &w);
    CHECK(w.conv_macs == 6 * 6 * 4 * 3 * 3 * 1, "conv multiply-adds %g", w.conv_macs);
    CHECK(w.dense_macs == 6 * 6 * 4 * 2, "dense multiply-adds %g", w.dense_macs);
    CHECK(w.params == 3 * 3 * 1 * 4 + 4 + 144 * 2 + 2, "parameters %g", w.params);
    ir_program_free(p);
}

/* The search's reserve (rp_search_reserve) when the best candidate's
 * validation no longer fits the budget left: it is passed over, and the
 * reserve covers validating the runner-up (here a selu layer, which costs a
 * little more than the faulty relu), not only what the faulty program's
 * validation would cost. */
static void check_reserve(void)
{
    ir_program *p = dnnc_compile_text("mlp.dnn", mlp, true);
    CHECK(p != NULL, "mlp does not compile");
    if (!p)
        return;
    rp_session s;
    memset(&s, 0, sizeof s);
    s.prog = p;
    s.sizes = (rp_sizes){.train = 170, .val = 30, .test = 0};
    s.runs = 5;
    s.pool.workers = 2;
    s.budget.kind = RP_BUDGET_TIMES;
    s.baseline.n = 5;
    for (int k = 0; k < 5; k++)
        s.baseline.val[k] = 0.5;
    rp_changes longer, selu;
    char err[256];
    bool ok = rp_mutate(p, "set", "place=train.epochs,to=20", &longer, err, sizeof err) &&
              rp_mutate(p, "change_activation", "layer=h,to=selu", &selu, err, sizeof err);
    CHECK(ok, "mutations: %s", err);
    if (!ok) {
        ir_program_free(p);
        return;
    }
    rp_changes none = {0};
    double v_none = rp_validation_cost(&s, &none), v_selu = rp_validation_cost(&s, &selu),
           v_longer = rp_validation_cost(&s, &longer);
    CHECK(v_none < v_selu && v_selu < v_longer, "validation costs: faulty %g, selu %g, 20 epochs %g",
          v_none, v_selu, v_longer);
    rp_trial log[2] = {
        {.changes = longer, .fraction = 1, .score = 0.9, .seeds = 1,
         .cost = rp_plan_cost(&s, &longer, 1, 1, 1)},
        {.changes = selu, .fraction = 1, .score = 0.8, .seeds = 1,
         .cost = rp_plan_cost(&s, &selu, 1, 1, 1)},
    };
    s.log = log;
    s.n_log = s.cap_log = 2;
    /* Left: enough for the runner-up's validation, not for the best's. */
    s.total = 0.5 * (v_selu + v_longer);
    CHECK(s.total < v_longer, "the budget left (%g) fits the best candidate's validation (%g)", s.total,
          v_longer);
    double r = rp_search_reserve(&s);
    CHECK(r >= v_selu, "reserve %g does not cover validating the runner-up (%g); the faulty program's: %g", r,
          v_selu, v_none);
    CHECK(r <= s.total, "reserve %g above the budget left %g", r, s.total);
    rp_changes_free(&longer);
    rp_changes_free(&selu);
    ir_program_free(p);
}

int main(void)
{
    check_makespan();
    check_mlp();
    check_conv();
    check_reserve();
    return check_finish("test_cost");
}
