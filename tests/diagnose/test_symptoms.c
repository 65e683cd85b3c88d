/* test_symptoms.c: the detection conditions of every dynamic symptom, on
 * synthetic training traces (symptoms.c).
 *
 * Each symptom is checked on a trace that shows it (just beyond its
 * published threshold) and on one that does not (just inside it), so the
 * conditions themselves are tested, not the training that produces them.
 * The end-to-end programs in tests/diagnose/cases/ check that real trainings
 * show the symptoms.  Then the mapping's two conditional rows: a run still
 * learning points at the epochs when a little more training would do and at
 * the learning rate when much more would be needed (and at the optimiser
 * when it is plain SGD), a NaN loss raises a loss a static rule suspects but
 * adds none of its own, and a dying ReLU layer fed by a sigmoid layer
 * points at that sigmoid too.  Exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diagnose_int.h"
#include "source.h"


/* A trace of P points over three layers: dense (relu), dense (tanh), output
 * dense (softmax); accuracy ACC at every point, loss LOSS, 300 samples each. */
static void make_trace(dx_trace *t, int p, double acc, double loss)
{
    memset(t, 0, sizeof *t);
    t->n_points = t->cap_points = p;
    t->n_layers = 3;
    t->points = calloc((size_t)p, sizeof *t->points);
    t->layers = calloc((size_t)p * 3, sizeof *t->layers);
    t->node_of = calloc(3, sizeof *t->node_of);
    t->act_of = calloc(3, sizeof *t->act_of);
    t->kernel_of = calloc(3, sizeof *t->kernel_of);
    ir_act acts[3] = {IR_ACT_RELU, IR_ACT_TANH, IR_ACT_SOFTMAX};
    for (int i = 0; i < 3; i++) {
        t->node_of[i] = i + 1;
        t->act_of[i] = acts[i];
        t->kernel_of[i] = true;
    }
    for (int i = 0; i < p; i++) {
        t->points[i] = (dx_point){.step = 10L * (i + 1), .epoch = i, .loss = loss, .metric = acc,
                                  .samples = 300};
        for (int l = 0; l < 3; l++)
            t->layers[i * 3 + l] = (dx_layer_point){.grad_norm = 0.1, .weight_norm = 1.0,
                                                    .update_ratio = 1e-3, .act_dead = 0.5};
    }
    t->first_loss = loss;
    t->classification = true;
    t->epochs = p;
    t->epoch_loss = calloc((size_t)p, sizeof *t->epoch_loss);
    t->epoch_metric = calloc((size_t)p, sizeof *t->epoch_metric);
    for (int e = 0; e < p; e++) {
        t->epoch_loss[e] = loss;
        t->epoch_metric[e] = acc;
    }
    t->batches = 10L * p;
}

static dx_layer_point *layer(dx_trace *t, int point, int l)
{
    return &t->layers[point * t->n_layers + l];
}

/* The symptoms detection finds on T (caller frees). */
static void detect(const dx_trace *t, dx_symptom_list *l)
{
    static ir_program prog;
    prog.train.loss = IR_LOSS_CATEGORICAL_CROSSENTROPY;
    dx_facts f = {.prog = &prog, .task = DX_TASK_CLASSIFICATION, .classes = 3, .n_train = 3000,
                  .out = 3, .out_act_node = 3, .out_act = IR_ACT_SOFTMAX};
    dx_options o;
    dx_options_default(&o);
    dx_detect(t, &f, &o.th, l, NULL);
}

/* The extent of the still-learning symptom on T, or -1 when it does not show. */
static double still_extent(const dx_trace *t)
{
    dx_symptom_list l = {0};
    detect(t, &l);
    double extent = -1;
    for (int i = 0; i < l.n; i++)
        if (l.items[i].id == DX_SYM_STILL_LEARNING)
            extent = l.items[i].extent;
    dx_symptom_list_free(&l);
    return extent;
}

/* Whether detection on T finds symptom ID. */
static bool shows(const dx_trace *t, dx_symptom_id id)
{
    dx_symptom_list l = {0};
    detect(t, &l);
    bool found = false;
    for (int i = 0; i < l.n; i++)
        found |= l.items[i].id == id;
    dx_symptom_list_free(&l);
    return found;
}

