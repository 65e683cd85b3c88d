/* test_rewrite.c: every repair pass changes what its records claim, and
 * nothing else.
 *
 * For each pass and each edit it proposes on a few faulty programs, the
 * edit's changes are applied to a clone and the two programs are compared
 * attribute by attribute through the attribute tables: each claimed
 * attribute must now have the record's "after" value (and had its "before"
 * value), every other attribute of every layer, dataset and of the train
 * block must be unchanged, and layers may appear or disappear only where an
 * insert or remove record says so.  Each pass must propose something on at
 * least one of the programs, and every proposed program must pass the
 * verifier and fit the data (rp_emit's guarantee, checked again here).
 */
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "ir_text.h"
#include "ir_verify.h"
#include "rewrite.h"
#include "rtest.h"

/* Faulty on purpose: constant kernel, sgd at lr 3, softmax on one unit... */
static const char prog_binary[] =
    "# a binary classifier with many faults\n"
    "dataset d {\n"
    "    source = blobs(samples = 400, features = 4, classes = 2)\n"
    "    test = 0.25\n"
    "}\n"
    "model m {\n"
    "    input [4]\n"
    "    h1: dense 8, activation = sigmoid, init = ones, bias_init = constant(0.5)\n"
    "    drop: dropout 0.6\n"
    "    h2: dense 8, regularizer = l2(0.01)\n"
    "    out: dense 1, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = mse\n"
    "    optimizer = sgd(learning_rate = 3.0, momentum = 0.9)\n"
    "    batch = 1\n"
    "    epochs = 2\n"
    "}\n";

/* A multi-class model with a wrong output width and raw inputs. */
static const char prog_multi[] =
    "dataset d {\n"
    "    source = blobs(samples = 400, features = 3, classes = 3)\n"
    "}\n"
    "model m {\n"
    "    input [3]\n"
    "    h: dense 4, activation = relu\n"
    "    out: dense 2, activation = linear\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = categorical_crossentropy\n"
    "    optimizer = adam\n"
    "    epochs = 5\n"
    "}\n";

/* A healthy-looking regression program (clipping already on). */
/* A convolutional classifier whose geometry collapses the map, with a
 * batchnorm whose statistics never settle, a tight clipping bound and a
 * momentum off its default. */
static const char prog_conv[] =
    "dataset d {\n"
    "    source = blobs(samples = 300, features = 64, classes = 3)\n"
    "}\n"
    "model m {\n"
    "    input [8, 8, 1]\n"
    "    c1: conv2d 4, kernel = 3, stride = 2, activation = relu\n"
    "    bn: batchnorm momentum = 0.9999, epsilon = 0.5\n"
    "    p1: maxpool 3\n"
    "    flatten\n"
    "    out: dense 3, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = categorical_crossentropy\n"
    "    optimizer = sgd(learning_rate = 0.01, momentum = 0.99, clipnorm = 0.001, clipvalue = 0.001)\n"
    "    batch = 32\n"
    "    epochs = 3\n"
    "}\n";

static const char prog_regression[] =
    "dataset r {\n"
    "    source = regression(samples = 300, features = 2)\n"
    "    scale = 0.001\n"
    "}\n"
    "model m {\n"
    "    input [2]\n"
    "    h: dense 16, activation = relu\n"
    "    out: dense 1\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = r\n"
    "    loss = mae\n"
    "    optimizer = rmsprop(learning_rate = 0.000001, clipnorm = 5)\n"
    "    epochs = 20\n"
    "}\n";

/* User functions in every role: the program's own parameterless activation
 * is a candidate for its hidden layers; one with a parameter is not. */
static const char prog_functions[] =
    "function mish { library = \"libx.so\"; symbol = \"mish\" }\n"
    "function swish_beta { library = \"libx.so\"; symbol = \"sb\"; params = [beta] }\n"
    "function huber_loss { role = loss; library = \"libx.so\"; symbol = \"huber\" }\n"
    "function f1 { role = metric; library = \"libx.so\"; symbol = \"f1\" }\n"
    "dataset d { source = blobs(samples = 400, features = 4, classes = 2) }\n"
    "model m {\n"
    "    input [4]\n"
    "    h1: dense 8, activation = swish_beta(beta = 2)\n"
    "    h2: dense 8, activation = sigmoid\n"
    "    out: dense 2, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = huber_loss\n"
    "    metrics = [accuracy, f1]\n"
    "    objective = f1\n"
    "    optimizer = sgd(learning_rate = 0.001)\n"
    "}\n";

