/* test_patch.c: the source patcher and the IR diff.
 *
 * A faulty program written in a personal style (aligned '=', comments at the
 * ends of lines and on their own lines, a blank line, a multi-line layer) is
 * patched with every edit each repair pass proposes, and with a few
 * multi-change edits.  For each: the patched source must compile, its IR must
 * mean the same as the repaired program's (every attribute of the dataset,
 * the train block and each layer in order; inserted layers' names differ
 * only in '.' vs '_'), every comment line and every line no change touches
 * must survive, and the source diff must stay as small as the change.  The
 * IR diff of a batchnorm insertion is the two-line diff the design promises.
 * A second program written compactly (whole blocks on one line, statements
 * separated by ';') gets every edit too: an inserted layer goes in line.
 */
#include <stdlib.h>
#include <string.h>

#include "irdiff.h"
#include "patch.h"
#include "rewrite.h"
#include "rtest.h"

static const char source[] =
    "# faulty.dnn: a binary classifier\n"
    "dataset d {\n"
    "    source = blobs(samples = 400, features = 4, classes = 2)   # generated\n"
    "    test   = 0.25\n"
    "}\n"
    "\n"
    "model m {\n"
    "    input [4]\n"
    "    # the hidden layers\n"
    "    h1: dense 8, activation = sigmoid,\n"
    "        init = ones        # suspicious\n"
    "    drop: dropout 0.6\n"
    "    h2: dense 8, regularizer = l2(0.01)\n"
    "    out: dense 1, activation = softmax   # one unit\n"
    "}\n"
    "\n"
    "train {\n"
    "    model     = m\n"
    "    data      = d\n"
    "    loss      = mse       # the loss\n"
    "    optimizer = sgd(learning_rate = 3.0, momentum = 0.9)\n"
    "    batch     = 1\n"
    "}\n";

static const char compact[] =
    "dataset d { source = blobs(samples = 400, features = 4, classes = 3); test = 0.25 }  # data\n"
    "model m { input [4]; out: dense 3, activation = linear }\n"
    "train { model = m; data = d; loss = categorical_crossentropy; optimizer = sgd(learning_rate = 5) }\n";

/* User functions: a use's @name (and its arguments) is a bare name in the
 * source, and the program's own activation is a candidate. */
static const char with_functions[] =
    "function mish { library = \"libx.so\"; symbol = \"mish\" }\n"
    "function swish_beta { library = \"libx.so\"; symbol = \"sb\"; params = [beta] }\n"
    "function huber_loss { role = loss; library = \"libx.so\"; symbol = \"huber\" }\n"
    "function f1 { role = metric; library = \"libx.so\"; symbol = \"f1\" }\n"
    "dataset d { source = blobs(samples = 400, features = 4, classes = 2) }\n"
    "model m {\n"
    "    input [4]\n"
    "    h1: dense 8, activation = swish_beta(beta = 2)   # a parameter\n"
    "    h2: dense 8, activation = sigmoid\n"
    "    out: dense 2, activation = softmax\n"
    "}\n"
    "train {\n"
    "    model = m\n"
    "    data = d\n"
    "    loss = huber_loss\n"
    "    metrics = [accuracy, f1]\n"
    "    objective = f1\n"
    "    optimizer = sgd(learning_rate = 3)\n"
    "}\n";