/* Chance is 1/3: 0.4 is a bad outcome, 0.95 a good one. */
#define BAD 0.4
#define GOOD 0.95

static void test_nan(void)
{
    dx_trace t;
    make_trace(&t, 10, BAD, 1.0);
    CHECK(!shows(&t, DX_SYM_NAN_LOSS), "nan-loss: not without divergence");
    t.diverged = true;
    t.diverged_step = 5;
    CHECK(shows(&t, DX_SYM_NAN_LOSS), "nan-loss: a diverged run");
    dx_trace_free(&t);
}

static void test_gradients(void)
{
    dx_trace t;
    make_trace(&t, 10, BAD, 1.0);
    for (int p = 0; p < 10; p++) {
        layer(&t, p, 0)->grad_norm = 71.0;   /* AutoTrainer beta_3 = 70 */
        layer(&t, p, 2)->grad_norm = 1.0;
    }
    CHECK(shows(&t, DX_SYM_EXPLODING_GRADIENT), "exploding-gradient: first/last ratio 71");
    for (int p = 0; p < 10; p++)
        layer(&t, p, 0)->grad_norm = 69.0;
    CHECK(!shows(&t, DX_SYM_EXPLODING_GRADIENT), "exploding-gradient: not at ratio 69");
    for (int p = 0; p < 10; p++)
        layer(&t, p, 0)->grad_norm = 71.0;
    for (int p = 0; p < 10; p++)
        t.points[p].metric = GOOD;
    CHECK(!shows(&t, DX_SYM_EXPLODING_GRADIENT), "exploding-gradient: not when training went well");
    for (int p = 0; p < 10; p++) {
        t.points[p].metric = BAD;
        layer(&t, p, 0)->grad_norm = 0.9e-4;   /* beta_2 = 1e-4, ratio < beta_1 = 1e-3 */
        layer(&t, p, 2)->grad_norm = 1.0;
    }
    CHECK(shows(&t, DX_SYM_VANISHING_GRADIENT), "vanishing-gradient: ratio 9e-5, first norm 9e-5");
    for (int p = 0; p < 10; p++) {
        layer(&t, p, 0)->grad_norm = 1.1e-4;
        layer(&t, p, 2)->grad_norm = 0.2;
    }
    CHECK(!shows(&t, DX_SYM_VANISHING_GRADIENT), "vanishing-gradient: not with first norm 1.1e-4");
    dx_trace_free(&t);
}

static void test_layers(void)
{
    dx_trace t;
    make_trace(&t, 10, BAD, 1.0);
    layer(&t, 9, 0)->act_dead = 0.75;   /* DeepDiagnosis 0.7 */
    layer(&t, 9, 0)->grad_zero = 0.75;  /* AutoTrainer gamma 0.7 */
    CHECK(shows(&t, DX_SYM_DYING_RELU), "%s", "dying-relu: 75% dead outputs, 75% zero gradients");
    layer(&t, 9, 0)->act_dead = 0.65;
    CHECK(!shows(&t, DX_SYM_DYING_RELU), "%s", "dying-relu: not at 65% dead outputs");
    layer(&t, 9, 1)->act_saturated = 0.55;   /* DeepDiagnosis 0.5 */
    CHECK(shows(&t, DX_SYM_SATURATED), "%s", "saturated-activation: 55% of a tanh layer beyond +-5");
    layer(&t, 9, 1)->act_saturated = 0.45;
    CHECK(!shows(&t, DX_SYM_SATURATED), "%s", "saturated-activation: not at 45%");
    layer(&t, 9, 2)->act_saturated = 0.9;
    CHECK(!shows(&t, DX_SYM_SATURATED), "saturated-activation: not on a softmax fused with its loss");
    layer(&t, 9, 1)->act_saturated = 0.55;
    for (int p = 0; p < 10; p++)
        t.points[p].metric = GOOD;
    CHECK(!shows(&t, DX_SYM_SATURATED), "saturated-activation: not when training went well");
    dx_trace_free(&t);
}

