/* test_api.c: dx_diagnose as repair calls it, in-process (diagnose.h).
 *
 * A program whose output is a softmax over one unit is diagnosed with its
 * loaded data (static rules and the training run), statically only, and
 * without data (rules that need data and the run are skipped); a healthy
 * program gives no suspects.  The same data serves every call, as in repair.
 * The training run's length: the work budget cuts it at the same batch every
 * time (same suspects, same numbers), and the safety time limit, when it
 * fires, is reported as such.  Exits non-zero on any failure.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "diagnose.h"
#include "source.h"


static const char faulty[] =
    "dataset b {\n"
    "    source = blobs(samples = 400, features = 4, classes = 2, spread = 2.0)\n"
    "    scale  = 100\n"
    "    test   = 0.2\n"
    "}\n"
    "model m {\n"
    "    input [4]\n"
    "    h: dense 16, activation = relu\n"
    "    out: dense 1, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = b\n"
    "    loss = binary_crossentropy\n"
    "    optimizer = adam(learning_rate = 0.01)\n"
    "    batch = 32\n"
    "    epochs = 5\n"
    "    seed = 1\n"
    "}\n";

/* Whether L has a suspect at NODE.ATTR from RULE. */
static bool has(const suspect_list *l, const char *node, const char *attr, const char *rule)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i].node, node) == 0 && strcmp(l->items[i].attribute, attr) == 0 &&
            strcmp(l->items[i].rule, rule) == 0)
            return true;
    return false;
}

/* Whether two diagnoses gave the same suspects and saw the same run. */
static bool same(const suspect_list *a, const dx_run_summary *ra, const suspect_list *b,
                 const dx_run_summary *rb)
{
    if (a->n != b->n || ra->batches != rb->batches || ra->epochs != rb->epochs ||
        ra->first_loss != rb->first_loss || ra->last_loss != rb->last_loss ||
        ra->last_metric != rb->last_metric || ra->symptoms != rb->symptoms ||
        ra->work != rb->work || ra->limit != rb->limit || strcmp(ra->note, rb->note) != 0)
        return false;
    for (int i = 0; i < a->n; i++) {
        const suspect *x = &a->items[i], *y = &b->items[i];
        if (x->rank != y->rank || x->score != y->score || strcmp(x->node, y->node) != 0 ||
            strcmp(x->attribute, y->attribute) != 0 || strcmp(x->rule, y->rule) != 0 ||
            strcmp(x->also, y->also) != 0 || strcmp(x->evidence, y->evidence) != 0)
            return false;
    }
    return true;
}

/* The run's length: cut by the work budget reproducibly, by the time limit
 * only as a reported safety net. */
static void test_limits(const ir_program *p, const rt_data *data)
{
    char err[512];
    dx_options o;
    dx_options_default(&o);
    o.epochs = 20;     /* enough batches that half the work is more than the fewest allowed */
    long full = 20L * ((data->train.n + 31) / 32);
    suspect_list l1, l2;
    dx_run_summary r1, r2;
    CHECK(dx_diagnose(p, data, &o, &l1, &r1, err, sizeof err) == 0 && !r1.cut_short &&
              r1.limit == DX_LIMIT_NONE && r1.batches == full && r1.work == r1.full_work,
          "default budget: the small program trains to its end");
    suspect_list_free(&l1);

    o.work_budget = 0.5 * r1.full_work;
    int a = dx_diagnose(p, data, &o, &l1, &r1, err, sizeof err);
    int b = dx_diagnose(p, data, &o, &l2, &r2, err, sizeof err);
    CHECK(a == 0 && b == 0 && r1.limit == DX_LIMIT_WORK && r1.cut_short &&
              r1.batches > 0 && r1.batches < full && r1.work <= o.work_budget,
          "a smaller budget cuts the run within it");
    CHECK(same(&l1, &r1, &l2, &r2), "cut by the budget: the same suspects and numbers twice");
    suspect_list_free(&l1);
    suspect_list_free(&l2);

    /* The safety net: a time limit no run can meet, with no work budget. */
    o.work_budget = 0;
    o.time_limit = 1e-9;
    CHECK(dx_diagnose(p, data, &o, &l1, &r1, err, sizeof err) == 0 &&
              r1.limit == DX_LIMIT_TIME && r1.cut_short && r1.batches < full &&
              strstr(r1.note, "safety time limit") != NULL,
          "the time limit, when it fires, is reported with what it means");
    suspect_list_free(&l1);
}

int main(void)
{
    ir_program *p = dnnc_compile_text("api.dnn", faulty, true);
    CHECK(p != NULL, "the test program compiles");
    if (!p)
        return 1;
    char err[512];
    rt_data *data = rt_data_load(p, ir_train_dataset(p), 1, -1.0, err, sizeof err);
    CHECK(data != NULL, "its data loads");
    if (!data)
        return 1;

    dx_options o;
    dx_options_default(&o);
    suspect_list l;
    dx_run_summary run;
    CHECK(dx_diagnose(p, data, &o, &l, &run, err, sizeof err) == 0, "dx_diagnose succeeds");
    CHECK(l.n >= 2 && l.items[0].rank == 1, "suspects come ranked");
    CHECK(has(&l, "out", "activation", "output-activation") &&
              strcmp(l.items[0].node, "out") == 0,
          "the one-unit softmax ranks first");
    CHECK(l.items[0].line == 9 && l.items[0].column > 0, "located at its line in the source");
    CHECK(has(&l, "b", "standardize", "unscaled-input"), "the data rule ran");
    CHECK(run.ran && run.epochs == 5 && run.symptoms > 0, "the training run ran and saw symptoms");
    suspect_list_free(&l);

    o.static_only = true;
    CHECK(dx_diagnose(p, data, &o, &l, &run, err, sizeof err) == 0 && !run.ran &&
              has(&l, "out", "activation", "output-activation"),
          "static_only: rules without the training run");
    suspect_list_free(&l);

    o.static_only = false;
    CHECK(dx_diagnose(p, NULL, &o, &l, &run, err, sizeof err) == 0 && !run.ran &&
              has(&l, "out", "activation", "output-activation") &&
              !has(&l, "b", "standardize", "unscaled-input"),
          "without data: data rules and the run are skipped, the others run");
    suspect_list_free(&l);

    test_limits(p, data);

    /* The same program repaired (sigmoid output, unit-scale inputs). */
    ir_node *out = ir_find_node(ir_train_model(p), "out");
    out->activation = IR_ACT_SIGMOID;
    ir_train_dataset(p)->scale = 1.0;
    rt_data_free(data);
    data = rt_data_load(p, ir_train_dataset(p), 1, -1.0, err, sizeof err);
    CHECK(data && dx_diagnose(p, data, &o, &l, &run, err, sizeof err) == 0 && l.n == 0 &&
              run.ran,
          "the repaired program has no suspects");
    suspect_list_free(&l);
    rt_data_free(data);
    ir_program_free(p);
    return check_finish("test_api");
}