static bool same(const ir_attr_desc *d, const void *a, const void *b)
{
    char x[256], y[256];
    ir_attr_format(d, a, x, sizeof x);
    ir_attr_format(d, b, y, sizeof y);
    return strcmp(x, y) == 0;
}

/* The change of L that claims attribute NAME of TARGET/NODE, or NULL. */
static const rp_change *claim(const rp_changes *l, suspect_target target, const char *node, const char *name)
{
    for (int i = 0; i < l->n; i++) {
        const rp_change *c = &l->items[i];
        if (c->op != RP_SET || c->target != target || strcmp(c->attribute, name) != 0)
            continue;
        if (target == SUSPECT_TRAIN || strcmp(c->node, node) == 0)
            return c;
    }
    return NULL;
}

static bool optimizer_claimed(const rp_changes *l)
{
    return claim(l, SUSPECT_TRAIN, "", "optimizer") != NULL;
}

/* Compares every attribute of OLD and NEW (same kind) against the claims. */
static void compare(const ir_attr_desc *table, int count, const void *old, const void *new_, int kind,
                    suspect_target target, const char *node, const rp_changes *l, const char *pass)
{
    char v[256];
    for (int i = 0; i < count; i++) {
        const ir_attr_desc *d = &table[i];
        if (!ir_attr_applies(d, kind))
            continue;
        const rp_change *c = claim(l, target, node, d->name);
        if (c) {
            ir_attr_format(d, old, v, sizeof v);
            if (target != SUSPECT_TRAIN || d->id != IR_TATTR_OPTIMIZER) {
                CHECK(strcmp(v, c->before) == 0, "%s: %s.%s was %s, record says %s", pass, node, d->name, v,
                      c->before);
                ir_attr_format(d, new_, v, sizeof v);
                CHECK(strcmp(v, c->after) == 0, "%s: %s.%s is %s, record says %s", pass, node, d->name, v,
                      c->after);
                CHECK(strcmp(c->before, c->after) != 0, "%s: %s.%s: a change that changes nothing", pass,
                      node, d->name);
            }
            continue;
        }
        if (target == SUSPECT_TRAIN && d->optimizer_param && optimizer_claimed(l))
            continue;   /* a new optimiser brings its own defaults */
        CHECK(same(d, old, new_), "%s: %s.%s changed without a record", pass, node, d->name);
    }
}

static const rp_change *structural(const rp_changes *l, rp_op op, const char *node)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].op == op && strcmp(l->items[i].node, node) == 0)
            return &l->items[i];
    return NULL;
}

static void check_edit(const ir_program *base, const rp_edit *e, const rp_facts *facts, const char *pass)
{
    ir_program *p = rp_apply_all(base, &e->changes, pass);
    CHECK(p != NULL, "%s: edit does not apply", pass);
    if (!p)
        return;
    CHECK(rp_fits_data(p, facts), "%s: proposed program does not fit the data", pass);
    CHECK(e->prior > 0 && e->prior <= 1, "%s: prior %g out of (0, 1]", pass, e->prior);
    for (int i = 0; i < base->n_datasets; i++)
        compare(ir_data_attrs, ir_data_attr_count, &base->datasets[i], &p->datasets[i],
                (int)base->datasets[i].source, SUSPECT_DATA, base->datasets[i].name, &e->changes, pass);
    CHECK(p->train.optimizer == base->train.optimizer || optimizer_claimed(&e->changes),
          "%s: optimizer changed without a record", pass);
    compare(ir_train_attrs, ir_train_attr_count, &base->train, &p->train,
            (int)(p->train.optimizer), SUSPECT_TRAIN, "", &e->changes, pass);
    const ir_model *mo = ir_train_model(base), *mn = ir_train_model(p);
    for (int i = 0; i < mo->n_nodes; i++) {
        const ir_node *a = &mo->nodes[i];
        const ir_node *b = ir_find_node(mn, a->name);
        if (!b) {
            CHECK(structural(&e->changes, RP_REMOVE, a->name) != NULL, "%s: layer %s vanished", pass, a->name);
            continue;
        }
        CHECK(a->op == b->op, "%s: layer %s changed kind", pass, a->name);
        compare(ir_node_attrs, ir_node_attr_count, a, b, (int)a->op, SUSPECT_NODE, a->name, &e->changes, pass);
    }
    for (int i = 0; i < mn->n_nodes; i++) {
        const ir_node *b = &mn->nodes[i];
        if (ir_find_node(mo, b->name))
            continue;
        const rp_change *c = structural(&e->changes, RP_INSERT, b->name);
        CHECK(c != NULL, "%s: layer %s appeared without a record", pass, b->name);
        if (c)
            CHECK(i > 0 && strcmp(mn->nodes[i - 1].name, c->anchor) == 0, "%s: %s is not after %s", pass,
                  b->name, c->anchor);
        CHECK(b->span.line == 0, "%s: inserted layer %s claims a source location", pass, b->name);
    }
    ir_program_free(p);
}