/* Every attribute of A and B agrees (layers compared in order). */
static bool same_meaning(const ir_program *a, const ir_program *b, char *why, size_t size)
{
    char x[160], y[160];
    const ir_dataset *da = ir_train_dataset(a), *db = ir_train_dataset(b);
    for (int i = 0; i < ir_data_attr_count; i++) {
        ir_attr_format(&ir_data_attrs[i], da, x, sizeof x);
        ir_attr_format(&ir_data_attrs[i], db, y, sizeof y);
        if (strcmp(x, y)) {
            snprintf(why, size, "data %s: %s vs %s", ir_data_attrs[i].name, x, y);
            return false;
        }
    }
    for (int i = 0; i < ir_train_attr_count; i++) {
        ir_attr_format(&ir_train_attrs[i], &a->train, x, sizeof x);
        ir_attr_format(&ir_train_attrs[i], &b->train, y, sizeof y);
        if (strcmp(x, y)) {
            snprintf(why, size, "train %s: %s vs %s", ir_train_attrs[i].name, x, y);
            return false;
        }
    }
    const ir_model *ma = ir_train_model(a), *mb = ir_train_model(b);
    if (ma->n_nodes != mb->n_nodes) {
        snprintf(why, size, "%d layers vs %d", ma->n_nodes, mb->n_nodes);
        return false;
    }
    for (int j = 0; j < ma->n_nodes; j++) {
        const ir_node *na = &ma->nodes[j], *nb = &mb->nodes[j];
        char name[RP_NAME_MAX];
        snprintf(name, sizeof name, "%s", na->name);
        for (char *s = name; *s; s++)
            if (*s == '.')
                *s = '_';
        if (na->op != nb->op || (strcmp(name, nb->name) && strcmp(na->name, nb->name))) {
            snprintf(why, size, "layer %d: %s vs %s", j, na->name, nb->name);
            return false;
        }
        for (int i = 0; i < ir_node_attr_count; i++) {
            if (!ir_attr_applies(&ir_node_attrs[i], (int)na->op))
                continue;
            ir_attr_format(&ir_node_attrs[i], na, x, sizeof x);
            ir_attr_format(&ir_node_attrs[i], nb, y, sizeof y);
            if (strcmp(x, y)) {
                snprintf(why, size, "layer %s %s: %s vs %s", na->name, ir_node_attrs[i].name, x, y);
                return false;
            }
        }
    }
    return true;
}

static int count_lines(const char *diff, char sign)
{
    int n = 0;
    for (const char *s = diff; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s))
        if (s[0] == sign && s[1] != sign)
            n++;
    return n;
}

static void check_patch(const char *src, const ir_program *base, const rp_changes *cs, const char *what)
{
    ir_program *fixed = rp_apply_all(base, cs, what);
    CHECK(fixed != NULL, "%s: does not apply", what);
    if (!fixed)
        return;
    char err[256] = "";
    char *patched = rp_patch_source(src, base, fixed, cs, err, sizeof err);
    CHECK(patched != NULL, "%s: patch failed: %s", what, err);
    if (patched) {
        ir_program *again = dnnc_compile_text("patched.dnn", patched, true);
        CHECK(again != NULL, "%s: patched src does not compile:\n%s", what, patched);
        char why[512] = "";
        if (again)
            CHECK(same_meaning(fixed, again, why, sizeof why), "%s: patched src means something else: %s\n%s",
                  what, why, patched);
        ir_program_free(again);
        /* Comments survive, except inside a removed layer's statement; the
         * diff is as small as the change. */
        int removed_lines = 0;
        for (int i = 0; i < cs->n; i++) {
            const ir_node *n = cs->items[i].op == RP_REMOVE ? ir_find_node(ir_train_model(base), cs->items[i].node)
                                                            : NULL;
            for (int k = 0; n && k < n->span.len; k++)
                removed_lines += src[n->span.off + k] == '\n';
        }
        int line_no = 1;
        for (const char *s = src; *s; line_no++) {
            const char *nl = strchr(s, '\n');
            size_t n = (size_t)(nl - s);
            char line[256];
            snprintf(line, sizeof line, "%.*s", (int)n, s);
            const char *hash = strchr(line, '#');
            bool in_removed = false;
            for (int i = 0; i < cs->n; i++) {
                const ir_node *r = cs->items[i].op == RP_REMOVE ? ir_find_node(ir_train_model(base), cs->items[i].node)
                                                                : NULL;
                in_removed |= r && line_no >= r->span.line && src + r->span.off + r->span.len > s;
            }
            if (hash && !in_removed)
                CHECK(strstr(patched, hash) != NULL, "%s: comment '%s' lost", what, hash);
            s = nl + 1;
        }
        char *diff = rp_unified_diff(src, patched, "a/faulty.dnn", "b/faulty.dnn", 3);
        CHECK(count_lines(diff, '-') <= cs->n + removed_lines, "%s: diff removes %d lines for %d changes:\n%s", what,
              count_lines(diff, '-'), cs->n, diff);
        CHECK(count_lines(diff, '+') <= cs->n + 1, "%s: diff adds %d lines for %d changes:\n%s", what,
              count_lines(diff, '+'), cs->n, diff);
        free(diff);
    }
    free(patched);
    ir_program_free(fixed);
}