static void test_updates(void)
{
    dx_trace t;
    make_trace(&t, 10, BAD, 1.0);
    for (int p = 0; p < 10; p++)
        for (int l = 0; l < 3; l++)
            layer(&t, p, l)->update_ratio = 1e-7;
    CHECK(shows(&t, DX_SYM_WEIGHTS_UNCHANGED), "weights-unchanged: update/weight 1e-7");
    for (int p = 0; p < 10; p++)
        for (int l = 0; l < 3; l++)
            layer(&t, p, l)->update_ratio = 1e-5;
    CHECK(!shows(&t, DX_SYM_WEIGHTS_UNCHANGED), "weights-unchanged: not at 1e-5");
    CHECK(!shows(&t, DX_SYM_WEIGHTS_TOO_FAST), "weights-too-fast: not at 1e-5");
    for (int p = 0; p < 10; p++)
        layer(&t, p, 1)->update_ratio = 0.5;
    CHECK(shows(&t, DX_SYM_WEIGHTS_TOO_FAST), "weights-too-fast: update/weight 0.5");
    dx_trace_free(&t);
}

static void test_outcome(void)
{
    dx_trace t;
    make_trace(&t, 10, 0.35, 1.1);
    t.first_loss = 1.1;
    CHECK(shows(&t, DX_SYM_LOSS_FLAT), "loss-not-decreasing: loss stays at 1.1");
    CHECK(shows(&t, DX_SYM_AT_CHANCE), "accuracy-at-chance: 0.35 for 3 classes");
    CHECK(shows(&t, DX_SYM_ACCURACY_FLAT), "accuracy-not-increasing: 0.35 throughout");
    for (int p = 0; p < 10; p++) {
        t.points[p].loss = 1.1 - 0.08 * p;
        t.points[p].metric = 0.45 + 0.05 * p;
    }
    CHECK(!shows(&t, DX_SYM_LOSS_FLAT), "loss-not-decreasing: not when it falls by a third");
    CHECK(!shows(&t, DX_SYM_AT_CHANCE), "accuracy-at-chance: not at 0.9");
    CHECK(!shows(&t, DX_SYM_ACCURACY_FLAT), "accuracy-not-increasing: not from 0.45 to 0.9");
    dx_trace_free(&t);
}

static void test_series(void)
{
    dx_trace t;
    make_trace(&t, 12, BAD, 1.0);
    for (int e = 0; e < 12; e++)
        t.epoch_metric[e] = e % 2 ? 0.50 : 0.40;   /* swings of 0.1 >> zeta 0.03 */
    CHECK(shows(&t, DX_SYM_OSCILLATION), "oscillation: accuracy swinging by 0.1 every epoch");
    for (int e = 0; e < 12; e++)
        t.epoch_metric[e] = 0.40 + 0.004 * e;
    CHECK(!shows(&t, DX_SYM_OSCILLATION), "oscillation: not when it climbs steadily");
    CHECK(shows(&t, DX_SYM_SLOW_CONVERGENCE), "slow-convergence: gains of 0.004 < delta 0.01");
    for (int e = 0; e < 12; e++)
        t.epoch_metric[e] = 0.40 + 0.02 * e;
    CHECK(!shows(&t, DX_SYM_SLOW_CONVERGENCE), "slow-convergence: not with gains of 0.02");
    dx_trace_free(&t);
}

static void test_still_learning(void)
{
    dx_trace t;
    make_trace(&t, 12, BAD, 1.0);
    t.first_loss = 2.0;
    for (int p = 0; p < 12; p++)
        t.points[p].loss = 2.0 - 0.1 * p;
    CHECK(shows(&t, DX_SYM_STILL_LEARNING), "still-learning: loss falling to the end");
    t.cut_short = true;
    CHECK(!shows(&t, DX_SYM_STILL_LEARNING), "still-learning: not when a limit cut the run");
    t.cut_short = false;
    for (int p = 0; p < 12; p++)
        t.points[p].loss = p < 6 ? 2.0 - 0.2 * p : 1.0;
    CHECK(!shows(&t, DX_SYM_STILL_LEARNING), "still-learning: not when the loss levelled off");
    /* Chance 1/3: a good run reaches 1/3 + 0.7 x 2/3 = 0.8. */
    for (int p = 0; p < 12; p++) {
        t.points[p].loss = 2.0 - 0.1 * p;
        t.points[p].metric = 0.4 + 0.01 * p;   /* +0.03 a quarter, 0.3 to go: 10 quarters */
    }
    double slow = still_extent(&t);
    CHECK(fabs(slow - 3.5) < 1e-9, "still-learning: a slow climb needs 3.5x the training");
    for (int p = 0; p < 12; p++)
        t.points[p].metric = 0.4 + 0.03 * p;   /* +0.09 a quarter, 0.1 to go */
    double fast = still_extent(&t);
    CHECK(fast > 1.0 && fast < 1.5, "still-learning: a fast climb needs less than 1.5x");
    for (int p = 0; p < 12; p++)
        t.points[p].metric = 0.4;
    CHECK(isinf(still_extent(&t)), "still-learning: accuracy not rising: no length is enough");
    dx_trace_free(&t);
}

