/* test_work.c: the estimated work that sets the length of the diagnosis's
 * training run (diagnose_work.c).
 *
 * The estimate must follow the program: a dense layer's products count
 * in x units multiply-adds per sample, a convolution's count once per output
 * position, training costs at least three times the products, parameters are
 * counted exactly.  The plan must be the largest run within the budget (never
 * longer than the program's training, never shorter than the minimum) and a
 * pure function of its inputs.  Exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "diagnose_int.h"
#include "source.h"


/* A program around MODEL_BODY (the lines inside `model m { ... }`); its data is
 * never loaded, so the input width need not match the generator's features. */
static ir_program *program(const char *model_body)
{
    char text[2048];
    snprintf(text, sizeof text,
             "dataset d {\n    source = blobs(samples = 100, features = 1024, classes = 2)\n}\n"
             "model m {\n%s}\n"
             "train {\n    model = m\n    data = d\n    loss = binary_crossentropy\n"
             "    optimizer = sgd(learning_rate = 0.01)\n    batch = 10\n    epochs = 3\n}\n",
             model_body);
    return dnnc_compile_text("work.dnn", text, true);
}

static void test_dense(void)
{
    ir_program *p = program("    input [64]\n    h: dense 32, activation = relu\n"
                            "    out: dense 1, activation = sigmoid\n");
    CHECK(p != NULL, "dense: the program compiles");
    if (!p)
        return;
    dx_work w;
    dx_work_model(ir_train_model(p), &w);
    double products = 64.0 * 32 + 32.0 * 1;
    CHECK(w.params == 64.0 * 32 + 32 + 32 + 1, "dense: kernels and biases counted exactly");
    CHECK(w.forward >= products && w.forward < 1.5 * products,
          "dense: forward work is the products plus a little element-wise work");
    CHECK(w.train >= 3 * products && w.train < 3.5 * products,
          "dense: training work is three times the products plus element-wise work");
    ir_program_free(p);
}

static void test_conv(void)
{
    ir_program *valid = program("    input [8, 8, 16]\n"
                                "    c: conv2d 32, kernel = 3, activation = relu\n"
                                "    flatten\n    out: dense 1, activation = sigmoid\n");
    ir_program *same = program("    input [8, 8, 16]\n"
                               "    c: conv2d 32, kernel = 3, padding = same, activation = relu\n"
                               "    flatten\n    out: dense 1, activation = sigmoid\n");
    CHECK(valid && same, "conv: the programs compile");
    if (valid && same) {
        dx_work wv, ws;
        dx_work_model(ir_train_model(valid), &wv);
        dx_work_model(ir_train_model(same), &ws);
        /* 6x6 and 8x8 output positions, 9 x 16 x 32 multiply-adds each, then the
         * dense layer over 36 x 32 and 64 x 32 values. */
        double pv = 36.0 * 9 * 16 * 32 + 36 * 32, ps = 64.0 * 9 * 16 * 32 + 64 * 32;
        CHECK(wv.forward >= pv && wv.forward < 1.5 * pv && ws.forward >= ps &&
                  ws.forward < 1.5 * ps,
              "conv: products counted once per output position");
        CHECK(wv.params == 9 * 16 * 32 + 32 + 36 * 32 + 1 &&
                  ws.params == 9 * 16 * 32 + 32 + 64 * 32 + 1,
              "conv: parameters counted exactly");
    }
    ir_program_free(valid);
    ir_program_free(same);
}

static void test_plan(void)
{
    dx_work w = {.forward = 1000, .train = 3000, .params = 500};
    int n = 1000, val = 100, batch = 32, epochs = 10;   /* 32 batches per epoch */
    long full = 10L * 32;
    dx_plan plan;
    dx_work_plan(&w, n, val, batch, epochs, 0, 40, &plan);
    CHECK(plan.batches == full && !plan.by_budget && plan.work == plan.full_work &&
              plan.full_work == dx_work_spent(&w, n, val, batch, full),
          "plan: no budget, the whole training");
    dx_work_plan(&w, n, val, batch, epochs, 2 * plan.full_work, 40, &plan);
    CHECK(plan.batches == full && !plan.by_budget, "plan: a budget above the training's work");
    double budget = 0.37 * plan.full_work;
    dx_work_plan(&w, n, val, batch, epochs, budget, 40, &plan);
    CHECK(plan.by_budget && plan.work <= budget &&
              dx_work_spent(&w, n, val, batch, plan.batches + 1) > budget,
          "plan: the most batches within the budget");
    dx_plan again;
    dx_work_plan(&w, n, val, batch, epochs, budget, 40, &again);
    CHECK(memcmp(&plan, &again, sizeof plan) == 0, "plan: the same inputs, the same plan");
    dx_work_plan(&w, n, val, batch, epochs, 1.0, 40, &plan);
    CHECK(plan.batches == 40 && plan.by_budget, "plan: never fewer than the minimum batches");
    dx_work_plan(&w, n, val, batch, 1, 1.0, 40, &plan);
    CHECK(plan.batches == 32 && !plan.by_budget,
          "plan: the minimum never exceeds the program's own training");
    bool monotonic = true;
    for (long b = 1; b <= full; b++)
        monotonic &= dx_work_spent(&w, n, val, batch, b) > dx_work_spent(&w, n, val, batch, b - 1);
    CHECK(monotonic, "plan: every batch adds work");
}

int main(void)
{
    test_dense();
    test_conv();
    test_plan();
    return check_finish("test_work");
}