int main(void)
{
    ir_program *base = dnnc_compile_text("faulty.dnn", source, true);
    CHECK(base != NULL, "the faulty program does not compile");
    if (!base)
        return check_finish("test_patch");
    rp_ctx ctx = {base, rtest_facts(2, -20, 20)};
    ctx.facts.prep_min = -20;
    ctx.facts.prep_max = 20;
    rp_edits all = {0};
    rp_generate(&ctx, ~0u, &all);
    CHECK(all.n > 50, "only %d edits proposed", all.n);
    for (int i = 0; i < all.n; i++)
        check_patch(source, base, &all.items[i].changes, rp_passes[all.items[i].cls].name);

    /* Multi-change edits: one of each kind of place at once. */
    rp_changes combo = {0};
    for (int i = 0; i < all.n; i++) {
        const rp_change *c = &all.items[i].changes.items[0];
        bool clash = false;
        for (int j = 0; j < combo.n; j++)
            clash |= rp_change_conflicts(c, &combo.items[j]) || (c->op != RP_SET) != (combo.items[j].op != RP_SET);
        if (!clash && all.items[i].changes.n == 1 && all.items[i].cls != REPAIR_REMOVE_LAYER)
            rp_changes_push(&combo, c);
    }
    CHECK(combo.n >= 6, "only %d compatible changes", combo.n);
    check_patch(source, base, &combo, "combination");
    rp_changes_free(&combo);

    /* The design's example: batchnorm after a layer is a two-line IR diff
     * (one added line, the next layer's input) and a one-line source patch. */
    for (int i = 0; i < all.n; i++) {
        if (all.items[i].cls != REPAIR_BATCHNORM)
            continue;
        ir_program *fixed = rp_apply_all(base, &all.items[i].changes, "batchnorm");
        char *d = rp_ir_diff(base, fixed);
        CHECK(count_lines(d, '+') == 2 && count_lines(d, '-') == 1, "batchnorm IR diff:\n%s", d);
        CHECK(strstr(d, "+  %h1.bn = batchnorm %h1") || strstr(d, "+  %h2.bn = batchnorm %h2"),
              "inserted layer not named after its neighbour:\n%s", d);
        free(d);
        ir_program_free(fixed);
    }
    /* The compact program: every edit, an inserted layer among them. */
    ir_program *small = dnnc_compile_text("compact.dnn", compact, true);
    CHECK(small != NULL, "the compact program does not compile");
    if (small) {
        rp_ctx sctx = {small, rtest_facts(3, -20, 20)};
        rp_edits edits = {0};
        rp_generate(&sctx, ~0u, &edits);
        bool inserts = false;
        for (int i = 0; i < edits.n; i++) {
            inserts |= edits.items[i].cls == REPAIR_ADD_LAYER;
            check_patch(compact, small, &edits.items[i].changes, rp_passes[edits.items[i].cls].name);
        }
        CHECK(inserts, "no layer inserted into the compact program");
        rp_edits_free(&edits);
        ir_program_free(small);
    }

    /* The program with user functions: every edit, the program's own mish
     * among the candidates. */
    ir_program *fns = dnnc_compile_text("functions.dnn", with_functions, true);
    CHECK(fns != NULL, "the program with functions does not compile");
    if (fns) {
        rp_ctx fctx = {fns, rtest_facts(2, -20, 20)};
        rp_edits edits = {0};
        rp_generate(&fctx, ~0u, &edits);
        int own = 0;
        for (int i = 0; i < edits.n; i++) {
            for (int j = 0; j < edits.items[i].changes.n; j++)
                own += strcmp(edits.items[i].changes.items[j].after, "@mish") == 0;
            check_patch(with_functions, fns, &edits.items[i].changes, rp_passes[edits.items[i].cls].name);
        }
        CHECK(own > 0, "the program's function mish is never proposed");
        rp_edits_free(&edits);
        ir_program_free(fns);
    }

    char *none = rp_ir_diff(base, base);
    CHECK(none[0] == 0, "diff of a program with itself: %s", none);
    free(none);
    rp_edits_free(&all);
    ir_program_free(base);
    return check_finish("test_patch");
}