/* A regression has no loss level that says "good": a run whose loss is far
 * below its start but still falls by a quarter or more over the last quarter
 * has not converged, and counts as bad; one that levelled off does not. */
static void test_regression_gate(void)
{
    dx_trace t;
    make_trace(&t, 12, NAN, 10.0);
    t.classification = false;
    for (int p = 0; p < 12; p++)
        t.points[p].loss = 10.0 * pow(0.8, p);   /* 0.86 at the end, 9% of its start */
    CHECK(shows(&t, DX_SYM_STILL_LEARNING), "%s",
          "still-learning: a regression loss at 9% of its start, still falling 49% a quarter");
    for (int p = 0; p < 12; p++)
        t.points[p].loss = p < 6 ? 10.0 * pow(0.5, p) : 0.3 * (1.0 - 0.02 * (p - 6));
    CHECK(!shows(&t, DX_SYM_STILL_LEARNING), "%s",
          "still-learning: not for a regression at 3% of its start, falling 6% a quarter");
    dx_trace_free(&t);
}

/* Score of the finding at NODE.ATTR in L (0 when none). */
static double node_score(const suspect_list *l, const char *node, const char *attr)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].target == SUSPECT_NODE && strcmp(l->items[i].node, node) == 0 &&
            strcmp(l->items[i].attribute, attr) == 0)
            return l->items[i].score;
    return 0.0;
}

/* Score of the finding at train.ATTR in L (0 when none). */
static double train_score(const suspect_list *l, const char *attr)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].target == SUSPECT_TRAIN && strcmp(l->items[i].attribute, attr) == 0)
            return l->items[i].score;
    return 0.0;
}

/* Maps one symptom ID at model node LAYER (-1: none) of EXTENT with FOUND's
 * findings already there. */
static void map_at(const dx_facts *f, dx_symptom_id id, int layer, double extent,
                   suspect_list *found)
{
    dx_symptom sym = {.id = id, .layer = layer, .strength = 0.6, .extent = extent};
    dx_symptom_list l = {&sym, 1, 1};
    dx_map_symptoms(&l, f, false, found);
}