int main(void)
{
    const char *texts[] = {prog_binary, prog_multi, prog_regression, prog_functions, prog_conv};
    rp_facts facts[] = {rtest_facts(2, 0, 1), rtest_facts(3, -300, 900), rtest_facts(0, -1, 1),
                        rtest_facts(2, 0, 1), rtest_facts(3, -10, 10)};
    int user_candidates = 0, parameterised_candidates = 0;
    facts[1].range_ratio = 400;
    facts[2].prep_min = -0.001;
    facts[2].prep_max = 0.001;
    int proposed[REPAIR_CLASS_COUNT] = {0};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        ir_program *base = dnnc_compile_text("faulty.dnn", texts[k], true);
        CHECK(base != NULL, "program %zu does not compile", k);
        if (!base)
            continue;
        char *before = ir_print_string(base);
        rp_ctx ctx = {base, facts[k]};
        for (int c = 0; c < REPAIR_CLASS_COUNT; c++) {
            rp_edits edits = {0};
            rp_passes[c].run(&ctx, &edits);
            CHECK(rp_passes[c].cls == (repair_class)c, "pass table out of order at %d", c);
            proposed[c] += edits.n;
            for (int i = 0; i < edits.n; i++) {
                for (int j = 0; j < edits.items[i].changes.n; j++) {
                    user_candidates += strcmp(edits.items[i].changes.items[j].after, "@mish") == 0;
                    parameterised_candidates += strncmp(edits.items[i].changes.items[j].after, "@swish_beta", 11) == 0;
                }
                CHECK(edits.items[i].cls == (repair_class)c, "%s: edit of another class", rp_passes[c].name);
                CHECK(edits.items[i].changes.n > 0, "%s: empty edit", rp_passes[c].name);
                check_edit(base, &edits.items[i], &facts[k], rp_passes[c].name);
            }
            rp_edits_free(&edits);
        }
        /* rp_generate runs every registered pass, on facts from the loaded data. */
        char err[256];
        rt_data *data = rt_data_load(base, ir_train_dataset(base), 1, -1, err, sizeof err);
        CHECK(data != NULL, "data of program %zu: %s", k, err);
        if (data) {
            rp_ctx dctx = {base, {0}};
            rp_facts_from_data(data, &dctx.facts);
            rp_edits direct = {0}, one_by_one = {0};
            rp_generate(&dctx, ~0u, &direct);
            for (int c = 0; c < REPAIR_CLASS_COUNT; c++)
                rp_passes[c].run(&dctx, &one_by_one);
            CHECK(direct.n == one_by_one.n && direct.n > 0, "rp_generate made %d edits, the passes one by one %d",
                  direct.n, one_by_one.n);
            rp_edits_free(&direct);
            rp_edits_free(&one_by_one);
            rt_data_free(data);
        }
        char *after = ir_print_string(base);
        CHECK(strcmp(before, after) == 0, "a pass modified the program it was given");
        free(before);
        free(after);
        ir_program_free(base);
    }
    for (int c = 0; c < REPAIR_CLASS_COUNT; c++)
        CHECK(proposed[c] > 0, "pass %s proposed nothing on any program", rp_passes[c].name);
    CHECK(user_candidates == 2, "the program's function mish is proposed for its 2 hidden layers, %d times",
          user_candidates);
    CHECK(parameterised_candidates == 0, "a function with parameters is never proposed (%d times)",
          parameterised_candidates);
    return check_finish("test_rewrite");
}