static void test_mapping(void)
{
    ir_program *p = dnnc_compile_text(
        "map.dnn",
        "dataset b { source = blobs(samples = 600, features = 4, classes = 3) }\n"
        "model m { input [4]; h: dense 16, activation = relu; out: dense 3, activation = softmax }\n"
        "train { model = m; data = b; loss = mse; optimizer = adam(learning_rate = 0.001); "
        "batch = 32; epochs = 2 }\n",
        true);
    CHECK(p != NULL, "mapping: the program compiles");
    if (!p)
        return;
    dx_facts f;
    dx_facts_init(&f, p, NULL);
    suspect_list l = {0};
    map_at(&f, DX_SYM_STILL_LEARNING, -1, 1.5, &l);
    CHECK(train_score(&l, "epochs") > train_score(&l, "learning_rate"),
          "still-learning within 2x the training: the epochs first");
    suspect_list_free(&l);
    map_at(&f, DX_SYM_STILL_LEARNING, -1, 8.0, &l);
    CHECK(train_score(&l, "learning_rate") > train_score(&l, "epochs") &&
              train_score(&l, "epochs") > 0,
          "still-learning needing 8x the training: the learning rate first, the epochs still named");
    suspect_list_free(&l);

    map_at(&f, DX_SYM_NAN_LOSS, -1, 0, &l);
    CHECK(train_score(&l, "learning_rate") > 0 && train_score(&l, "loss") == 0,
          "nan-loss: the learning rate, no loss of its own");
    suspect_list_free(&l);
    suspect *s = dx_find(&l, "loss-labels", 0.5, DX_R(LOSS), "static");
    dx_at_train(s, p, IR_TATTR_LOSS);
    map_at(&f, DX_SYM_NAN_LOSS, -1, 0, &l);
    int raised = 0;
    for (int i = 0; i < l.n; i++)
        raised += l.items[i].kind == SUSPECT_SYMPTOM && strcmp(l.items[i].attribute, "loss") == 0;
    CHECK(raised == 1, "nan-loss: raises a loss the static rules suspect");
    suspect_list_free(&l);

    /* Dying ReLU in h (node 1): its activation and kernel initialiser; its
     * bias initialiser only when it starts at a negative constant. */
    ir_node *h = &ir_train_model(p)->nodes[1];
    map_at(&f, DX_SYM_DYING_RELU, 1, 0, &l);
    CHECK(node_score(&l, "h", "activation") > 0 && node_score(&l, "h", "init") > 0 &&
              node_score(&l, "h", "bias_init") == 0,
          "dying-relu with zero biases: the activation and the kernel initialiser");
    suspect_list_free(&l);
    h->bias_init = (ir_initializer){.kind = IR_INIT_CONSTANT, .param = -3};
    map_at(&f, DX_SYM_DYING_RELU, 1, 0, &l);
    CHECK(node_score(&l, "h", "bias_init") > 0,
          "dying-relu with biases starting at -3: the bias initialiser too");
    suspect_list_free(&l);

    /* Adam is not a slow optimiser: a run still learning does not name it. */
    map_at(&f, DX_SYM_STILL_LEARNING, -1, 1.5, &l);
    CHECK(train_score(&l, "optimizer") == 0, "still-learning with adam: not the optimiser");
    suspect_list_free(&l);
    ir_program_free(p);

    /* Dying ReLU in h, fed by a sigmoid layer (outputs in (0, 1), never
     * centred): the sigmoid's activation too, below h's own; plain SGD
     * still learning: the optimiser, after the epochs and the rate. */
    p = dnnc_compile_text("map.dnn",
                          "dataset b { source = blobs(samples = 600, features = 4, classes = 3) }\n"
                "model m { input [4]; s: dense 64, activation = sigmoid; h: dense 16, activation = relu; "
                "out: dense 3, activation = softmax }\n"
                "train { model = m; data = b; loss = categorical_crossentropy; "
                "optimizer = sgd(learning_rate = 0.01); batch = 32; epochs = 2 }\n",
                          true);
    CHECK(p != NULL, "mapping: the program with a sigmoid layer compiles");
    if (!p)
        return;
    dx_facts_init(&f, p, NULL);
    map_at(&f, DX_SYM_DYING_RELU, 2, 0, &l);
    CHECK(node_score(&l, "s", "activation") > 0 &&
              node_score(&l, "s", "activation") < node_score(&l, "h", "activation"),
          "dying-relu fed by a sigmoid layer: that activation too, after the layer's own");
    suspect_list_free(&l);
    map_at(&f, DX_SYM_STILL_LEARNING, -1, 1.5, &l);
    CHECK(train_score(&l, "optimizer") > 0 &&
              train_score(&l, "optimizer") < train_score(&l, "learning_rate"),
          "still-learning with plain sgd: the optimiser, after the epochs and the rate");
    suspect_list_free(&l);
    ir_train_model(p)->nodes[1].activation = IR_ACT_RELU;
    map_at(&f, DX_SYM_DYING_RELU, 2, 0, &l);
    CHECK(node_score(&l, "s", "activation") == 0,
          "dying-relu fed by a relu layer: not that activation");
    suspect_list_free(&l);
    ir_train_model(p)->nodes[1].activation = IR_ACT_SIGMOID;
    p->train.momentum = 0.9;
    map_at(&f, DX_SYM_STILL_LEARNING, -1, 1.5, &l);
    CHECK(train_score(&l, "optimizer") == 0, "still-learning with momentum sgd: not the optimiser");
    suspect_list_free(&l);
    ir_program_free(p);
}

int main(void)
{
    test_nan();
    test_gradients();
    test_layers();
    test_updates();
    test_outcome();
    test_series();
    test_still_learning();
    test_regression_gate();
    test_mapping();
    return check_finish("test_symptoms");
}
